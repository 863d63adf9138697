//! Small synthetic documents for behaviour the corpus does not pin down: Form XObject cycles,
//! Type 3 font matrices, scanned pages next to text pages, hostile operands. Crashes found by
//! fuzzing belong here too, as the smallest input that triggered them.

use std::time::Duration;

use lopdf::{dictionary, Document, Object, Stream};
use planarkiv_ingest::pdf::{extract, looks_like_pdf, ExtractOptions, PdfError};

fn helvetica() -> lopdf::Dictionary {
    dictionary! { "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica", "Encoding" => "WinAnsiEncoding" }
}

/// A document whose pages have the given content streams and resources.
fn build(
    pages: Vec<(Vec<u8>, lopdf::Dictionary)>,
    extra: impl FnOnce(&mut Document, &mut Vec<lopdf::ObjectId>),
) -> Vec<u8> {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let mut kids = Vec::new();
    for (content, resources) in pages {
        let content_id = doc.add_object(Stream::new(dictionary! {}, content));
        let page = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
            "Contents" => content_id, "Resources" => resources,
        });
        kids.push(page);
    }
    extra(&mut doc, &mut kids);
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => kids.into_iter().map(Object::Reference).collect::<Vec<_>>(), "Count" => count,
        }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("save");
    out
}

#[test]
fn form_xobject_cycles_terminate_and_forms_draw_text() {
    let mut doc = Document::with_version("1.5");
    let form_id = doc.new_object_id();
    let font_id = doc.add_object(helvetica());
    let form_res = dictionary! { "Font" => dictionary! { "F1" => font_id }, "XObject" => dictionary! { "X" => form_id } };
    let form = Stream::new(
        dictionary! { "Type" => "XObject", "Subtype" => "Form", "BBox" => vec![0.into(), 0.into(), 595.into(), 842.into()], "Resources" => form_res.clone() },
        b"BT /F1 12 Tf 72 700 Td (Inside the form) Tj ET /X Do".to_vec(),
    );
    doc.objects.insert(form_id, Object::Stream(form));
    let content_id = doc.add_object(Stream::new(
        dictionary! {},
        b"/X Do q 1 0 0 1 0 -100 cm /X Do Q".to_vec(),
    ));
    let pages_id = doc.new_object_id();
    let page = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id, "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        "Contents" => content_id, "Resources" => form_res,
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(
            dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1 },
        ),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).expect("save");

    let out = extract(&bytes, &ExtractOptions::default()).expect("text");
    let text = out.text();
    assert_eq!(text.matches("Inside the form").count(), 2, "{text}");
}

#[test]
fn type3_font_matrix_sets_the_size_words_are_measured_in() {
    let t3 = dictionary! {
        "Type" => "Font", "Subtype" => "Type3",
        "FontMatrix" => vec![0.01.into(), 0.into(), 0.into(), 0.01.into(), 0.into(), 0.into()],
        "FontBBox" => vec![0.into(), 0.into(), 100.into(), 100.into()],
        "FirstChar" => 97, "LastChar" => 99,
        "Widths" => vec![50.into(), 50.into(), 50.into()],
        "Encoding" => dictionary! { "Type" => "Encoding", "Differences" => vec![97.into(), "a".into(), "b".into(), "c".into()] },
        "CharProcs" => dictionary! {},
        "Resources" => dictionary! {},
    };
    // At `10 Tf` with this matrix the em is 1000 units: glyphs 5 pt wide, a 1 pt kern inside a word.
    let content =
        b"BT /T3 10 Tf 72 700 Td [(abc) -100 (cab)] TJ 0 -12 Td [(ab) -400 (ca)] TJ ET".to_vec();
    let bytes = build(
        vec![(
            content,
            dictionary! { "Font" => dictionary! { "T3" => t3 } },
        )],
        |_, _| {},
    );
    let out = extract(&bytes, &ExtractOptions::default()).expect("text");
    assert_eq!(out.pages[0].text, "abccab\nab ca");
}

#[test]
fn scanned_page_next_to_text_needs_ocr_and_all_scans_is_no_text_layer() {
    let image = || {
        Stream::new(
            dictionary! { "Type" => "XObject", "Subtype" => "Image", "Width" => 1, "Height" => 1, "ColorSpace" => "DeviceGray", "BitsPerComponent" => 8 },
            vec![0u8],
        )
    };
    let page_with_image = |doc: &mut Document| {
        let img = doc.add_object(image());
        dictionary! { "XObject" => dictionary! { "Im0" => img } }
    };
    let scan = b"q 595 0 0 842 0 0 cm /Im0 Do Q".to_vec();
    let text = b"BT /F1 12 Tf 72 700 Td (Hello world) Tj ET".to_vec();

    let mixed = build(
        vec![(
            text,
            dictionary! { "Font" => dictionary! { "F1" => helvetica() } },
        )],
        |doc, kids| {
            let res = page_with_image(doc);
            let content = doc.add_object(Stream::new(dictionary! {}, scan.clone()));
            let page = doc.add_object(
                dictionary! { "Type" => "Page", "Contents" => content, "Resources" => res },
            );
            kids.push(page);
        },
    );
    // Without OCR (ingest/tests/ocr.rs reads such pages with it).
    let no_ocr = ExtractOptions {
        ocr: None,
        ..ExtractOptions::default()
    };
    let out = extract(&mixed, &no_ocr).expect("text");
    assert_eq!(out.pages.len(), 2);
    assert!(!out.pages[0].needs_ocr);
    assert!(out.pages[1].needs_ocr);

    let only_scans = build(vec![], |doc, kids| {
        for _ in 0..2 {
            let res = page_with_image(doc);
            let content = doc.add_object(Stream::new(dictionary! {}, scan.clone()));
            let page = doc.add_object(
                dictionary! { "Type" => "Page", "Contents" => content, "Resources" => res },
            );
            kids.push(page);
        }
    });
    assert!(matches!(
        extract(&only_scans, &no_ocr),
        Err(PdfError::NoTextLayer)
    ));
}

#[test]
fn hostile_operands_do_not_panic() {
    let content = b"q q q 1e38 0 0 1e38 0 0 cm BT /F1 -1e30 Tf 1e30 TL 99999999999 Tz T* T* (x) Tj \
        [(a) 1e38 (b) -1e38 (c)] TJ 0 0 0 0 0 0 Tm (y) ' 1 2 (z) \" /F1 NaN Tf (w) Tj ET Q Q Q Q Q Q /Nope Do"
        .to_vec();
    let bytes = build(
        vec![(
            content,
            dictionary! { "Font" => dictionary! { "F1" => helvetica() } },
        )],
        |_, _| {},
    );
    let _ = extract(&bytes, &ExtractOptions::default());
    // Extraction catches its own panics (a page is lost, not the worker): the counter is what
    // shows that none happened.
    assert_eq!(planarkiv_ingest::pdf::recovered_panics().0, 0);
}

#[test]
fn not_a_pdf_and_truncations() {
    assert!(matches!(
        extract(b"", &ExtractOptions::default()),
        Err(PdfError::NotPdf)
    ));
    assert!(matches!(
        extract(b"hello", &ExtractOptions::default()),
        Err(PdfError::NotPdf)
    ));
    assert!(looks_like_pdf(b"junk before %PDF-1.7"));
    let bytes = build(
        vec![(
            b"BT /F1 12 Tf 72 700 Td (Hello) Tj ET".to_vec(),
            dictionary! { "Font" => dictionary! { "F1" => helvetica() } },
        )],
        |_, _| {},
    );
    let opts = ExtractOptions {
        time_budget: Duration::from_secs(2),
        ..ExtractOptions::default()
    };
    for cut in (0..bytes.len()).step_by(7) {
        if let Ok(doc) = extract(&bytes[..cut], &opts) {
            assert!(!doc.text().trim().is_empty(), "empty success at {cut}");
        }
    }
}

#[test]
fn text_state_operators_position_lines() {
    // `'` and `"` move to the next line by the leading; Tz squeezes glyphs without gluing words.
    let content = b"BT /F1 10 Tf 12 TL 72 700 Td (Line one) Tj (Line two) ' 5 0 (Line three) \" \
        50 Tz 0 Tw 0 Tc T* (Squeezed words here) Tj ET"
        .to_vec();
    let bytes = build(
        vec![(
            content,
            dictionary! { "Font" => dictionary! { "F1" => helvetica() } },
        )],
        |_, _| {},
    );
    let out = extract(&bytes, &ExtractOptions::default()).expect("text");
    assert_eq!(
        out.pages[0].text,
        "Line one\nLine two\nLine three\nSqueezed words here"
    );
    let line = &out.pages[0].lines[0];
    assert!((line.font_size - 10.0).abs() < 0.01);
    assert!(
        (line.bbox[0] - 72.0).abs() < 0.01 && line.bbox[2] > 100.0,
        "{line:?}"
    );
}

#[test]
fn the_time_budget_stops_a_long_page() {
    let mut content = Vec::new();
    for i in 0..200_000 {
        content
            .extend_from_slice(format!("BT /F1 12 Tf {} 700 Td (x) Tj ET\n", i % 500).as_bytes());
    }
    let bytes = build(
        vec![(
            content,
            dictionary! { "Font" => dictionary! { "F1" => helvetica() } },
        )],
        |_, _| {},
    );
    let opts = ExtractOptions {
        time_budget: Duration::from_millis(1),
        ..ExtractOptions::default()
    };
    let err = extract(&bytes, &opts).expect_err("over budget");
    assert!(matches!(err, PdfError::Timeout(_)), "{err:?}");
    // A busy machine can blow the budget too: the job is retried, not failed for good like a
    // damaged file.
    assert!(!err.is_permanent());
    assert!(PdfError::Damaged("x".into()).is_permanent());
}

#[test]
fn a_file_cut_before_its_page_tree_still_gives_its_pages() {
    let content = b"BT /F1 12 Tf 72 700 Td (Salvaged text) Tj ET";
    let mut file = b"%PDF-1.4\n1 0 obj\n<</Type/Font/Subtype/Type1/BaseFont/Helvetica/Encoding/WinAnsiEncoding>>\nendobj\n".to_vec();
    file.extend_from_slice(format!("2 0 obj\n<</Length {}>>\nstream\n", content.len()).as_bytes());
    file.extend_from_slice(content);
    file.extend_from_slice(b"\nendstream\nendobj\n3 0 obj\n<</Type/Page/Parent 9 0 R/Resources<</Font<</F1 1 0 R>>>>/MediaBox[0 0 595 842]/Contents 2 0 R>>\nendobj\n9 0 obj\n<</Type/Pag");
    let out = extract(&file, &ExtractOptions::default()).expect("salvaged text");
    assert_eq!(out.text(), "Salvaged text");
}

#[test]
fn rotated_text_reads_along_its_baseline() {
    let content = b"BT /F1 12 Tf 0 1 -1 0 100 100 Tm (Rotated upwards) Tj ET \
        BT /F1 12 Tf 0 -1 1 0 300 700 Tm (Rotated downwards) Tj ET \
        BT /F1 12 Tf 72 750 Td (Upright) Tj ET"
        .to_vec();
    let bytes = build(
        vec![(
            content,
            dictionary! { "Font" => dictionary! { "F1" => helvetica() } },
        )],
        |_, _| {},
    );
    let out = extract(&bytes, &ExtractOptions::default()).expect("text");
    let lines: Vec<&str> = out.pages[0].lines.iter().map(|l| l.text.as_str()).collect();
    assert_eq!(
        lines,
        vec!["Upright", "Rotated upwards", "Rotated downwards"]
    );
    let up = &out.pages[0].lines[1];
    assert!(
        up.bbox[3] - up.bbox[1] > up.bbox[2] - up.bbox[0],
        "vertical box {up:?}"
    );
}

#[test]
fn page_tree_and_reference_cycles_terminate() {
    // A page tree that lists itself among its kids, and a font whose /Widths refers to itself.
    let mut file = b"%PDF-1.4\n".to_vec();
    let objects = [
        "1 0 obj\n<</Type/Catalog/Pages 2 0 R>>\nendobj\n",
        "2 0 obj\n<</Type/Pages/Kids[2 0 R 3 0 R]/Count 2/Resources<</Font<</F1 5 0 R>>>>>>\nendobj\n",
        "3 0 obj\n<</Type/Page/Parent 2 0 R/Contents 4 0 R/MediaBox[0 0 595 842]>>\nendobj\n",
        "4 0 obj\n<</Length 37>>\nstream\nBT /F1 12 Tf 72 700 Td (Cycles) Tj ET\nendstream\nendobj\n",
        "5 0 obj\n<</Type/Font/Subtype/Type1/BaseFont/Helvetica/Widths 6 0 R/FirstChar 32>>\nendobj\n",
        "6 0 obj\n7 0 R\nendobj\n7 0 obj\n6 0 R\nendobj\n",
    ];
    for o in objects {
        file.extend_from_slice(o.as_bytes());
    }
    file.extend_from_slice(b"trailer\n<</Root 1 0 R/Size 8>>\n%%EOF\n");
    let started = std::time::Instant::now();
    let out = extract(&file, &ExtractOptions::default());
    assert!(started.elapsed() < Duration::from_secs(5));
    if let Ok(doc) = out {
        assert!(doc.text().contains("Cycles"), "{:?}", doc.text());
    }
}

#[test]
fn actual_text_replaces_what_the_glyphs_spell() {
    let content =
        b"BT /F1 12 Tf 72 700 Td (Hyphen) Tj /Span <</ActualText (ated)>> BDC (at-) Tj EMC \
        ( words) Tj /Span /P1 BDC (ignored) Tj EMC ET"
            .to_vec();
    let resources = dictionary! {
        "Font" => dictionary! { "F1" => helvetica() },
        "Properties" => dictionary! { "P1" => dictionary! { "ActualText" => Object::string_literal(" and more") } },
    };
    let bytes = build(vec![(content, resources)], |_, _| {});
    let out = extract(&bytes, &ExtractOptions::default()).expect("text");
    assert_eq!(out.pages[0].text, "Hyphenated words and more");
}
