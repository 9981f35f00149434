//! One test binary with a module per area.

mod accuracy;
mod architecture;
mod cli;
mod determinism;
mod feed;
mod groups;
mod inputs;
mod outputs;
mod properties;
mod report;
mod sample_corpus;
mod scripts;
mod sharded;
mod support;
mod templates;
