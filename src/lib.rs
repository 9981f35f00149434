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
//! let wire = shingle_set(&normalize("The council’s “new” budget was approved on Monday night after a long debate."), &params);
//! // Case, curly quotes and punctuation do not matter...
//! let copy = shingle_set(&normalize("THE COUNCIL'S NEW BUDGET WAS APPROVED ON MONDAY NIGHT AFTER A LONG DEBATE"), &params);
//! assert_eq!(jaccard(&wire, &copy), 1.0);
//! // ...but words do: one changed word breaks the five 5-word shingles that contain it.
//! let edit = shingle_set(&normalize("The council's new budget was approved on Tuesday night after a long debate."), &params);
//! assert_eq!(jaccard(&wire, &edit), 4.0 / 14.0);
//! ```

pub mod align;
pub mod boilerplate;
pub mod cluster;
pub mod corpus;
pub mod error;
pub mod eval;
pub mod exact;
pub mod html;
pub mod lsh;
pub mod minhash;
pub mod normalize;
pub mod pipeline;
pub mod quality;
pub mod relation;
pub mod report;
pub mod shingle;
pub mod synth;
pub mod verify;
pub mod winnow;

pub use error::{Error, Result};
