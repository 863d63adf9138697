//! PDF text extraction: bytes in, pages out (or a typed reason why not).
//!
//! This module is the boundary the rest of planarkiv depends on: `extract` and the types below.
//! What happens inside (content-stream interpretation, fonts, layout) may change freely.
//!
//! Inside, lopdf supplies the object model, decryption and the content-stream tokenizer; the rest
//! is ours:
//! - `interp`: runs each page's operators (text state, `cm`/`q`/`Q`, Form XObjects and text-field
//!   appearances) and records every glyph with its position, width and size;
//! - `font`, `cmap`, `fontfile`, `tables`: code → text and width for simple and composite fonts
//!   (ToUnicode first, then /Differences, base encodings, the built-in encodings of embedded
//!   Type 1 and CFF programs, and TrueType cmaps), standard-14 metrics when /Widths are absent;
//! - `layout`: words from glyph gaps, lines from baselines, columns from vertical gutters,
//!   hyphenation repaired at line ends;
//! - `ocr`, `page_image`: pages without a usable text layer are read by Tesseract from the
//!   page's own image (or a rendering) and their words laid out by `layout` like glyphs.
//!
//! Hostile input is bounded everywhere: stream sizes, Form nesting, reference chains, glyph
//! counts and the per-document time budget; each page runs under `catch_unwind` so that a bug
//! costs a page, not the process.

mod cmap;
mod font;
mod fontfile;
mod interp;
mod layout;
pub mod ocr;
pub mod page_image;
mod salvage;
mod tables;

use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde::Serialize;

use interp::{FontCache, InterpError, Interpreter, PlacedImage, Shown};
pub use ocr::{Engine, OcrOptions, Unavailable};
pub use page_image::ImageSource;

/// Glyphs one page may show (every character code a text operator draws, kept or not).
/// A dense page, a two-column table in 8 pt, shows under 50,000; a Form XObject drawn many
/// times over, or forms that draw each other in a fan, shows millions from a few kilobytes.
/// This bounds the glyph records layout holds (about 80 bytes each) and the time a page takes.
pub const MAX_PAGE_GLYPHS: usize = 200_000;
/// Characters of text one page may produce. One glyph can carry many characters (a ToUnicode
/// entry may map one code to a long string, `/ActualText` replaces a span), so glyphs alone do
/// not bound the text; a dense page has under 50,000 characters.
pub const MAX_PAGE_CHARS: usize = 500_000;
/// Glyphs one document may show: a real 2,000-page report shows about 10 million. Bounds the
/// work of a document whose every page stays under the page limit.
pub const MAX_DOCUMENT_GLYPHS: usize = 25_000_000;
/// Characters of text one document may produce. A real 2,000-page report has under 10 million;
/// the pages are held in memory and then stored as rows and indexed, so this bounds the
/// memory of extraction and what one file can add to the database and the index (a 64 KB file
/// once extracted to 160 MB of text).
pub const MAX_DOCUMENT_CHARS: usize = 20_000_000;

/// Limits that keep one hostile or enormous file from taking the process down.
#[derive(Debug, Clone)]
pub struct ExtractOptions {
    /// Upper bound on the bytes any one stream may inflate to.
    pub max_decompressed_bytes: usize,
    /// Wall-clock budget for one document; past it extraction stops with `PdfError::Timeout`.
    pub time_budget: Duration,
    /// Documents with more pages than this are refused.
    pub max_pages: usize,
    /// How much text a page and a document may produce before extraction stops.
    pub text: TextLimits,
    /// OCR of pages without a usable text layer; `None` leaves them empty (and a document of
    /// such pages only fails with [`PdfError::NoTextLayer`]).
    pub ocr: Option<OcrOptions>,
}

impl Default for ExtractOptions {
    fn default() -> Self {
        Self {
            max_decompressed_bytes: 256 * 1024 * 1024,
            time_budget: Duration::from_secs(60),
            max_pages: 20_000,
            text: TextLimits::default(),
            ocr: Some(OcrOptions::default()),
        }
    }
}

/// Glyphs shown and characters of text produced, per page and per document. Passing one stops
/// extraction at once (nothing more is collected) and fails the document for good.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextLimits {
    pub page_glyphs: usize,
    pub page_chars: usize,
    pub document_glyphs: usize,
    pub document_chars: usize,
}

impl Default for TextLimits {
    fn default() -> Self {
        Self {
            page_glyphs: MAX_PAGE_GLYPHS,
            page_chars: MAX_PAGE_CHARS,
            document_glyphs: MAX_DOCUMENT_GLYPHS,
            document_chars: MAX_DOCUMENT_CHARS,
        }
    }
}

/// Which text limit a document passed, with the limit's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextLimit {
    PageGlyphs(usize),
    PageChars(usize),
    DocumentGlyphs(usize),
    DocumentChars(usize),
}

impl std::fmt::Display for TextLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            TextLimit::PageGlyphs(n) => {
                write!(
                    f,
                    "more than {n} glyphs on one page (the limit is {n} a page)"
                )
            }
            TextLimit::PageChars(n) => write!(
                f,
                "more than {n} characters of text on one page (the limit is {n} a page)"
            ),
            TextLimit::DocumentGlyphs(n) => {
                write!(f, "more than {n} glyphs (the limit is {n} a document)")
            }
            TextLimit::DocumentChars(n) => write!(
                f,
                "more than {n} characters of text (the limit is {n} a document)"
            ),
        }
    }
}

/// Panics extraction absorbed, in this process: in this crate's own code (the content
/// interpreter, layout) and in the PDF parser. A file costs a page or fails as damaged instead of
/// taking the worker down; but each of the first kind is a bug here, and tests insist on none
/// ([`recovered_panics`]), since "extraction did not panic" proves nothing while it catches its
/// own.
static OWN_PANICS: AtomicUsize = AtomicUsize::new(0);
static PARSER_PANICS: AtomicUsize = AtomicUsize::new(0);

/// Panics absorbed so far in this process: (in this crate's code, in the PDF parser).
pub fn recovered_panics() -> (usize, usize) {
    (
        OWN_PANICS.load(Ordering::Relaxed),
        PARSER_PANICS.load(Ordering::Relaxed),
    )
}

/// The text of a whole document.
#[derive(Debug, Clone, Serialize)]
pub struct Extracted {
    pub pages: Vec<Page>,
    /// `/Producer` from the document information dictionary, when present.
    pub producer: Option<String>,
    /// `/Title` from the document information dictionary, when present and not blank.
    pub title: Option<String>,
}

impl Extracted {
    /// All pages' text separated by form feeds, as `pdftotext` prints it.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for (i, p) in self.pages.iter().enumerate() {
            if i > 0 {
                out.push('\u{c}');
            }
            out.push_str(&p.text);
        }
        out
    }
}

/// One page. `number` is 1-based.
#[derive(Debug, Clone, Serialize)]
pub struct Page {
    pub number: u32,
    pub text: String,
    pub lines: Vec<Line>,
    /// True when the page draws images but has no usable text layer: a scan for OCR.
    pub needs_ocr: bool,
    /// How OCR read the page, when it did.
    pub ocr: Option<PageOcr>,
    /// Why a page that needed OCR has no text from it (OCR unavailable, a hostile image, a
    /// time-out). The page is kept, empty, so the rest of the document stays searchable.
    pub ocr_error: Option<String>,
}

/// That a page's text came from OCR, and how well it went.
#[derive(Debug, Clone, Serialize)]
pub struct PageOcr {
    /// "tesseract 5.3.0"
    pub engine: String,
    /// The language model and its version, "nor 4.00.00alpha:nor:synth20170629".
    pub model: String,
    /// Mean word confidence, 0–1.
    pub confidence: f32,
    /// Where the image came from.
    pub image: ImageSource,
    /// Quarter turns (clockwise) the page's text was rotated by in its image.
    pub turns: u8,
}

impl Page {
    /// A page of laid-out lines whose text is those lines, one per line: what the extractor
    /// gives for a page without block gaps. Rules and their tests build pages this way.
    pub fn from_lines(number: u32, lines: Vec<Line>) -> Self {
        let text = lines
            .iter()
            .map(|l| l.text.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        Self {
            number,
            text,
            lines,
            needs_ocr: false,
            ocr: None,
            ocr_error: None,
        }
    }
}

/// One line of text with the layout facts structure extraction needs to find headings.
#[derive(Debug, Clone, Serialize)]
pub struct Line {
    pub text: String,
    /// `[x0, y0, x1, y1]` in PDF user space points, origin bottom-left.
    pub bbox: [f32; 4],
    pub font_size: f32,
    pub bold: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("encrypted: the PDF needs a password to open")]
    Encrypted,
    #[error("damaged: {0}")]
    Damaged(String),
    #[error("no text layer: the pages are images (scanned?) and need OCR")]
    NoTextLayer,
    /// The pages need OCR and it cannot run here; the reason says what to install.
    #[error("no text layer, and {0}")]
    OcrUnavailable(String),
    /// OCR ran on every page and failed on each; the reason is the first page's.
    #[error("no text: OCR failed on page {page}: {reason}")]
    OcrFailed { page: u32, reason: String },
    /// OCR read every page and found no words.
    #[error("no text: the pages are images and OCR found no words on them")]
    OcrFoundNothing,
    #[error("too large: {0}")]
    TooLarge(String),
    #[error("extraction ran out of its time budget of {}", seconds(*.0))]
    Timeout(Duration),
    /// The document shows more text than [`TextLimits`] allows, reached at `page`.
    #[error("too large: {limit}, reached on page {page}")]
    TextLimit { limit: TextLimit, page: u32 },
    #[error("not a PDF: the file does not start with %PDF-")]
    NotPdf,
}

impl PdfError {
    /// Permanent errors will fail the same way on every retry; a job gives up at once on them.
    /// A blown time budget is not: it measures a busy machine as much as the file, so the job is
    /// retried later (and still gives up once its attempts are used up).
    pub fn is_permanent(&self) -> bool {
        !matches!(self, PdfError::Timeout(_))
    }
}

/// A duration as people write it in a reason: "60 s", "0.5 s".
pub fn seconds(d: Duration) -> String {
    format!("{} s", d.as_secs_f64())
}

/// True when the bytes carry a PDF header. Readers accept junk before the header (the spec's
/// implementation notes allow 1024 bytes), so we look that far.
pub fn looks_like_pdf(bytes: &[u8]) -> bool {
    let window = &bytes[..bytes.len().min(1024)];
    window.windows(5).any(|w| w == b"%PDF-")
}

pub fn extract(bytes: &[u8], opts: &ExtractOptions) -> Result<Extracted, PdfError> {
    if !looks_like_pdf(bytes) {
        return Err(PdfError::NotPdf);
    }
    let started = Instant::now();
    let deadline = started + opts.time_budget;
    // lopdf is not hardened against every malformed file; a panic while loading is damage.
    let load_with = |bytes: &[u8], force_reconstruct: bool| {
        let load = lopdf::LoadOptions {
            max_decompressed_size: Some(opts.max_decompressed_bytes),
            force_reconstruct,
            ..Default::default()
        };
        // lopdf is not hardened against every malformed file; a panic while loading is damage.
        panic::catch_unwind(AssertUnwindSafe(|| {
            lopdf::Document::load_mem_with_options(bytes, load)
        }))
        .map_err(|_| {
            PARSER_PANICS.fetch_add(1, Ordering::Relaxed);
            PdfError::Damaged("the file could not be parsed".into())
        })?
        .map_err(map_load_error)
    };
    let pages_of = |doc: &lopdf::Document| {
        panic::catch_unwind(AssertUnwindSafe(|| doc.get_pages())).map_err(|_| {
            PARSER_PANICS.fetch_add(1, Ordering::Relaxed);
            PdfError::Damaged("the page tree could not be read".into())
        })
    };
    let mut doc = match load_with(bytes, false) {
        Ok(doc) => doc,
        Err(PdfError::Damaged(why)) => {
            // A file cut short loses its trailer and page tree, but the pages before the cut are
            // still there: give them a new tree and trailer and let lopdf rebuild the xref.
            let salvaged =
                salvage::with_new_page_tree(bytes).ok_or_else(|| PdfError::Damaged(why.clone()))?;
            load_with(&salvaged, true).map_err(|_| PdfError::Damaged(why))?
        }
        Err(e) => return Err(e),
    };
    if doc.trailer.has(b"Encrypt") && doc.encryption_state.is_none() {
        return Err(PdfError::Encrypted);
    }
    let mut page_ids = pages_of(&doc)?;
    if page_ids.is_empty() {
        // Cross-reference data that reads but points at the wrong objects (a broken
        // linearized file, say): rebuild it by scanning the file.
        if let Ok(rebuilt) = load_with(bytes, true) {
            let rebuilt_pages = pages_of(&rebuilt)?;
            if !rebuilt_pages.is_empty() {
                doc = rebuilt;
                page_ids = rebuilt_pages;
            }
        }
    }
    if page_ids.is_empty() {
        if let Some(salvaged) = salvage::with_new_page_tree(bytes) {
            if let Ok(rebuilt) = load_with(&salvaged, true) {
                let rebuilt_pages = pages_of(&rebuilt)?;
                if !rebuilt_pages.is_empty() {
                    doc = rebuilt;
                    page_ids = rebuilt_pages;
                }
            }
        }
    }
    if page_ids.is_empty() {
        page_ids = orphan_pages(&doc);
    }
    if page_ids.is_empty() {
        return Err(PdfError::Damaged("no pages could be found".into()));
    }
    if page_ids.len() > opts.max_pages {
        return Err(PdfError::TooLarge(format!(
            "{} pages, the limit is {}",
            page_ids.len(),
            opts.max_pages
        )));
    }
    let mut fonts = FontCache::default();
    let mut shown = Shown::new(opts.text);
    let mut pages = Vec::with_capacity(page_ids.len());
    let mut images = 0usize;
    let mut damaged_pages = 0usize;
    let mut scans: Vec<Scan> = Vec::new();
    for (&number, &page_id) in &page_ids {
        if Instant::now() > deadline {
            return Err(PdfError::Timeout(opts.time_budget));
        }
        let result = panic::catch_unwind(AssertUnwindSafe(|| {
            Interpreter::new(
                &doc,
                &mut fonts,
                &mut shown,
                deadline,
                opts.max_decompressed_bytes,
            )
            .run_page(page_id)
        }));
        let (out, damaged) = match result {
            Ok(Ok(r)) => r,
            Ok(Err(InterpError::Timeout)) => return Err(PdfError::Timeout(opts.time_budget)),
            Ok(Err(InterpError::TextLimit(limit))) => {
                return Err(PdfError::TextLimit {
                    limit,
                    page: number,
                })
            }
            Err(_) => {
                // A bug on one page costs that page, not the document. The font cache may hold a
                // half-built entry, so it starts afresh.
                OWN_PANICS.fetch_add(1, Ordering::Relaxed);
                tracing::error!(
                    page = number,
                    "the content interpreter panicked; page left empty"
                );
                fonts = FontCache::default();
                (
                    interp::PageOutput {
                        glyphs: Vec::new(),
                        images: 0,
                        placed: Vec::new(),
                    },
                    true,
                )
            }
        };
        damaged_pages += usize::from(damaged);
        images += out.images;
        let lines = match panic::catch_unwind(AssertUnwindSafe(|| layout::layout(&out.glyphs))) {
            Ok(mut lines) => {
                layout::drop_page_number(&mut lines, number);
                lines
            }
            Err(_) => {
                OWN_PANICS.fetch_add(1, Ordering::Relaxed);
                tracing::error!(page = number, "layout panicked; page left empty");
                damaged_pages += 1;
                Vec::new()
            }
        };
        let text = layout::page_text(&lines);
        let needs_ocr = out.images > 0 && !usable_text(&text);
        if needs_ocr {
            scans.push(Scan {
                index: pages.len(),
                page_id,
                images: out.images,
                placed: out.placed,
            });
        }
        pages.push(Page {
            number,
            needs_ocr,
            text,
            lines,
            ocr: None,
            ocr_error: None,
        });
    }
    if let (Some(ocr), false) = (&opts.ocr, scans.is_empty()) {
        ocr_pages(&doc, bytes, &scans, &mut pages, ocr);
    }
    if pages.iter().all(|p| p.text.trim().is_empty()) {
        if damaged_pages > 0 || (images == 0 && doc.xref_recovery.is_some()) {
            return Err(PdfError::Damaged("no page content could be read".into()));
        }
        if opts.ocr.is_none() || scans.is_empty() {
            return Err(PdfError::NoTextLayer);
        }
        let failed = scans
            .iter()
            .find_map(|s| Some((pages[s.index].number, pages[s.index].ocr_error.clone()?)));
        return Err(match failed {
            Some((_, reason)) if reason.starts_with(ocr::UNAVAILABLE) => {
                PdfError::OcrUnavailable(reason)
            }
            Some((page, reason)) => PdfError::OcrFailed { page, reason },
            None => PdfError::OcrFoundNothing,
        });
    }
    let info = |key: &[u8]| -> Option<String> {
        let info = doc.trailer.get(b"Info").ok()?;
        let dict = doc.dereference(info).ok()?.1.as_dict().ok()?;
        let s = dict.get(key).ok()?.as_str().ok()?;
        let s = lopdf::decode_text_string(&lopdf::Object::String(
            s.to_vec(),
            lopdf::StringFormat::Literal,
        ))
        .ok()?;
        let s = s.trim().to_owned();
        (!s.is_empty()).then_some(s)
    };
    Ok(Extracted {
        producer: info(b"Producer"),
        title: info(b"Title"),
        pages,
    })
}

/// A page that needs OCR, with what the interpreter saw it draw.
struct Scan {
    index: usize,
    page_id: lopdf::ObjectId,
    images: usize,
    placed: Vec<PlacedImage>,
}

/// Letters and digits a text layer needs before it is taken for the page's text. A scan often
/// carries a stamped page number or a few characters of an invisible layer; a real page of
/// text has hundreds.
const USABLE_TEXT_CHARS: usize = 12;

/// Whether a page's text layer is worth keeping instead of OCR: enough letters and digits,
/// and mostly not the replacement characters a font without a usable encoding gives.
fn usable_text(text: &str) -> bool {
    let (mut good, mut bad) = (0usize, 0usize);
    for c in text.chars() {
        if c == '\u{fffd}' || ('\u{e000}'..='\u{f8ff}').contains(&c) || c.is_control() && c != '\n'
        {
            bad += 1;
        } else if c.is_alphanumeric() {
            good += 1;
        }
    }
    good >= USABLE_TEXT_CHARS && bad * 2 <= good
}

/// Reads the scanned pages with OCR, in place. A page that cannot be read keeps its text
/// layer (usually none) and gets the reason; the other pages go on.
fn ocr_pages(
    doc: &lopdf::Document,
    bytes: &[u8],
    scans: &[Scan],
    pages: &mut [Page],
    opts: &OcrOptions,
) {
    let fail_all = |pages: &mut [Page], why: &str| {
        for s in scans {
            pages[s.index].ocr_error = Some(why.to_owned());
        }
    };
    let engine = match ocr::probe(opts) {
        Ok(e) => e,
        Err(Unavailable(why)) => return fail_all(pages, &why),
    };
    let work = match tempfile::Builder::new().prefix("planarkiv-ocr").tempdir() {
        Ok(w) => w,
        Err(e) => return fail_all(pages, &format!("OCR work folder: {e}")),
    };
    let mut pdf_path: Option<std::path::PathBuf> = None;
    let mut pdf_file = || -> Result<std::path::PathBuf, String> {
        if let Some(p) = &pdf_path {
            return Ok(p.clone());
        }
        let p = work.path().join("document.pdf");
        std::fs::write(&p, bytes).map_err(|e| format!("OCR work file: {e}"))?;
        pdf_path = Some(p.clone());
        Ok(p)
    };
    let deadline = Instant::now() + opts.document_timeout;
    for s in scans {
        let page = &mut pages[s.index];
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            page.ocr_error = Some(format!(
                "OCR of this document ran out of its time limit of {} before this page",
                seconds(opts.document_timeout)
            ));
            continue;
        }
        let timeout = left.min(opts.page_timeout);
        let page_dir = work.path().join(format!("p{}", page.number));
        let read = std::fs::create_dir(&page_dir)
            .map_err(|e| format!("OCR work folder: {e}"))
            .and_then(|()| {
                let drawing = page_image::PageDrawing {
                    page_id: s.page_id,
                    number: page.number,
                    images: s.images,
                    placed: &s.placed,
                };
                let started = Instant::now();
                let image =
                    page_image::page_image(doc, &drawing, opts, &mut pdf_file, &page_dir, timeout)?;
                let timeout = timeout.saturating_sub(started.elapsed());
                let read = ocr::recognize(
                    opts,
                    &image.path,
                    (image.width, image.height),
                    image.map,
                    timeout,
                    &page_dir,
                )?;
                Ok((image.source, read))
            });
        let _ = std::fs::remove_dir_all(&page_dir);
        match read {
            Ok((source, read)) => {
                let mut lines =
                    panic::catch_unwind(AssertUnwindSafe(|| layout::layout(&read.glyphs)))
                        .unwrap_or_default();
                layout::drop_page_number(&mut lines, page.number);
                let text = layout::page_text(&lines);
                // A partial text layer (a stamp, a number) is replaced only by more text.
                if alnum(&text) >= alnum(&page.text) {
                    page.text = text;
                    page.lines = lines;
                }
                page.ocr = Some(PageOcr {
                    engine: engine.version.clone(),
                    model: engine.model.clone(),
                    confidence: read.confidence,
                    image: source,
                    turns: read.turns,
                });
            }
            Err(why) => page.ocr_error = Some(why),
        }
    }
}

fn alnum(text: &str) -> usize {
    text.chars().filter(|c| c.is_alphanumeric()).count()
}

/// Page objects found by type when no page tree leads to them, in object-number order.
fn orphan_pages(doc: &lopdf::Document) -> std::collections::BTreeMap<u32, lopdf::ObjectId> {
    doc.objects
        .iter()
        .filter(|(_, o)| o.as_dict().is_ok_and(|d| d.has_type(b"Page")))
        .map(|(id, _)| *id)
        .take(1_000_000)
        .zip(1u32..)
        .map(|(id, n)| (n, id))
        .collect()
}

fn map_load_error(e: lopdf::Error) -> PdfError {
    match e {
        lopdf::Error::InvalidPassword | lopdf::Error::Decryption(_) => PdfError::Encrypted,
        lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded { .. }) => {
            PdfError::TooLarge("a stream inflates past the decompression limit".into())
        }
        other => PdfError::Damaged(other.to_string()),
    }
}
