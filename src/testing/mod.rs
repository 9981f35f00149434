//! Test support, behind the `testing` feature: exact all-pairs joins (the ground truth for
//! recall) and the scores of a scan against a generator's truth. Never used by the pipeline.

pub mod eval;
pub mod exact;
