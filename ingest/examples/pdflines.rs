//! Debug aid: prints every line with its page, bounding box, font size and boldness.

use std::io::Write;

use planarkiv_ingest::pdf::{extract, ExtractOptions};

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: pdflines FILE.pdf");
        std::process::exit(1);
    };
    let bytes = std::fs::read(&path).unwrap_or_default();
    let doc = match extract(&bytes, &ExtractOptions::default()) {
        Ok(doc) => doc,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    };
    let mut out = std::io::stdout().lock();
    for p in &doc.pages {
        for l in &p.lines {
            let [x0, y0, x1, y1] = l.bbox;
            let b = if l.bold { "B" } else { " " };
            let line = format!(
                "{} {x0:6.1} {y0:6.1} {x1:6.1} {y1:6.1} {:4.1}{b} {}",
                p.number, l.font_size, l.text
            );
            // A closed pipe (`| head`) ends the listing quietly.
            if writeln!(out, "{line}").is_err() {
                return;
            }
        }
    }
}
