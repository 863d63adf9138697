//! Built-in encodings of embedded fonts: the charset and encoding of a CFF (FontFile3/Type1C)
//! font and the `/Encoding` array of a Type 1 (FontFile) font. When a simple font names no
//! encoding of its own, these are the only way from codes to glyph names.

use std::collections::HashMap;

use super::tables::cff_standard_string;

/// No font has more glyphs than this; a cmap claiming more is hostile.
const MAX_GLYPH_MAP: usize = 70_000;
/// Codes a cmap subtable may make us visit: the whole Unicode range plus slack.
const MAX_CMAP_STEPS: usize = 1_200_000;

/// Code → glyph name; `None` where the font encodes nothing.
pub type BuiltinEncoding = Vec<Option<String>>;

/// What a font program says about its encoding.
#[derive(Debug, Clone)]
pub enum Builtin {
    Standard,
    Custom(BuiltinEncoding),
}

struct Reader<'a> {
    data: &'a [u8],
}

impl<'a> Reader<'a> {
    fn u8(&self, at: usize) -> Option<u8> {
        self.data.get(at).copied()
    }
    fn u16(&self, at: usize) -> Option<usize> {
        Some(usize::from(self.u8(at)?) << 8 | usize::from(self.u8(at + 1)?))
    }
    fn offset(&self, at: usize, size: u8) -> Option<usize> {
        let mut v = 0usize;
        for k in 0..usize::from(size) {
            v = v << 8 | usize::from(self.u8(at + k)?);
        }
        Some(v)
    }

    /// An INDEX at `at`: its items and the position just past it.
    fn index(&self, at: usize) -> Option<(Vec<&'a [u8]>, usize)> {
        let count = self.u16(at)?;
        if count == 0 {
            return Some((Vec::new(), at + 2));
        }
        let off_size = self.u8(at + 2)?;
        if !(1..=4).contains(&off_size) {
            return None;
        }
        let offsets_at = at + 3;
        let data_at = offsets_at + (count + 1) * usize::from(off_size) - 1;
        let mut items = Vec::with_capacity(count.min(65536));
        let mut prev = self.offset(offsets_at, off_size)?;
        for i in 1..=count {
            let next = self.offset(offsets_at + i * usize::from(off_size), off_size)?;
            let item = self.data.get(data_at + prev..data_at + next)?;
            items.push(item);
            prev = next;
        }
        Some((items, data_at + prev))
    }
}

/// Operands and operators of a CFF DICT; only the integer operands we need are decoded exactly.
fn parse_dict(data: &[u8]) -> Vec<(u16, Vec<f64>)> {
    let mut out = Vec::new();
    let mut operands = Vec::new();
    let mut i = 0;
    while i < data.len() {
        let b0 = data[i];
        match b0 {
            0..=21 => {
                let op = if b0 == 12 {
                    i += 1;
                    1200 + u16::from(data.get(i).copied().unwrap_or(0))
                } else {
                    u16::from(b0)
                };
                out.push((op, std::mem::take(&mut operands)));
                i += 1;
            }
            28 => {
                let v = i16::from_be_bytes([
                    data.get(i + 1).copied().unwrap_or(0),
                    data.get(i + 2).copied().unwrap_or(0),
                ]);
                operands.push(f64::from(v));
                i += 3;
            }
            29 => {
                let mut b = [0u8; 4];
                for (k, slot) in b.iter_mut().enumerate() {
                    *slot = data.get(i + 1 + k).copied().unwrap_or(0);
                }
                operands.push(f64::from(i32::from_be_bytes(b)));
                i += 5;
            }
            30 => {
                // Real numbers: skip the nibbles; no operator we read takes a real.
                i += 1;
                while i < data.len() {
                    let b = data[i];
                    i += 1;
                    if b & 0x0f == 0x0f || b >> 4 == 0x0f {
                        break;
                    }
                }
                operands.push(0.0);
            }
            32..=246 => {
                operands.push(f64::from(i32::from(b0) - 139));
                i += 1;
            }
            247..=250 => {
                let b1 = i32::from(data.get(i + 1).copied().unwrap_or(0));
                operands.push(f64::from((i32::from(b0) - 247) * 256 + b1 + 108));
                i += 2;
            }
            251..=254 => {
                let b1 = i32::from(data.get(i + 1).copied().unwrap_or(0));
                operands.push(f64::from(-(i32::from(b0) - 251) * 256 - b1 - 108));
                i += 2;
            }
            _ => i += 1,
        }
        if operands.len() > 48 {
            operands.clear();
        }
    }
    out
}

/// The built-in encoding of a bare CFF font program.
pub fn cff_encoding(data: &[u8]) -> Option<Builtin> {
    let r = Reader { data };
    let header_size = usize::from(r.u8(2)?);
    let (_names, after_names) = r.index(header_size)?;
    let (top_dicts, after_top) = r.index(after_names)?;
    let (strings, _) = r.index(after_top)?;
    let top = parse_dict(top_dicts.first()?);
    let get = |op: u16| {
        top.iter()
            .find(|(o, _)| *o == op)
            .and_then(|(_, v)| v.first().copied())
    };
    if top.iter().any(|(o, _)| *o == 1230) {
        // CID-keyed: codes reach glyphs through a CMap, not an encoding.
        return None;
    }
    // Offsets past the end read nothing; clamping keeps the arithmetic on them from overflowing.
    let offset = |v: f64| (v.max(0.0) as usize).min(data.len());
    let charset_off = offset(get(15).unwrap_or(0.0));
    let encoding_off = offset(get(16).unwrap_or(0.0));
    let charstrings_off = offset(get(17)?);
    let n_glyphs = r.u16(charstrings_off)?;
    if encoding_off == 0 {
        return Some(Builtin::Standard);
    }
    if encoding_off == 1 {
        return None;
    }

    let sid_name = |sid: usize| -> Option<String> {
        if sid < 391 {
            cff_standard_string(sid).map(str::to_owned)
        } else {
            strings
                .get(sid - 391)
                .map(|s| String::from_utf8_lossy(s).into_owned())
        }
    };

    // gid → SID
    let mut charset = vec![0usize; n_glyphs.min(65536)];
    match charset_off {
        0 => {
            for (gid, slot) in charset.iter_mut().enumerate() {
                *slot = gid;
            }
        }
        1 | 2 => {}
        off => {
            let format = r.u8(off)?;
            let mut gid = 1;
            let mut at = off + 1;
            match format {
                0 => {
                    while gid < charset.len() {
                        charset[gid] = r.u16(at)?;
                        at += 2;
                        gid += 1;
                    }
                }
                1 | 2 => {
                    while gid < charset.len() {
                        let first = r.u16(at)?;
                        let left = if format == 1 {
                            usize::from(r.u8(at + 2)?)
                        } else {
                            r.u16(at + 2)?
                        };
                        at += if format == 1 { 3 } else { 4 };
                        for k in 0..=left {
                            if gid >= charset.len() {
                                break;
                            }
                            charset[gid] = first + k;
                            gid += 1;
                        }
                    }
                }
                _ => return None,
            }
        }
    }

    let mut enc: BuiltinEncoding = vec![None; 256];
    let format = r.u8(encoding_off)?;
    let mut at = encoding_off + 1;
    match format & 0x7f {
        0 => {
            let n = usize::from(r.u8(at)?);
            at += 1;
            for k in 0..n {
                let code = usize::from(r.u8(at + k)?);
                let gid = k + 1;
                if let Some(&sid) = charset.get(gid) {
                    enc[code] = sid_name(sid);
                }
            }
            at += n;
        }
        1 => {
            let n = usize::from(r.u8(at)?);
            at += 1;
            let mut gid = 1;
            for _ in 0..n {
                let first = usize::from(r.u8(at)?);
                let left = usize::from(r.u8(at + 1)?);
                at += 2;
                for k in 0..=left {
                    let code = first + k;
                    if code < 256 {
                        if let Some(&sid) = charset.get(gid) {
                            enc[code] = sid_name(sid);
                        }
                    }
                    gid += 1;
                }
            }
        }
        _ => return None,
    }
    if format & 0x80 != 0 {
        let n = usize::from(r.u8(at)?);
        at += 1;
        for k in 0..n {
            let code = usize::from(r.u8(at + 3 * k)?);
            let sid = r.u16(at + 3 * k + 1)?;
            enc[code] = sid_name(sid);
        }
    }
    Some(Builtin::Custom(enc))
}

/// The `/Encoding` of a Type 1 font program's clear-text part.
pub fn type1_encoding(data: &[u8]) -> Option<Builtin> {
    let clear = match find(data, b"eexec") {
        Some(end) => &data[..end],
        None => data,
    };
    let start = find(clear, b"/Encoding")? + b"/Encoding".len();
    let rest = &clear[start..];
    let head: Vec<&[u8]> = rest
        .split(|b| b.is_ascii_whitespace())
        .filter(|t| !t.is_empty())
        .take(2)
        .collect();
    if head
        .first()
        .is_some_and(|t| t.starts_with(b"StandardEncoding"))
    {
        return Some(Builtin::Standard);
    }
    let mut enc: BuiltinEncoding = vec![None; 256];
    // Tokens come as `dup <code> /<name> put`; names may touch the number (`dup 32/space put`).
    let mut tokens = Vec::new();
    for t in rest
        .split(|b| b.is_ascii_whitespace())
        .filter(|t| !t.is_empty())
    {
        if t == b"readonly" || t == b"def" {
            break;
        }
        let mut parts = t.split(|&b| b == b'/');
        if let Some(first) = parts.next() {
            if !first.is_empty() {
                tokens.push((false, first));
            }
        }
        for p in parts {
            tokens.push((true, p));
        }
        if tokens.len() > 4096 {
            break;
        }
    }
    let mut found = false;
    for w in tokens.windows(3) {
        if let [(false, d), (false, num), (true, name)] = w {
            if *d == b"dup" {
                let code = std::str::from_utf8(num)
                    .ok()
                    .and_then(|s| s.parse::<usize>().ok());
                if let Some(code) = code.filter(|c| *c < 256) {
                    enc[code] = Some(String::from_utf8_lossy(name).into_owned());
                    found = true;
                }
            }
        }
    }
    found.then_some(Builtin::Custom(enc))
}

/// Text of each glyph of a TrueType font program, from its Unicode `cmap` subtable. Used when a
/// composite font has no ToUnicode: CIDs are glyph ids, and the cmap read backwards names them.
pub fn truetype_glyph_text(data: &[u8]) -> HashMap<u32, char> {
    let mut out = HashMap::new();
    let r = Reader { data };
    let Some(n_tables) = r.u16(4) else { return out };
    let mut cmap_at = None;
    for i in 0..n_tables.min(256) {
        let rec = 12 + 16 * i;
        if data.get(rec..rec + 4) == Some(b"cmap".as_slice()) {
            cmap_at = r.offset(rec + 8, 4);
        }
    }
    let Some(cmap) = cmap_at else { return out };
    let Some(n_sub) = r.u16(cmap + 2) else {
        return out;
    };
    // Best subtable: Windows full repertoire, then Windows BMP, then any Unicode platform one.
    let mut best: Option<(u8, usize)> = None;
    for i in 0..n_sub.min(64) {
        let rec = cmap + 4 + 8 * i;
        let (Some(platform), Some(encoding), Some(off)) =
            (r.u16(rec), r.u16(rec + 2), r.offset(rec + 4, 4))
        else {
            break;
        };
        let rank = match (platform, encoding) {
            (3, 10) => 3,
            (3, 1) => 2,
            (0, _) => 1,
            _ => continue,
        };
        if best.is_none_or(|(b, _)| rank > b) {
            best = Some((rank, cmap + off));
        }
    }
    let Some((_, sub)) = best else { return out };
    // Every code a subtable claims costs a step, mapped or not, so a hostile table of huge
    // ranges is cut short rather than walked for minutes.
    let mut steps = 0usize;
    let mut add = |code: u32, gid: u32| -> bool {
        steps += 1;
        if gid != 0 && out.len() < MAX_GLYPH_MAP {
            if let Some(c) = char::from_u32(code) {
                out.entry(gid).or_insert(c);
            }
        }
        steps < MAX_CMAP_STEPS
    };
    match r.u16(sub) {
        Some(4) => {
            let Some(seg_x2) = r.u16(sub + 6) else {
                return HashMap::new();
            };
            let ends = sub + 14;
            let starts = ends + seg_x2 + 2;
            let deltas = starts + seg_x2;
            let range_offsets = deltas + seg_x2;
            'segments: for seg in 0..seg_x2 / 2 {
                let (Some(end), Some(start), Some(delta), Some(ro)) = (
                    r.u16(ends + 2 * seg),
                    r.u16(starts + 2 * seg),
                    r.u16(deltas + 2 * seg),
                    r.u16(range_offsets + 2 * seg),
                ) else {
                    break;
                };
                for code in start..=end.min(0xfffe) {
                    let gid = if ro == 0 {
                        (code + delta) & 0xffff
                    } else {
                        let at = range_offsets + 2 * seg + ro + 2 * (code - start);
                        match r.u16(at) {
                            Some(0) | None => continue,
                            Some(g) => (g + delta) & 0xffff,
                        }
                    };
                    if !add(code as u32, gid as u32) {
                        break 'segments;
                    }
                }
            }
        }
        Some(12) => {
            let Some(groups) = r.offset(sub + 12, 4) else {
                return out;
            };
            'groups: for g in 0..groups.min(MAX_GLYPH_MAP) {
                let at = sub + 16 + 12 * g;
                let (Some(first), Some(last), Some(gid)) =
                    (r.offset(at, 4), r.offset(at + 4, 4), r.offset(at + 8, 4))
                else {
                    break;
                };
                for (k, code) in (first..=last.min(first + MAX_GLYPH_MAP)).enumerate() {
                    if !add(code as u32, (gid + k) as u32) {
                        break 'groups;
                    }
                }
            }
        }
        _ => {}
    }
    out
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type1_clear_text_encoding() {
        let font = b"%!PS-AdobeFont-1.0: CMR10\n/Encoding 256 array\n0 1 255 {1 index exch /.notdef put} for\ndup 12 /fi put\ndup 65/A put\nreadonly def\ncurrentfile eexec\x80\x81";
        let Some(Builtin::Custom(enc)) = type1_encoding(font) else {
            panic!("no encoding")
        };
        assert_eq!(enc[12].as_deref(), Some("fi"));
        assert_eq!(enc[65].as_deref(), Some("A"));
        assert!(matches!(
            type1_encoding(b"/Encoding StandardEncoding def"),
            Some(Builtin::Standard)
        ));
    }

    /// A hand-assembled CFF with three glyphs (.notdef, A, aring) and a format-0 encoding that puts
    /// them at codes 0x41 and 0xE5.
    #[test]
    fn cff_custom_encoding() {
        let mut f = vec![1, 0, 4, 1];
        // Name INDEX: one name "X".
        f.extend_from_slice(&[0, 1, 1, 1, 2, b'X']);
        // Top DICT INDEX with charset/encoding/charstrings offsets filled in below.
        let top_at = f.len();
        f.extend_from_slice(&[0, 1, 1, 1, 0]);
        let dict_start = f.len();
        // offsets as 5-byte integers (op 29) so the layout is fixed.
        let placeholder = |v: i32, op: u8| {
            let mut d = vec![29];
            d.extend_from_slice(&v.to_be_bytes());
            d.push(op);
            d
        };
        let dict_len = 18;
        let strings_at = dict_start + dict_len;
        let strings = [0u8, 0];
        let gsubr_at = strings_at + strings.len();
        let charset_at = gsubr_at + 2;
        let charset = [0u8, 0, 34, 0, 204];
        let encoding_at = charset_at + charset.len();
        let encoding = [0u8, 2, 0x41, 0xe5];
        let charstrings_at = encoding_at + encoding.len();
        let mut dict = placeholder(charset_at as i32, 15);
        dict.extend(placeholder(encoding_at as i32, 16));
        dict.extend(placeholder(charstrings_at as i32, 17));
        assert_eq!(dict.len(), dict_len);
        f[top_at + 4] = (dict.len() + 1) as u8;
        f.extend(dict);
        f.extend_from_slice(&strings);
        f.extend_from_slice(&[0, 0]);
        f.extend_from_slice(&charset);
        f.extend_from_slice(&encoding);
        f.extend_from_slice(&[0, 3, 1, 1, 2, 3, 4, 14, 14, 14]);
        let Some(Builtin::Custom(enc)) = cff_encoding(&f) else {
            panic!("no encoding")
        };
        assert_eq!(enc[0x41].as_deref(), Some("A"));
        assert_eq!(enc[0xe5].as_deref(), Some("aring"));
    }

    #[test]
    fn truncated_cff_is_none() {
        assert!(cff_encoding(&[1, 0, 4]).is_none());
        assert!(cff_encoding(&[]).is_none());
    }
}
