//! `cargo +nightly fuzz run extract [corpus-dir]` from `ingest/fuzz`. Seed it with PDFs, e.g.
//! `cp ../tests/fixtures/corpus/*.pdf corpus/extract/`. Any crash found belongs in
//! `tests/regressions.rs`.
#![no_main]

use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use planarkiv_ingest::pdf::{extract, ExtractOptions};

fuzz_target!(|data: &[u8]| {
    let opts = ExtractOptions {
        max_decompressed_bytes: 8 * 1024 * 1024,
        time_budget: Duration::from_secs(2),
        max_pages: 200,
        ..ExtractOptions::default()
    };
    let _ = extract(data, &opts);
});
