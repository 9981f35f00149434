//! Relate: what verified pairs amount to. Each pair's relation (`copy`, `partial`, none) with
//! the figures that decided it, who took the text from whom, and the copy clusters with their
//! likely originals.
//!
//! **Architecture invariant:** relate imports only `error`, `date` and `verify`. It works on
//! corpus indices and figures, never on text.

pub mod cluster;
pub mod direction;
pub mod exact;
pub mod relation;

pub use cluster::{Cluster, ClusterReason, Representative};
pub use direction::{Direction, Side, direction};
pub use exact::{ExactGroups, TextIdentity};
pub use relation::{PairSide, RelatedPair, Relation, Verdict};
