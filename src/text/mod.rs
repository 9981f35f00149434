//! Text: normalization (with byte offsets back into the original) and shingling, the units
//! every later phase counts in.
//!
//! **Architecture invariant:** text imports only `error`. Everything above it sees words and
//! shingles only through this layer, so normalization is defined once.

pub mod canonical;
pub mod lexicon;
pub mod normalize;
pub mod sets;
pub mod shingle;
