//! Test support, behind the `testing` feature: exact all-pairs joins (the ground truth for
//! recall), the scores of a scan against a generator's truth, and hard-wrapping for the
//! metamorphic tests. Never used by the pipeline.

pub mod eval;
pub mod exact;
pub mod wrap;
