//! Test harness shared by the end-to-end tests: a [`TestApp`] runs the real router, worker and
//! indexer on a temporary data directory, against SQLite or (when `TEST_DATABASE_URL` names a
//! PostgreSQL server) a fresh PostgreSQL database of its own.

use std::path::{Path, PathBuf};
use std::time::Duration;

use planarkiv_api::{App, Config};
use sea_orm::{ConnectionTrait, Database};
use serde_json::{json, Value};

/// Which database a test runs on.
#[derive(Debug, Clone)]
pub enum Backend {
    Sqlite,
    /// A server URL; each test gets a database of its own on it.
    Postgres(String),
}

impl Backend {
    /// SQLite always; PostgreSQL too when `TEST_DATABASE_URL` is set. CI sets it, so the same
    /// test bodies run on both.
    pub fn all() -> Vec<Backend> {
        let mut v = vec![Backend::Sqlite];
        if let Ok(url) = std::env::var("TEST_DATABASE_URL") {
            if !url.trim().is_empty() {
                v.push(Backend::Postgres(url));
            }
        }
        v
    }
}

pub fn samples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples")
}

pub fn sample(name: &str) -> Vec<u8> {
    std::fs::read(samples_dir().join(name)).expect("sample PDF")
}

/// The `planarkiv` binary of this build, built first when a test runs without it.
pub fn binary() -> PathBuf {
    // target/<profile>/deps/<test>-… → target/<profile>/planarkiv
    let exe = std::env::current_exe().expect("test exe");
    let bin = exe
        .parent()
        .and_then(Path::parent)
        .map(|d| d.join("planarkiv"))
        .expect("target dir");
    if !bin.exists() || older_than_sources(&bin) {
        let ok = std::process::Command::new(env!("CARGO"))
            .args(["build", "-p", "planarkiv-api", "--bin", "planarkiv"])
            .status()
            .expect("cargo build")
            .success();
        assert!(ok, "building the planarkiv binary failed");
    }
    bin
}

/// True when a source file of a crate in the binary changed after it was built: a test run
/// of this crate alone does not rebuild the binary, and an old one would be tested instead.
fn older_than_sources(bin: &Path) -> bool {
    fn newest(dir: &Path) -> Option<std::time::SystemTime> {
        let mut best = None;
        for e in std::fs::read_dir(dir).ok()?.flatten() {
            let p = e.path();
            let t = if p.is_dir() {
                newest(&p)
            } else {
                e.metadata().and_then(|m| m.modified()).ok()
            };
            best = best.max(t);
        }
        best
    }
    let Ok(built) = std::fs::metadata(bin).and_then(|m| m.modified()) else {
        return true;
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    ["api/src", "ingest/src", "schema/src", "migrations/src"]
        .iter()
        .filter_map(|d| newest(&root.join(d)))
        .any(|t| t > built)
}

/// Every file below `dir`, at any depth (none when it does not exist).
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// A PDF of text lines in Helvetica, one slice of lines per page: what the tests write their
/// own case papers, letters and plans with. Lines starting with `# ` are set large and bold
/// (a heading); the text is encoded as WinAnsi, which holds the Norwegian letters.
pub fn text_pdf(pages: &[&[&str]]) -> Vec<u8> {
    use lopdf::content::{Content, Operation};
    use lopdf::{dictionary, Document, Object, Stream};
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font = |name: &str| {
        dictionary! {
            "Type" => "Font",
            "Subtype" => "Type1",
            "BaseFont" => Object::Name(name.as_bytes().to_vec()),
            "Encoding" => "WinAnsiEncoding",
        }
    };
    let regular = doc.add_object(font("Helvetica"));
    let bold = doc.add_object(font("Helvetica-Bold"));
    let resources = doc.add_object(dictionary! {
        "Font" => dictionary! { "F1" => regular, "F2" => bold },
    });
    let mut kids = Vec::new();
    for lines in pages {
        let mut ops = Vec::new();
        let mut y = 800.0_f32;
        for line in lines.iter() {
            let (font, size, text) = match line.strip_prefix("# ") {
                Some(t) => ("F2", 16.0, t),
                None => ("F1", 11.0, *line),
            };
            // WinAnsi: Latin-1 for the letters these documents use.
            let bytes: Vec<u8> = text
                .chars()
                .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
                .collect();
            ops.push(Operation::new("BT", vec![]));
            ops.push(Operation::new("Tf", vec![font.into(), size.into()]));
            ops.push(Operation::new("Td", vec![56.0.into(), y.into()]));
            ops.push(Operation::new(
                "Tj",
                vec![Object::String(bytes, lopdf::StringFormat::Literal)],
            ));
            ops.push(Operation::new("ET", vec![]));
            y -= size * 1.6;
        }
        let content = Content { operations: ops }.encode().expect("content");
        let content_id = doc.add_object(Stream::new(dictionary! {}, content));
        kids.push(Object::from(doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "Contents" => content_id,
            "Resources" => resources,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        })));
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("write PDF");
    out
}

/// A distinct copy of a PDF: bytes after `%%EOF` are ignored by readers but change the hash.
pub fn variant(pdf: &[u8], n: usize) -> Vec<u8> {
    let mut v = pdf.to_vec();
    v.extend_from_slice(format!("\n%variant {n}\n").as_bytes());
    v
}

/// `tests/graphql-http`, where the tests' Node.js clients live, with their packages installed
/// (from the lock file, on first use).
pub async fn node_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("graphql-http");
    // Every package of package.json: an older checkout's node_modules may lack newer ones.
    let installed = [
        "graphql-http",
        "graphql-ws",
        "ws",
        "relay-compiler",
        "@apollo/client",
        "apollo-upload-client",
    ]
    .iter()
    .all(|p| dir.join("node_modules").join(p).exists());
    if !installed {
        let status = tokio::process::Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--silent"])
            .current_dir(&dir)
            .status()
            .await
            .expect("npm (Node.js) is needed for the tests' JavaScript clients");
        assert!(status.success(), "npm ci failed in {}", dir.display());
    }
    dir
}

/// Runs `node SCRIPT ARGS…` in [`node_dir`]; returns its standard output, failing the test
/// with both outputs when it exits non-zero.
pub async fn node(script: &str, args: &[&str]) -> String {
    let dir = node_dir().await;
    let out = tokio::process::Command::new("node")
        .arg(script)
        .args(args)
        .current_dir(&dir)
        .output()
        .await
        .expect("node");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "node {script} failed:\n{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// The `extensions.code` of a GraphQL answer's first error ("" when there is none).
pub fn error_code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("")
}

/// A one-page PDF showing `lines`, any Unicode included: each character gets a one-byte code
/// of a Courier font (ASCII keeps its own) and a ToUnicode map names what it is, as PDF
/// writers do for characters outside a font's encoding (emoji, rare letters).
pub fn pdf_with_text(lines: &[&str]) -> Vec<u8> {
    let mut codes: Vec<char> = Vec::new();
    let mut content = String::from("BT /F1 11 Tf 14 TL 72 760 Td ");
    for line in lines {
        content.push('<');
        for c in line.chars() {
            let code = if c.is_ascii() && c != '\n' {
                c as u32
            } else {
                let i = codes.iter().position(|k| *k == c).unwrap_or_else(|| {
                    codes.push(c);
                    codes.len() - 1
                });
                0x80 + i as u32
            };
            assert!(code < 256, "too many distinct non-ASCII characters");
            content.push_str(&format!("{code:02X}"));
        }
        content.push_str("> Tj T* ");
    }
    content.push_str("ET");
    let mut cmap = String::from(
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /U def \
         1 begincodespacerange <00> <FF> endcodespacerange 1 beginbfrange <20> <7E> <0020> endbfrange\n",
    );
    if !codes.is_empty() {
        cmap.push_str(&format!("{} beginbfchar\n", codes.len()));
        for (i, c) in codes.iter().enumerate() {
            let units: String = c
                .encode_utf16(&mut [0u16; 2])
                .iter()
                .map(|u| format!("{u:04X}"))
                .collect();
            cmap.push_str(&format!("<{:02X}> <{units}>\n", 0x80 + i));
        }
        cmap.push_str("endbfchar\n");
    }
    cmap.push_str("endcmap CMapName currentdict /CMap defineresource pop end end");
    let widths = vec!["600"; 224].join(" ");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Count 1 /Kids [3 0 R] >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R \
         /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_owned(),
        format!(
            "<< /Length {} >>\nstream\n{content}\nendstream",
            content.len()
        ),
        format!(
            "<< /Type /Font /Subtype /Type1 /BaseFont /Courier /FirstChar 32 /LastChar 255 \
             /Widths [{widths}] /ToUnicode 6 0 R >>"
        ),
        format!("<< /Length {} >>\nstream\n{cmap}\nendstream", cmap.len()),
    ];
    let mut out = b"%PDF-1.5\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// A database of its own for one test, dropped by [`TestDb::drop_db`].
pub struct TestDb {
    pub url: String,
    admin: Option<(String, String)>,
}

impl TestDb {
    pub async fn create(backend: &Backend, dir: &Path) -> TestDb {
        match backend {
            Backend::Sqlite => TestDb {
                url: planarkiv_ingest::db::sqlite_url(&dir.join("test.sqlite3")),
                admin: None,
            },
            Backend::Postgres(server) => {
                let name = format!("planarkiv_test_{:016x}", rand::random::<u64>());
                let admin = Database::connect(server)
                    .await
                    .expect("connect to TEST_DATABASE_URL");
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .expect("create test database");
                admin.close().await.ok();
                TestDb {
                    url: with_database(server, &name),
                    admin: Some((server.clone(), name)),
                }
            }
        }
    }

    pub async fn drop_db(self) {
        if let Some((server, name)) = self.admin {
            if let Ok(admin) = Database::connect(&server).await {
                let _ = admin
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await;
            }
        }
    }
}

/// Replaces the database name in a PostgreSQL URL.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let host_part = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{host_part}/{name}?{q}"),
        None => format!("{host_part}/{name}"),
    }
}

/// The real application, serving on a loopback port.
pub struct TestApp {
    pub app: Option<App>,
    pub base: String,
    pub client: reqwest::Client,
    pub dir: tempfile::TempDir,
    pub db: Option<TestDb>,
    server: tokio::task::JoinHandle<()>,
}

impl TestApp {
    pub async fn start(backend: &Backend) -> TestApp {
        Self::start_with(backend, |_| {}).await
    }

    pub async fn start_with(backend: &Backend, tweak: impl FnOnce(&mut Config)) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = TestDb::create(backend, dir.path()).await;
        let mut config = Config::embedded(dir.path().join("data"));
        config.database_url = Some(db.url.clone());
        config.worker_concurrency = 2;
        tweak(&mut config);
        let app = App::start(config).await.expect("app starts");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let router = app.router();
        let limits = app.state.config.limits.clone();
        // The server's own loop (timeouts, connection cap), as `planarkiv serve` runs it.
        let server = tokio::spawn(async move {
            let _ = planarkiv_api::serve::serve(listener, router, &limits, std::future::pending())
                .await;
        });
        TestApp {
            app: Some(app),
            base: format!("http://{addr}"),
            client: reqwest::Client::new(),
            dir,
            db: Some(db),
            server,
        }
    }

    pub fn app(&self) -> &App {
        self.app.as_ref().expect("app running")
    }

    /// POSTs a GraphQL request; returns the HTTP status and the JSON body.
    pub async fn gql(&self, query: &str, variables: Value) -> (u16, Value) {
        self.gql_as(None, query, variables).await
    }

    /// POSTs a GraphQL request with an optional bearer token.
    pub async fn gql_as(&self, token: Option<&str>, query: &str, variables: Value) -> (u16, Value) {
        let mut req = self
            .client
            .post(format!("{}/graphql", self.base))
            .header(
                "accept",
                "application/graphql-response+json, application/json;q=0.9",
            )
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status().as_u16();
        let body = resp.json::<Value>().await.unwrap_or(Value::Null);
        (status, body)
    }

    /// Uploads a file with the GraphQL multipart request protocol.
    pub async fn upload(&self, filename: &str, bytes: Vec<u8>) -> (u16, Value) {
        self.upload_as(None, filename, bytes).await
    }

    /// Uploads with an optional bearer token.
    pub async fn upload_as(
        &self,
        token: Option<&str>,
        filename: &str,
        bytes: Vec<u8>,
    ) -> (u16, Value) {
        self.upload_request(
            token,
            filename,
            bytes,
            "mutation($f: Upload!) { uploadDocument(file: $f) { id status filename } }",
            json!({ "f": null }),
        )
        .await
    }

    /// Uploads with metadata (`uploadDocument(file:, metadata:)`).
    pub async fn upload_with_metadata(
        &self,
        filename: &str,
        bytes: Vec<u8>,
        metadata: Value,
    ) -> (u16, Value) {
        self.upload_request(
            None,
            filename,
            bytes,
            "mutation($f: Upload!, $m: DocumentMetadataInput) { \
             uploadDocument(file: $f, metadata: $m) { id status filename } }",
            json!({ "f": null, "m": metadata }),
        )
        .await
    }

    /// A multipart request of `query` whose variable `f` is the file.
    pub async fn upload_request(
        &self,
        token: Option<&str>,
        filename: &str,
        bytes: Vec<u8>,
        query: &str,
        variables: Value,
    ) -> (u16, Value) {
        let operations = json!({ "query": query, "variables": variables });
        let form = reqwest::multipart::Form::new()
            .text("operations", operations.to_string())
            .text("map", json!({ "0": ["variables.f"] }).to_string())
            .part(
                "0",
                reqwest::multipart::Part::bytes(bytes)
                    .file_name(filename.to_owned())
                    .mime_str("application/pdf")
                    .expect("mime"),
            );
        let mut req = self
            .client
            .post(format!("{}/graphql", self.base))
            .header("apollo-require-preflight", "true")
            .multipart(form);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status().as_u16();
        let body = resp.json::<Value>().await.unwrap_or(Value::Null);
        (status, body)
    }

    /// Polls a document until its status is one of `done` (or panics after `timeout`).
    /// Uploads a file and waits until it is indexed; its document id.
    pub async fn upload_indexed(
        &self,
        filename: &str,
        bytes: Vec<u8>,
        timeout: Duration,
    ) -> String {
        let (status, body) = self.upload(filename, bytes).await;
        assert_eq!(status, 200, "{body}");
        let id = body["data"]["uploadDocument"]["id"]
            .as_str()
            .expect("id")
            .to_owned();
        self.wait_for(&id, &["INDEXED"], timeout).await;
        id
    }

    pub async fn wait_for(&self, id: &str, done: &[&str], timeout: Duration) -> Value {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let (_, body) = self
                .gql(
                    "query($id: ID!) { document(id: $id) { id title status error pageCount } }",
                    json!({ "id": id }),
                )
                .await;
            let doc = body["data"]["document"].clone();
            if let Some(s) = doc["status"].as_str() {
                if done.contains(&s) {
                    return doc;
                }
            }
            if tokio::time::Instant::now() > deadline {
                panic!("document {id} did not reach {done:?} in {timeout:?}: {body}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Uploads a sample PDF and waits until it is searchable; returns its id.
    pub async fn indexed_sample(&self, name: &str) -> String {
        let (status, body) = self.upload(name, sample(name)).await;
        assert_eq!(status, 200, "{body}");
        let id = body["data"]["uploadDocument"]["id"]
            .as_str()
            .expect("id")
            .to_owned();
        self.wait_for(&id, &["INDEXED"], Duration::from_secs(90))
            .await;
        id
    }

    /// Stops the server and background tasks and drops a PostgreSQL test database.
    pub async fn stop(mut self) {
        self.server.abort();
        if let Some(app) = self.app.take() {
            app.shutdown().await;
        }
        if let Some(db) = self.db.take() {
            db.drop_db().await;
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn database_name_is_replaced() {
        assert_eq!(
            super::with_database("postgres://u@127.0.0.1:5432/postgres", "x"),
            "postgres://u@127.0.0.1:5432/x"
        );
        assert_eq!(
            super::with_database("postgres://u@h:1/db?sslmode=disable", "y"),
            "postgres://u@h:1/y?sslmode=disable"
        );
        assert_eq!(super::with_database("postgres://h", "z"), "postgres://h/z");
    }
}
