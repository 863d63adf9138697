//! A treatments table (*saksgang*) laid out in columns with blank cells, as case systems print
//! it, where the layout reads the bodies' column apart from the others: the dates and item
//! numbers go to the rows they stand level with, and a blank cell stays blank instead of
//! shifting the next value up a row.

use lopdf::content::{Content, Operation};
use lopdf::{dictionary, Document, Object, Stream};
use planarkiv_ingest::entities;
use planarkiv_ingest::pdf::{extract, ExtractOptions};

/// One page of text cells at (x, y) in points, drawn in the order given.
fn page(cells: &[(f32, f32, &str)]) -> Vec<u8> {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
        "Encoding" => "WinAnsiEncoding",
    });
    let mut ops = Vec::new();
    for (x, y, text) in cells {
        let bytes: Vec<u8> = text
            .chars()
            .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
            .collect();
        ops.push(Operation::new("BT", vec![]));
        ops.push(Operation::new("Tf", vec!["F1".into(), 10.0.into()]));
        ops.push(Operation::new("Td", vec![(*x).into(), (*y).into()]));
        ops.push(Operation::new(
            "Tj",
            vec![Object::String(bytes, lopdf::StringFormat::Literal)],
        ));
        ops.push(Operation::new("ET", vec![]));
    }
    let content = Content { operations: ops }.encode().expect("content");
    let content = doc.add_object(Stream::new(dictionary! {}, content));
    let page = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id, "Contents" => content,
        "Resources" => dictionary! { "Font" => dictionary! { "F1" => font } },
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(
            dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1 },
        ),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("save");
    out
}

/// (body, date, item number) of each treatment.
type Seen = (String, Option<String>, Option<String>);

fn treatments(cells: &[(f32, f32, &str)]) -> (Vec<Seen>, String) {
    let x = extract(&page(cells), &ExtractOptions::default()).expect("text");
    let case = entities::extract(&x).case.expect("a case paper");
    let rows = case
        .treatments
        .iter()
        .map(|t| {
            (
                t.body.value.clone(),
                t.meeting_date.as_ref().map(|d| d.value.to_string()),
                t.item_number.as_ref().map(|n| n.value.clone()),
            )
        })
        .collect();
    (rows, x.text())
}

/// The paper around a table: the table's cells go in the middle.
fn paper(table: &[(f32, f32, &'static str)]) -> Vec<(f32, f32, &'static str)> {
    let mut cells = vec![(56.0, 800.0, "SAKSFRAMLEGG"), (56.0, 770.0, "Saksgang")];
    cells.extend_from_slice(table);
    cells.extend([
        (56.0, 680.0, "Arkivsaksnr: 2026/308"),
        (56.0, 650.0, "Felles legevakt"),
        (56.0, 620.0, "Kommunedirektørens forslag til vedtak:"),
        (56.0, 605.0, "Kommunen slutter seg til avtalen."),
    ]);
    cells
}

const BODIES: [(f32, f32, &str); 4] = [
    (56.0, 755.0, "Utvalg"),
    (56.0, 740.0, "Formannskapet"),
    (56.0, 725.0, "Eldrerådet"),
    (56.0, 710.0, "Kommunestyret"),
];

#[test]
fn blank_cells_in_a_column_table_stay_on_their_rows() {
    let mut table = BODIES.to_vec();
    table.extend([
        (300.0, 755.0, "Møtedato"),
        (300.0, 740.0, "04.02.2026"),
        (300.0, 710.0, "19.02.2026"),
        (400.0, 755.0, "Utvalgssak"),
        (400.0, 740.0, "PS 5/2026"),
        (400.0, 710.0, "PS 12/2026"),
    ]);
    let (rows, text) = treatments(&paper(&table));
    let s = |v: &str| Some(v.to_owned());
    assert_eq!(
        rows,
        [
            ("Formannskapet".to_owned(), s("2026-02-04"), s("05.26")),
            ("Eldrerådet".to_owned(), None, None),
            ("Kommunestyret".to_owned(), s("2026-02-19"), s("12.26")),
        ],
        "{text}"
    );
}

#[test]
fn cells_that_stand_level_with_no_row_are_not_given_to_one() {
    // The dates stand between the rows: no row can be told, so none gets a date.
    let mut table = BODIES.to_vec();
    table.extend([
        (300.0, 755.0, "Møtedato"),
        (300.0, 733.0, "04.02.2026"),
        (300.0, 717.0, "19.02.2026"),
        (400.0, 755.0, "Utvalgssak"),
        (400.0, 733.0, "PS 5/2026"),
        (400.0, 717.0, "PS 12/2026"),
    ]);
    let (rows, text) = treatments(&paper(&table));
    assert_eq!(rows.len(), 3, "{text}");
    assert!(
        rows.iter().all(|r| r.1.is_none() && r.2.is_none()),
        "{rows:?}\n{text}"
    );
}
