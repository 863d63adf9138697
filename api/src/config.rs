//! Settings of a planarkiv process. Every setting has a flag and an environment variable; the
//! defaults give the embedded single-machine setup (SQLite, local index, in-process worker).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::auth::Role;

#[derive(Debug, Clone)]
pub struct Config {
    /// Holds the SQLite file (unless `database_url` is set), the blob store and the index.
    pub data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…`; `None` means `<data_dir>/planarkiv.sqlite3`.
    pub database_url: Option<String>,
    pub listen: SocketAddr,
    /// Ingest the bundled sample PDFs when the archive is empty.
    pub demo: bool,
    /// Run the extraction worker in this process.
    pub worker: bool,
    /// Largest accepted upload, in bytes.
    pub max_upload_bytes: usize,
    /// Files per upload request.
    pub max_files_per_request: usize,
    /// What a request without a token may do. `None` refuses anonymous requests.
    pub anonymous_role: Option<Role>,
    /// Extractions running at once in this process.
    pub worker_concurrency: usize,
    /// OCR of scanned pages (programs from `PATH`, or `PLANARKIV_TESSERACT` and
    /// `PLANARKIV_PDFTOPPM`); `None` leaves scans without text.
    pub ocr: Option<planarkiv_ingest::pdf::OcrOptions>,
    /// How long a claimed job stays a worker's without renewal; a dead worker's job is taken
    /// over after this (`PLANARKIV_JOB_LEASE_SECS`).
    pub job_lease: Duration,
    /// Where this process keeps its search index; default `<data_dir>/index`. API processes that
    /// share a data directory (and so the stored files) each need their own.
    pub index_dir: Option<PathBuf>,
    /// Origins (e.g. `https://arkiv.example.no`) whose browser pages may call the API.
    pub cors_origins: Vec<String>,
    /// How long a GraphQL DataLoader waits for more keys before it queries. Longer batches
    /// deeper trees into fewer queries; shorter answers small requests sooner.
    pub batch_delay: Duration,
    /// Names a request's `Host` may carry besides IP literals and `localhost` (a DNS-rebinding
    /// page reaches a loopback server under its own name, so unknown names are refused).
    /// `*` allows any name.
    pub allowed_hosts: Vec<String>,
    /// What one request or connection may cost; see [`Limits`].
    pub limits: Limits,
}

/// Bounds on the work one client can make the server do. Each protects the process (memory,
/// file descriptors, CPU) so that no single request, connection or caller can freeze or crash
/// it; ARCHITECTURE.md lists them with what each protects.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Open HTTP connections at once; more are answered 503 and closed. Each one holds a file
    /// descriptor the index and the database also need.
    pub max_connections: usize,
    /// Time a connection may take to send a request's headers, and to start the next request
    /// on a kept-alive connection; then it is closed (half-sent and idle connections).
    pub header_read_timeout: Duration,
    /// Time a request body may go without a byte arriving (a body sent a drop at a time).
    pub body_idle_timeout: Duration,
    /// Whole-request time limit, upload included.
    pub request_timeout: Duration,
    /// Largest JSON (non-upload) request body in bytes.
    pub max_json_bytes: usize,
    /// Operations in one batched request.
    pub max_batch: usize,
    /// Fields of one operation after its fragments are expanded.
    pub max_query_fields: usize,
    /// The cost of one operation, where a list costs its page size times its items.
    pub max_complexity: usize,
    /// Uploads received at once; more are answered 503 with `SERVICE_UNAVAILABLE`.
    pub max_concurrent_uploads: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_connections: 1024,
            header_read_timeout: Duration::from_secs(15),
            body_idle_timeout: Duration::from_secs(30),
            request_timeout: Duration::from_secs(120),
            max_json_bytes: 1024 * 1024,
            max_batch: 20,
            max_query_fields: 2_000,
            max_complexity: 5_000,
            max_concurrent_uploads: 4,
        }
    }
}

impl Config {
    /// The embedded defaults, rooted in `data_dir`.
    pub fn embedded(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            data_dir: data_dir.into(),
            database_url: None,
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            demo: false,
            worker: true,
            max_upload_bytes: 100 * 1024 * 1024,
            max_files_per_request: 10,
            anonymous_role: Some(Role::Editor),
            worker_concurrency: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1),
            ocr: Some(planarkiv_ingest::pdf::OcrOptions::default()),
            job_lease: std::env::var("PLANARKIV_JOB_LEASE_SECS")
                .ok()
                .and_then(|s| s.parse::<u64>().ok())
                .filter(|s| *s > 0)
                .map(Duration::from_secs)
                .unwrap_or(Duration::from_secs(30)),
            cors_origins: Vec::new(),
            batch_delay: Duration::from_millis(2),
            index_dir: None,
            allowed_hosts: Vec::new(),
            limits: Limits::default(),
        }
    }

    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(u) => u.clone(),
            None => planarkiv_ingest::db::sqlite_url(&self.data_dir.join("planarkiv.sqlite3")),
        }
    }

    /// The database URL when it is PostgreSQL (for LISTEN/NOTIFY).
    pub fn postgres_url(&self) -> Option<String> {
        let url = self.database_url();
        (url.starts_with("postgres://") || url.starts_with("postgresql://")).then_some(url)
    }

    pub fn blob_dir(&self) -> PathBuf {
        self.data_dir.join("blobs")
    }

    pub fn index_dir(&self) -> PathBuf {
        self.index_dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("index"))
    }
}
