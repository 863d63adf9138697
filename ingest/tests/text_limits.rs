//! Documents that show far more text than their size: a few kilobytes of Form XObjects that
//! draw each other in a fan, ToUnicode entries that turn one code into a long string. Each
//! must fail for good with the limit it passed, soon and in little memory, instead of
//! extracting to hundreds of megabytes (a 64 KB file once gave 160 MB of text).

use std::time::{Duration, Instant};

use lopdf::{dictionary, Dictionary, Document, Object, ObjectId, Stream};
use planarkiv_ingest::pdf::{
    extract, ExtractOptions, PdfError, TextLimit, TextLimits, MAX_DOCUMENT_CHARS, MAX_PAGE_CHARS,
    MAX_PAGE_GLYPHS,
};

/// Hostile input gets this long to fail; it should take well under a second.
const FAILS_WITHIN: Duration = Duration::from_secs(20);

/// `pages` pages that share one content stream and one resource dictionary.
fn document(pages: usize, content: Vec<u8>, resources: Dictionary, doc: &mut Document) -> Vec<u8> {
    let pages_id = doc.new_object_id();
    let content_id = doc.add_object(Stream::new(dictionary! {}, content));
    let resources_id = doc.add_object(resources);
    let kids: Vec<Object> = (0..pages)
        .map(|_| {
            doc.add_object(dictionary! {
                "Type" => "Page", "Parent" => pages_id,
                "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
                "Contents" => content_id, "Resources" => resources_id,
            })
            .into()
        })
        .collect();
    doc.objects.insert(
        pages_id,
        Object::Dictionary(
            dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => pages as i64 },
        ),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    doc.compress();
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("save");
    out
}

/// Every page draws form 0; form k draws form k+1 `fan` times, the last one shows `shown`
/// (a literal string) in Helvetica: fan^depth copies of it per page.
fn fan_out(pages: usize, depth: usize, fan: usize, shown: &str) -> Vec<u8> {
    let mut doc = Document::with_version("1.5");
    let font = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
        "Encoding" => "WinAnsiEncoding",
    });
    let ids: Vec<ObjectId> = (0..=depth).map(|_| doc.new_object_id()).collect();
    for (k, id) in ids.iter().enumerate() {
        let (content, resources) = if k == depth {
            (
                format!("BT /F1 10 Tf 72 700 Td ({shown}) Tj ET").into_bytes(),
                dictionary! { "Font" => dictionary! { "F1" => font } },
            )
        } else {
            (
                "/X Do ".repeat(fan).into_bytes(),
                dictionary! { "XObject" => dictionary! { "X" => ids[k + 1] } },
            )
        };
        let form = Stream::new(
            dictionary! {
                "Type" => "XObject", "Subtype" => "Form",
                "BBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
                "Resources" => resources,
            },
            content,
        );
        doc.objects.insert(*id, Object::Stream(form));
    }
    let resources = dictionary! { "XObject" => dictionary! { "X" => ids[0] } };
    document(pages, b"/X Do".to_vec(), resources, &mut doc)
}

/// Every page shows the code `A` `glyphs` times in a font whose ToUnicode maps it to `chars`
/// letters.
fn long_mapping(pages: usize, glyphs: usize, chars: usize) -> Vec<u8> {
    let mut doc = Document::with_version("1.5");
    let cmap = format!(
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n\
         1 begincodespacerange <00> <FF> endcodespacerange\n\
         1 beginbfchar <41> <{}> endbfchar\n\
         endcmap CMapName currentdict /CMap defineresource pop end end",
        "0078".repeat(chars)
    );
    let to_unicode = doc.add_object(Stream::new(dictionary! {}, cmap.into_bytes()));
    let font = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
        "Encoding" => "WinAnsiEncoding", "ToUnicode" => to_unicode,
    });
    let content = format!("BT /F1 10 Tf 72 700 Td ({}) Tj ET", "A".repeat(glyphs));
    let resources = dictionary! { "Font" => dictionary! { "F1" => font } };
    document(pages, content.into_bytes(), resources, &mut doc)
}

/// Extracts with `opts` and returns the limit the document passed and on which page.
fn limit_passed(bytes: &[u8], opts: &ExtractOptions) -> (TextLimit, u32, PdfError) {
    let started = Instant::now();
    let err = extract(bytes, opts).expect_err("over a text limit");
    assert!(
        started.elapsed() < FAILS_WITHIN,
        "took {:?}",
        started.elapsed()
    );
    assert!(err.is_permanent(), "a text limit is not worth retrying");
    match err {
        PdfError::TextLimit { limit, page } => (limit, page, err),
        other => panic!("expected a text limit, got {other:?}"),
    }
}

#[test]
fn forms_that_fan_out_fail_on_the_page_glyph_limit() {
    // 16^4 forms × 100 letters: 6.5 million glyphs on each of 400 pages, 2.6 billion in all.
    let bytes = fan_out(400, 4, 16, &"Samhandling ".repeat(9)[..100]);
    assert!(bytes.len() < 64 * 1024, "{} bytes", bytes.len());
    let (limit, page, err) = limit_passed(&bytes, &ExtractOptions::default());
    assert_eq!(limit, TextLimit::PageGlyphs(MAX_PAGE_GLYPHS));
    assert_eq!(page, 1);
    assert_eq!(
        err.to_string(),
        format!(
            "too large: more than {MAX_PAGE_GLYPHS} glyphs on one page (the limit is \
             {MAX_PAGE_GLYPHS} a page), reached on page 1"
        )
    );
}

#[test]
fn one_code_mapped_to_a_long_string_fails_on_the_page_text_limit() {
    // 600 glyphs of 1,000 characters each: few glyphs, too much text.
    let bytes = long_mapping(1, 600, 1000);
    let (limit, page, _) = limit_passed(&bytes, &ExtractOptions::default());
    assert_eq!(limit, TextLimit::PageChars(MAX_PAGE_CHARS));
    assert_eq!(page, 1);
}

#[test]
fn pages_each_under_the_page_limits_fail_on_the_document_text_limit() {
    // 400,000 characters a page is under the page limit; 60 such pages are 24 million.
    let bytes = long_mapping(60, 400, 1000);
    let (limit, page, err) = limit_passed(&bytes, &ExtractOptions::default());
    assert_eq!(limit, TextLimit::DocumentChars(MAX_DOCUMENT_CHARS));
    assert_eq!(page as usize, MAX_DOCUMENT_CHARS / 400_000 + 1);
    assert!(
        err.to_string().contains(&format!(
            "more than {MAX_DOCUMENT_CHARS} characters of text (the limit is \
             {MAX_DOCUMENT_CHARS} a document)"
        )),
        "{err}"
    );
}

#[test]
fn the_document_glyph_limit_counts_glyphs_that_leave_no_text() {
    // Codes mapped to nothing are drawn (work) but add no text; the glyph limit bounds them.
    let bytes = long_mapping(10, 1000, 0);
    let opts = ExtractOptions {
        text: TextLimits {
            document_glyphs: 5_000,
            ..TextLimits::default()
        },
        ..ExtractOptions::default()
    };
    let (limit, page, _) = limit_passed(&bytes, &opts);
    assert_eq!(limit, TextLimit::DocumentGlyphs(5_000));
    assert_eq!(page, 6);
}

#[test]
fn forms_drawn_many_times_under_the_limits_still_extract() {
    // 10^3 copies of the form a page, 11,000 glyphs: a busy page, not a hostile one.
    let bytes = fan_out(3, 3, 10, "Samhandling");
    let out = extract(&bytes, &ExtractOptions::default()).expect("text");
    assert_eq!(out.pages.len(), 3);
    assert!(
        out.pages[2].text.contains("Samhandling"),
        "{:?}",
        out.pages[2].text
    );
}

/// Peak memory of this process, from the kernel's accounting.
fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM")
}

/// Run alone in a child process by [`hostile_text_is_stopped_in_bounded_memory`], so that the
/// peak it reports is this extraction's and not another test's.
#[test]
#[ignore = "run in a process of its own by hostile_text_is_stopped_in_bounded_memory"]
fn child_extracts_the_fan_out() {
    let bytes = fan_out(400, 4, 16, &"x".repeat(100));
    let before = peak_rss_kib();
    let started = Instant::now();
    let (limit, _, _) = limit_passed(&bytes, &ExtractOptions::default());
    assert_eq!(limit, TextLimit::PageGlyphs(MAX_PAGE_GLYPHS));
    println!(
        "PEAK_RSS_KIB before={before} after={} ({} bytes failed in {:?})",
        peak_rss_kib(),
        bytes.len(),
        started.elapsed()
    );
}

#[test]
fn hostile_text_is_stopped_in_bounded_memory() {
    let out = std::process::Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "--ignored",
            "--exact",
            "child_extracts_the_fan_out",
            "--nocapture",
        ])
        .output()
        .expect("run the child");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("PEAK_RSS_KIB "))
        .expect("the child reports its peak");
    let after: u64 = line
        .split_whitespace()
        .find_map(|kv| kv.strip_prefix("after="))
        .and_then(|v| v.parse().ok())
        .expect("after=");
    // The glyphs of one page at the limit take about 20 MB; 2.6 billion glyphs would take
    // hundreds of gigabytes.
    assert!(after < 160 * 1024, "peak {after} KiB");
}
