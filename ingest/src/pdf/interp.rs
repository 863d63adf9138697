//! The content-stream interpreter: runs the text and graphics-state operators of a page (and of
//! the Form XObjects it draws) and records every glyph with its position, size and advance.

use std::collections::HashMap;
use std::rc::Rc;
use std::time::Instant;

use lopdf::content::Content;
use lopdf::{Dictionary, Document, Object, ObjectId};

use super::font::{get, get_dict, get_name, resolve, stream_data, Code, Font};

/// Form XObjects nested deeper than this are not entered.
const MAX_FORM_DEPTH: usize = 12;
/// The clock is read once per this many operators.
const TIME_CHECK_EVERY: usize = 512;
/// Cap on glyphs per page: beyond it a page is noise, not text.
const MAX_GLYPHS: usize = 2_000_000;

pub type Matrix = [f32; 6];
const IDENTITY: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

fn mul(a: &Matrix, b: &Matrix) -> Matrix {
    [
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    ]
}

/// One shown glyph in a frame where its own text runs left to right: `dir` says which of the
/// four page rotations the frame is (0 upright, 1 rotated 90° counter-clockwise, ...).
#[derive(Debug, Clone)]
pub struct Glyph {
    pub text: String,
    pub x: f32,
    pub y: f32,
    /// Width of the glyph itself along the baseline (no character or word spacing).
    pub w: f32,
    pub size: f32,
    pub bold: bool,
    pub dir: u8,
}

#[derive(Debug, thiserror::Error)]
pub enum InterpError {
    #[error("time budget exceeded")]
    Timeout,
}

#[derive(Clone)]
struct GState {
    ctm: Matrix,
    font: Option<Rc<Font>>,
    size: f32,
    char_spacing: f32,
    word_spacing: f32,
    h_scale: f32,
    leading: f32,
    rise: f32,
}

impl Default for GState {
    fn default() -> Self {
        GState {
            ctm: IDENTITY,
            font: None,
            size: 0.0,
            char_spacing: 0.0,
            word_spacing: 0.0,
            h_scale: 1.0,
            leading: 0.0,
            rise: 0.0,
        }
    }
}

/// Fonts are decoded once per document and shared by every page that uses them.
#[derive(Default)]
pub struct FontCache {
    by_id: HashMap<ObjectId, Rc<Font>>,
    by_addr: HashMap<usize, Rc<Font>>,
}

/// The resource dictionaries in scope, nearest first.
#[derive(Clone)]
pub struct Resources<'a> {
    dicts: Vec<&'a Dictionary>,
}

impl<'a> Resources<'a> {
    pub fn new(dicts: Vec<&'a Dictionary>) -> Self {
        Resources { dicts }
    }

    fn lookup(&self, doc: &'a Document, category: &[u8], name: &[u8]) -> Option<&'a Object> {
        for d in &self.dicts {
            if let Some(cat) = get_dict(doc, d, category) {
                if let Ok(o) = cat.get(name) {
                    return Some(o);
                }
            }
        }
        None
    }
}

pub struct PageOutput {
    pub glyphs: Vec<Glyph>,
    pub images: usize,
}

pub struct Interpreter<'a> {
    doc: &'a Document,
    fonts: &'a mut FontCache,
    deadline: Instant,
    /// Bytes of content the page may still decode, shared by all its forms.
    budget: usize,
    stream_limit: usize,
    ops: usize,
    forms_on_stack: Vec<ObjectId>,
    out: PageOutput,
    codes: Vec<Code>,
}

impl<'a> Interpreter<'a> {
    pub fn new(
        doc: &'a Document,
        fonts: &'a mut FontCache,
        deadline: Instant,
        stream_limit: usize,
    ) -> Self {
        Interpreter {
            doc,
            fonts,
            deadline,
            budget: stream_limit,
            stream_limit,
            ops: 0,
            forms_on_stack: Vec::new(),
            out: PageOutput {
                glyphs: Vec::new(),
                images: 0,
            },
            codes: Vec::new(),
        }
    }

    pub fn run_page(mut self, page_id: ObjectId) -> Result<(PageOutput, bool), InterpError> {
        let doc = self.doc;
        let mut dicts = Vec::new();
        if let Ok((direct, ids)) = doc.get_page_resources(page_id) {
            if let Some(d) = direct {
                dicts.push(d);
            }
            for id in ids {
                if let Ok(d) = doc.get_dictionary(id) {
                    dicts.push(d);
                }
            }
        }
        let res = Resources::new(dicts);
        let mut damaged = false;
        let content = match doc.get_page_content_with_limit(page_id, self.budget) {
            Ok(c) => c,
            Err(_) => {
                damaged = true;
                Vec::new()
            }
        };
        if doc.get_page_contents(page_id).is_empty()
            && doc
                .get_dictionary(page_id)
                .is_ok_and(|p| p.has(b"Contents"))
        {
            damaged = true;
        }
        self.budget = self.budget.saturating_sub(content.len());
        self.run(&content, &res, GState::default())?;
        Ok((self.out, damaged))
    }

    fn font_for(&mut self, res: &Resources<'a>, name: &[u8]) -> Option<Rc<Font>> {
        let doc = self.doc;
        let obj = res.lookup(doc, b"Font", name)?;
        let id = match obj {
            Object::Reference(id) => Some(*id),
            _ => None,
        };
        if let Some(id) = id {
            if let Some(f) = self.fonts.by_id.get(&id) {
                return Some(f.clone());
            }
        }
        let dict = resolve(doc, obj)?.as_dict().ok()?;
        let addr = dict as *const Dictionary as usize;
        if id.is_none() {
            if let Some(f) = self.fonts.by_addr.get(&addr) {
                return Some(f.clone());
            }
        }
        let font = Rc::new(Font::load(doc, dict, self.stream_limit));
        match id {
            Some(id) => self.fonts.by_id.insert(id, font.clone()),
            None => self.fonts.by_addr.insert(addr, font.clone()),
        };
        Some(font)
    }

    fn run(
        &mut self,
        content: &[u8],
        res: &Resources<'a>,
        initial: GState,
    ) -> Result<(), InterpError> {
        let mut gs = initial;
        let mut stack: Vec<GState> = Vec::new();
        let mut tm = IDENTITY;
        let mut tlm = IDENTITY;
        for op in Content::decode_iter(content) {
            let Ok(op) = op else { break };
            self.ops += 1;
            if self.ops % TIME_CHECK_EVERY == 0 && Instant::now() > self.deadline {
                return Err(InterpError::Timeout);
            }
            let args = &op.operands;
            let f = |i: usize| {
                args.get(i)
                    .and_then(|o| o.as_float().ok())
                    .filter(|v| v.is_finite())
            };
            match op.operator.as_str() {
                "q" => {
                    if stack.len() < 256 {
                        stack.push(gs.clone());
                    }
                }
                "Q" => {
                    if let Some(g) = stack.pop() {
                        gs = g;
                    }
                }
                "cm" => {
                    if let (Some(a), Some(b), Some(c), Some(d), Some(e), Some(ff)) =
                        (f(0), f(1), f(2), f(3), f(4), f(5))
                    {
                        gs.ctm = mul(&[a, b, c, d, e, ff], &gs.ctm);
                    }
                }
                "BT" => {
                    tm = IDENTITY;
                    tlm = IDENTITY;
                }
                "ET" => {}
                "Tf" => {
                    if let Some(name) = args.first().and_then(|o| o.as_name().ok()) {
                        gs.font = self.font_for(res, name);
                    }
                    if let Some(s) = f(1) {
                        gs.size = s;
                    }
                }
                "Tc" => gs.char_spacing = f(0).unwrap_or(0.0),
                "Tw" => gs.word_spacing = f(0).unwrap_or(0.0),
                "Tz" => gs.h_scale = f(0).unwrap_or(100.0) / 100.0,
                "TL" => gs.leading = f(0).unwrap_or(0.0),
                "Ts" => gs.rise = f(0).unwrap_or(0.0),
                "Td" | "TD" => {
                    let (tx, ty) = (f(0).unwrap_or(0.0), f(1).unwrap_or(0.0));
                    if op.operator == "TD" {
                        gs.leading = -ty;
                    }
                    tlm = mul(&[1.0, 0.0, 0.0, 1.0, tx, ty], &tlm);
                    tm = tlm;
                }
                "Tm" => {
                    if let (Some(a), Some(b), Some(c), Some(d), Some(e), Some(ff)) =
                        (f(0), f(1), f(2), f(3), f(4), f(5))
                    {
                        tlm = [a, b, c, d, e, ff];
                        tm = tlm;
                    }
                }
                "T*" => {
                    tlm = mul(&[1.0, 0.0, 0.0, 1.0, 0.0, -gs.leading], &tlm);
                    tm = tlm;
                }
                "Tj" => {
                    if let Some(Object::String(s, _)) = args.first() {
                        self.show(&gs, &mut tm, s);
                    }
                }
                "'" | "\"" => {
                    if op.operator == "\"" {
                        gs.word_spacing = f(0).unwrap_or(gs.word_spacing);
                        gs.char_spacing = f(1).unwrap_or(gs.char_spacing);
                    }
                    tlm = mul(&[1.0, 0.0, 0.0, 1.0, 0.0, -gs.leading], &tlm);
                    tm = tlm;
                    if let Some(Object::String(s, _)) = args.last() {
                        self.show(&gs, &mut tm, s);
                    }
                }
                "TJ" => {
                    if let Some(Object::Array(items)) = args.first() {
                        for item in items {
                            match item {
                                Object::String(s, _) => self.show(&gs, &mut tm, s),
                                Object::Integer(_) | Object::Real(_) => {
                                    let n = item.as_float().unwrap_or(0.0);
                                    if n.is_finite() {
                                        let tx = -n / 1000.0 * gs.size * gs.h_scale;
                                        tm = mul(&[1.0, 0.0, 0.0, 1.0, tx, 0.0], &tm);
                                    }
                                }
                                _ => {}
                            }
                        }
                    }
                }
                "Do" => {
                    if let Some(name) = args.first().and_then(|o| o.as_name().ok()) {
                        self.do_xobject(res, name, &gs)?;
                    }
                }
                "BI" => self.out.images += 1,
                _ => {}
            }
        }
        Ok(())
    }

    fn do_xobject(
        &mut self,
        res: &Resources<'a>,
        name: &[u8],
        gs: &GState,
    ) -> Result<(), InterpError> {
        let doc = self.doc;
        let Some(obj) = res.lookup(doc, b"XObject", name) else {
            return Ok(());
        };
        let id = match obj {
            Object::Reference(id) => Some(*id),
            _ => None,
        };
        let Some(Object::Stream(stream)) = resolve(doc, obj) else {
            return Ok(());
        };
        match get_name(doc, &stream.dict, b"Subtype") {
            Some(b"Image") => {
                self.out.images += 1;
                Ok(())
            }
            Some(b"Form") => {
                if self.forms_on_stack.len() >= MAX_FORM_DEPTH {
                    return Ok(());
                }
                if let Some(id) = id {
                    if self.forms_on_stack.contains(&id) {
                        return Ok(());
                    }
                }
                let Some(data) = stream_data(stream, self.budget) else {
                    return Ok(());
                };
                self.budget = self.budget.saturating_sub(data.len());
                let mut inner = gs.clone();
                if let Some(m) = get(doc, &stream.dict, b"Matrix").and_then(|o| o.as_array().ok()) {
                    let v: Vec<f32> = m
                        .iter()
                        .filter_map(|o| resolve(doc, o)?.as_float().ok())
                        .collect();
                    if let [a, b, c, d, e, f] = v[..] {
                        inner.ctm = mul(&[a, b, c, d, e, f], &inner.ctm);
                    }
                }
                let form_res = match get_dict(doc, &stream.dict, b"Resources") {
                    Some(d) => {
                        let mut dicts = vec![d];
                        dicts.extend(res.dicts.iter().copied());
                        Resources::new(dicts)
                    }
                    None => res.clone(),
                };
                self.forms_on_stack.push(id.unwrap_or((0, 0)));
                let r = self.run(&data, &form_res, inner);
                self.forms_on_stack.pop();
                r
            }
            _ => Ok(()),
        }
    }

    fn show(&mut self, gs: &GState, tm: &mut Matrix, bytes: &[u8]) {
        let Some(font) = gs.font.clone() else { return };
        let mut codes = std::mem::take(&mut self.codes);
        codes.clear();
        font.decode(bytes, &mut codes);
        for code in &codes {
            let m = mul(tm, &gs.ctm);
            let trm = mul(&[gs.size * gs.h_scale, 0.0, 0.0, gs.size, 0.0, gs.rise], &m);
            let visual_w = if code.width > 0.0 { code.width } else { 0.5 };
            if let Some(text) = &code.text {
                if self.out.glyphs.len() < MAX_GLYPHS {
                    self.push_glyph(text, &trm, visual_w, font.bold);
                }
            }
            let mut adv = code.width * gs.size + gs.char_spacing;
            if code.is_space_code {
                adv += gs.word_spacing;
            }
            let tx = adv * gs.h_scale;
            *tm = mul(&[1.0, 0.0, 0.0, 1.0, tx, 0.0], tm);
        }
        self.codes = codes;
    }

    fn push_glyph(&mut self, text: &str, trm: &Matrix, w: f32, bold: bool) {
        let (ox, oy) = (trm[4], trm[5]);
        let (ex, ey) = (w * trm[0] + ox, w * trm[1] + oy);
        let size = (trm[2] * trm[2] + trm[3] * trm[3]).sqrt();
        if !ox.is_finite() || !oy.is_finite() || !size.is_finite() || size <= 0.0 {
            return;
        }
        // Quantise the baseline direction to the page's four orientations.
        let (bx, by) = (trm[0], trm[1]);
        let dir = if bx.abs() >= by.abs() {
            if bx >= 0.0 {
                0
            } else {
                2
            }
        } else if by > 0.0 {
            1
        } else {
            3
        };
        let rot = |x: f32, y: f32| match dir {
            0 => (x, y),
            1 => (y, -x),
            2 => (-x, -y),
            _ => (-y, x),
        };
        let (x, y) = rot(ox, oy);
        let (x1, _) = rot(ex, ey);
        let mut s = String::with_capacity(text.len());
        for c in text.chars() {
            match c {
                '\u{fb00}' => s.push_str("ff"),
                '\u{fb01}' => s.push_str("fi"),
                '\u{fb02}' => s.push_str("fl"),
                '\u{fb03}' => s.push_str("ffi"),
                '\u{fb04}' => s.push_str("ffl"),
                '\u{fb05}' | '\u{fb06}' => s.push_str("st"),
                '\u{a0}' | '\t' => s.push(' '),
                '\u{ad}' => s.push('-'),
                c if c.is_control() => {}
                c => s.push(c),
            }
        }
        if s.is_empty() {
            return;
        }
        self.out.glyphs.push(Glyph {
            text: s,
            x,
            y,
            w: (x1 - x).max(0.0),
            size,
            bold,
            dir,
        });
    }
}
