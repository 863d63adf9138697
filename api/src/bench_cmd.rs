//! `planarkiv bench extract`: the raw single-thread extraction rate of a set of PDFs, the peer
//! that end-to-end ingest throughput is measured against (BENCHMARKS.md).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use planarkiv_ingest::pdf::{self, ExtractOptions};

#[derive(clap::Args, Debug)]
pub struct BenchArgs {
    /// PDF files or directories (walked recursively for *.pdf).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Extract everything this many times.
    #[arg(long, default_value_t = 1)]
    pub repeat: usize,
    /// Also run the entity rules on each extracted file, timed apart from the extraction.
    #[arg(long)]
    pub entities: bool,
}

fn collect(p: &Path, out: &mut Vec<PathBuf>) {
    if p.is_dir() {
        let mut entries: Vec<_> = std::fs::read_dir(p)
            .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        entries.sort();
        for e in entries {
            collect(&e, out);
        }
    } else if p.extension().is_some_and(|e| e.eq_ignore_ascii_case("pdf")) {
        out.push(p.to_owned());
    }
}

/// Peak resident memory of this process, from the kernel (Linux only).
pub fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

pub fn run(args: BenchArgs) -> ExitCode {
    let mut files = Vec::new();
    for p in &args.paths {
        collect(p, &mut files);
    }
    if files.is_empty() {
        eprintln!("planarkiv bench: no PDF files found");
        return ExitCode::from(2);
    }
    let opts = ExtractOptions::default();
    let (mut pages, mut ok, mut failed, mut bytes) = (0u64, 0u64, 0u64, 0u64);
    let mut in_entities = std::time::Duration::ZERO;
    let started = Instant::now();
    for _ in 0..args.repeat.max(1) {
        for f in &files {
            let Ok(data) = std::fs::read(f) else {
                failed += 1;
                continue;
            };
            bytes += data.len() as u64;
            match pdf::extract(&data, &opts) {
                Ok(doc) => {
                    ok += 1;
                    pages += doc.pages.len() as u64;
                    if args.entities {
                        let t = Instant::now();
                        std::hint::black_box(planarkiv_ingest::entities::extract(&doc));
                        in_entities += t.elapsed();
                    }
                }
                Err(_) => failed += 1,
            }
        }
    }
    // The extraction rate leaves the entity rules out, so it stays comparable with or without them.
    let secs = (started.elapsed() - in_entities).as_secs_f64().max(1e-9);
    println!(
        "extracted {ok} files ({failed} failed), {pages} pages, {:.1} MiB in {secs:.2} s on one thread",
        bytes as f64 / (1024.0 * 1024.0)
    );
    println!(
        "{:.1} files/s, {:.1} pages/s, peak memory {:.1} MiB",
        (ok + failed) as f64 / secs,
        pages as f64 / secs,
        peak_rss_mib().unwrap_or(f64::NAN)
    );
    if args.entities {
        let e = in_entities.as_secs_f64();
        println!(
            "entity rules: {e:.2} s, {:.1} pages/s, {:.1} % of the extraction time",
            pages as f64 / e.max(1e-9),
            100.0 * e / secs
        );
    }
    ExitCode::SUCCESS
}
