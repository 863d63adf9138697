//! The `planarkiv` binary: one program for the server and the command-line tools.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};

use planarkiv_api::auth::Role;
use planarkiv_api::{App, Config};
use planarkiv_ingest::pdf::{self, ExtractOptions, PdfError};

#[derive(Parser)]
#[command(
    name = "planarkiv",
    version,
    about = "A searchable archive of health-community plans and case papers"
)]
struct Cli {
    /// A TOML file of settings (see README); flags and environment variables override it.
    #[arg(long, global = true, env = "PLANARKIV_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the GraphQL API with the extraction worker and the indexer.
    Serve(ServeArgs),
    /// Claim and run extraction jobs only (no HTTP); run several beside `serve --no-worker`.
    Worker {
        #[command(flatten)]
        db: DbArgs,
        /// Extractions at once (default: the number of cores).
        #[arg(long)]
        jobs: Option<usize>,
    },
    /// Ingest files, directories and zip archives into the archive, with a report.
    ///
    /// Exit status: 0 every file indexed or a duplicate; 1 some failed; 2 a usage error.
    Ingest(planarkiv_api::ingest_cmd::IngestArgs),
    /// Print the plans, cases and appendices found in a PDF (the shape of the golden files).
    Entities {
        file: PathBuf,
        /// JSON output; it is the only format, the flag is accepted for symmetry with `extract`.
        #[arg(long)]
        json: bool,
    },
    /// Report documents missing from the index, or indexed but deleted; exits 1 when there are any.
    Check {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Queue documents for another extraction; a running server or `planarkiv worker` does it.
    /// Documents read by older entity rules are also queued when a server starts.
    Reextract {
        /// Every document, not only those read by older entity rules.
        #[arg(long, conflicts_with = "failed")]
        all: bool,
        /// The documents whose extraction failed (e.g. scans, once OCR is installed).
        #[arg(long)]
        failed: bool,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Rebuild the search index from the database (the server must be stopped; a running
    /// server rebuilds with the `reindex` mutation instead).
    Reindex {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Copy an embedded archive (database snapshot and stored files) into a new folder.
    Backup {
        /// A folder that does not exist yet.
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Write documents, their files and what was set on them to a portable zip.
    Export {
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Read a zip written by `export` into this archive (e.g. moving from SQLite to PostgreSQL).
    Import {
        file: PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Manage API tokens (shown once at creation, stored hashed).
    #[command(subcommand)]
    Token(TokenCommand),
    /// Measure things; see BENCHMARKS.md.
    #[command(subcommand)]
    Bench(BenchCommand),
    /// Print the text of a PDF, pages separated by form feeds. Scanned pages are read by OCR
    /// (Tesseract); a page OCR could not read is named on stderr.
    ///
    /// Exit status: 0 text printed; 2 a password is needed; 3 damaged beyond recovery;
    /// 4 no text layer and no OCR available (or OCR found no words); 1 any other error.
    Extract {
        file: PathBuf,
        /// Print pages with their lines, boxes, font sizes and bold flags as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Check what extraction needs from this machine: Tesseract and its Norwegian model for
    /// OCR, pdftoppm for rendering scanned pages. Exit 1 when OCR is unavailable.
    Doctor,
}

#[derive(clap::Args)]
struct DbArgs {
    #[arg(long, env = "PLANARKIV_DATA_DIR", default_value = "data")]
    data_dir: PathBuf,
    #[arg(long, env = "DATABASE_URL")]
    database_url: Option<String>,
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create a token and print it (the only time it is shown).
    Create {
        #[arg(long, value_parser = ["reader", "editor", "admin"])]
        role: String,
        /// Who or what the token is for.
        #[arg(long, default_value = "unnamed")]
        name: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// List tokens (without their secrets).
    List {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Revoke a token by its number from `token list`.
    Revoke {
        id: i64,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Subcommand)]
enum BenchCommand {
    /// Extract PDFs on one thread and report files/s, pages/s and peak memory.
    Extract(planarkiv_api::bench_cmd::BenchArgs),
    /// Build a large generated archive and compare search latency with PostgreSQL full-text
    /// search on the same pages.
    Search(planarkiv_api::searchbench_cmd::SearchBenchArgs),
}

#[derive(clap::Args)]
struct ServeArgs {
    /// Directory for the SQLite database, the stored files and the search index.
    #[arg(long, env = "PLANARKIV_DATA_DIR", default_value = "data")]
    data_dir: PathBuf,
    /// Address to listen on.
    #[arg(long, env = "PLANARKIV_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// PostgreSQL (postgres://…) or SQLite (sqlite://…) URL; default: SQLite in the data dir.
    #[arg(long, env = "DATABASE_URL")]
    database_url: Option<String>,
    /// Ingest the bundled sample PDFs when the archive is empty.
    #[arg(long)]
    demo: bool,
    /// This process's search index directory (default: `<data-dir>/index`); API processes
    /// sharing a data directory each need their own.
    #[arg(long, env = "PLANARKIV_INDEX_DIR")]
    index_dir: Option<PathBuf>,
    /// Origins allowed to call the API from a browser (comma-separated; `*`: any origin).
    #[arg(long, env = "PLANARKIV_CORS_ORIGINS", value_delimiter = ',')]
    cors_origin: Vec<String>,
    /// Serve the API and keep the index only; extraction runs in `planarkiv worker` processes.
    #[arg(long)]
    no_worker: bool,
    /// Largest accepted upload in MiB.
    #[arg(long, env = "PLANARKIV_MAX_UPLOAD_MB", default_value_t = 100)]
    max_upload_mb: usize,
    /// Role of requests without a token: reader, editor, admin or none.
    /// Default: editor when listening on loopback, none otherwise.
    #[arg(long, env = "PLANARKIV_ANONYMOUS_ROLE")]
    anonymous_role: Option<String>,
    /// Host names the server answers to besides IP addresses and `localhost`
    /// (comma-separated; `*` for any). Requests naming another host are refused, so a web
    /// page cannot reach this server through DNS rebinding.
    #[arg(long, env = "PLANARKIV_ALLOWED_HOSTS", value_delimiter = ',')]
    allowed_host: Vec<String>,
    /// Open HTTP connections at once; more are answered 503.
    #[arg(long, env = "PLANARKIV_MAX_CONNECTIONS", default_value_t = 1024)]
    max_connections: usize,
    /// Uploads received at once; more are answered 503.
    #[arg(long, env = "PLANARKIV_MAX_CONCURRENT_UPLOADS", default_value_t = 4)]
    max_concurrent_uploads: usize,
}

/// `--config FILE` (or `PLANARKIV_CONFIG`) fills in, before the command line is parsed, the
/// environment variables the file sets and the environment does not.
fn load_config_file() -> Result<(), String> {
    let args: Vec<String> = std::env::args().collect();
    let from_args = args.iter().enumerate().find_map(|(i, a)| {
        a.strip_prefix("--config=").map(str::to_owned).or_else(|| {
            (a == "--config")
                .then(|| args.get(i + 1).cloned())
                .flatten()
        })
    });
    let Some(path) = from_args.or_else(|| std::env::var("PLANARKIV_CONFIG").ok()) else {
        return Ok(());
    };
    for (var, value) in planarkiv_api::config_file::read(std::path::Path::new(&path))? {
        if std::env::var_os(&var).is_none() {
            // Single-threaded here: nothing else reads the environment yet.
            std::env::set_var(var, value);
        }
    }
    Ok(())
}

// glibc's allocator spent a tenth of a bulk ingest in malloc/free and page faults (many
// threads allocating and freeing page texts, index buffers and rows); mimalloc's per-thread
// heaps do the same work in a fraction of it.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    if let Err(e) = load_config_file() {
        eprintln!("planarkiv: {e}");
        return ExitCode::from(2);
    }
    let cli = Cli::parse();
    match cli.command {
        Command::Extract { file, json } => extract(&file, json),
        Command::Doctor => doctor(),
        Command::Token(cmd) => token(cmd),
        Command::Check { db } => index_command(db, false),
        Command::Backup { out, db } => archive_command(db, ArchiveOp::Backup(out)),
        Command::Export { out, db } => archive_command(db, ArchiveOp::Export(out)),
        Command::Import { file, db } => archive_command(db, ArchiveOp::Import(file)),
        Command::Entities { file, json: _ } => entities(&file),
        Command::Reindex { db } => index_command(db, true),
        Command::Reextract { all, failed, db } => reextract(db, all, failed),
        Command::Worker { db, jobs } => {
            init_tracing();
            match block_on(worker(db, jobs)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("planarkiv worker: {e:#}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Bench(BenchCommand::Extract(args)) => planarkiv_api::bench_cmd::run(args),
        Command::Bench(BenchCommand::Search(args)) => planarkiv_api::searchbench_cmd::run(args),
        Command::Ingest(args) => {
            init_tracing();
            planarkiv_api::ingest_cmd::run(args)
        }
        Command::Serve(args) => {
            init_tracing();
            match block_on(serve(args)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("planarkiv: {e:#}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}

fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        EnvFilter::new("info,sea_orm_migration=warn,planarkiv_ingest::worker=warn")
    });
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let mut config = Config::embedded(&args.data_dir);
    config.listen = args.listen;
    config.database_url = args.database_url;
    config.demo = args.demo;
    config.worker = !args.no_worker;
    config.cors_origins = args.cors_origin;
    config.index_dir = args.index_dir;
    config.max_upload_bytes = args.max_upload_mb.max(1) * 1024 * 1024;
    config.allowed_hosts = args.allowed_host;
    config.limits.max_connections = args.max_connections.max(1);
    config.limits.max_concurrent_uploads = args.max_concurrent_uploads.max(1);
    config.anonymous_role = match args.anonymous_role.as_deref() {
        Some("none") => None,
        Some(r) => Some(r.parse::<Role>().map_err(anyhow::Error::msg)?),
        None if args.listen.ip().is_loopback() => Some(Role::Editor),
        None => None,
    };
    let listen = config.listen;
    let app = App::start(config).await?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    tracing::info!(address = %listen, "planarkiv is serving GraphQL at /graphql");
    if app
        .state
        .config
        .anonymous_role
        .is_some_and(|r| r >= Role::Editor)
    {
        tracing::warn!(
            "callers without a token may change the archive (anonymous role {:?}); any program on this machine can",
            app.state.config.anonymous_role
        );
        if app
            .state
            .config
            .cors_origins
            .iter()
            .any(|o| o.trim() == "*")
        {
            tracing::warn!(
                "--cors-origin '*' with that anonymous role lets a page on any web site change the archive through a visitor's browser"
            );
        }
    }
    let limits = app.state.config.limits.clone();
    planarkiv_api::serve::serve(listener, app.router(), &limits, async {
        shutdown_signal().await;
        tracing::info!("shutting down: finishing jobs in flight");
    })
    .await?;
    app.shutdown().await;
    Ok(())
}

/// The settings and the (migrated) database a command's `--data-dir`/`--database-url` name.
async fn open_db(args: DbArgs) -> anyhow::Result<(Config, sea_orm::DatabaseConnection)> {
    let mut config = Config::embedded(&args.data_dir);
    config.database_url = args.database_url;
    let db = planarkiv_ingest::db::connect(&config.database_url())
        .await
        .context("cannot open the database")?;
    Ok((config, db))
}

fn reextract(args: DbArgs, all: bool, failed: bool) -> ExitCode {
    use planarkiv_ingest::queue::{requeue, Requeue};
    let which = match (all, failed) {
        (true, _) => Requeue::All,
        (_, true) => Requeue::Failed,
        _ => Requeue::Outdated,
    };
    let result = block_on(async move {
        let (_, db) = open_db(args).await?;
        let n = requeue(&db, which).await?;
        anyhow::Ok(n)
    });
    match result {
        Ok(n) => {
            println!("queued {n} documents for extraction; a running server or `planarkiv worker` extracts them");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("planarkiv reextract: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn index_command(args: DbArgs, rebuild: bool) -> ExitCode {
    let result = block_on(async move {
        use planarkiv_ingest::index::{check, Indexer, SearchIndex};
        let (config, db) = open_db(args).await?;
        let dir = config.index_dir();
        if rebuild {
            let index = SearchIndex::open(&dir).with_context(|| {
                format!(
                    "cannot take the index in {} (is a server running? then use the reindex mutation)",
                    dir.display()
                )
            })?;
            let indexer = Indexer::new(db.clone(), std::sync::Arc::new(index), Default::default());
            let n = indexer.rebuild().await?;
            indexer.catch_up().await?;
            println!("rebuilt the index from {n} documents");
            return anyhow::Ok(true);
        }
        let index = SearchIndex::open_read_only(&dir)
            .with_context(|| format!("cannot open the index in {}", dir.display()))?;
        let drift = check(&db, &index).await?;
        println!(
            "{} documents indexed in the database, {} pages in the index",
            drift.indexed_documents, drift.index_pages
        );
        for id in &drift.missing {
            println!("missing from the index: document {id}");
        }
        for id in &drift.orphaned {
            println!("in the index but not in the database: document {id}");
        }
        for id in &drift.wrong_pages {
            println!("page count differs between index and database: document {id}");
        }
        if drift.is_clean() {
            println!("the index matches the database");
        }
        anyhow::Ok(drift.is_clean())
    });
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("planarkiv: {e:#}");
            ExitCode::from(2)
        }
    }
}

enum ArchiveOp {
    Backup(PathBuf),
    Export(PathBuf),
    Import(PathBuf),
}

fn archive_command(args: DbArgs, op: ArchiveOp) -> ExitCode {
    let result = block_on(async move {
        use planarkiv_ingest::archive;
        let mut config = Config::embedded(&args.data_dir);
        config.database_url = args.database_url;
        if matches!(op, ArchiveOp::Import(_)) {
            std::fs::create_dir_all(&config.data_dir)?;
        } else if config.database_url.is_none()
            && !config.data_dir.join("planarkiv.sqlite3").exists()
        {
            anyhow::bail!("no archive in {}", config.data_dir.display());
        }
        let db = planarkiv_ingest::db::connect(&config.database_url())
            .await
            .context("cannot open the database")?;
        let blobs = planarkiv_ingest::blobs::BlobStore::open(config.blob_dir())?;
        match op {
            ArchiveOp::Backup(out) => {
                // Read-only: a running server keeps its index.
                let index =
                    planarkiv_ingest::index::SearchIndex::open_read_only(&config.index_dir()).ok();
                let n =
                    archive::backup_sqlite(&db, &config.blob_dir(), index.as_ref(), &out).await?;
                println!(
                    "backup written to {}: database snapshot, {n} stored files and index.json (the index itself is rebuilt on first start)",
                    out.display()
                );
            }
            ArchiveOp::Export(out) => {
                let n = archive::export(&db, &blobs, &out).await?;
                println!("exported {n} documents to {}", out.display());
            }
            ArchiveOp::Import(file) => {
                let (new, present) =
                    archive::import(&db, &blobs, &file, config.max_upload_bytes).await?;
                println!(
                    "imported {new} documents ({present} were already here and got the exported titles and metadata); run `planarkiv serve` or `planarkiv worker` to extract them"
                );
            }
        }
        anyhow::Ok(())
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("planarkiv: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Runs a command's async body on a runtime of its own.
fn block_on<T>(fut: impl std::future::Future<Output = anyhow::Result<T>>) -> anyhow::Result<T> {
    tokio::runtime::Runtime::new()
        .context("cannot start the async runtime")?
        .block_on(fut)
}

/// Ctrl-C, or SIGTERM from a service manager.
async fn shutdown_signal() {
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term => {}
    }
}

async fn worker(args: DbArgs, jobs: Option<usize>) -> anyhow::Result<()> {
    use planarkiv_ingest::worker::{Signals, Worker, WorkerConfig};
    let mut config = Config::embedded(&args.data_dir);
    config.database_url = args.database_url;
    std::fs::create_dir_all(&config.data_dir)?;
    let db = planarkiv_ingest::db::connect(&config.database_url())
        .await
        .context("cannot open the database")?;
    let blobs = planarkiv_ingest::blobs::BlobStore::open(config.blob_dir())?;
    let wc = WorkerConfig {
        concurrency: jobs.unwrap_or(config.worker_concurrency).max(1),
        lease: config.job_lease,
        listen_url: config.postgres_url(),
        ..WorkerConfig::default()
    };
    let id = format!("worker:{}", std::process::id());
    let w = Worker::new(db, blobs, id, wc, Signals::default())?;
    let (stop, rx) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        shutdown_signal().await;
        tracing::info!("stopping after the jobs in flight");
        let _ = stop.send(true);
    });
    tracing::info!("worker started");
    w.run(rx).await;
    Ok(())
}

fn token(cmd: TokenCommand) -> ExitCode {
    let result = block_on(async move {
        let db_args = match &cmd {
            TokenCommand::Create { db, .. }
            | TokenCommand::List { db }
            | TokenCommand::Revoke { db, .. } => db,
        };
        let mut config = Config::embedded(&db_args.data_dir);
        config.database_url = db_args.database_url.clone();
        std::fs::create_dir_all(&config.data_dir)?;
        let db = planarkiv_ingest::db::connect(&config.database_url()).await?;
        match cmd {
            TokenCommand::Create { role, name, .. } => {
                let (token, row) = planarkiv_ingest::tokens::create(&db, &name, &role).await?;
                eprintln!("token {} ({role}, {name}); it is not shown again:", row.id);
                println!("{token}");
            }
            TokenCommand::List { .. } => {
                for t in planarkiv_ingest::tokens::list(&db).await? {
                    let state = if t.revoked_at.is_some() {
                        "revoked"
                    } else {
                        "active"
                    };
                    println!("{}\t{}\t{}\t{}", t.id, t.role, state, t.name);
                }
            }
            TokenCommand::Revoke { id, .. } => {
                if !planarkiv_ingest::tokens::revoke(&db, id).await? {
                    anyhow::bail!("no active token {id}");
                }
                println!("token {id} revoked");
            }
        }
        anyhow::Ok(())
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("planarkiv token: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn entities(file: &std::path::Path) -> ExitCode {
    let bytes = match std::fs::read(file) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("planarkiv: cannot read {}: {e}", file.display());
            return ExitCode::from(1);
        }
    };
    match pdf::extract(&bytes, &ExtractOptions::default()) {
        Ok(doc) => {
            let found = planarkiv_ingest::entities::extract(&doc);
            match serde_json::to_string_pretty(&found) {
                Ok(s) => {
                    println!("{s}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("planarkiv: cannot write JSON: {e}");
                    ExitCode::from(1)
                }
            }
        }
        Err(e) => {
            eprintln!("planarkiv: {}: {e}", file.display());
            ExitCode::from(exit_code(&e))
        }
    }
}

fn exit_code(e: &PdfError) -> u8 {
    match e {
        PdfError::Encrypted => 2,
        PdfError::Damaged(_) => 3,
        // No text and no OCR to get it: the scan needs Tesseract (or had no words at all).
        PdfError::NoTextLayer | PdfError::OcrUnavailable(_) | PdfError::OcrFoundNothing => 4,
        _ => 1,
    }
}

fn extract(file: &std::path::Path, json: bool) -> ExitCode {
    let bytes = match std::fs::read(file) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("planarkiv: cannot read {}: {e}", file.display());
            return ExitCode::from(1);
        }
    };
    match pdf::extract(&bytes, &ExtractOptions::default()) {
        Ok(doc) => {
            for p in &doc.pages {
                if let Some(why) = &p.ocr_error {
                    eprintln!("planarkiv: {}: page {}: {why}", file.display(), p.number);
                }
            }
            let out = if json {
                match serde_json::to_string_pretty(&doc) {
                    Ok(s) => s,
                    Err(e) => {
                        eprintln!("planarkiv: cannot write JSON: {e}");
                        return ExitCode::from(1);
                    }
                }
            } else {
                doc.text()
            };
            let mut stdout = std::io::stdout().lock();
            if writeln!(stdout, "{out}").is_err() {
                return ExitCode::from(1);
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("planarkiv: {}: {e}", file.display());
            ExitCode::from(exit_code(&e))
        }
    }
}

/// `planarkiv doctor`: what OCR needs, found or not, in words that say what to install.
fn doctor() -> ExitCode {
    let opts = pdf::OcrOptions::default();
    let ocr = match pdf::ocr::probe(&opts) {
        Ok(e) => {
            println!("OCR: available: {} with the {} model", e.version, e.model);
            true
        }
        Err(pdf::Unavailable(why)) => {
            println!("OCR: {why}");
            false
        }
    };
    match pdf::ocr::renderer_version(&opts) {
        Ok(v) => println!("page rendering: {v}"),
        Err(why) => println!(
            "page rendering: unavailable ({why}); install poppler-utils (pdftoppm) for scans \
             that are not one JPEG or Flate image a page"
        ),
    }
    if ocr {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
