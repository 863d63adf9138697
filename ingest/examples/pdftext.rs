//! Prints a PDF's text the way the corpus scorer expects:
//! `pdftext FILE`; exit 2 encrypted, 3 damaged, 4 no text layer, 1 anything else.

use std::process::ExitCode;

use planarkiv_ingest::pdf::{extract, ExtractOptions, PdfError};

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: pdftext FILE.pdf");
        return ExitCode::from(1);
    };
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{path}: {e}");
            return ExitCode::from(1);
        }
    };
    match extract(&bytes, &ExtractOptions::default()) {
        Ok(doc) => {
            use std::io::Write;
            // A closed pipe (`| head`) is not an extraction failure.
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{}", doc.text());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{path}: {e}");
            ExitCode::from(match e {
                PdfError::Encrypted => 2,
                PdfError::Damaged(_) => 3,
                PdfError::NoTextLayer => 4,
                _ => 1,
            })
        }
    }
}
