//! Progress of a long run, reported through a trait: the library never prints.

/// Receives progress from a long run. The library never prints; the binary draws a bar.
pub trait Progress: Sync {
    /// A stage starts; `total` is in the stage's unit (bytes for reading, items otherwise).
    fn stage(&self, name: &str, total: u64);
    /// `amount` more units are done.
    fn advance(&self, amount: u64);
    /// The run is over.
    fn finish(&self);
}

/// Progress that goes nowhere.
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl Progress for Silent {
    fn stage(&self, _: &str, _: u64) {}
    fn advance(&self, _: u64) {}
    fn finish(&self) {}
}
