//! Deterministic mutation fuzzing of `extract`: corpus PDFs with seeded byte flips, truncations,
//! duplications and splices must never panic and must finish within the time budget.
//! `PDF_FUZZ_ITERS` sets the number of mutants per seed file (default 150).

use std::path::Path;
use std::time::{Duration, Instant};

use planarkiv_ingest::pdf::{extract, ExtractOptions};

/// SplitMix64: small, seedable and good enough to pick mutation sites.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

const INTERESTING: &[&[u8]] = &[
    b"0",
    b"-1",
    b"4294967296",
    b"99999999999",
    b"1e308",
    b"/",
    b"<<",
    b">>",
    b"[",
    b"]",
    b"(",
    b")",
    b"R",
    b" 0 R",
    b"obj",
    b"endobj",
    b"stream\n",
    b"endstream",
    b"/Type0",
    b"/Identity-H",
    b"BT",
    b"ET",
    b"Tj",
    b"TJ",
    b"Tf",
    b"Do",
    b"q",
    b"Q",
    b"cm",
    b"beginbfrange",
    b"<FFFF>",
    b"/FlateDecode",
];

fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let mut data = input.to_vec();
    let rounds = 1 + rng.below(8);
    for _ in 0..rounds {
        if data.is_empty() {
            data.extend_from_slice(b"%PDF-1.4\n");
        }
        let at = rng.below(data.len());
        match rng.below(7) {
            0 => {
                let bit = 1u8 << rng.below(8);
                data[at] ^= bit;
            }
            1 => data[at] = rng.next() as u8,
            2 => data.truncate(at.max(16)),
            3 => {
                let len = rng.below(512).min(data.len() - at);
                let chunk = data[at..at + len].to_vec();
                let to = rng.below(data.len());
                data.splice(to..to, chunk);
            }
            4 => {
                let len = rng.below(256).min(data.len() - at);
                data.drain(at..at + len);
            }
            5 => {
                let word = INTERESTING[rng.below(INTERESTING.len())];
                data.splice(at..at, word.iter().copied());
            }
            _ => {
                // Overwrite digits: offsets, lengths and object numbers are where parsers break.
                if data[at].is_ascii_digit() {
                    data[at] = b'0' + rng.below(10) as u8;
                }
            }
        }
    }
    data
}

#[test]
fn mutated_corpus_files_never_panic_or_hang() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus");
    let seeds = [
        "000_77873343ce0f1544.reportlab-base14.pdf",
        "000_77873343ce0f1544.groff-ghostscript.pdf",
        "000_77873343ce0f1544.libreoffice-uncompressed.pdf",
        "001_c3aecd334359614f.chromium.pdf",
        "001_c3aecd334359614f.fpdf2-ttf.pdf",
        "002_d1e9a78ab4adc9ca.libreoffice-objstm.pdf",
        "003_adfebcdefcd237af.libreoffice-truncated.pdf",
    ];
    let iters: usize = std::env::var("PDF_FUZZ_ITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(150);
    let opts = ExtractOptions {
        max_decompressed_bytes: 16 * 1024 * 1024,
        time_budget: Duration::from_secs(5),
        max_pages: 1000,
        ..ExtractOptions::default()
    };
    for (k, name) in seeds.iter().enumerate() {
        let original = std::fs::read(dir.join(name)).expect("fixture");
        let mut rng = Rng(0x5eed_0000 + k as u64);
        for i in 0..iters {
            let mutant = mutate(&mut rng, &original);
            let started = Instant::now();
            let outcome =
                std::panic::catch_unwind(|| extract(&mutant, &opts).map(|d| d.text().len()));
            let elapsed = started.elapsed();
            assert!(outcome.is_ok(), "{name} mutant {i} panicked");
            // Panics extraction caught itself count too: in this crate's code each is a bug
            // (the parser's own are lopdf's and only cost the file).
            assert_eq!(
                planarkiv_ingest::pdf::recovered_panics().0,
                0,
                "{name} mutant {i}: the interpreter or layout panicked"
            );
            assert!(
                elapsed < Duration::from_secs(10),
                "{name} mutant {i} took {elapsed:?}"
            );
        }
    }
}
