//! reprint finds articles that reuse each other's wording (syndicated copies, light rewrites)
//! in news feeds and large text corpora.
//!
//! The pipeline, one module per stage: [`corpus`] (files → records) → [`normalize`] →
//! [`shingle`] → [`minhash`] → [`lsh`] → [`verify`] → [`cluster`] → [`report`]. The
//! [`pipeline`] module runs them, in parallel, over a whole corpus.
//!
//! ```
//! use reprint::{normalize::normalize, shingle::{shingle_set, ShingleParams}, verify::jaccard};
//!
//! let params = ShingleParams::default();
//! let a = shingle_set(&normalize("The council approved the new harbour budget on Monday night."), &params);
//! let b = shingle_set(&normalize("The council approved the new harbor budget on Monday night."), &params);
//! assert!(jaccard(&a, &b) > 0.2 && jaccard(&a, &b) < 1.0);
//! ```

pub mod cluster;
pub mod corpus;
pub mod error;
pub mod exact;
pub mod lsh;
pub mod minhash;
pub mod normalize;
pub mod pipeline;
pub mod report;
pub mod shingle;
pub mod synth;
pub mod verify;

pub use error::{Error, Result};
