//! `planarkiv extract` as scripts use it: text on stdout, a one-line reason on stderr, and an
//! exit status that says what went wrong.

use std::path::{Path, PathBuf};
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_planarkiv"))
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../samples")
        .join(name)
}

fn one_line_reason(stderr: &[u8]) -> String {
    let s = String::from_utf8_lossy(stderr).trim().to_owned();
    assert!(!s.is_empty(), "a reason on stderr");
    assert_eq!(s.lines().count(), 1, "one line: {s:?}");
    s
}

#[test]
fn prints_pages_separated_by_form_feeds() {
    let out = bin()
        .arg("extract")
        .arg(sample("strategi-helsefelleskap-innlandet-2022-2026.pdf"))
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).expect("utf-8");
    assert_eq!(text.matches('\u{c}').count(), 4, "5 pages, 4 separators");
    assert!(text.contains("Helsefelleskap Innlandet"));
    assert!(text.contains("møtearenaer"), "æøå survive");
}

#[test]
fn json_has_pages_and_lines() {
    let out = bin()
        .args(["extract", "--json"])
        .arg(sample("vedlegg-til-sak-24.25.pdf"))
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let pages = v["pages"].as_array().expect("pages");
    assert!(!pages.is_empty());
    assert_eq!(pages[0]["number"], 1);
    assert!(pages[0]["text"].as_str().is_some_and(|t| !t.is_empty()));
}

#[test]
fn password_protected_exits_2() {
    let out = bin()
        .arg("extract")
        .arg(fixture("password.pdf"))
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(one_line_reason(&out.stderr).contains("encrypted"));
}

#[test]
fn damaged_exits_3() {
    let dir = tempfile::tempdir().expect("tmp");
    let p = dir.path().join("broken.pdf");
    std::fs::write(
        &p,
        b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R\nthis is not a pdf body",
    )
    .expect("write");
    let out = bin().arg("extract").arg(&p).output().expect("run");
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(one_line_reason(&out.stderr).contains("damaged"));
}

#[test]
fn a_scan_prints_its_ocr_text() {
    let out = bin()
        .arg("extract")
        .arg(fixture("scanned.pdf"))
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Sykehuset Innlandet"), "{text}");
    assert!(text.contains('\u{c}'), "two pages: {text}");
}

#[test]
fn scanned_without_tesseract_exits_4_saying_what_to_install() {
    let out = bin()
        .arg("extract")
        .arg(fixture("scanned.pdf"))
        .env("PLANARKIV_TESSERACT", "/nonexistent/bin/tesseract")
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let why = one_line_reason(&out.stderr);
    assert!(why.contains("no text layer"), "{why}");
    assert!(why.contains("tesseract-ocr-nor"), "{why}");
}

#[test]
fn doctor_says_whether_ocr_is_available() {
    let out = bin().arg("doctor").output().expect("run");
    let said = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{said}");
    assert!(said.contains("OCR: available: tesseract "), "{said}");
    assert!(said.contains("page rendering: pdftoppm"), "{said}");
    let out = bin()
        .arg("doctor")
        .env("PLANARKIV_TESSERACT", "/nonexistent/bin/tesseract")
        .output()
        .expect("run");
    let said = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(said.contains("OCR unavailable"), "{said}");
    assert!(said.contains("tesseract-ocr"), "{said}");
}

#[test]
fn other_errors_exit_1() {
    let out = bin()
        .arg("extract")
        .arg("/nonexistent/nothing-here.pdf")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    one_line_reason(&out.stderr);

    let dir = tempfile::tempdir().expect("tmp");
    let p = dir.path().join("text.pdf");
    std::fs::write(&p, b"just text").expect("write");
    let out = bin().arg("extract").arg(&p).output().expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(one_line_reason(&out.stderr).contains("not a PDF"));
}

#[test]
fn settings_come_from_a_config_file_unless_the_environment_says_otherwise() {
    let dir = tempfile::tempdir().expect("tmp");
    let data = dir.path().join("from-file");
    let cfg = dir.path().join("planarkiv.toml");
    std::fs::write(
        &cfg,
        format!("data_dir = {:?}\n", data.display().to_string()),
    )
    .expect("write");
    let out = bin()
        .args(["--config"])
        .arg(&cfg)
        .args(["token", "create", "--role", "reader"])
        .env_remove("PLANARKIV_DATA_DIR")
        .env_remove("DATABASE_URL")
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        data.join("planarkiv.sqlite3").exists(),
        "the file's data_dir was used"
    );
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("pka_"));

    let env_dir = dir.path().join("from-env");
    let out = bin()
        .args(["--config"])
        .arg(&cfg)
        .args(["token", "list"])
        .env("PLANARKIV_DATA_DIR", &env_dir)
        .env_remove("DATABASE_URL")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0));
    assert!(
        env_dir.join("planarkiv.sqlite3").exists(),
        "the environment wins over the file"
    );

    std::fs::write(&cfg, "dta_dir = \"x\"\n").expect("write");
    let out = bin()
        .args(["--config"])
        .arg(&cfg)
        .args(["token", "list"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown setting"));
}

#[test]
fn check_reports_drift_and_reindex_repairs_it() {
    let dir = tempfile::tempdir().expect("tmp");
    let data = dir.path().join("data");
    let run = |args: &[&str]| {
        bin()
            .args(args)
            .arg("--data-dir")
            .arg(&data)
            .env_remove("DATABASE_URL")
            .env("RUST_LOG", "warn")
            .output()
            .expect("run")
    };
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples");
    let out = run(&["ingest", samples.to_str().expect("utf-8")]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let out = run(&["check"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("the index matches the database"));

    // A document removed from the database behind the index's back.
    let rt = tokio::runtime::Runtime::new().expect("rt");
    rt.block_on(async {
        use sea_orm::{ConnectionTrait, Database};
        let db = Database::connect(format!(
            "sqlite://{}?mode=rw",
            data.join("planarkiv.sqlite3").display()
        ))
        .await
        .expect("db");
        for sql in [
            "DELETE FROM pages WHERE document_id = 1",
            "DELETE FROM jobs WHERE document_id = 1",
            "DELETE FROM document_origins WHERE document_id = 1",
            "DELETE FROM ingest_files WHERE document_id = 1",
            "DELETE FROM documents WHERE id = 1",
        ] {
            db.execute_unprepared(sql).await.expect(sql);
        }
    });
    let out = run(&["check"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("in the index but not in the database: document 1"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let out = run(&["reindex"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(&["check"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn ingest_refuses_a_job_count_it_cannot_use() {
    let dir = tempfile::tempdir().expect("tmp");
    for jobs in ["0", "-1", "100000", "many"] {
        let out = bin()
            .args(["ingest", &format!("--jobs={jobs}"), "--data-dir"])
            .arg(dir.path())
            .arg(sample("vedlegg-til-sak-24.25.pdf"))
            .output()
            .expect("run");
        assert_eq!(out.status.code(), Some(2), "--jobs {jobs}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("--jobs"), "--jobs {jobs}: {stderr}");
    }
    // Nothing was written: a usage error is found before the archive is opened.
    assert!(std::fs::read_dir(dir.path()).expect("dir").next().is_none());
}
