//! Debug aid: prints every line with its page, bounding box, font size and boldness.

use planarkiv_ingest::pdf::{extract, ExtractOptions};

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: pdflines FILE.pdf");
        std::process::exit(1);
    };
    let bytes = std::fs::read(&path).unwrap_or_default();
    match extract(&bytes, &ExtractOptions::default()) {
        Ok(doc) => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            for p in &doc.pages {
                for l in &p.lines {
                    let [x0, y0, x1, y1] = l.bbox;
                    let b = if l.bold { "B" } else { " " };
                    println!(
                        "{} {x0:6.1} {y0:6.1} {x1:6.1} {y1:6.1} {:4.1}{b} {}",
                        p.number, l.font_size, l.text
                    );
                }
            }
        }
        Err(e) => eprintln!("{e}"),
    }
}
