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
            job_lease: std::env::var("PLANARKIV_JOB_LEASE_SECS")
                .ok()
                .and_then(|s| s.parse::<u64>().ok())
                .filter(|s| *s > 0)
                .map(Duration::from_secs)
                .unwrap_or(Duration::from_secs(30)),
            cors_origins: Vec::new(),
            batch_delay: Duration::from_millis(2),
            index_dir: None,
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
