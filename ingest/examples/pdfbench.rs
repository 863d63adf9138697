//! Throughput of `extract` on one core: `pdfbench [--rounds N] FILE...` prints pages per second
//! (compare with `pdftotext` on the same files).

use std::time::Instant;

use planarkiv_ingest::pdf::{extract, ExtractOptions};

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut rounds = 5usize;
    if args.first().map(String::as_str) == Some("--rounds") {
        rounds = args.get(1).and_then(|v| v.parse().ok()).unwrap_or(5);
        args.drain(..2.min(args.len()));
    }
    let files: Vec<(String, Vec<u8>)> = args
        .into_iter()
        .filter_map(|p| std::fs::read(&p).ok().map(|b| (p, b)))
        .collect();
    if files.is_empty() {
        eprintln!("usage: pdfbench [--rounds N] FILE.pdf...");
        std::process::exit(1);
    }
    let opts = ExtractOptions::default();
    let (mut pages, mut bytes, mut failures) = (0usize, 0usize, 0usize);
    let started = Instant::now();
    for _ in 0..rounds {
        for (_, data) in &files {
            bytes += data.len();
            match extract(data, &opts) {
                Ok(doc) => pages += doc.pages.len(),
                Err(_) => failures += 1,
            }
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{} files x {rounds} rounds: {pages} pages in {secs:.3}s = {:.1} pages/s, {:.1} MB/s, {failures} failed extractions",
        files.len(),
        pages as f64 / secs,
        bytes as f64 / secs / 1e6
    );
}
