//! `planarkiv ingest`: the command-line face of `planarkiv_ingest::bulk` — argument checks,
//! a progress bar on a terminal (plain log lines otherwise), Ctrl-C, the summary and report.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use tokio::sync::watch;

use planarkiv_ingest::blobs::BlobStore;
use planarkiv_ingest::bulk::{self, manifest::Manifest, BulkOptions, Progress, RunReport};
use planarkiv_ingest::worker::WorkerConfig;

use crate::config::Config;

#[derive(clap::Args, Debug)]
pub struct IngestArgs {
    /// Files, directories (walked recursively) and zip archives.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// The archive's data directory (the one `planarkiv serve` uses).
    #[arg(long, env = "PLANARKIV_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
    /// PostgreSQL or SQLite URL; default: SQLite in the data dir.
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: Option<String>,
    /// Files stored and extracted at once, 1 to 256 (default: the number of cores).
    #[arg(long, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=256))]
    pub jobs: Option<usize>,
    /// Report what would happen (new, duplicate, unreadable) without writing anything.
    #[arg(long)]
    pub dry_run: bool,
    /// Write a JSON report with every file's path, sha256, outcome, reason, document and pages.
    #[arg(long)]
    pub report: Option<PathBuf>,
    /// CSV of metadata for listed files: path, title, kind, organization, date, archive_number, item_number, body, meeting_date (see README).
    #[arg(long)]
    pub manifest: Option<PathBuf>,
    /// Largest accepted file in MiB.
    #[arg(long, env = "PLANARKIV_MAX_UPLOAD_MB", default_value_t = 100)]
    pub max_file_mb: usize,
}

/// Exit status: 0 every file indexed, already in the archive or a duplicate; 1 some failed (or the run was stopped);
/// 2 a usage error.
pub fn run(args: IngestArgs) -> ExitCode {
    for p in &args.paths {
        if !p.exists() {
            eprintln!(
                "planarkiv ingest: {}: no such file or directory",
                p.display()
            );
            return ExitCode::from(2);
        }
    }
    let manifest = match args.manifest.as_deref().map(Manifest::load).transpose() {
        Ok(m) => m,
        Err(e) => {
            eprintln!("planarkiv ingest: {e}");
            return ExitCode::from(2);
        }
    };
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("planarkiv ingest: cannot start the runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match rt.block_on(ingest(args, manifest)) {
        Ok(report) if report.all_ok() => ExitCode::SUCCESS,
        Ok(_) => ExitCode::from(1),
        Err(e) => {
            eprintln!("planarkiv ingest: {e:#}");
            ExitCode::from(1)
        }
    }
}

async fn ingest(args: IngestArgs, manifest: Option<Manifest>) -> anyhow::Result<RunReport> {
    let mut config = Config::embedded(&args.data_dir);
    config.database_url = args.database_url.clone();
    let sqlite_missing =
        args.database_url.is_none() && !args.data_dir.join("planarkiv.sqlite3").exists();
    // A dry run writes nothing, not even a new empty archive.
    let db = if args.dry_run && sqlite_missing {
        None
    } else {
        if !args.dry_run {
            std::fs::create_dir_all(&args.data_dir).with_context(|| {
                format!(
                    "cannot create the data directory {}",
                    args.data_dir.display()
                )
            })?;
        }
        Some(
            planarkiv_ingest::db::connect(&config.database_url())
                .await
                .context("cannot open the database")?,
        )
    };
    let blobs = if args.dry_run {
        None
    } else {
        Some(BlobStore::open(config.blob_dir()).context("cannot open the blob store")?)
    };
    let jobs = args.jobs.unwrap_or(config.worker_concurrency).max(1);
    // Origins are absolute, so a run started from another folder recognises the same files.
    let paths = args
        .paths
        .iter()
        .map(|p| std::fs::canonicalize(p).unwrap_or_else(|_| p.clone()))
        .collect();
    let opts = BulkOptions {
        paths,
        jobs,
        dry_run: args.dry_run,
        manifest,
        max_file_bytes: args.max_file_mb.max(1) * 1024 * 1024,
        blobs,
        index_dir: config.index_dir(),
        worker: WorkerConfig {
            lease: config.job_lease,
            listen_url: config.postgres_url(),
            ..WorkerConfig::default()
        },
    };

    let (progress_tx, progress_rx) = watch::channel(Progress::default());
    let (stop_tx, stop_rx) = watch::channel(false);
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!(
                "planarkiv ingest: stopping after the files in flight (Ctrl-C again to abort)"
            );
            let _ = stop_tx.send(true);
            if tokio::signal::ctrl_c().await.is_ok() {
                std::process::exit(130);
            }
        }
    });
    let display = tokio::spawn(show_progress(progress_rx));
    let report = bulk::run(db, opts, progress_tx, stop_rx).await?;
    let _ = display.await;

    print_summary(&report);
    if let Some(path) = &args.report {
        let json = serde_json::to_vec_pretty(&report)?;
        std::fs::write(path, json)
            .with_context(|| format!("cannot write the report {}", path.display()))?;
        println!("report written to {}", path.display());
    }
    Ok(report)
}

fn counts_line(p: &Progress) -> String {
    let c = &p.counts;
    if p.dry_run {
        return format!(
            "new {} · duplicate {} · unreadable {}",
            c.new, c.duplicate, c.unreadable
        );
    }
    let already = match c.already_archived {
        0 => String::new(),
        n => format!(" · already in the archive {n}"),
    };
    format!(
        "indexed {}{already} · duplicate {} · failed {} · pending {} · {} pages ({} OCR)",
        c.indexed, c.duplicate, c.failed, c.pending, c.pages, c.ocr_pages
    )
}

/// A bar on a terminal; a log line every few seconds otherwise (CI logs, cron mails).
async fn show_progress(mut rx: watch::Receiver<Progress>) {
    let started = std::time::Instant::now();
    if std::io::stderr().is_terminal() {
        let bar = ProgressBar::new(0);
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} files · {per_sec} · ETA {eta}\n{msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        while rx.changed().await.is_ok() {
            let p = rx.borrow().clone();
            let done = p.counts.total - p.counts.pending;
            bar.set_length(p.discovered.max(done));
            bar.set_position(done);
            let secs = started.elapsed().as_secs_f64().max(0.001);
            bar.set_message(format!(
                "{} · {:.1} pages/s",
                counts_line(&p),
                p.counts.pages as f64 / secs
            ));
        }
        bar.finish_and_clear();
    } else {
        let mut last = std::time::Instant::now();
        while rx.changed().await.is_ok() {
            if last.elapsed() < Duration::from_secs(5) {
                continue;
            }
            last = std::time::Instant::now();
            let p = rx.borrow().clone();
            let secs = started.elapsed().as_secs_f64().max(0.001);
            eprintln!(
                "planarkiv ingest: {} files found, {} · {:.1} files/s, {:.1} pages/s",
                p.discovered,
                counts_line(&p),
                (p.counts.total - p.counts.pending) as f64 / secs,
                p.counts.pages as f64 / secs
            );
        }
    }
}

fn print_summary(r: &RunReport) {
    let c = &r.counts;
    let secs = r.elapsed_seconds.max(0.001);
    if r.dry_run {
        println!(
            "dry run: {} files: {} new, {} duplicate, {} unreadable (nothing was written)",
            c.total, c.new, c.duplicate, c.unreadable
        );
    } else {
        println!(
            "ingest run {}: {} — {} files: {} indexed ({} pages, {} of them read by OCR), {} already in the archive, {} duplicate, {} failed, {} pending",
            r.run_id.unwrap_or_default(),
            r.state,
            c.total,
            c.indexed,
            c.pages,
            c.ocr_pages,
            c.already_archived,
            c.duplicate,
            c.failed,
            c.pending
        );
        println!(
            "{:.1} s, {:.1} files/s, {:.1} pages/s, peak memory {:.1} MiB",
            secs,
            c.total as f64 / secs,
            c.pages as f64 / secs,
            crate::bench_cmd::peak_rss_mib().unwrap_or(f64::NAN)
        );
    }
    let bad: Vec<_> = r
        .files
        .iter()
        .filter(|f| matches!(f.outcome.as_str(), "failed" | "unreadable" | "pending"))
        .collect();
    if !bad.is_empty() {
        println!("files that did not go in:");
        for f in bad.iter().take(50) {
            println!(
                "  {}: {} — {}",
                f.outcome,
                f.path,
                f.reason
                    .as_deref()
                    .unwrap_or("interrupted; run again to finish")
            );
        }
        if bad.len() > 50 {
            println!("  … and {} more (see --report)", bad.len() - 50);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use planarkiv_ingest::bulk::Counts;

    #[test]
    fn a_dry_run_reports_new_files_not_indexed_ones() {
        let counts = Counts {
            total: 7,
            new: 4,
            duplicate: 2,
            unreadable: 1,
            ..Counts::default()
        };
        let mut p = Progress {
            counts,
            dry_run: true,
            ..Progress::default()
        };
        assert_eq!(counts_line(&p), "new 4 · duplicate 2 · unreadable 1");
        p.dry_run = false;
        p.counts = Counts {
            total: 9,
            indexed: 5,
            duplicate: 1,
            failed: 2,
            pending: 1,
            pages: 40,
            ..Counts::default()
        };
        assert_eq!(
            counts_line(&p),
            "indexed 5 · duplicate 1 · failed 2 · pending 1 · 40 pages (0 OCR)"
        );
    }
}
