//! OCR of scanned pages with the real Tesseract and pdftoppm (CI installs both; these tests fail
//! without them rather than pass silently). Scans are made here: a page of a sample document is
//! rendered by pdftoppm and the raster wrapped in a new PDF as a Flate or JPEG image.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use lopdf::{dictionary, Document, Object, Stream};
use planarkiv_ingest::pdf::{extract, ExtractOptions, ImageSource, OcrOptions, PdfError};

fn sample(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../samples")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Page `page` of `pdf` rendered by pdftoppm in grey at `dpi`, as a PGM file's bytes
/// (`jpeg`: a JPEG file instead).
fn render(pdf: &[u8], page: u32, dpi: u32, jpeg: bool) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.pdf");
    std::fs::write(&input, pdf).unwrap();
    let mut cmd = Command::new("pdftoppm");
    cmd.args(["-gray", "-singlefile", "-r", &dpi.to_string()])
        .args(["-f", &page.to_string(), "-l", &page.to_string()]);
    if jpeg {
        cmd.arg("-jpeg");
    }
    let status = cmd
        .arg(&input)
        .arg(dir.path().join("out"))
        .status()
        .expect("pdftoppm must be installed (poppler-utils)");
    assert!(status.success());
    let ext = if jpeg { "jpg" } else { "pgm" };
    std::fs::read(dir.path().join(format!("out.{ext}"))).unwrap()
}

/// Width, height and pixels of a binary PGM.
fn pgm(bytes: &[u8]) -> (i64, i64, Vec<u8>) {
    let mut fields = Vec::new();
    let mut i = 0;
    while fields.len() < 4 {
        while bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let start = i;
        while !bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        fields.push(String::from_utf8_lossy(&bytes[start..i]).into_owned());
    }
    assert_eq!(fields[0], "P5");
    let (w, h) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    (w, h, bytes[i + 1..].to_vec())
}

/// A page of the given image: drawn over the whole A4 page.
enum Page {
    Text(&'static str),
    Image(Stream),
    /// Several images on one page (sent to the renderer).
    Images(Vec<Stream>),
}

fn grey_image(w: i64, h: i64, pixels: Vec<u8>) -> Stream {
    let mut s = Stream::new(
        dictionary! { "Type" => "XObject", "Subtype" => "Image", "Width" => w, "Height" => h,
        "ColorSpace" => "DeviceGray", "BitsPerComponent" => 8 },
        pixels,
    );
    s.compress().unwrap();
    s
}

fn document(pages: Vec<Page>) -> Vec<u8> {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font = doc.add_object(dictionary! { "Type" => "Font", "Subtype" => "Type1",
    "BaseFont" => "Helvetica", "Encoding" => "WinAnsiEncoding" });
    let mut kids = Vec::new();
    for page in pages {
        let (content, resources) = match page {
            Page::Text(t) => (
                format!("BT /F1 12 Tf 72 760 Td ({t}) Tj ET").into_bytes(),
                dictionary! { "Font" => dictionary! { "F1" => font } },
            ),
            Page::Image(img) => {
                let id = doc.add_object(img);
                (
                    b"q 595 0 0 842 0 0 cm /Im0 Do Q".to_vec(),
                    dictionary! { "XObject" => dictionary! { "Im0" => id } },
                )
            }
            Page::Images(imgs) => {
                let mut xobjects = lopdf::Dictionary::new();
                let mut content = String::new();
                for (i, img) in imgs.into_iter().enumerate() {
                    let id = doc.add_object(img);
                    xobjects.set(format!("Im{i}"), id);
                    content.push_str(&format!("q 100 0 0 100 {} 100 cm /Im{i} Do Q ", i * 120));
                }
                (content.into_bytes(), dictionary! { "XObject" => xobjects })
            }
        };
        let content_id = doc.add_object(Stream::new(dictionary! {}, content));
        kids.push(doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
            "Contents" => content_id, "Resources" => resources,
        }));
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! { "Type" => "Pages",
        "Kids" => kids.into_iter().map(Object::Reference).collect::<Vec<_>>(), "Count" => count }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

/// The first page of the SSU appendix, scanned at 150 dpi.
fn scanned_appendix() -> Stream {
    let (w, h, pixels) = pgm(&render(&sample("vedlegg-til-sak-24.25.pdf"), 1, 150, false));
    grey_image(w, h, pixels)
}

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Share of the text layer's words that OCR found on the scan of the same page.
fn recall(truth: &str, ocr: &str) -> f64 {
    let got = words(ocr);
    let want = words(truth);
    let hit = want.iter().filter(|w| got.contains(w)).count();
    hit as f64 / want.len().max(1) as f64
}

#[test]
fn a_scanned_page_next_to_a_typed_one_is_read_by_ocr() {
    let truth = extract(
        &sample("vedlegg-til-sak-24.25.pdf"),
        &ExtractOptions::default(),
    )
    .unwrap()
    .pages[0]
        .text
        .clone();
    let pdf = document(vec![
        Page::Text("Protokoll fra moetet i samarbeidsutvalget"),
        Page::Image(scanned_appendix()),
    ]);
    let out = extract(&pdf, &ExtractOptions::default()).expect("text");
    assert_eq!(out.pages.len(), 2);
    // The typed page is kept as it is.
    assert!(out.pages[0].ocr.is_none() && !out.pages[0].needs_ocr);
    assert!(out.pages[0].text.starts_with("Protokoll"));
    let scan = &out.pages[1];
    let ocr = scan.ocr.as_ref().expect("page 2 read by OCR");
    assert!(scan.needs_ocr && scan.ocr_error.is_none());
    assert!(ocr.engine.starts_with("tesseract "), "{ocr:?}");
    assert!(ocr.model.starts_with("nor "), "{ocr:?}");
    assert_eq!(ocr.image, ImageSource::Embedded);
    assert!(ocr.confidence > 0.8, "{ocr:?}");
    let r = recall(&truth, &scan.text);
    assert!(r > 0.95, "recall {r}: {}", scan.text);
    // Lines with positions, in reading order, on the page's scale (A4 points).
    assert!(
        scan.text.starts_with("Vedlegg til sak 24.25"),
        "{}",
        scan.text
    );
    assert!(scan.lines.len() > 10);
    for l in &scan.lines {
        assert!(l.bbox[0] >= 0.0 && l.bbox[2] <= 595.5, "{l:?}");
        assert!(l.bbox[1] >= 0.0 && l.bbox[3] <= 842.5, "{l:?}");
        assert!(l.font_size > 4.0 && l.font_size < 40.0, "{l:?}");
    }
    let first = &scan.lines[0];
    assert!(
        first.bbox[3] > 700.0,
        "the first line is near the top: {first:?}"
    );
}

#[test]
fn a_jpeg_scan_is_read_from_the_file_and_one_upside_down_is_turned() {
    let jpeg = render(&sample("vedlegg-til-sak-24.25.pdf"), 1, 150, true);
    let (w, h, mut pixels) = pgm(&render(&sample("vedlegg-til-sak-24.25.pdf"), 1, 150, false));
    // A grey raster read backwards is the page turned half way round.
    pixels.reverse();
    let dct = Stream::new(
        dictionary! { "Type" => "XObject", "Subtype" => "Image", "Width" => w, "Height" => h,
        "ColorSpace" => "DeviceGray", "BitsPerComponent" => 8, "Filter" => "DCTDecode" },
        jpeg,
    );
    let pdf = document(vec![
        Page::Image(dct),
        Page::Image(grey_image(w, h, pixels)),
    ]);
    let out = extract(&pdf, &ExtractOptions::default()).expect("text");
    for p in &out.pages {
        let ocr = p
            .ocr
            .as_ref()
            .unwrap_or_else(|| panic!("{:?}", p.ocr_error));
        assert_eq!(ocr.image, ImageSource::Embedded);
        assert!(
            p.text.starts_with("Vedlegg til sak 24.25"),
            "page {}: {}",
            p.number,
            p.text
        );
    }
    assert_eq!(out.pages[0].ocr.as_ref().unwrap().turns, 0);
    assert_eq!(out.pages[1].ocr.as_ref().unwrap().turns, 2);
}

#[test]
fn a_page_of_several_images_is_rendered() {
    let (w, h, pixels) = pgm(&render(&sample("vedlegg-til-sak-24.25.pdf"), 1, 150, false));
    let pdf = document(vec![Page::Images(vec![
        grey_image(w, h, pixels.clone()),
        grey_image(w, h, pixels),
    ])]);
    let out = extract(&pdf, &ExtractOptions::default());
    // Two small copies of a page: the renderer draws them, OCR reads what it can or nothing.
    match out {
        Ok(doc) => assert_eq!(
            doc.pages[0].ocr.as_ref().map(|o| o.image),
            Some(ImageSource::Rendered)
        ),
        Err(e) => assert!(matches!(e, PdfError::OcrFoundNothing), "{e}"),
    }
}

#[test]
fn without_tesseract_a_scan_fails_saying_what_to_install() {
    let opts = ExtractOptions {
        ocr: Some(OcrOptions {
            tesseract: "/nonexistent/bin/tesseract".into(),
            ..OcrOptions::default()
        }),
        ..ExtractOptions::default()
    };
    let only_scan = document(vec![Page::Image(scanned_appendix())]);
    let err = extract(&only_scan, &opts).unwrap_err();
    assert!(matches!(err, PdfError::OcrUnavailable(_)), "{err:?}");
    let why = err.to_string();
    assert!(
        why.contains("tesseract-ocr") && why.contains("tesseract-ocr-nor"),
        "{why}"
    );

    // A mixed document keeps its typed page; the scanned one says why it is empty.
    let mixed = document(vec![
        Page::Text("Protokoll fra moetet i samarbeidsutvalget"),
        Page::Image(scanned_appendix()),
    ]);
    let out = extract(&mixed, &opts).expect("the typed page");
    assert!(out.pages[0].text.starts_with("Protokoll"));
    assert!(out.pages[1].text.is_empty() && out.pages[1].ocr.is_none());
    assert!(out.pages[1]
        .ocr_error
        .as_deref()
        .is_some_and(|e| e.contains("tesseract-ocr-nor")));

    // OCR switched off: the old answer.
    let off = ExtractOptions {
        ocr: None,
        ..ExtractOptions::default()
    };
    assert!(matches!(
        extract(&only_scan, &off),
        Err(PdfError::NoTextLayer)
    ));
}

#[test]
fn hostile_images_fail_their_page_quickly_with_a_reason() {
    let started = Instant::now();
    let image = |w: i64, h: i64, filter: &str, data: Vec<u8>| {
        let mut d = dictionary! { "Type" => "XObject", "Subtype" => "Image", "Width" => w,
        "Height" => h, "ColorSpace" => "DeviceGray", "BitsPerComponent" => 8 };
        if !filter.is_empty() {
            d.set("Filter", filter);
        }
        Stream::new(d, data)
    };
    // 30,000 × 30,000 declared: refused before anything decodes it.
    let huge = image(30_000, 30_000, "FlateDecode", vec![0x78, 0x9c, 0x03, 0x00]);
    // A JPEG whose frame header claims 65,000 × 65,000, whatever the PDF says.
    let jpeg_bomb = image(
        100,
        100,
        "DCTDecode",
        vec![
            0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x0B, 0x08, 0xFD, 0xE8, 0xFD, 0xE8, 0x01, 0x01, 0x11,
            0x00, 0xFF, 0xD9,
        ],
    );
    // A Flate stream of 3 bytes for a 2,000 × 2,000 image: cut short.
    let mut cut = grey_image(2_000, 2_000, vec![255; 3]);
    cut.dict.set("Width", 2_000);
    // A JBIG2 stream of junk: sent to the renderer, which must not take the process down.
    let jbig2 = image(2_480, 3_508, "JBIG2Decode", vec![0x97; 4096]);
    let pdf = document(vec![
        Page::Text("Forside med tekst om samhandling og helsetjenester"),
        Page::Image(huge),
        Page::Image(jpeg_bomb),
        Page::Image(cut),
        Page::Image(jbig2),
    ]);
    let opts = ExtractOptions {
        ocr: Some(OcrOptions {
            page_timeout: Duration::from_secs(20),
            ..OcrOptions::default()
        }),
        ..ExtractOptions::default()
    };
    let out = extract(&pdf, &opts).expect("the typed page");
    let reason = |n: usize| out.pages[n].ocr_error.clone().unwrap_or_default();
    assert!(reason(1).contains("30000 × 30000 pixels"), "{}", reason(1));
    assert!(reason(2).contains("65000 × 65000 pixels"), "{}", reason(2));
    assert!(reason(3).contains("cut short"), "{}", reason(3));
    // The junk JBIG2 page renders blank or fails; either way it has no text and the call ends.
    assert!(out.pages[4].text.trim().is_empty(), "{}", out.pages[4].text);
    assert!(out.pages[0].text.starts_with("Forside"));
    assert!(started.elapsed() < Duration::from_secs(60));
}

#[test]
fn a_page_over_its_time_limit_is_killed() {
    let opts = ExtractOptions {
        ocr: Some(OcrOptions {
            page_timeout: Duration::from_millis(50),
            ..OcrOptions::default()
        }),
        ..ExtractOptions::default()
    };
    let pdf = document(vec![
        Page::Text("Forside med tekst om samhandling og helsetjenester"),
        Page::Image(scanned_appendix()),
    ]);
    let started = Instant::now();
    let out = extract(&pdf, &opts).expect("the typed page");
    assert!(started.elapsed() < Duration::from_secs(5));
    let why = out.pages[1].ocr_error.clone().unwrap_or_default();
    assert!(why.contains("time limit of 0.05 s"), "{why}");
}

/// Writes the mixed fixture the end-to-end tests upload (`UPDATE_FIXTURES=1`).
#[test]
fn mixed_fixture() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/ocr-mixed.pdf");
    if std::env::var_os("UPDATE_FIXTURES").is_some() {
        let pdf = document(vec![
            Page::Text("Protokoll fra moetet i samarbeidsutvalget"),
            Page::Image(scanned_appendix()),
        ]);
        std::fs::write(&path, pdf).unwrap();
    }
    let out = extract(&std::fs::read(&path).unwrap(), &ExtractOptions::default()).unwrap();
    assert!(out.pages[1].text.contains("samhandlingskultur"));
}
