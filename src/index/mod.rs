//! Feed mode: a persistent index that checks each batch of articles against everything added
//! before (issue 15, being built). So far: the packed posting format.
//!
//! **Architecture invariant:** index sits above pipeline and below report; its store is the
//! only file it touches.

pub mod feed;
pub mod postings;
pub mod store;
