//! `planarkiv bench search`: the search index at scale beside PostgreSQL full-text search, on
//! the same generated pages and the same query mix, measured in one run (BENCHMARKS.md).
//!
//! Pages are generated from the seed PDFs' pages with a seeded RNG: each page keeps most
//! sentences of one seed page in order, mixes in sentences from other pages, varies the
//! numbers, and mentions a random case number now and then, so term statistics look like an
//! archive's rather than like 20,000 copies of five documents.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement, Value};

use planarkiv_ingest::index::{CommitPayload, DocFacets, IndexSource, SearchIndex};
use planarkiv_ingest::pdf::{self, ExtractOptions};
use planarkiv_schema::entities::{document, page, DocumentStatus};
use planarkiv_schema::search::ANALYZER_VERSION;

use crate::search::{self, Filters, SearchRequest};

#[derive(clap::Args, Debug)]
pub struct SearchBenchArgs {
    /// PostgreSQL URL; the bench creates (and replaces) its table `searchbench_pages` there.
    #[arg(long)]
    pub pg: String,
    /// Seed PDFs (files or directories).
    #[arg(required = true)]
    pub seeds: Vec<PathBuf>,
    /// Where the index is built. Reused when it already holds `--pages` pages.
    #[arg(long, default_value = "searchbench-index")]
    pub dir: PathBuf,
    #[arg(long, default_value_t = 100_000)]
    pub pages: usize,
    #[arg(long, default_value_t = 1_000)]
    pub queries: usize,
    /// Hits per query, each with a snippet.
    #[arg(long, default_value_t = 20)]
    pub hits: usize,
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
}

const PAGES_PER_DOC: usize = 10;
const KINDS: [&str; 5] = [
    "plan",
    "case_paper",
    "case_appendix",
    "presentation",
    "web_page",
];
const ORGS: [&str; 6] = [
    "Helsefellesskap Innlandet",
    "Sykehuset Innlandet",
    "Helse Midt-Norge",
    "Helsefellesskap Vestfold",
    "Helse Nord",
    "Oslo universitetssykehus",
];

pub fn run(args: SearchBenchArgs) -> ExitCode {
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("planarkiv bench search: {e}");
            return ExitCode::from(1);
        }
    };
    match rt.block_on(bench(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("planarkiv bench search: {e:#}");
            ExitCode::from(1)
        }
    }
}

struct GenPage {
    doc: usize,
    number: usize,
    text: String,
    kind: &'static str,
    org: &'static str,
    year: u32,
}

fn seed_pages(paths: &[PathBuf]) -> anyhow::Result<Vec<String>> {
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut e: Vec<PathBuf> = std::fs::read_dir(p)?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "pdf"))
                .collect();
            e.sort();
            files.extend(e);
        } else {
            files.push(p.clone());
        }
    }
    let mut pages = Vec::new();
    for f in files {
        let bytes = std::fs::read(&f).with_context(|| f.display().to_string())?;
        let doc = pdf::extract(&bytes, &ExtractOptions::default())
            .map_err(|e| anyhow::anyhow!("{}: {e}", f.display()))?;
        pages.extend(doc.pages.into_iter().map(|p| p.text));
    }
    anyhow::ensure!(!pages.is_empty(), "no seed pages");
    Ok(pages)
}

fn sentences(text: &str) -> Vec<String> {
    text.split(['.', '•', '\n'])
        .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|s| s.len() > 12)
        .collect()
}

/// Replaces every number with another of the same length.
fn vary_numbers(s: &str, rng: &mut StdRng) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_digit() {
                char::from(b'0' + rng.random_range(0..10u8))
            } else {
                c
            }
        })
        .collect()
}

fn generate(seeds: &[String], n: usize, rng: &mut StdRng) -> Vec<GenPage> {
    let per_page: Vec<Vec<String>> = seeds.iter().map(|p| sentences(p)).collect();
    let all: Vec<&String> = per_page.iter().flatten().collect();
    let mut out = Vec::with_capacity(n);
    let mut doc_meta = (KINDS[0], ORGS[0], 2020u32);
    for i in 0..n {
        if i % PAGES_PER_DOC == 0 {
            doc_meta = (
                *KINDS.choose(rng).expect("kinds"),
                *ORGS.choose(rng).expect("orgs"),
                rng.random_range(2018..=2026),
            );
        }
        let base = &per_page[rng.random_range(0..per_page.len())];
        let mut text = Vec::new();
        for s in base {
            if rng.random_bool(0.7) {
                text.push(vary_numbers(s, rng));
            }
            if rng.random_bool(0.25) {
                text.push(vary_numbers(all[rng.random_range(0..all.len())], rng));
            }
        }
        if rng.random_bool(0.3) {
            text.push(format!(
                "Saken ble behandlet i sak {:02}.{:02}",
                rng.random_range(1..=60),
                rng.random_range(18..=26)
            ));
        }
        out.push(GenPage {
            doc: i / PAGES_PER_DOC + 1,
            number: i % PAGES_PER_DOC + 1,
            text: text.join(". "),
            kind: doc_meta.0,
            org: doc_meta.1,
            year: doc_meta.2,
        });
    }
    out
}

fn dir_size(p: &Path) -> u64 {
    std::fs::read_dir(p)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| match e.metadata() {
                    Ok(m) if m.is_dir() => dir_size(&e.path()),
                    Ok(m) => m.len(),
                    Err(_) => 0,
                })
                .sum()
        })
        .unwrap_or(0)
}

fn build_index(dir: &Path, pages: &[GenPage]) -> anyhow::Result<(SearchIndex, Option<f64>)> {
    let index = SearchIndex::open(dir)?;
    if index.num_docs() == pages.len() as u64 {
        return Ok((index, None));
    }
    let started = Instant::now();
    let now = chrono::Utc::now();
    let mut sources: Vec<IndexSource> = Vec::new();
    for chunk in pages.chunks(PAGES_PER_DOC) {
        let first = &chunk[0];
        let document = document::Model {
            id: first.doc as i64,
            sha256: format!("{:064x}", first.doc),
            filename: format!("dokument-{}.pdf", first.doc),
            title: None,
            size_bytes: 0,
            status: DocumentStatus::Indexed,
            error: None,
            page_count: Some(chunk.len() as i32),
            producer: None,
            kind: Some(first.kind.to_owned()),
            organization: Some(first.org.to_owned()),
            document_date: Some(format!("{}-06-01", first.year)),
            case_number: None,
            case_metadata: None,
            appendix_number: None,
            title_source: None,
            extracted_with: None,
            created_at: now,
            updated_at: now,
        };
        let facets = DocFacets::from_document(&document);
        sources.push(IndexSource {
            pages: chunk
                .iter()
                .map(|p| page::Model::text_layer(0, p.doc as i64, p.number as i32, p.text.clone()))
                .collect(),
            document,
            facets,
            entities: Vec::new(),
        });
    }
    index.apply(
        &[],
        &sources,
        CommitPayload {
            seq: 1,
            analyzer: ANALYZER_VERSION,
        },
        true,
    )?;
    Ok((index, Some(started.elapsed().as_secs_f64())))
}

async fn build_pg(db: &DatabaseConnection, pages: &[GenPage]) -> anyhow::Result<Option<f64>> {
    let b = db.get_database_backend();
    let existing = db
        .query_one(Statement::from_string(
            b,
            "SELECT count(*)::bigint AS n FROM searchbench_pages",
        ))
        .await
        .ok()
        .flatten()
        .and_then(|r| r.try_get::<i64>("", "n").ok());
    if existing == Some(pages.len() as i64) {
        return Ok(None);
    }
    let started = Instant::now();
    for sql in [
        "DROP TABLE IF EXISTS searchbench_pages",
        "CREATE TABLE searchbench_pages (id bigint PRIMARY KEY, doc_id bigint NOT NULL, page int NOT NULL, kind text NOT NULL, year int NOT NULL, body text NOT NULL, tsv tsvector GENERATED ALWAYS AS (to_tsvector('norwegian', body)) STORED)",
    ] {
        db.execute(Statement::from_string(b, sql)).await?;
    }
    for (c, chunk) in pages.chunks(1000).enumerate() {
        let mut values = Vec::with_capacity(chunk.len() * 6);
        let mut rows = Vec::with_capacity(chunk.len());
        for (i, p) in chunk.iter().enumerate() {
            let k = values.len();
            rows.push(format!(
                "(${}, ${}, ${}, ${}, ${}, ${})",
                k + 1,
                k + 2,
                k + 3,
                k + 4,
                k + 5,
                k + 6
            ));
            values.push(Value::from((c * 1000 + i) as i64));
            values.push(Value::from(p.doc as i64));
            values.push(Value::from(p.number as i32));
            values.push(Value::from(p.kind));
            values.push(Value::from(p.year as i32));
            values.push(Value::from(p.text.clone()));
        }
        let sql = format!(
            "INSERT INTO searchbench_pages (id, doc_id, page, kind, year, body) VALUES {}",
            rows.join(", ")
        );
        db.execute(Statement::from_sql_and_values(b, sql, values))
            .await?;
    }
    for sql in [
        "CREATE INDEX searchbench_tsv ON searchbench_pages USING gin (tsv)",
        "ANALYZE searchbench_pages",
    ] {
        db.execute(Statement::from_string(b, sql)).await?;
    }
    Ok(Some(started.elapsed().as_secs_f64()))
}

/// One query of the mix, as each engine is asked it.
struct BenchQuery {
    class: &'static str,
    text: String,
    kind: Option<&'static str>,
    facets: bool,
}

fn query_mix(seeds: &[String], n: usize, rng: &mut StdRng) -> Vec<BenchQuery> {
    let words: Vec<String> = seeds
        .iter()
        .flat_map(|p| p.split(|c: char| !c.is_alphabetic()))
        .filter(|w| w.chars().count() >= 5)
        .map(str::to_lowercase)
        .collect();
    let runs: Vec<Vec<String>> = seeds
        .iter()
        .flat_map(|p| sentences(p))
        .map(|s| {
            s.split(|c: char| !c.is_alphabetic())
                .filter(|w| !w.is_empty())
                .map(str::to_lowercase)
                .collect::<Vec<_>>()
        })
        .filter(|w| w.len() >= 3)
        .collect();
    let word = |rng: &mut StdRng| words[rng.random_range(0..words.len())].clone();
    (0..n)
        .map(|i| {
            let (class, text, kind, facets) = match i % 20 {
                0..=6 => ("word", word(rng), None, false),
                7..=10 => (
                    "two words",
                    format!("{} {}", word(rng), word(rng)),
                    None,
                    false,
                ),
                11..=13 => {
                    let r = &runs[rng.random_range(0..runs.len())];
                    let len = rng.random_range(2..=3).min(r.len());
                    let at = rng.random_range(0..=r.len() - len);
                    (
                        "phrase",
                        format!("\"{}\"", r[at..at + len].join(" ")),
                        None,
                        false,
                    )
                }
                14..=16 => {
                    let (s, y) = (rng.random_range(1..=60), rng.random_range(18..=26));
                    let t = match rng.random_range(0..5) {
                        0 => format!("sak {s:02}.{y:02}"),
                        1 => format!("{s:02}.{y:02}"),
                        2 => format!("{s:02}/{y:02}"),
                        3 => format!("20{y:02}/{s:02}"),
                        _ => format!("sak {s:02}/20{y:02}"),
                    };
                    ("case number", t, None, false)
                }
                _ => (
                    "word + type + facets",
                    word(rng),
                    Some(*KINDS.choose(rng).expect("kinds")),
                    true,
                ),
            };
            BenchQuery {
                class,
                text,
                kind,
                facets,
            }
        })
        .collect()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn summary(name: &str, mut ms: Vec<f64>) -> String {
    ms.sort_by(|a, b| a.total_cmp(b));
    let mean = ms.iter().sum::<f64>() / ms.len().max(1) as f64;
    format!(
        "| {name} | {:.2} | {:.2} | {:.2} | {:.2} |",
        percentile(&ms, 0.5),
        percentile(&ms, 0.99),
        mean,
        ms.last().copied().unwrap_or(f64::NAN)
    )
}

fn tantivy_query(
    index: &SearchIndex,
    q: &BenchQuery,
    hits: usize,
    exact_only: bool,
) -> anyhow::Result<usize> {
    let req = SearchRequest {
        query: q.text.clone(),
        filters: Filters {
            kind: q.kind.map(|k| vec![k.to_owned()]).unwrap_or_default(),
            ..Default::default()
        },
        limit: hits,
        facets: q.facets,
        exact_only,
        ..Default::default()
    };
    let result =
        search::run(index, &req).map_err(|_| anyhow::anyhow!("search failed for {:?}", q.text))?;
    let mut chars = 0;
    for h in &result.hits {
        chars += h.snippets.best(&h.body).text.len();
    }
    Ok(chars)
}

async fn pg_query(db: &DatabaseConnection, q: &BenchQuery, hits: usize) -> anyhow::Result<usize> {
    let b = db.get_database_backend();
    let kind_filter = if q.kind.is_some() {
        " AND kind = $2"
    } else {
        ""
    };
    let sql = format!(
        "SELECT id, doc_id, page, ts_rank(tsv, q) AS rank, count(*) OVER () AS total,
                ts_headline('norwegian', body, q, 'MaxFragments=1, MaxWords=35, MinWords=15') AS snippet
         FROM searchbench_pages, websearch_to_tsquery('norwegian', $1) q
         WHERE tsv @@ q{kind_filter}
         ORDER BY rank DESC, doc_id, page LIMIT {hits}"
    );
    let mut values = vec![Value::from(q.text.clone())];
    if let Some(k) = q.kind {
        values.push(Value::from(k));
    }
    let rows = db
        .query_all(Statement::from_sql_and_values(b, sql, values.clone()))
        .await?;
    let mut chars = 0;
    for r in &rows {
        chars += r.try_get::<String>("", "snippet")?.len();
    }
    if q.facets {
        let sql = format!(
            "SELECT kind, year, count(*) FROM searchbench_pages, websearch_to_tsquery('norwegian', $1) q
             WHERE tsv @@ q{kind_filter} GROUP BY GROUPING SETS ((kind), (year))"
        );
        db.query_all(Statement::from_sql_and_values(b, sql, values))
            .await?;
    }
    Ok(chars)
}

async fn bench(args: SearchBenchArgs) -> anyhow::Result<()> {
    let mut rng = StdRng::seed_from_u64(args.seed);
    let seeds = seed_pages(&args.seeds)?;
    let pages = generate(&seeds, args.pages, &mut rng);
    let text_mib = pages.iter().map(|p| p.text.len()).sum::<usize>() as f64 / 1048576.0;
    println!(
        "{} pages ({text_mib:.1} MiB of text) generated from {} seed pages",
        pages.len(),
        seeds.len()
    );

    let dir = args.dir.clone();
    let (index, index_secs) = {
        let pages = &pages;
        tokio::task::block_in_place(|| build_index(&dir, pages))?
    };
    let index_mib = dir_size(&args.dir) as f64 / 1048576.0;
    let db = Database::connect(&args.pg)
        .await
        .context("connecting to PostgreSQL")?;
    let pg_secs = build_pg(&db, &pages).await?;
    let pg_mib = db
        .query_one(Statement::from_string(
            db.get_database_backend(),
            "SELECT pg_total_relation_size('searchbench_pages')::bigint AS n",
        ))
        .await?
        .map(|r| r.try_get::<i64>("", "n"))
        .transpose()?
        .unwrap_or(0) as f64
        / 1048576.0;
    let fmt_secs = |s: Option<f64>| s.map_or("reused".to_owned(), |s| format!("{s:.1} s"));
    println!("| | build | size |");
    println!("|---|---|---|");
    println!(
        "| tantivy (stored text, twins, facets) | {} | {index_mib:.1} MiB |",
        fmt_secs(index_secs)
    );
    println!(
        "| PostgreSQL (table + tsvector + GIN) | {} | {pg_mib:.1} MiB |",
        fmt_secs(pg_secs)
    );

    let mix = query_mix(&seeds, args.queries, &mut rng);
    // Warm both: the OS cache and PostgreSQL's buffers, so neither pays for the first reads.
    for q in mix.iter().take(100) {
        tokio::task::block_in_place(|| tantivy_query(&index, q, args.hits, false))?;
        pg_query(&db, q, args.hits).await?;
    }
    let mut t_ms: Vec<(&'static str, f64)> = Vec::new();
    let mut e_ms: Vec<(&'static str, f64)> = Vec::new();
    let mut p_ms: Vec<(&'static str, f64)> = Vec::new();
    for q in &mix {
        let started = Instant::now();
        tokio::task::block_in_place(|| tantivy_query(&index, q, args.hits, false))?;
        t_ms.push((q.class, started.elapsed().as_secs_f64() * 1000.0));
    }
    // The same mix without the typo and compound alternatives: what tolerance costs.
    for q in &mix {
        let started = Instant::now();
        tokio::task::block_in_place(|| tantivy_query(&index, q, args.hits, true))?;
        e_ms.push((q.class, started.elapsed().as_secs_f64() * 1000.0));
    }
    for q in &mix {
        let started = Instant::now();
        pg_query(&db, q, args.hits).await?;
        p_ms.push((q.class, started.elapsed().as_secs_f64() * 1000.0));
    }
    println!();
    println!(
        "{} queries, {} hits each with a snippet; milliseconds",
        mix.len(),
        args.hits
    );
    println!("| engine / class | p50 | p99 | mean | max |");
    println!("|---|---|---|---|---|");
    println!(
        "{}",
        summary("tantivy, all", t_ms.iter().map(|x| x.1).collect())
    );
    println!(
        "{}",
        summary("PostgreSQL, all", p_ms.iter().map(|x| x.1).collect())
    );
    println!(
        "{}",
        summary(
            "tantivy without typo/compound alternatives, all",
            e_ms.iter().map(|x| x.1).collect()
        )
    );
    let mut classes: Vec<&str> = mix.iter().map(|q| q.class).collect();
    classes.dedup();
    classes.sort();
    classes.dedup();
    for c in classes {
        let pick = |v: &[(&str, f64)]| v.iter().filter(|x| x.0 == c).map(|x| x.1).collect();
        println!("{}", summary(&format!("tantivy, {c}"), pick(&t_ms)));
        println!("{}", summary(&format!("PostgreSQL, {c}"), pick(&p_ms)));
        println!(
            "{}",
            summary(&format!("tantivy without alternatives, {c}"), pick(&e_ms))
        );
    }
    Ok(())
}
