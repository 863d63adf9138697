//! OCR of pages without a text layer: Tesseract 5 as a child process per page.
//!
//! Why a process and not a library binding: the workspace forbids `unsafe` (a binding to
//! libtesseract needs it), a process can be killed when its page runs over its time, and its
//! memory is capped with an address-space limit (`ulimit -v` in the `sh` that execs it), so a
//! hostile image costs that page and never this process. Tesseract prints TSV (one row per
//! word with its box and confidence); each word becomes one glyph for [`super::layout`], so an
//! OCR page gets lines, blocks, columns, sizes and hyphen repair from the same code as a
//! born-digital page, and snippets and entity rules work on it unchanged.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

use serde::Serialize;

use super::interp::Glyph;

/// What an OCR process may use. OCR runs only inside an extraction slot, and `slots` bounds the
/// OCR and render processes of all slots together, so OCR never takes more cores than
/// extraction had.
#[derive(Debug, Clone)]
pub struct OcrOptions {
    /// The `tesseract` program (a name looked up on `PATH`, or a path).
    pub tesseract: PathBuf,
    /// The `pdftoppm` program (poppler-utils), for pages that are not one plain image.
    pub pdftoppm: PathBuf,
    /// Tesseract's language model: `nor` serves bokmål and nynorsk.
    pub language: String,
    /// Resolution pages are rendered at when their image cannot be taken from the file.
    pub render_dpi: u32,
    /// Wall time one page's render or recognition may take; the process is killed past it.
    pub page_timeout: Duration,
    /// Wall time all OCR of one document may take; pages after it fail with that reason.
    pub document_timeout: Duration,
    /// Address space of each child process (bytes): what one hostile image can cost.
    pub memory_limit: u64,
    /// Pixels a page image may have (width × height, as declared, checked before decoding).
    pub max_pixels: u64,
    /// OCR and render processes running at once, across every extraction that shares these
    /// options.
    pub slots: Arc<Slots>,
}

impl Default for OcrOptions {
    /// Programs from `PATH`, or from `PLANARKIV_TESSERACT` and `PLANARKIV_PDFTOPPM` when set
    /// (a Tesseract installed elsewhere; tests that need it missing).
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let program = |var: &str, name: &str| {
            std::env::var_os(var)
                .filter(|v| !v.is_empty())
                .map_or_else(|| PathBuf::from(name), PathBuf::from)
        };
        Self {
            tesseract: program("PLANARKIV_TESSERACT", "tesseract"),
            pdftoppm: program("PLANARKIV_PDFTOPPM", "pdftoppm"),
            language: "nor".into(),
            render_dpi: 300,
            page_timeout: Duration::from_secs(60),
            document_timeout: Duration::from_secs(30 * 60),
            // Tesseract reading an A4 page at 300 dpi peaks under 200 MiB; 480 MiB leaves room
            // for a 600 dpi page and keeps a hostile one under 500 MiB.
            memory_limit: 480 * 1024 * 1024,
            // A4 at 600 dpi is 35 million pixels.
            max_pixels: 40_000_000,
            slots: Arc::new(Slots::new(cores)),
        }
    }
}

impl OcrOptions {
    /// The same options with `n` processes at once (one per extraction slot).
    pub fn with_slots(mut self, n: usize) -> Self {
        self.slots = Arc::new(Slots::new(n));
        self
    }
}

/// A counting semaphore for blocking threads (the extraction pool is not async).
#[derive(Debug)]
pub struct Slots {
    free: Mutex<usize>,
    freed: Condvar,
}

impl Slots {
    pub fn new(n: usize) -> Self {
        Self {
            free: Mutex::new(n.max(1)),
            freed: Condvar::new(),
        }
    }

    fn take(&self) -> SlotGuard<'_> {
        let mut free = self.free.lock().unwrap_or_else(|e| e.into_inner());
        while *free == 0 {
            free = self.freed.wait(free).unwrap_or_else(|e| e.into_inner());
        }
        *free -= 1;
        SlotGuard(self)
    }
}

struct SlotGuard<'a>(&'a Slots);

impl Drop for SlotGuard<'_> {
    fn drop(&mut self) {
        let mut free = self.0.free.lock().unwrap_or_else(|e| e.into_inner());
        *free += 1;
        self.0.freed.notify_one();
    }
}

/// The engine as found on this machine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Engine {
    /// "tesseract 5.3.0"
    pub version: String,
    /// The language and its model's version string, "nor 4.00.00alpha:nor:synth20170629".
    pub model: String,
}

/// How every reason that OCR cannot run here begins, so callers can tell it from a page that
/// failed.
pub const UNAVAILABLE: &str = "OCR unavailable";

/// Why OCR cannot run here, in words that say what to install.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Unavailable(pub String);

/// Engines found, by program and language. Only successes are kept, so installing Tesseract
/// while the server runs takes effect at the next document.
fn engines() -> &'static Mutex<HashMap<(PathBuf, String), Engine>> {
    static ENGINES: OnceLock<Mutex<HashMap<(PathBuf, String), Engine>>> = OnceLock::new();
    ENGINES.get_or_init(Default::default)
}

/// Finds Tesseract and its language model, or says what is missing.
pub fn probe(opts: &OcrOptions) -> Result<Engine, Unavailable> {
    let key = (opts.tesseract.clone(), opts.language.clone());
    if let Some(e) = engines()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&key)
    {
        return Ok(e.clone());
    }
    let install = format!(
        "install the Debian packages tesseract-ocr and tesseract-ocr-{} (Tesseract 5)",
        opts.language
    );
    let run = |arg: &str| {
        Command::new(&opts.tesseract)
            .arg(arg)
            .env("OMP_THREAD_LIMIT", "1")
            .stdin(Stdio::null())
            .output()
    };
    let version = run("--version").map_err(|e| {
        Unavailable(format!(
            "{UNAVAILABLE}: {} could not be run ({e}); {install}",
            opts.tesseract.display()
        ))
    })?;
    // Tesseract 4 printed its version on stderr, 5 on stdout.
    let banner = String::from_utf8_lossy(if version.stdout.is_empty() {
        &version.stderr
    } else {
        &version.stdout
    })
    .lines()
    .next()
    .unwrap_or_default()
    .trim()
    .to_owned();
    let major = banner
        .strip_prefix("tesseract ")
        .and_then(|v| v.trim_start_matches('v').split('.').next())
        .and_then(|m| m.parse::<u32>().ok());
    if major.is_none_or(|m| m < 4) {
        return Err(Unavailable(format!(
            "{UNAVAILABLE}: {} is not Tesseract 4 or later (it says {banner:?}); {install}",
            opts.tesseract.display()
        )));
    }
    let langs = run("--list-langs").map_err(|e| Unavailable(format!("{UNAVAILABLE}: {e}")))?;
    let listing = String::from_utf8_lossy(&langs.stdout);
    // The first line names the model folder: `List of available languages in "DIR/" (3):`.
    let folder = listing
        .lines()
        .next()
        .and_then(|l| l.split('"').nth(1))
        .map(PathBuf::from);
    if !listing.lines().skip(1).any(|l| l.trim() == opts.language) {
        return Err(Unavailable(format!(
            "{UNAVAILABLE}: Tesseract has no {:?} language model; {install}",
            opts.language
        )));
    }
    let model_version = folder
        .and_then(|d| model_version(&d.join(format!("{}.traineddata", opts.language))))
        .unwrap_or_else(|| "unknown version".into());
    let engine = Engine {
        version: banner,
        model: format!("{} {model_version}", opts.language),
    };
    engines()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(key, engine.clone());
    Ok(engine)
}

/// `pdftoppm`'s version line, or why it cannot be run.
pub fn renderer_version(opts: &OcrOptions) -> Result<String, String> {
    let out = Command::new(&opts.pdftoppm)
        .arg("-v")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("{} could not be run: {e}", opts.pdftoppm.display()))?;
    // poppler prints its version on stderr.
    let text =
        String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
    Ok(text.lines().next().unwrap_or("pdftoppm").trim().to_owned())
}

/// The version string a `.traineddata` file carries: its component 23 (`TESSDATA_VERSION`),
/// read from the file's table of component offsets, without the network description that
/// follows it.
fn model_version(path: &Path) -> Option<String> {
    use std::io::{Read, Seek, SeekFrom};
    const VERSION: usize = 23;
    let mut f = std::fs::File::open(path).ok()?;
    let len = f.metadata().ok()?.len();
    let mut n = [0u8; 4];
    f.read_exact(&mut n).ok()?;
    let entries = u32::from_le_bytes(n) as usize;
    if entries <= VERSION || entries > 100 {
        return None;
    }
    let mut table = vec![0u8; entries * 8];
    f.read_exact(&mut table).ok()?;
    let offset = |i: usize| {
        let mut b = [0u8; 8];
        b.copy_from_slice(&table[i * 8..i * 8 + 8]);
        i64::from_le_bytes(b)
    };
    let start = u64::try_from(offset(VERSION)).ok()?;
    let end = (VERSION + 1..entries)
        .map(offset)
        .find(|&o| o >= 0)
        .map_or(len, |o| o as u64);
    if end <= start || end - start > 1024 {
        return None;
    }
    let mut buf = vec![0u8; (end - start) as usize];
    f.seek(SeekFrom::Start(start)).ok()?;
    f.read_exact(&mut buf).ok()?;
    let s = String::from_utf8_lossy(&buf);
    let s = s.trim_end_matches('\0');
    let s = s.strip_prefix("Version:").unwrap_or(s);
    Some(s.split(":[").next().unwrap_or(s).trim().to_owned())
}

/// How pixels of the image Tesseract read map to the page (points, origin bottom-left):
/// `x = x0 + px · sx`, `y = top − py · sy`.
#[derive(Debug, Clone, Copy)]
pub struct PixelMap {
    pub x0: f32,
    pub top: f32,
    pub sx: f32,
    pub sy: f32,
}

/// What OCR read on one page.
#[derive(Debug, Clone)]
pub struct Recognized {
    pub glyphs: Vec<Glyph>,
    /// Mean word confidence (0–1), weighted by the words' letters; 0 when there are none.
    pub confidence: f32,
    /// Quarter turns the page's text was rotated by in the image (0–3, clockwise).
    pub turns: u8,
}

/// Runs Tesseract on an image file and returns its words as glyphs on the page.
pub fn recognize(
    opts: &OcrOptions,
    image: &Path,
    (width, height): (u32, u32),
    map: PixelMap,
    timeout: Duration,
    work: &Path,
) -> Result<Recognized, String> {
    let out_base = work.join("ocr");
    // `--psm 1`: page segmentation with orientation detection, so a page scanned upside down
    // or sideways is read in its own direction (the boxes stay in the image's frame; see
    // `upright`).
    let mut cmd = limited(&opts.tesseract, opts.memory_limit, timeout);
    cmd.arg(image)
        .arg(&out_base)
        .args(["-l", &opts.language, "--psm", "1", "tsv"]);
    let _slot = opts.slots.take();
    run_limited(cmd, timeout, opts.page_timeout, "OCR")?;
    let tsv = std::fs::read_to_string(out_base.with_extension("tsv"))
        .map_err(|e| format!("OCR gave no output: {e}"))?;
    Ok(from_tsv(&tsv, (width, height), map))
}

/// A command run through `sh`, which sets the address-space and CPU-time limits and then
/// execs the program: a limit set in the child before exec needs `unsafe` here, and set after
/// spawn (prlimit) would leave a window in which a bomb can allocate.
pub(super) fn limited(program: &Path, memory: u64, timeout: Duration) -> Command {
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(r#"ulimit -v "$1" && ulimit -t "$2" && shift 2 && exec "$@""#)
        .arg("sh")
        .arg((memory / 1024).max(1).to_string())
        .arg((timeout.as_secs() + 1).to_string())
        .arg(program)
        .env("OMP_THREAD_LIMIT", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null());
    cmd
}

/// Runs a limited command to its end or kills it at `timeout` (what is left of the page's
/// `limit`); the error names `what` and the last line the program wrote on stderr.
pub(super) fn run_limited(
    mut cmd: Command,
    timeout: Duration,
    limit: Duration,
    what: &str,
) -> Result<(), String> {
    let err = tempfile::tempfile().map_err(|e| format!("{what}: {e}"))?;
    let mut err_read = err.try_clone().map_err(|e| format!("{what}: {e}"))?;
    cmd.stderr(err);
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("{what} could not start: {e}"))?;
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() >= timeout => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "{what} ran out of its time limit of {} on this page",
                    super::seconds(limit)
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => return Err(format!("{what}: {e}")),
        }
    };
    if status.success() {
        return Ok(());
    }
    use std::io::{Read, Seek, SeekFrom};
    let mut tail = String::new();
    let _ = err_read.seek(SeekFrom::Start(0));
    let _ = err_read.take(64 * 1024).read_to_string(&mut tail);
    let last = tail
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default()
        .trim()
        .chars()
        .take(200)
        .collect::<String>();
    use std::os::unix::process::ExitStatusExt;
    let how = match status.signal() {
        // SIGXCPU: the CPU-time limit; SIGKILL/SIGSEGV/SIGABRT are what allocation failures
        // under the address-space limit end in.
        Some(sig) => format!("was stopped by signal {sig} (out of its memory or CPU limit?)"),
        None => format!("failed ({status})"),
    };
    Err(if last.is_empty() {
        format!("{what} {how}")
    } else {
        format!("{what} {how}: {last}")
    })
}

/// One word of Tesseract's TSV (level 5 rows), in the image's pixels.
#[derive(Debug, Clone)]
struct TsvWord {
    line: (u32, u32, u32),
    left: f32,
    top: f32,
    width: f32,
    height: f32,
    conf: f32,
    text: String,
}

fn parse_tsv(tsv: &str) -> Vec<TsvWord> {
    let mut out = Vec::new();
    for row in tsv.lines().skip(1) {
        let f: Vec<&str> = row.splitn(12, '\t').collect();
        if f.len() < 12 || f[0] != "5" {
            continue;
        }
        let num = |i: usize| f[i].parse::<f32>().ok().filter(|v| v.is_finite());
        let int = |i: usize| f[i].parse::<u32>().unwrap_or(0);
        let text = f[11].trim();
        let (Some(left), Some(top), Some(width), Some(height), Some(conf)) =
            (num(6), num(7), num(8), num(9), num(10))
        else {
            continue;
        };
        if text.is_empty() {
            continue;
        }
        out.push(TsvWord {
            line: (int(2), int(3), int(4)),
            left,
            top,
            width,
            height,
            conf,
            text: text.to_owned(),
        });
    }
    out
}

/// The quarter turns (clockwise) that bring the words upright, read from the direction the
/// words of each line advance in. Tesseract reads a rotated page in its own direction but
/// reports boxes in the image's frame.
fn turns(words: &[TsvWord]) -> u8 {
    let mut votes = [0usize; 4];
    let mut i = 0;
    while i < words.len() {
        let mut j = i;
        while j + 1 < words.len() && words[j + 1].line == words[i].line {
            j += 1;
        }
        if j > i {
            let (a, b) = (&words[i], &words[j]);
            let dx = (b.left + b.width / 2.0) - (a.left + a.width / 2.0);
            let dy = (b.top + b.height / 2.0) - (a.top + a.height / 2.0);
            let dir = if dx.abs() >= dy.abs() {
                if dx >= 0.0 {
                    0
                } else {
                    2
                }
            } else if dy > 0.0 {
                // Reading downwards: the page was turned a quarter clockwise.
                1
            } else {
                3
            };
            votes[dir] += j - i;
        }
        i = j + 1;
    }
    (0..4u8)
        .max_by_key(|&d| (votes[d as usize], d == 0))
        .unwrap_or(0)
}

/// A box as (left, top, width, height) in pixels.
type Boxed = (f32, f32, f32, f32);

/// A word's box in the upright frame.
fn upright(w: &TsvWord, turns: u8, (iw, ih): (f32, f32)) -> Boxed {
    let (x, y, bw, bh) = (w.left, w.top, w.width, w.height);
    match turns {
        0 => (x, y, bw, bh),
        2 => (iw - x - bw, ih - y - bh, bw, bh),
        // Text reading downwards: turn the image a quarter counter-clockwise.
        1 => (y, iw - x - bw, bh, bw),
        _ => (ih - y - bh, x, bh, bw),
    }
}

/// Words with confidence under this that carry no letter or digit are specks read as
/// punctuation.
const SPECK_CONFIDENCE: f32 = 50.0;

fn from_tsv(tsv: &str, (width, height): (u32, u32), map: PixelMap) -> Recognized {
    let words = parse_tsv(tsv);
    let turns = turns(&words);
    let dims = (width as f32, height as f32);
    // Upright frame: for a quarter turn the image's width is the page's height.
    let (sx, sy) = if turns % 2 == 1 {
        (map.sy, map.sx)
    } else {
        (map.sx, map.sy)
    };
    let mut glyphs = Vec::with_capacity(words.len() * 2);
    let (mut conf_sum, mut letters) = (0.0f64, 0usize);
    let mut i = 0;
    while i < words.len() {
        let mut j = i;
        while j + 1 < words.len() && words[j + 1].line == words[i].line {
            j += 1;
        }
        let line: Vec<(&TsvWord, Boxed)> = words[i..=j]
            .iter()
            .filter(|w| w.conf >= SPECK_CONFIDENCE || w.text.chars().any(char::is_alphanumeric))
            .map(|w| (w, upright(w, turns, dims)))
            .collect();
        i = j + 1;
        if line.is_empty() {
            continue;
        }
        // One baseline and size a line, as type is set: the line's box spans ascenders to
        // descenders, about 0.95 of the type size for Latin text with both, and the baseline
        // sits about a fifth of the size above its bottom. Words without descenders would each
        // get a higher baseline and break the line apart in layout.
        let top = line.iter().map(|(_, b)| b.1).fold(f32::INFINITY, f32::min);
        let bottom = line
            .iter()
            .map(|(_, b)| b.1 + b.3)
            .fold(f32::NEG_INFINITY, f32::max);
        let px_size = ((bottom - top) / 0.95).max(1.0);
        let baseline_px = bottom - 0.2 * px_size;
        let size = px_size * sy;
        let y = map.top - baseline_px * sy;
        for (k, (w, b)) in line.iter().enumerate() {
            if k > 0 {
                // A space between Tesseract's words: a word break however close they stand.
                glyphs.push(Glyph {
                    text: " ".into(),
                    x: map.x0 + b.0 * sx,
                    y,
                    w: 0.0,
                    size,
                    bold: false,
                    dir: 0,
                });
            }
            glyphs.push(Glyph {
                text: w.text.clone(),
                x: map.x0 + b.0 * sx,
                y,
                w: b.2 * sx,
                size,
                bold: false,
                dir: 0,
            });
            let n = w
                .text
                .chars()
                .filter(|c| c.is_alphanumeric())
                .count()
                .max(1);
            conf_sum += f64::from(w.conf.clamp(0.0, 100.0)) * n as f64;
            letters += n;
        }
    }
    let confidence = if letters == 0 {
        0.0
    } else {
        (conf_sum / letters as f64 / 100.0) as f32
    };
    Recognized {
        glyphs,
        confidence,
        turns,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str =
        "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n";

    /// Square pixels of `scale` points, the image's top at `top`.
    fn square(top: f32, scale: f32) -> PixelMap {
        PixelMap {
            x0: 0.0,
            top,
            sx: scale,
            sy: scale,
        }
    }

    #[test]
    fn words_become_glyphs_on_one_baseline_per_line() {
        let tsv = format!(
            "{HEADER}1\t1\t0\t0\t0\t0\t0\t0\t850\t1100\t-1\t\n\
             4\t1\t1\t1\t1\t0\t100\t100\t300\t20\t-1\t\n\
             5\t1\t1\t1\t1\t1\t100\t100\t80\t20\t96.5\tVedlegg\n\
             5\t1\t1\t1\t1\t2\t190\t104\t20\t16\t90\ttil\n\
             5\t1\t1\t1\t1\t3\t215\t120\t5\t2\t10\t.\n\
             5\t1\t1\t2\t1\t1\t100\t140\t60\t20\t80\tsak\n"
        );
        let r = from_tsv(&tsv, (850, 1100), square(792.0, 0.72));
        let texts: Vec<&str> = r.glyphs.iter().map(|g| g.text.as_str()).collect();
        // The low-confidence speck is dropped; a space glyph separates words of a line.
        assert_eq!(texts, vec!["Vedlegg", " ", "til", "sak"]);
        assert_eq!(r.glyphs[0].y, r.glyphs[2].y);
        assert!(r.glyphs[3].y < r.glyphs[0].y);
        assert!((r.glyphs[0].x - 72.0).abs() < 0.01);
        assert_eq!(r.turns, 0);
        let expected = (96.5 * 7.0 + 90.0 * 3.0 + 80.0 * 3.0) / 13.0 / 100.0;
        assert!((r.confidence - expected).abs() < 1e-4, "{}", r.confidence);
    }

    #[test]
    fn an_upside_down_page_is_turned_back() {
        // Two words of one line read right to left in the image: the page is upside down.
        let tsv = format!(
            "{HEADER}5\t1\t1\t1\t1\t1\t643\t966\t82\t18\t96\tVedlegg\n\
             5\t1\t1\t1\t1\t2\t616\t970\t19\t14\t96\ttil\n"
        );
        let r = from_tsv(&tsv, (850, 1100), square(1100.0, 1.0));
        assert_eq!(r.turns, 2);
        let (a, b) = (&r.glyphs[0], &r.glyphs[2]);
        assert!(a.x < b.x, "{a:?} {b:?}");
        // Near the top of the upright page.
        assert!(a.y > 900.0, "{a:?}");
    }

    #[test]
    fn slots_bound_the_holders() {
        let slots = Arc::new(Slots::new(2));
        let held = Arc::new(Mutex::new((0usize, 0usize)));
        let threads: Vec<_> = (0..6)
            .map(|_| {
                let (slots, held) = (slots.clone(), held.clone());
                std::thread::spawn(move || {
                    let _g = slots.take();
                    {
                        let mut h = held.lock().unwrap();
                        h.0 += 1;
                        h.1 = h.1.max(h.0);
                    }
                    std::thread::sleep(Duration::from_millis(20));
                    held.lock().unwrap().0 -= 1;
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(held.lock().unwrap().1, 2);
    }
}
