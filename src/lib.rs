//! reprint finds articles that reuse each other's wording (syndicated copies, cut and edited
//! reprints, lifted paragraphs) in news feeds and large text corpora, and scores every article
//! for boilerplate and padding.
//!
//! One folder per phase, each importing only the ones below it:
//! [`ingest`] (files → documents), [`text`] (normalize, shingle), [`candidates`] (MinHash,
//! LSH, winnowing), [`verify`] (exact figures, passages), [`relate`] (relations, direction,
//! clusters), [`quality`] (boilerplate, padding, stuffing), then [`pipeline`], which runs them
//! over a corpus in parallel, and [`report`], which writes what users read.
//!
//! ```
//! use reprint::text::normalize::normalize;
//! use reprint::text::shingle::{shingle_set, ShingleParams};
//! use reprint::verify::jaccard;
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

pub mod candidates;
pub mod date;
pub mod error;
pub mod index;
pub mod ingest;
pub mod pipeline;
pub mod quality;
pub mod relate;
pub mod report;
pub mod synth;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod text;
pub mod verify;

pub use error::{Error, Result};
