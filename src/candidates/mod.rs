//! Candidates: which pairs of documents are worth verifying. MinHash signatures cut into LSH
//! bands find documents alike as a whole; winnowed fingerprints find a long passage shared by
//! texts of any length.
//!
//! **Architecture invariant:** candidates import only `error` and `text`. A candidate is only
//! a suggestion: nothing here decides that two documents are related.

pub mod lsh;
pub mod minhash;
pub mod winnow;

pub use lsh::{CandidatePair, merge_candidates};
