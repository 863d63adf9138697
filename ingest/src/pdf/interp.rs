//! The content-stream interpreter: runs the text and graphics-state operators of a page (and of
//! the Form XObjects it draws) and records every glyph with its position, size and advance.

use std::collections::HashMap;
use std::rc::Rc;
use std::time::Instant;

use lopdf::content::Content;
use lopdf::{Dictionary, Document, Object, ObjectId};

use super::font::{get, get_dict, get_name, resolve, stream_data, Code, Font};
use super::{TextLimit, TextLimits};

/// Form XObjects nested deeper than this are not entered.
const MAX_FORM_DEPTH: usize = 12;
/// The clock is read once per this many operators.
const TIME_CHECK_EVERY: usize = 512;
/// Font programs and CMaps are small; one that inflates past this is not worth parsing.
const MAX_FONT_STREAM: usize = 32 * 1024 * 1024;
/// Page trees deeper than this are cut off when looking for inherited resources.
const MAX_TREE_DEPTH: usize = 64;
/// Annotations past this many on one page are ignored.
const MAX_ANNOTATIONS: usize = 4096;

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

/// Six numbers from an array such as /Matrix; four-element arrays (/Rect, /BBox) fill the first four.
fn number_array(doc: &Document, obj: Option<&Object>) -> Option<Matrix> {
    let arr = obj?.as_array().ok()?;
    let mut m = [0.0f32; 6];
    if arr.len() != 6 && arr.len() != 4 {
        return None;
    }
    for (slot, o) in m.iter_mut().zip(arr) {
        let v = resolve(doc, o)?.as_float().ok()?;
        if !v.is_finite() {
            return None;
        }
        *slot = v;
    }
    Some(m)
}

#[derive(Debug, thiserror::Error)]
pub enum InterpError {
    #[error("time budget exceeded")]
    Timeout,
    #[error("{0}")]
    TextLimit(TextLimit),
}

/// Glyphs and characters shown so far, counted against the limits as they are shown, so a
/// hostile page stops at the limit instead of being built whole and measured afterwards.
pub struct Shown {
    limits: TextLimits,
    page_glyphs: usize,
    page_chars: usize,
    document_glyphs: usize,
    document_chars: usize,
    /// The first limit passed; once set, nothing more is collected.
    over: Option<TextLimit>,
}

impl Shown {
    pub fn new(limits: TextLimits) -> Self {
        Shown {
            limits,
            page_glyphs: 0,
            page_chars: 0,
            document_glyphs: 0,
            document_chars: 0,
            over: None,
        }
    }

    fn start_page(&mut self) {
        self.page_glyphs = 0;
        self.page_chars = 0;
    }

    /// Counts one glyph carrying `chars` characters of text; false when that passes a limit.
    fn admit(&mut self, chars: usize) -> bool {
        if self.over.is_some() {
            return false;
        }
        self.page_glyphs += 1;
        self.document_glyphs += 1;
        self.page_chars += chars;
        self.document_chars += chars;
        let l = &self.limits;
        self.over = if self.page_glyphs > l.page_glyphs {
            Some(TextLimit::PageGlyphs(l.page_glyphs))
        } else if self.page_chars > l.page_chars {
            Some(TextLimit::PageChars(l.page_chars))
        } else if self.document_glyphs > l.document_glyphs {
            Some(TextLimit::DocumentGlyphs(l.document_glyphs))
        } else if self.document_chars > l.document_chars {
            Some(TextLimit::DocumentChars(l.document_chars))
        } else {
            None
        };
        self.over.is_none()
    }

    fn check(&self) -> Result<(), InterpError> {
        match self.over {
            Some(limit) => Err(InterpError::TextLimit(limit)),
            None => Ok(()),
        }
    }
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
    /// The first image XObjects drawn, with where: OCR takes a page's image from the file when
    /// it is the only thing drawn (two are kept to tell one from several).
    pub placed: Vec<PlacedImage>,
}

/// An image XObject drawn on a page: its object and the matrix that maps its unit square.
#[derive(Debug, Clone, Copy)]
pub struct PlacedImage {
    pub id: ObjectId,
    pub ctm: Matrix,
}

pub struct Interpreter<'a> {
    doc: &'a Document,
    fonts: &'a mut FontCache,
    shown: &'a mut Shown,
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
        shown: &'a mut Shown,
        deadline: Instant,
        stream_limit: usize,
    ) -> Self {
        shown.start_page();
        Interpreter {
            doc,
            fonts,
            shown,
            deadline,
            budget: stream_limit,
            stream_limit,
            ops: 0,
            forms_on_stack: Vec::new(),
            out: PageOutput {
                glyphs: Vec::new(),
                images: 0,
                placed: Vec::new(),
            },
            codes: Vec::new(),
        }
    }

    pub fn run_page(mut self, page_id: ObjectId) -> Result<(PageOutput, bool), InterpError> {
        let doc = self.doc;
        // Resources are inherited through the page tree; walk it ourselves so that a broken
        // ancestor (a file cut short, a dangling /Parent) costs only what it held.
        let mut dicts = Vec::new();
        let mut node = doc.get_dictionary(page_id).ok();
        let mut visited = Vec::new();
        while let Some(n) = node {
            if visited.len() > MAX_TREE_DEPTH || visited.contains(&(n as *const Dictionary)) {
                break;
            }
            visited.push(n as *const Dictionary);
            if let Some(r) = get_dict(doc, n, b"Resources") {
                dicts.push(r);
            }
            node = get_dict(doc, n, b"Parent");
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
        self.run_annotations(page_id, &res)?;
        self.shown.check()?;
        Ok((self.out, damaged))
    }

    /// Draws the normal appearance of the page's annotations: filled-in form fields and free
    /// text are part of what a reader sees on the page.
    fn run_annotations(
        &mut self,
        page_id: ObjectId,
        res: &Resources<'a>,
    ) -> Result<(), InterpError> {
        let doc = self.doc;
        let Ok(page) = doc.get_dictionary(page_id) else {
            return Ok(());
        };
        let Some(Object::Array(annots)) = get(doc, page, b"Annots") else {
            return Ok(());
        };
        for annot in annots.iter().take(MAX_ANNOTATIONS) {
            let Some(Object::Dictionary(a)) = resolve(doc, annot) else {
                continue;
            };
            // Filled-in text fields and free-text notes carry text; buttons and check boxes
            // repeat labels the page already shows.
            let field_type = get_name(doc, a, b"FT")
                .or_else(|| get_dict(doc, a, b"Parent").and_then(|p| get_name(doc, p, b"FT")));
            match get_name(doc, a, b"Subtype") {
                Some(b"FreeText") => {}
                Some(b"Widget") if field_type == Some(b"Tx".as_slice()) => {}
                _ => continue,
            }
            // Hidden (2) and NoView (32) annotations are not shown.
            let flags = get(doc, a, b"F").and_then(|o| o.as_i64().ok()).unwrap_or(0);
            if flags & (2 | 32) != 0 {
                continue;
            }
            let Some(ap) = get_dict(doc, a, b"AP") else {
                self.field_value_without_appearance(a);
                continue;
            };
            let normal = ap.get(b"N").ok();
            let appearance = match normal.and_then(|o| resolve(doc, o)) {
                Some(Object::Stream(_)) => normal,
                Some(Object::Dictionary(states)) => {
                    get_name(doc, a, b"AS").and_then(|state| states.get(state).ok())
                }
                _ => None,
            };
            let Some(appearance) = appearance else {
                continue;
            };
            let id = match appearance {
                Object::Reference(id) => Some(*id),
                _ => None,
            };
            let Some(Object::Stream(stream)) = resolve(doc, appearance) else {
                continue;
            };
            let rect = number_array(doc, get(doc, a, b"Rect"));
            let bbox = number_array(doc, get(doc, &stream.dict, b"BBox"));
            let (Some([r0, r1, r2, r3, _, _]), Some([b0, b1, b2, b3, _, _])) = (rect, bbox) else {
                continue;
            };
            let matrix = number_array(doc, get(doc, &stream.dict, b"Matrix")).unwrap_or(IDENTITY);
            // Map the transformed bounding box onto the annotation rectangle (ISO 32000 12.5.5).
            let corners = [(b0, b1), (b2, b1), (b0, b3), (b2, b3)].map(|(x, y)| {
                (
                    x * matrix[0] + y * matrix[2] + matrix[4],
                    x * matrix[1] + y * matrix[3] + matrix[5],
                )
            });
            let (mut lx, mut ly, mut hx, mut hy) = (
                f32::INFINITY,
                f32::INFINITY,
                f32::NEG_INFINITY,
                f32::NEG_INFINITY,
            );
            for (x, y) in corners {
                lx = lx.min(x);
                ly = ly.min(y);
                hx = hx.max(x);
                hy = hy.max(y);
            }
            if hx - lx <= 0.0 || hy - ly <= 0.0 {
                continue;
            }
            let (sx, sy) = ((r2 - r0).abs() / (hx - lx), (r3 - r1).abs() / (hy - ly));
            let fit = [sx, 0.0, 0.0, sy, r0.min(r2) - lx * sx, r1.min(r3) - ly * sy];
            let gs = GState {
                ctm: mul(&matrix, &fit),
                ..GState::default()
            };
            let before = self.out.glyphs.len();
            self.run_form(stream, id, res, gs)?;
            if self.out.glyphs.len() == before {
                // An empty appearance (`/Tx BMC EMC`) with a value: readers regenerate it.
                self.field_value_without_appearance(a);
            }
        }
        Ok(())
    }

    /// A filled-in text field with no appearance stream still shows its value in readers, which
    /// build the appearance themselves; lay the value out on the field's rectangle.
    fn field_value_without_appearance(&mut self, a: &Dictionary) {
        let doc = self.doc;
        let value = get(doc, a, b"V")
            .or_else(|| get_dict(doc, a, b"Parent").and_then(|p| get(doc, p, b"V")));
        let Some(Object::String(raw, format)) = value else {
            return;
        };
        let Ok(text) = lopdf::decode_text_string(&Object::String(raw.clone(), *format)) else {
            return;
        };
        let Some([x0, y0, x1, y1, _, _]) = number_array(doc, get(doc, a, b"Rect")) else {
            return;
        };
        let size = 10.0f32.min((y1 - y0).abs() * 0.8).max(1.0);
        let (mut x, y) = (
            x0.min(x1) + 2.0,
            y0.min(y1) + ((y1 - y0).abs() - size) / 2.0 + 0.2 * size,
        );
        for c in text.chars().take(10_000) {
            let trm = [size, 0.0, 0.0, size, x, y];
            if !c.is_whitespace() {
                if !self.shown.admit(1) {
                    return;
                }
                self.push_glyph_raw(c.encode_utf8(&mut [0; 4]), &trm, 0.5, false, 1.0);
            }
            x += 0.5 * size;
        }
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
        let font = Rc::new(Font::load(
            doc,
            dict,
            self.stream_limit.min(MAX_FONT_STREAM),
        ));
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
        // Open marked-content sequences: the replacement text of those with /ActualText and
        // where their glyphs start.
        let mut marked: Vec<Option<(String, usize)>> = Vec::new();
        let mut tm = IDENTITY;
        let mut tlm = IDENTITY;
        for op in Content::decode_iter(content) {
            let Ok(op) = op else { break };
            self.shown.check()?;
            self.ops += 1;
            if self.ops.is_multiple_of(TIME_CHECK_EVERY) && Instant::now() > self.deadline {
                return Err(InterpError::Timeout);
            }
            let args = &op.operands;
            let f = |i: usize| {
                args.get(i)
                    .and_then(|o| o.as_float().ok())
                    .filter(|v| v.is_finite())
            };
            match op.operator.as_str() {
                // A stack deeper than any real page is hostile; further saves are dropped.
                "q" if stack.len() < 256 => stack.push(gs.clone()),
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
                "BMC" | "BDC" if marked.len() < 256 => {
                    let actual = (op.operator == "BDC")
                        .then(|| args.get(1))
                        .flatten()
                        .and_then(|props| self.actual_text(res, props))
                        .map(|t| (t, self.out.glyphs.len()));
                    marked.push(actual);
                }
                "EMC" => {
                    if let Some(Some((text, start))) = marked.pop() {
                        self.replace_with_actual_text(start, text);
                    }
                }
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
                if let (Some(id), true) = (id, self.out.placed.len() < 2) {
                    self.out.placed.push(PlacedImage { id, ctm: gs.ctm });
                }
                Ok(())
            }
            Some(b"Form") => {
                let mut inner = gs.clone();
                if let Some(m) = number_array(doc, get(doc, &stream.dict, b"Matrix")) {
                    inner.ctm = mul(&m, &inner.ctm);
                }
                self.run_form(stream, id, res, inner)
            }
            _ => Ok(()),
        }
    }

    /// `/ActualText` of a marked-content property list, inline or named in /Properties.
    fn actual_text(&self, res: &Resources<'a>, props: &'a Object) -> Option<String> {
        let doc = self.doc;
        let dict = match props {
            Object::Name(name) => resolve(doc, res.lookup(doc, b"Properties", name)?)?
                .as_dict()
                .ok()?,
            other => resolve(doc, other)?.as_dict().ok()?,
        };
        let raw = get(doc, dict, b"ActualText")?;
        lopdf::decode_text_string(raw).ok()
    }

    /// The glyphs drawn since `start` are one piece of text whose content is `text`: keep their
    /// position and extent, take the text from the document.
    fn replace_with_actual_text(&mut self, start: usize, text: String) {
        let glyphs = &mut self.out.glyphs;
        let Some(first) = glyphs.get(start).cloned() else {
            return;
        };
        let same_line = glyphs[start..]
            .iter()
            .all(|g| g.dir == first.dir && (g.y - first.y).abs() < 0.5 * first.size);
        if !same_line {
            return;
        }
        let end = glyphs[start..]
            .iter()
            .map(|g| g.x + g.w)
            .fold(first.x + first.w, f32::max);
        glyphs.truncate(start);
        // The replacement's characters are shown anew; the glyphs they replace were counted.
        let text: String = text.chars().filter(|c| !c.is_control()).collect();
        // One glyph per character, spread over the original extent, so that layout sees the
        // replacement's own spaces as word breaks.
        let total = text.chars().count().max(1) as f32;
        let per_char = (end - first.x) / total;
        let mut x = first.x;
        for c in text.chars() {
            if !self.shown.admit(1) {
                return;
            }
            let text = if c.is_whitespace() {
                " ".into()
            } else {
                c.to_string()
            };
            self.out.glyphs.push(Glyph {
                text,
                x,
                w: per_char,
                ..first.clone()
            });
            x += per_char;
        }
    }

    fn run_form(
        &mut self,
        stream: &'a lopdf::Stream,
        id: Option<ObjectId>,
        res: &Resources<'a>,
        gs: GState,
    ) -> Result<(), InterpError> {
        let doc = self.doc;
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
        let form_res = match get_dict(doc, &stream.dict, b"Resources") {
            Some(d) => {
                let mut dicts = vec![d];
                dicts.extend(res.dicts.iter().copied());
                Resources::new(dicts)
            }
            None => res.clone(),
        };
        self.forms_on_stack.push(id.unwrap_or((0, 0)));
        let r = self.run(&data, &form_res, gs);
        self.forms_on_stack.pop();
        r
    }

    fn show(&mut self, gs: &GState, tm: &mut Matrix, bytes: &[u8]) {
        let Some(font) = gs.font.clone() else { return };
        let mut codes = std::mem::take(&mut self.codes);
        codes.clear();
        font.decode(bytes, &mut codes);
        for code in &codes {
            // Every glyph shown counts, kept or not: the limit bounds the work as well.
            let chars = code.text.as_ref().map_or(0, |t| t.chars().count());
            if !self.shown.admit(chars) {
                break;
            }
            let m = mul(tm, &gs.ctm);
            let trm = mul(&[gs.size * gs.h_scale, 0.0, 0.0, gs.size, 0.0, gs.rise], &m);
            let visual_w = if code.width > 0.0 { code.width } else { 0.5 };
            let mut adv = code.width * gs.size + gs.char_spacing;
            if code.is_space_code {
                adv += gs.word_spacing;
            }
            let tx = adv * gs.h_scale;
            if let Some(text) = &code.text {
                // A space that word or character spacing cancels out (Ghostscript writes such)
                // separates nothing on the page.
                let void_space =
                    text.chars().all(char::is_whitespace) && tx.abs() < 0.1 * gs.size.abs();
                if !void_space {
                    self.push_glyph(text, &trm, visual_w, &font);
                }
            }
            *tm = mul(&[1.0, 0.0, 0.0, 1.0, tx, 0.0], tm);
        }
        self.codes = codes;
    }

    fn push_glyph(&mut self, text: &str, trm: &Matrix, w: f32, font: &Font) {
        self.push_glyph_raw(text, trm, w, font.bold, font.size_scale);
    }

    fn push_glyph_raw(&mut self, text: &str, trm: &Matrix, w: f32, bold: bool, size_scale: f32) {
        let (ox, oy) = (trm[4], trm[5]);
        let (ex, ey) = (w * trm[0] + ox, w * trm[1] + oy);
        let size = (trm[2] * trm[2] + trm[3] * trm[3]).sqrt() * size_scale;
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
                // Symbol-font bullets that ToUnicode maps into the private use area.
                '\u{f0b7}' | '\u{f0a7}' => s.push('\u{2022}'),
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
