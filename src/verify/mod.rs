//! Verify: exact figures of a candidate pair. Jaccard and containment on the shingle sets,
//! and the reused passages aligned as byte ranges of both original texts.
//!
//! **Architecture invariant:** verify imports only `error` and `text`. Every figure it returns
//! is exact, never an estimate.

pub mod align;
pub mod sets;

pub use sets::{VerifiedPair, jaccard, verify_pair};
