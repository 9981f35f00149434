//! Any `date` field: parsed to a timestamp or refused, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = reprint::date::parse_date(text);
});
