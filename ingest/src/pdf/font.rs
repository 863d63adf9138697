//! Fonts as the text extractor sees them: how a string splits into codes, what text each code
//! stands for, how wide its glyph is, and whether the face is bold.

use std::collections::HashMap;

use lopdf::{Dictionary, Document, Object};

use super::cmap::{be_code, CMap};
use super::fontfile::{cff_encoding, truetype_glyph_text, type1_encoding, Builtin};
use super::tables::{glyph_name_to_text, Base14, MAC_ROMAN, PDF_DOC, STANDARD, WIN_ANSI};

/// Reference chains longer than this are treated as broken rather than followed.
const MAX_REF_HOPS: usize = 16;
/// A `/W` or `/Widths` array longer than this is cut short: no real font has more glyphs.
const MAX_WIDTH_ENTRIES: usize = 70_000;

pub fn resolve<'a>(doc: &'a Document, mut obj: &'a Object) -> Option<&'a Object> {
    for _ in 0..MAX_REF_HOPS {
        match obj {
            Object::Reference(id) => obj = doc.get_object(*id).ok()?,
            other => return Some(other),
        }
    }
    None
}

pub fn get<'a>(doc: &'a Document, dict: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    resolve(doc, dict.get(key).ok()?)
}

pub fn get_dict<'a>(doc: &'a Document, dict: &'a Dictionary, key: &[u8]) -> Option<&'a Dictionary> {
    match get(doc, dict, key)? {
        Object::Dictionary(d) => Some(d),
        Object::Stream(s) => Some(&s.dict),
        _ => None,
    }
}

pub fn get_name<'a>(doc: &'a Document, dict: &'a Dictionary, key: &[u8]) -> Option<&'a [u8]> {
    get(doc, dict, key)?.as_name().ok()
}

pub fn get_num(doc: &Document, dict: &Dictionary, key: &[u8]) -> Option<f32> {
    get(doc, dict, key)?.as_float().ok()
}

/// A stream's decoded bytes, within `limit`; unfiltered or undecodable streams give their raw bytes
/// when those fit.
pub fn stream_data(stream: &lopdf::Stream, limit: usize) -> Option<Vec<u8>> {
    match stream.decompressed_content_with_limit(limit) {
        Ok(d) => Some(d),
        Err(lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded { .. })) => None,
        Err(_) if stream.content.len() <= limit => Some(stream.content.clone()),
        Err(_) => None,
    }
}

#[derive(Debug)]
enum Kind {
    Simple {
        text: Vec<Option<String>>,
        widths: Vec<f32>,
    },
    Composite(Box<Composite>),
}

#[derive(Debug)]
struct Composite {
    /// `None` means Identity: two-byte codes that are their own CIDs.
    encoding: Option<CMap>,
    widths: HashMap<u32, f32>,
    default_width: f32,
    /// Glyph id → text from the embedded TrueType cmap, for fonts without ToUnicode.
    glyph_text: HashMap<u32, char>,
    /// CID → glyph id when /CIDToGIDMap is a stream; identity otherwise.
    cid_to_gid: Option<Vec<u16>>,
}

#[derive(Debug)]
pub struct Font {
    pub bold: bool,
    kind: Kind,
    to_unicode: Option<CMap>,
    /// Glyph-space units to text-space units: 1/1000 except for Type 3 fonts.
    width_scale: f32,
    /// How much bigger than its nominal size the font draws: a Type 3 font's matrix may make
    /// `1 Tf` a 10-point font, and layout measures gaps in ems.
    pub size_scale: f32,
}

/// One character code of a shown string.
#[derive(Debug)]
pub struct Code {
    pub text: Option<String>,
    /// Advance in text-space units (before font size).
    pub width: f32,
    /// Word spacing applies only to the single-byte code 32.
    pub is_space_code: bool,
}

fn is_bold_name(name: &str) -> bool {
    let n = name.rsplit('+').next().unwrap_or(name).to_ascii_lowercase();
    ["bold", "black", "heavy", "semibold", "demi", ",bd", "-bd"]
        .iter()
        .any(|k| n.contains(k))
}

fn base_table(name: &[u8]) -> Option<&'static [u16; 256]> {
    match name {
        b"WinAnsiEncoding" => Some(&WIN_ANSI),
        b"MacRomanEncoding" => Some(&MAC_ROMAN),
        b"StandardEncoding" => Some(&STANDARD),
        b"PDFDocEncoding" => Some(&PDF_DOC),
        _ => None,
    }
}

fn clean_text(s: String) -> Option<String> {
    if s.is_empty() || s.chars().all(|c| c.is_control() || c == '\u{fffd}') {
        None
    } else {
        Some(s)
    }
}

impl Font {
    pub fn load(doc: &Document, dict: &Dictionary, limit: usize) -> Font {
        let subtype = get_name(doc, dict, b"Subtype").unwrap_or(b"Type1");
        let base_font = get_name(doc, dict, b"BaseFont")
            .map(|n| String::from_utf8_lossy(n).into_owned())
            .unwrap_or_default();
        let to_unicode = match get(doc, dict, b"ToUnicode") {
            Some(Object::Stream(s)) => stream_data(s, limit)
                .map(|d| CMap::parse(&d))
                .filter(|c| !c.is_empty()),
            _ => None,
        };
        if subtype == b"Type0" {
            return Self::load_composite(doc, dict, &base_font, to_unicode, limit);
        }
        let descriptor = get_dict(doc, dict, b"FontDescriptor");
        let mut bold = is_bold_name(&base_font);
        if let Some(fd) = descriptor {
            bold |= get_num(doc, fd, b"FontWeight").is_some_and(|w| w >= 600.0);
            bold |= get_num(doc, fd, b"Flags").is_some_and(|f| (f as i64) & (1 << 18) != 0);
        }

        let builtin = || -> Option<Builtin> {
            let fd = descriptor?;
            if let Some(Object::Stream(s)) = get(doc, fd, b"FontFile") {
                return type1_encoding(&stream_data(s, limit)?);
            }
            if let Some(Object::Stream(s)) = get(doc, fd, b"FontFile3") {
                let sub = s.dict.get(b"Subtype").ok().and_then(|o| o.as_name().ok());
                if sub == Some(b"Type1C".as_slice()) {
                    return cff_encoding(&stream_data(s, limit)?);
                }
            }
            None
        };

        let mut text: Vec<Option<String>> = vec![None; 256];
        let fill_table = |text: &mut Vec<Option<String>>, table: &[u16; 256]| {
            for (slot, &u) in text.iter_mut().zip(table.iter()) {
                *slot = (u != 0)
                    .then(|| char::from_u32(u32::from(u)).map(String::from))
                    .flatten();
            }
        };
        let fill_builtin = |text: &mut Vec<Option<String>>, b: Builtin| match b {
            Builtin::Standard => fill_table(text, &STANDARD),
            Builtin::Custom(names) => {
                for (slot, name) in text.iter_mut().zip(names) {
                    *slot = name.as_deref().and_then(glyph_name_to_text);
                }
            }
        };
        let default_table: &[u16; 256] = if subtype == b"TrueType" {
            &WIN_ANSI
        } else {
            &STANDARD
        };
        let base14 = Base14::from_name(&base_font);

        let encoding = get(doc, dict, b"Encoding");
        let (base_name, differences) = match encoding {
            Some(Object::Name(n)) => (Some(n.as_slice()), None),
            Some(Object::Dictionary(d)) => (
                get_name(doc, d, b"BaseEncoding"),
                get(doc, d, b"Differences").and_then(|o| o.as_array().ok()),
            ),
            _ => (None, None),
        };
        match base_name.and_then(base_table) {
            Some(table) => fill_table(&mut text, table),
            None => match builtin() {
                Some(b) => fill_builtin(&mut text, b),
                None if base14 == Some(Base14::Symbolic) => {}
                None => fill_table(&mut text, default_table),
            },
        }
        if let Some(diffs) = differences {
            let mut code = 0usize;
            for item in diffs.iter().take(4096) {
                match resolve(doc, item) {
                    Some(Object::Integer(n)) => code = usize::try_from(*n).unwrap_or(usize::MAX),
                    Some(Object::Name(name)) => {
                        if let Some(slot) = text.get_mut(code) {
                            *slot = glyph_name_to_text(&String::from_utf8_lossy(name));
                        }
                        code = code.saturating_add(1);
                    }
                    _ => {}
                }
            }
        }

        let mut width_scale = 0.001;
        let mut size_scale = 1.0;
        if subtype == b"Type3" {
            if let Some(m) = get(doc, dict, b"FontMatrix").and_then(|o| o.as_array().ok()) {
                let num = |i: usize| {
                    m.get(i)
                        .and_then(|o| resolve(doc, o))
                        .and_then(|o| o.as_float().ok())
                        .filter(|v| v.is_finite() && *v != 0.0 && v.abs() < 1e6)
                };
                if let Some(a) = num(0) {
                    width_scale = a.abs();
                }
                if let Some(d) = num(3) {
                    // The glyphs' design height, from the bounding box when it is sensible, is
                    // what one unit of font size draws at.
                    let bbox: Vec<f32> = get(doc, dict, b"FontBBox")
                        .and_then(|o| o.as_array().ok())
                        .map(|a| {
                            a.iter()
                                .filter_map(|o| resolve(doc, o)?.as_float().ok())
                                .collect()
                        })
                        .unwrap_or_default();
                    let height = match bbox[..] {
                        [_, y0, _, y1] if (y1 - y0).is_finite() && (y1 - y0).abs() > 0.0 => {
                            (y1 - y0).abs()
                        }
                        _ => 1000.0,
                    };
                    size_scale = (d.abs() * height).clamp(0.01, 100.0);
                }
            }
        }

        let missing = descriptor
            .and_then(|fd| get_num(doc, fd, b"MissingWidth"))
            .unwrap_or(0.0);
        let mut widths = vec![missing; 256];
        let first = get_num(doc, dict, b"FirstChar").unwrap_or(0.0).max(0.0) as usize;
        match get(doc, dict, b"Widths").and_then(|o| o.as_array().ok()) {
            Some(ws) => {
                for (i, w) in ws.iter().enumerate().take(256) {
                    if let (Some(slot), Some(w)) = (
                        widths.get_mut(first.saturating_add(i)),
                        resolve(doc, w).and_then(|o| o.as_float().ok()),
                    ) {
                        if w.is_finite() {
                            *slot = w;
                        }
                    }
                }
            }
            None if subtype != b"Type3" => {
                let metrics = match base14 {
                    Some(b) => b,
                    None if bold => Base14::HelveticaBold,
                    None => Base14::Helvetica,
                };
                for (slot, t) in widths.iter_mut().zip(text.iter()) {
                    if let Some(t) = t {
                        *slot = metrics.width(t);
                    }
                }
            }
            None => {}
        }
        Font {
            bold,
            kind: Kind::Simple { text, widths },
            to_unicode,
            width_scale,
            size_scale,
        }
    }

    fn load_composite(
        doc: &Document,
        dict: &Dictionary,
        base_font: &str,
        to_unicode: Option<CMap>,
        limit: usize,
    ) -> Font {
        let encoding = match get(doc, dict, b"Encoding") {
            Some(Object::Stream(s)) => stream_data(s, limit)
                .map(|d| CMap::parse(&d))
                .filter(CMap::has_codespaces),
            _ => None,
        };
        let descendant = get(doc, dict, b"DescendantFonts")
            .and_then(|o| o.as_array().ok())
            .and_then(|a| a.first())
            .and_then(|o| resolve(doc, o))
            .and_then(|o| o.as_dict().ok());
        let mut bold = is_bold_name(base_font);
        let mut widths = HashMap::new();
        let mut default_width = 1000.0;
        let mut glyph_text = HashMap::new();
        let mut cid_to_gid = None;
        if let Some(d) = descendant {
            if let Some(n) = get_name(doc, d, b"BaseFont") {
                bold |= is_bold_name(&String::from_utf8_lossy(n));
            }
            if let Some(fd) = get_dict(doc, d, b"FontDescriptor") {
                bold |= get_num(doc, fd, b"FontWeight").is_some_and(|w| w >= 600.0);
                bold |= get_num(doc, fd, b"Flags").is_some_and(|f| (f as i64) & (1 << 18) != 0);
                if to_unicode.is_none() {
                    if let Some(Object::Stream(s)) = get(doc, fd, b"FontFile2") {
                        if let Some(data) = stream_data(s, limit) {
                            glyph_text = truetype_glyph_text(&data);
                        }
                    }
                    if let Some(Object::Stream(s)) = get(doc, d, b"CIDToGIDMap") {
                        cid_to_gid = stream_data(s, limit).map(|m| {
                            m.chunks_exact(2)
                                .map(|c| u16::from(c[0]) << 8 | u16::from(c[1]))
                                .collect()
                        });
                    }
                }
            }
            if let Some(dw) = get_num(doc, d, b"DW") {
                default_width = dw;
            }
            if let Some(w) = get(doc, d, b"W").and_then(|o| o.as_array().ok()) {
                parse_w(doc, w, &mut widths);
            }
        }
        Font {
            bold,
            kind: Kind::Composite(Box::new(Composite {
                encoding,
                widths,
                default_width,
                glyph_text,
                cid_to_gid,
            })),
            to_unicode,
            width_scale: 0.001,
            size_scale: 1.0,
        }
    }

    /// Splits a shown string into codes.
    pub fn decode(&self, bytes: &[u8], out: &mut Vec<Code>) {
        match &self.kind {
            Kind::Simple { text, widths } => {
                for &b in bytes {
                    let code = usize::from(b);
                    let t = self
                        .to_unicode
                        .as_ref()
                        .and_then(|c| c.lookup_text(u32::from(b)))
                        .and_then(clean_text)
                        .or_else(|| text.get(code).cloned().flatten());
                    out.push(Code {
                        text: t,
                        width: widths.get(code).copied().unwrap_or(0.0) * self.width_scale,
                        is_space_code: b == 32,
                    });
                }
            }
            Kind::Composite(c) => {
                let Composite {
                    encoding,
                    widths,
                    default_width,
                    glyph_text,
                    cid_to_gid,
                } = c.as_ref();
                let mut i = 0;
                while i < bytes.len() {
                    let rest = &bytes[i..];
                    let n = match encoding {
                        Some(c) => c.code_len(rest),
                        None => 2.min(rest.len()),
                    };
                    let code_bytes = &rest[..n.min(rest.len())];
                    let code = be_code(code_bytes);
                    let cid = match encoding {
                        Some(c) => c.lookup_cid(code).unwrap_or(code),
                        None => code,
                    };
                    let t = self
                        .to_unicode
                        .as_ref()
                        .and_then(|c| c.lookup_text(code))
                        .and_then(clean_text)
                        .or_else(|| {
                            let gid = match cid_to_gid {
                                Some(map) => u32::from(*map.get(cid as usize)?),
                                None => cid,
                            };
                            glyph_text.get(&gid).map(|c| c.to_string())
                        });
                    out.push(Code {
                        text: t,
                        width: widths.get(&cid).copied().unwrap_or(*default_width)
                            * self.width_scale,
                        is_space_code: n == 1 && code == 32,
                    });
                    i += n.max(1);
                }
            }
        }
    }
}

fn parse_w(doc: &Document, w: &[Object], widths: &mut HashMap<u32, f32>) {
    let mut i = 0;
    // Ranges may overlap without growing the map; count work, not entries.
    let mut steps = 0usize;
    let num = |o: &Object| resolve(doc, o).and_then(|o| o.as_float().ok());
    while i < w.len() && widths.len() < MAX_WIDTH_ENTRIES && steps < 4 * MAX_WIDTH_ENTRIES {
        let Some(first) = num(&w[i]) else { break };
        let first = first.max(0.0) as u32;
        match w.get(i + 1).and_then(|o| resolve(doc, o)) {
            Some(Object::Array(list)) => {
                for (k, v) in list.iter().enumerate().take(MAX_WIDTH_ENTRIES) {
                    steps += 1;
                    if let Some(v) = num(v) {
                        widths.insert(first.saturating_add(k as u32), v);
                    }
                }
                i += 2;
            }
            Some(_) => {
                let (Some(last), Some(v)) =
                    (w.get(i + 1).and_then(num), w.get(i + 2).and_then(num))
                else {
                    break;
                };
                let last =
                    (last.max(0.0) as u32).min(first.saturating_add(MAX_WIDTH_ENTRIES as u32));
                for cid in first..=last {
                    widths.insert(cid, v);
                }
                steps += (last.saturating_sub(first) as usize) + 1;
                i += 3;
            }
            None => break,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::dictionary;

    fn texts(font: &Font, bytes: &[u8]) -> Vec<Option<String>> {
        let mut out = Vec::new();
        font.decode(bytes, &mut out);
        out.into_iter().map(|c| c.text).collect()
    }

    #[test]
    fn win_ansi_with_differences_and_base14_widths() {
        let doc = Document::new();
        let dict = dictionary! {
            "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica-Bold",
            "Encoding" => dictionary! {
                "BaseEncoding" => "WinAnsiEncoding",
                "Differences" => vec![Object::Integer(140), "fi".into(), "fl".into()],
            },
        };
        let f = Font::load(&doc, &dict, 1 << 20);
        assert!(f.bold);
        let t = texts(&f, &[b'a', 0xe5, 140, 141]);
        assert_eq!(
            t,
            vec![
                Some("a".into()),
                Some("å".into()),
                Some("fi".into()),
                Some("fl".into())
            ]
        );
        let mut codes = Vec::new();
        f.decode(b"a", &mut codes);
        assert!((codes[0].width - 0.556).abs() < 1e-4);
    }

    #[test]
    fn identity_h_with_w_array() {
        let doc = Document::new();
        let dict = dictionary! {
            "Subtype" => "Type0", "BaseFont" => "ABC+Foo", "Encoding" => "Identity-H",
            "DescendantFonts" => vec![Object::Dictionary(dictionary! {
                "Subtype" => "CIDFontType2", "DW" => 500,
                "W" => vec![Object::Integer(3), Object::Array(vec![600.into(), 700.into()]), 10.into(), 12.into(), 250.into()],
            })],
        };
        let f = Font::load(&doc, &dict, 1 << 20);
        let mut codes = Vec::new();
        f.decode(&[0, 3, 0, 4, 0, 11, 0, 99], &mut codes);
        let w: Vec<f32> = codes.iter().map(|c| (c.width * 1000.0).round()).collect();
        assert_eq!(w, vec![600.0, 700.0, 250.0, 500.0]);
    }
}
