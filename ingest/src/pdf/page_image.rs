//! The image of a page for OCR: taken from the file when the page is one scanned image, else
//! rendered by poppler's `pdftoppm`.
//!
//! Taking the scanner's image is exact and cheap: a JPEG is handed to Tesseract as the file's
//! own bytes, a Flate (or LZW, run-length, uncompressed) image is written out as PNM, and
//! nothing is resampled (rendering a 100 dpi scan at 300 dpi took twice the CPU and read no
//! better). Everything else — CCITT and JBIG2 (whose decoders we would have to write), JPEG
//! 2000, CMYK, indexed colour, masks, several images or vector drawing on the page — is
//! rendered by `pdftoppm` at 300 dpi in grey, which decodes all of them. A Rust renderer was
//! not chosen: none in the tree decodes JBIG2 and CCITT, and the renderer runs in a process
//! that can be killed and capped, which hostile images need.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use lopdf::{Dictionary, Document, Object, ObjectId};

use super::interp::PlacedImage;
use super::ocr::{limited, run_limited, OcrOptions, PixelMap};

/// How a page's image was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImageSource {
    /// The page's one image, taken from the file.
    Embedded,
    /// The page rendered by `pdftoppm`.
    Rendered,
}

/// An image file ready for Tesseract, with how its pixels map to the page.
#[derive(Debug)]
pub struct PageImage {
    pub path: PathBuf,
    pub width: u32,
    pub height: u32,
    pub map: PixelMap,
    pub source: ImageSource,
}

/// What the page draws, as the interpreter saw it.
pub struct PageDrawing<'a> {
    pub page_id: ObjectId,
    pub number: u32,
    pub images: usize,
    pub placed: &'a [PlacedImage],
}

/// Makes the page's image in `work`. `pdf_file` writes the document to a file the first time
/// a page has to be rendered.
pub fn page_image(
    doc: &Document,
    page: &PageDrawing<'_>,
    opts: &OcrOptions,
    pdf_file: &mut dyn FnMut() -> Result<PathBuf, String>,
    work: &Path,
    timeout: Duration,
) -> Result<PageImage, String> {
    // A declared size is checked before anything decodes it, whichever way the page goes: a
    // renderer decodes every image the page draws at its full size.
    for p in page.placed {
        if let Some((w, h)) = declared_size(doc, p.id) {
            check_pixels(w, h, opts.max_pixels)?;
        }
    }
    if let [only] = page.placed {
        if page.images == 1 {
            if let Some(img) = embedded(doc, only, opts, work)? {
                return Ok(img);
            }
        }
    }
    render(doc, page, opts, pdf_file()?, work, timeout)
}

fn check_pixels(w: u64, h: u64, max: u64) -> Result<(), String> {
    if w.saturating_mul(h) > max {
        return Err(format!(
            "the page image is {w} × {h} pixels, more than the {} million pixels OCR takes",
            max / 1_000_000
        ));
    }
    Ok(())
}

fn resolve<'a>(doc: &'a Document, o: &'a Object) -> Option<&'a Object> {
    match o {
        Object::Reference(id) => doc.get_object(*id).ok(),
        other => Some(other),
    }
}

fn int(doc: &Document, d: &Dictionary, key: &[u8]) -> Option<i64> {
    resolve(doc, d.get(key).ok()?)?.as_i64().ok()
}

fn declared_size(doc: &Document, id: ObjectId) -> Option<(u64, u64)> {
    let stream = doc.get_object(id).ok()?.as_stream().ok()?;
    let w = int(doc, &stream.dict, b"Width")?;
    let h = int(doc, &stream.dict, b"Height")?;
    Some((w.max(0) as u64, h.max(0) as u64))
}

/// Colour components of a colour space we can write as PNM, or `None`.
fn components(doc: &Document, cs: Option<&Object>) -> Option<u8> {
    match resolve(doc, cs?)? {
        Object::Name(n) => match n.as_slice() {
            b"DeviceGray" | b"CalGray" | b"G" => Some(1),
            b"DeviceRGB" | b"CalRGB" | b"RGB" => Some(3),
            _ => None,
        },
        Object::Array(a) => {
            let kind = resolve(doc, a.first()?)?.as_name().ok()?;
            match kind {
                b"CalGray" => Some(1),
                b"CalRGB" => Some(3),
                b"ICCBased" => {
                    let s = resolve(doc, a.get(1)?)?.as_stream().ok()?;
                    match int(doc, &s.dict, b"N")? {
                        1 => Some(1),
                        3 => Some(3),
                        _ => None,
                    }
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// The page's one image as a file Tesseract reads, when it is drawn upright and stored in a
/// way we can hand over as it is; `None` sends the page to the renderer.
fn embedded(
    doc: &Document,
    placed: &PlacedImage,
    opts: &OcrOptions,
    work: &Path,
) -> Result<Option<PageImage>, String> {
    let [a, b, c, d, e, f] = placed.ctm;
    // Upright and not mirrored: the image's rows run top to bottom on the page. Anything else
    // (rotated, flipped) is left to the renderer, which draws it as the page shows it.
    let upright = a > 0.0 && d > 0.0 && b.abs() < 1e-3 * a && c.abs() < 1e-3 * d;
    if !upright {
        return Ok(None);
    }
    let Some(stream) = doc
        .get_object(placed.id)
        .ok()
        .and_then(|o| o.as_stream().ok())
    else {
        return Ok(None);
    };
    let dict = &stream.dict;
    let flag = |key: &[u8]| {
        dict.get(key)
            .ok()
            .and_then(|o| resolve(doc, o))
            .and_then(|o| o.as_bool().ok())
            .unwrap_or(false)
    };
    if flag(b"ImageMask") || dict.has(b"Decode") {
        return Ok(None);
    }
    let (Some(w), Some(h)) = (int(doc, dict, b"Width"), int(doc, dict, b"Height")) else {
        return Ok(None);
    };
    if w <= 0 || h <= 0 {
        return Err(format!("the page image has no pixels ({w} × {h})"));
    }
    let (w, h) = (w as u64, h as u64);
    check_pixels(w, h, opts.max_pixels)?;
    let filters: Vec<Vec<u8>> = match dict.get(b"Filter").ok().and_then(|o| resolve(doc, o)) {
        None => Vec::new(),
        Some(Object::Name(n)) => vec![n.clone()],
        Some(Object::Array(a)) => a
            .iter()
            .filter_map(|o| resolve(doc, o)?.as_name().ok().map(<[u8]>::to_vec))
            .collect(),
        Some(_) => return Ok(None),
    };
    let map = PixelMap {
        x0: e,
        top: f + d,
        sx: a / w as f32,
        sy: d / h as f32,
    };
    let comps = components(doc, dict.get(b"ColorSpace").ok());
    let bpc = int(doc, dict, b"BitsPerComponent").unwrap_or(8);
    let out = |path: PathBuf, width: u64, height: u64| {
        Ok(Some(PageImage {
            path,
            width: width as u32,
            height: height as u32,
            map,
            source: ImageSource::Embedded,
        }))
    };
    if filters.iter().any(|f| f == b"DCTDecode") {
        if filters.len() != 1 || comps.is_none() {
            return Ok(None);
        }
        // The JPEG's own header decides what a decoder allocates, whatever the PDF claims.
        let (jw, jh) = jpeg_size(&stream.content)
            .ok_or("the page's JPEG image has no readable frame header (corrupt)")?;
        check_pixels(jw, jh, opts.max_pixels)?;
        let path = work.join("page.jpg");
        write(&path, &[&stream.content])?;
        return out(path, jw, jh);
    }
    let decodable = filters.iter().all(|f| {
        matches!(
            f.as_slice(),
            b"FlateDecode"
                | b"LZWDecode"
                | b"RunLengthDecode"
                | b"ASCII85Decode"
                | b"ASCIIHexDecode"
        )
    });
    let Some(comps) = comps.filter(|_| decodable) else {
        return Ok(None);
    };
    let (magic, row_bytes) = match (comps, bpc) {
        (1, 8) => ("P5", w),
        (3, 8) => ("P6", w * 3),
        (1, 1) => ("P4", w.div_ceil(8)),
        _ => return Ok(None),
    };
    let expected = (row_bytes * h) as usize;
    let mut data = stream
        .decompressed_content_with_limit(expected.saturating_add(64 * 1024))
        .map_err(|e| format!("the page image could not be decoded: {e}"))?;
    if data.len() < expected {
        return Err(format!(
            "the page image is cut short: {} of {expected} bytes (corrupt)",
            data.len()
        ));
    }
    data.truncate(expected);
    if magic == "P4" {
        // In a one-bit grey image 1 is white; in PBM 1 is black.
        for byte in &mut data {
            *byte = !*byte;
        }
    }
    let header = if magic == "P4" {
        format!("P4\n{w} {h}\n")
    } else {
        format!("{magic}\n{w} {h}\n255\n")
    };
    let path = work.join("page.pnm");
    write(&path, &[header.as_bytes(), &data])?;
    out(path, w, h)
}

fn write(path: &Path, parts: &[&[u8]]) -> Result<(), String> {
    let mut f = std::fs::File::create(path).map_err(|e| format!("OCR work file: {e}"))?;
    for p in parts {
        f.write_all(p).map_err(|e| format!("OCR work file: {e}"))?;
    }
    Ok(())
}

/// Width and height from a JPEG's first frame header (SOFn).
pub fn jpeg_size(jpeg: &[u8]) -> Option<(u64, u64)> {
    if jpeg.get(..2)? != [0xFF, 0xD8] {
        return None;
    }
    let mut i = 2;
    while i + 4 <= jpeg.len() {
        if jpeg[i] != 0xFF {
            return None;
        }
        let marker = jpeg[i + 1];
        if marker == 0xFF {
            i += 1;
            continue;
        }
        let len = u16::from_be_bytes([jpeg[i + 2], jpeg[i + 3]]) as usize;
        let is_sof = matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
        if is_sof {
            let seg = jpeg.get(i + 4..i + 9)?;
            let h = u16::from_be_bytes([seg[1], seg[2]]) as u64;
            let w = u16::from_be_bytes([seg[3], seg[4]]) as u64;
            return Some((w, h));
        }
        if marker == 0xD9 || marker == 0xDA || len < 2 {
            return None;
        }
        i += 2 + len;
    }
    None
}

/// The page's box in points (MediaBox, inherited through the tree), `[x0, y0, x1, y1]`.
fn media_box(doc: &Document, page_id: ObjectId) -> [f32; 4] {
    let mut node = doc.get_dictionary(page_id).ok();
    for _ in 0..32 {
        let Some(n) = node else { break };
        if let Some(Object::Array(a)) = n.get(b"MediaBox").ok().and_then(|o| resolve(doc, o)) {
            let v: Vec<f32> = a
                .iter()
                .filter_map(|o| resolve(doc, o)?.as_float().ok())
                .collect();
            if let [x0, y0, x1, y1] = v[..] {
                if [x0, y0, x1, y1].iter().all(|v| v.is_finite()) {
                    return [x0.min(x1), y0.min(y1), x0.max(x1), y0.max(y1)];
                }
            }
        }
        node = n
            .get(b"Parent")
            .ok()
            .and_then(|o| o.as_reference().ok())
            .and_then(|id| doc.get_dictionary(id).ok());
    }
    [0.0, 0.0, 612.0, 792.0]
}

/// The lowest resolution a page is rendered at for OCR; a page too large for the pixel
/// limit at this is refused rather than read badly.
const MIN_RENDER_DPI: f32 = 150.0;

fn render(
    doc: &Document,
    page: &PageDrawing<'_>,
    opts: &OcrOptions,
    pdf: PathBuf,
    work: &Path,
    timeout: Duration,
) -> Result<PageImage, String> {
    let [x0, y0, x1, y1] = media_box(doc, page.page_id);
    let (wi, hi) = ((x1 - x0) / 72.0, (y1 - y0) / 72.0);
    let mut dpi = opts.render_dpi as f32;
    let at = |dpi: f32| (wi * dpi).ceil() as f64 * (hi * dpi).ceil() as f64;
    if at(dpi) > opts.max_pixels as f64 {
        dpi = (opts.max_pixels as f64 / (wi as f64 * hi as f64))
            .sqrt()
            .floor() as f32;
    }
    if dpi.is_nan() || dpi < MIN_RENDER_DPI {
        return Err(format!(
            "the page is {:.0} × {:.0} points, too large to render for OCR within {} million pixels",
            x1 - x0,
            y1 - y0,
            opts.max_pixels / 1_000_000
        ));
    }
    let prefix = work.join("render");
    let mut cmd = limited(&opts.pdftoppm, opts.memory_limit, timeout);
    cmd.args(["-gray", "-singlefile", "-r"])
        .arg(format!("{dpi}"))
        .arg("-f")
        .arg(page.number.to_string())
        .arg("-l")
        .arg(page.number.to_string())
        .arg(&pdf)
        .arg(&prefix);
    run_limited(cmd, timeout, opts.page_timeout, "rendering the page")?;
    let path = prefix.with_extension("pgm");
    let (width, height) = pnm_size(&path).ok_or("rendering the page gave no image")?;
    let s = 72.0 / dpi;
    Ok(PageImage {
        path,
        width,
        height,
        map: PixelMap {
            x0,
            top: y1,
            sx: s,
            sy: s,
        },
        source: ImageSource::Rendered,
    })
}

/// Width and height from a binary PNM header.
fn pnm_size(path: &Path) -> Option<(u32, u32)> {
    use std::io::Read;
    let mut head = [0u8; 64];
    let n = std::fs::File::open(path).ok()?.read(&mut head).ok()?;
    let text = String::from_utf8_lossy(&head[..n]);
    let mut fields = text.split_ascii_whitespace();
    if !fields.next()?.starts_with('P') {
        return None;
    }
    Some((fields.next()?.parse().ok()?, fields.next()?.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jpeg_size_reads_the_frame_header() {
        // SOI, an APP0 segment of 4 bytes, SOF0 with height 1100 and width 850.
        let jpeg = [
            0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x00, 0x00, 0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x04,
            0x4C, 0x03, 0x52, 0x01, 0x01, 0x11, 0x00,
        ];
        assert_eq!(jpeg_size(&jpeg), Some((850, 1100)));
        assert_eq!(jpeg_size(b"not a jpeg"), None);
        assert_eq!(jpeg_size(&jpeg[..10]), None);
    }
}
