//! CMaps: the code-space ranges that say how many bytes a character code takes, and the
//! `bf*` (to Unicode) and `cid*` (to CID) mappings of ToUnicode and embedded encoding CMaps.

use std::collections::HashMap;

/// Big ranges are kept as ranges; small ones are expanded into the map.
const EXPAND_LIMIT: u32 = 256;
/// A hostile CMap could declare millions of entries; past this we stop reading.
const MAX_ENTRIES: usize = 200_000;

#[derive(Debug, Clone)]
enum RangeDst {
    /// Destination of the first code; later codes increment its last UTF-16 unit.
    Utf16(Vec<u16>),
    Cid(u32),
}

#[derive(Debug, Clone, Default)]
pub struct CMap {
    /// (byte length, low, high)
    codespaces: Vec<(u8, u32, u32)>,
    text: HashMap<u32, String>,
    cids: HashMap<u32, u32>,
    ranges: Vec<(u32, u32, RangeDst)>,
}

#[derive(Debug, PartialEq)]
enum Tok<'a> {
    Hex(Vec<u8>),
    Name(&'a [u8]),
    Num(i64),
    Word(&'a [u8]),
    Open,
    Close,
}

fn tokenize(data: &[u8]) -> Vec<Tok<'_>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < data.len() {
        let b = data[i];
        match b {
            b'%' => {
                while i < data.len() && data[i] != b'\n' && data[i] != b'\r' {
                    i += 1;
                }
            }
            b'<' if data.get(i + 1) == Some(&b'<') => i += 2,
            b'>' if data.get(i + 1) == Some(&b'>') => i += 2,
            b'<' => {
                let start = i + 1;
                let mut end = start;
                while end < data.len() && data[end] != b'>' {
                    end += 1;
                }
                let digits: Vec<u8> = data[start..end]
                    .iter()
                    .copied()
                    .filter(u8::is_ascii_hexdigit)
                    .collect();
                let mut bytes = Vec::with_capacity(digits.len() / 2 + 1);
                for pair in digits.chunks(2) {
                    let hi = hex_val(pair[0]);
                    let lo = pair.get(1).map_or(0, |&d| hex_val(d));
                    bytes.push(hi << 4 | lo);
                }
                out.push(Tok::Hex(bytes));
                i = end + 1;
            }
            b'(' => {
                // Literal strings only appear in headers we do not need; skip with nesting.
                let mut depth = 0usize;
                while i < data.len() {
                    match data[i] {
                        b'\\' => i += 1,
                        b'(' => depth += 1,
                        b')' => {
                            depth = depth.saturating_sub(1);
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    i += 1;
                }
                i += 1;
            }
            b'[' => {
                out.push(Tok::Open);
                i += 1;
            }
            b']' => {
                out.push(Tok::Close);
                i += 1;
            }
            b'/' => {
                let start = i + 1;
                i = start;
                while i < data.len() && !is_delim(data[i]) {
                    i += 1;
                }
                out.push(Tok::Name(&data[start..i]));
            }
            _ if is_delim(b) => i += 1,
            _ => {
                let start = i;
                while i < data.len() && !is_delim(data[i]) {
                    i += 1;
                }
                let word = &data[start..i];
                match std::str::from_utf8(word)
                    .ok()
                    .and_then(|s| s.parse::<i64>().ok())
                {
                    Some(n) => out.push(Tok::Num(n)),
                    None => out.push(Tok::Word(word)),
                }
            }
        }
    }
    out
}

fn is_delim(b: u8) -> bool {
    matches!(
        b,
        b' ' | b'\t'
            | b'\r'
            | b'\n'
            | b'\x0c'
            | b'\0'
            | b'/'
            | b'['
            | b']'
            | b'<'
            | b'>'
            | b'('
            | b')'
            | b'%'
    )
}

fn hex_val(d: u8) -> u8 {
    match d {
        b'0'..=b'9' => d - b'0',
        b'a'..=b'f' => d - b'a' + 10,
        b'A'..=b'F' => d - b'A' + 10,
        _ => 0,
    }
}

fn be_value(bytes: &[u8]) -> u32 {
    bytes
        .iter()
        .take(4)
        .fold(0u32, |acc, &b| acc << 8 | u32::from(b))
}

/// UTF-16BE as PDF ToUnicode streams write it; odd lengths are read as single bytes, which
/// some producers emit.
pub fn utf16_units(bytes: &[u8]) -> Vec<u16> {
    if bytes.len() % 2 == 1 {
        return bytes.iter().map(|&b| u16::from(b)).collect();
    }
    bytes
        .chunks(2)
        .map(|c| u16::from(c[0]) << 8 | u16::from(c[1]))
        .collect()
}

fn units_to_string(units: &[u16]) -> String {
    char::decode_utf16(units.iter().copied())
        .map(|r| r.unwrap_or('\u{fffd}'))
        .collect()
}

impl CMap {
    pub fn parse(data: &[u8]) -> CMap {
        let toks = tokenize(data);
        let mut cmap = CMap::default();
        let mut i = 0;
        let mut entries = 0usize;
        while i < toks.len() && entries < MAX_ENTRIES {
            let Tok::Word(w) = &toks[i] else {
                i += 1;
                continue;
            };
            i += 1;
            match *w {
                b"begincodespacerange" => {
                    while let (Some(Tok::Hex(lo)), Some(Tok::Hex(hi))) =
                        (toks.get(i), toks.get(i + 1))
                    {
                        let len = lo.len().clamp(1, 4) as u8;
                        cmap.codespaces.push((len, be_value(lo), be_value(hi)));
                        i += 2;
                    }
                }
                b"beginbfchar" => {
                    while let (Some(Tok::Hex(src)), Some(dst)) = (toks.get(i), toks.get(i + 1)) {
                        let text = match dst {
                            Tok::Hex(d) => units_to_string(&utf16_units(d)),
                            Tok::Name(n) => {
                                crate::pdf::tables::glyph_name_to_text(&String::from_utf8_lossy(n))
                                    .unwrap_or_default()
                            }
                            _ => break,
                        };
                        cmap.text.insert(be_value(src), text);
                        entries += 1;
                        i += 2;
                    }
                }
                b"beginbfrange" => {
                    while let (Some(Tok::Hex(lo)), Some(Tok::Hex(hi))) =
                        (toks.get(i), toks.get(i + 1))
                    {
                        let (lo, hi) = (be_value(lo), be_value(hi));
                        i += 2;
                        match toks.get(i) {
                            Some(Tok::Hex(d)) => {
                                cmap.add_range(
                                    lo,
                                    hi,
                                    RangeDst::Utf16(utf16_units(d)),
                                    &mut entries,
                                );
                                i += 1;
                            }
                            Some(Tok::Open) => {
                                i += 1;
                                let mut code = lo;
                                while let Some(Tok::Hex(d)) = toks.get(i) {
                                    if code <= hi {
                                        cmap.text.insert(code, units_to_string(&utf16_units(d)));
                                        entries += 1;
                                    }
                                    code = code.saturating_add(1);
                                    i += 1;
                                }
                                if toks.get(i) == Some(&Tok::Close) {
                                    i += 1;
                                }
                            }
                            _ => break,
                        }
                    }
                }
                b"begincidchar" => {
                    while let (Some(Tok::Hex(src)), Some(Tok::Num(cid))) =
                        (toks.get(i), toks.get(i + 1))
                    {
                        cmap.cids
                            .insert(be_value(src), u32::try_from(*cid).unwrap_or(0));
                        entries += 1;
                        i += 2;
                    }
                }
                b"begincidrange" => {
                    while let (Some(Tok::Hex(lo)), Some(Tok::Hex(hi)), Some(Tok::Num(cid))) =
                        (toks.get(i), toks.get(i + 1), toks.get(i + 2))
                    {
                        let cid = u32::try_from(*cid).unwrap_or(0);
                        cmap.add_range(
                            be_value(lo),
                            be_value(hi),
                            RangeDst::Cid(cid),
                            &mut entries,
                        );
                        i += 3;
                    }
                }
                _ => {}
            }
        }
        cmap
    }

    fn add_range(&mut self, lo: u32, hi: u32, dst: RangeDst, entries: &mut usize) {
        if hi < lo {
            return;
        }
        if hi - lo < EXPAND_LIMIT {
            for code in lo..=hi {
                let off = code - lo;
                match &dst {
                    RangeDst::Utf16(units) => {
                        self.text.insert(code, units_to_string(&bump(units, off)));
                    }
                    RangeDst::Cid(c) => {
                        self.cids.insert(code, c.saturating_add(off));
                    }
                }
                *entries += 1;
            }
        } else {
            self.ranges.push((lo, hi, dst));
            *entries += 1;
        }
    }

    pub fn has_codespaces(&self) -> bool {
        !self.codespaces.is_empty()
    }

    /// Length in bytes of the code starting at `bytes[0]`, by the code-space ranges; codes that
    /// match no range take the shortest declared length, as readers do.
    pub fn code_len(&self, bytes: &[u8]) -> usize {
        if self.codespaces.is_empty() {
            return 2.min(bytes.len()).max(1);
        }
        for n in 1..=4usize {
            if n > bytes.len() {
                break;
            }
            let v = be_value(&bytes[..n]);
            if self
                .codespaces
                .iter()
                .any(|&(len, lo, hi)| usize::from(len) == n && v >= lo && v <= hi)
            {
                return n;
            }
        }
        let shortest = self
            .codespaces
            .iter()
            .map(|c| usize::from(c.0))
            .min()
            .unwrap_or(1);
        shortest.min(bytes.len()).max(1)
    }

    pub fn lookup_text(&self, code: u32) -> Option<String> {
        if let Some(t) = self.text.get(&code) {
            return Some(t.clone());
        }
        for (lo, hi, dst) in &self.ranges {
            if code >= *lo && code <= *hi {
                if let RangeDst::Utf16(units) = dst {
                    return Some(units_to_string(&bump(units, code - lo)));
                }
            }
        }
        None
    }

    pub fn lookup_cid(&self, code: u32) -> Option<u32> {
        if let Some(c) = self.cids.get(&code) {
            return Some(*c);
        }
        for (lo, hi, dst) in &self.ranges {
            if code >= *lo && code <= *hi {
                if let RangeDst::Cid(c) = dst {
                    return Some(c.saturating_add(code - lo));
                }
            }
        }
        None
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty() && self.cids.is_empty() && self.ranges.is_empty()
    }
}

fn bump(units: &[u16], off: u32) -> Vec<u16> {
    let mut v = units.to_vec();
    if let Some(last) = v.last_mut() {
        *last = last.wrapping_add(off as u16);
    }
    v
}

pub fn be_code(bytes: &[u8]) -> u32 {
    be_value(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &[u8] = b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap
/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
/CMapName /Adobe-Identity-UCS def /CMapType 2 def
2 begincodespacerange <00> <7F> <8000> <FFFF> endcodespacerange
3 beginbfchar <01> <0048> <02> <00660069> <8001> /aring endbfchar
2 beginbfrange <10> <12> <0061> <20> <21> [<00E6> <00F8>] endbfrange
1 beginbfrange <9000> <9FFF> <4E00> endbfrange
endcmap CMapName currentdict /CMap defineresource pop end end";

    #[test]
    fn bfchar_bfrange_and_arrays() {
        let c = CMap::parse(SAMPLE);
        assert_eq!(c.lookup_text(1).as_deref(), Some("H"));
        assert_eq!(c.lookup_text(2).as_deref(), Some("fi"));
        assert_eq!(c.lookup_text(0x8001).as_deref(), Some("å"));
        assert_eq!(c.lookup_text(0x11).as_deref(), Some("b"));
        assert_eq!(c.lookup_text(0x21).as_deref(), Some("ø"));
        assert_eq!(c.lookup_text(0x9001).as_deref(), Some("\u{4e01}"));
        assert_eq!(c.lookup_text(0x50), None);
    }

    #[test]
    fn mixed_width_codespaces() {
        let c = CMap::parse(SAMPLE);
        assert_eq!(c.code_len(&[0x41, 0x80, 0x01]), 1);
        assert_eq!(c.code_len(&[0x80, 0x01]), 2);
        assert_eq!(c.code_len(&[0x80]), 1);
    }

    #[test]
    fn cid_ranges() {
        let c = CMap::parse(b"1 begincodespacerange <0000> <FFFF> endcodespacerange 1 begincidrange <0020> <007e> 1 endcidrange 1 begincidchar <3000> 633 endcidchar");
        assert_eq!(c.lookup_cid(0x20), Some(1));
        assert_eq!(c.lookup_cid(0x41), Some(34));
        assert_eq!(c.lookup_cid(0x3000), Some(633));
        assert_eq!(c.code_len(&[0, 0x41]), 2);
    }

    #[test]
    fn garbage_does_not_panic() {
        let _ = CMap::parse(b"beginbfrange <ffffffff> <00> [ <");
        let _ = CMap::parse(b"begincodespacerange <> <> beginbfchar <> <>");
        let _ = CMap::parse(b"<<>>)(((\\");
    }
}
