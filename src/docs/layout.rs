//! The layout engine: GB/T 9704-2012 page geometry, Chinese line breaking, justified lines on the
//! 22 × 28 grid, tables that break across pages with repeated headers, the signature block kept
//! with the last text, page numbers on odd/even sides.
//!
//! Coordinates are points measured from the top-left corner of the page (y grows downwards); only
//! the PDF writer in `mod.rs` flips them. Every glyph run the engine places is reported as a
//! [`PlacedRun`] with the box it must stay inside (text block or table cell), so tests can check
//! the geometry without parsing the PDF.

use std::collections::BTreeSet;
use std::sync::Arc;

use super::fonts::{composite, Face, FontRole, FontSet};

/// Points per millimetre.
pub const MM: f32 = 72.0 / 25.4;

/// Page geometry and type sizes (GB/T 9704-2012 §5.2.1–5.2.4, §7; DOMAIN.md §5).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Geometry {
    pub page_w: f32,
    pub page_h: f32,
    /// 天头 (top margin) 37 mm.
    pub top: f32,
    /// 订口 (binding margin, left) 28 mm.
    pub left: f32,
    /// 版心 156 mm × 225 mm.
    pub block_w: f32,
    pub block_h: f32,
    /// 22 lines × 28 characters per page.
    pub lines: usize,
    pub chars: usize,
    /// 3号 = 16 pt body.
    pub body_size: f32,
    /// 2号 = 22 pt title.
    pub title_size: f32,
    /// 4号 = 14 pt page numbers, 7 mm below the text block (§7.5).
    pub page_number_size: f32,
    pub page_number_gap: f32,
}

impl Default for Geometry {
    fn default() -> Self {
        Geometry {
            page_w: 210.0 * MM,
            page_h: 297.0 * MM,
            top: 37.0 * MM,
            left: 28.0 * MM,
            block_w: 156.0 * MM,
            block_h: 225.0 * MM,
            lines: 22,
            chars: 28,
            body_size: 16.0,
            title_size: 22.0,
            page_number_size: 14.0,
            page_number_gap: 7.0 * MM,
        }
    }
}

impl Geometry {
    /// Height of one grid line (225 mm / 22).
    pub fn pitch(&self) -> f32 {
        self.block_h / self.lines as f32
    }
    /// Advance of one full-width character on the grid (156 mm / 28).
    pub fn char_pitch(&self) -> f32 {
        self.block_w / self.chars as f32
    }
}

/// A font role at a size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Style {
    pub role: FontRole,
    pub size: f32,
    /// Snap full-width characters to the 28-character grid (body text); tables and notes do not.
    pub grid: bool,
}

impl Style {
    pub const fn new(role: FontRole, size: f32) -> Style {
        Style {
            role,
            size,
            grid: false,
        }
    }
    pub const fn body() -> Style {
        Style {
            role: FontRole::FangSong,
            size: 16.0,
            grid: true,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Left, every line but the last stretched to the full width.
    Justify,
    Left,
    Center,
    Right,
}

/// A block of content, in reading order.
#[derive(Debug, Clone)]
pub enum Block {
    /// Centred title lines (2号 小标宋); long titles wrap into balanced lines.
    Title(String),
    /// A paragraph. `indent` is the first-line indent in characters (2 for body text, §7.3.5).
    Para {
        text: String,
        style: Style,
        align: Align,
        indent: f32,
        leading: f32,
    },
    /// Empty vertical space, in grid lines.
    Space(f32),
    Table(Table),
    /// 发文机关署名 centred over the date, the date right-aligned four characters from the right
    /// (GB/T 9704 §7.3.5.1); kept on the page of the last line of text before it.
    Signature {
        names: Vec<String>,
        date: String,
        style: Style,
        gap_lines: f32,
    },
}

impl Block {
    pub fn body(text: impl Into<String>) -> Block {
        Block::Para {
            text: text.into(),
            style: Style::body(),
            align: Align::Justify,
            indent: 2.0,
            leading: 0.0,
        }
    }
    pub fn line(text: impl Into<String>, align: Align) -> Block {
        Block::Para {
            text: text.into(),
            style: Style::body(),
            align,
            indent: 0.0,
            leading: 0.0,
        }
    }
    pub fn heading1(text: impl Into<String>) -> Block {
        Block::Para {
            text: text.into(),
            style: Style {
                role: FontRole::Hei,
                size: 16.0,
                grid: true,
            },
            align: Align::Justify,
            indent: 2.0,
            leading: 0.0,
        }
    }
    pub fn heading2(text: impl Into<String>) -> Block {
        Block::Para {
            text: text.into(),
            style: Style {
                role: FontRole::Kai,
                size: 16.0,
                grid: true,
            },
            align: Align::Justify,
            indent: 2.0,
            leading: 0.0,
        }
    }
}

/// A table: relative column widths, rows of cells with HTML-style colspan/rowspan.
#[derive(Debug, Clone)]
pub struct Table {
    pub columns: Vec<f32>,
    /// The first `header_rows` rows are repeated at the top of every page the table runs onto.
    pub header_rows: usize,
    pub rows: Vec<Row>,
    pub style: Style,
    /// Minimum row height in points.
    pub min_row_height: f32,
}

#[derive(Debug, Clone, Default)]
pub struct Row {
    pub cells: Vec<Cell>,
    /// Keep this row on the page of the next one.
    pub keep_with_next: bool,
}

#[derive(Debug, Clone)]
pub struct Cell {
    pub text: String,
    pub colspan: usize,
    pub rowspan: usize,
    pub align: Align,
    pub style: Option<Style>,
    /// Break lines only at spaces (lists of check boxes: a box stays with its label).
    pub keep_words: bool,
}

impl Cell {
    pub fn new(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            colspan: 1,
            rowspan: 1,
            align: Align::Center,
            style: None,
            keep_words: false,
        }
    }
    pub fn keep_words(mut self) -> Cell {
        self.keep_words = true;
        self
    }
    pub fn left(text: impl Into<String>) -> Cell {
        Cell {
            align: Align::Left,
            ..Cell::new(text)
        }
    }
    pub fn span(mut self, cols: usize, rows: usize) -> Cell {
        self.colspan = cols.max(1);
        self.rowspan = rows.max(1);
        self
    }
    pub fn align(mut self, a: Align) -> Cell {
        self.align = a;
        self
    }
    pub fn style(mut self, s: Style) -> Cell {
        self.style = Some(s);
        self
    }
}

/// An axis-aligned rectangle in page points, y downwards.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BoxRect {
    pub x0: f32,
    pub y0: f32,
    pub x1: f32,
    pub y1: f32,
}

impl BoxRect {
    pub fn contains(&self, other: &BoxRect, eps: f32) -> bool {
        other.x0 >= self.x0 - eps
            && other.x1 <= self.x1 + eps
            && other.y0 >= self.y0 - eps
            && other.y1 <= self.y1 + eps
    }
}

/// One run of glyphs in one face, placed on a page.
#[derive(Debug, Clone)]
pub struct PlacedRun {
    /// 0-based page index.
    pub page: usize,
    /// Face slot in the font set.
    pub face: usize,
    pub size: f32,
    /// Pen position of the first glyph (left edge, baseline).
    pub x: f32,
    pub baseline: f32,
    /// Character spacing Tc applied after every glyph.
    pub tc: f32,
    pub text: String,
    /// Extent of the run's glyph boxes (em box: 0.88 em above, 0.12 em below the baseline).
    pub bounds: BoxRect,
    /// What the run must stay inside: the text block or its table cell.
    pub container: BoxRect,
}

/// A ruled line (table border, underline).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rule {
    pub page: usize,
    pub x0: f32,
    pub y0: f32,
    pub x1: f32,
    pub y1: f32,
    pub width: f32,
}

/// The result of laying out one document.
#[derive(Debug, Clone, Default)]
pub struct Laid {
    pub pages: usize,
    pub runs: Vec<PlacedRun>,
    pub rules: Vec<Rule>,
    /// Characters no font has: reported, never printed as a box.
    pub missing: BTreeSet<char>,
    /// Face slots used, for embedding.
    pub faces: Vec<Arc<Face>>,
}

impl Laid {
    /// Feeds `h` what this document puts on paper: its pages, each run's face (family and
    /// PostScript name), size, position, spacing and text, each rule — nothing of how a PDF
    /// writer encodes it.
    pub fn fingerprint(&self, h: &mut sha2::Sha256) {
        use sha2::Digest;
        h.update((self.pages as u64).to_be_bytes());
        for r in &self.runs {
            h.update([0x1e]);
            h.update((r.page as u64).to_be_bytes());
            match self.faces.iter().find(|f| f.slot == r.face) {
                Some(f) => {
                    h.update(f.family.as_bytes());
                    h.update([0x1f]);
                    h.update(f.postscript_name.as_bytes());
                }
                None => h.update((r.face as u64).to_be_bytes()),
            }
            for v in [r.size, r.x, r.baseline, r.tc] {
                h.update(v.to_bits().to_be_bytes());
            }
            h.update(r.text.as_bytes());
        }
        for r in &self.rules {
            h.update([0x1d]);
            h.update((r.page as u64).to_be_bytes());
            for v in [r.x0, r.y0, r.x1, r.y1, r.width] {
                h.update(v.to_bits().to_be_bytes());
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Shaping: characters to glyphs with per-character font fallback.

#[derive(Clone)]
struct Glyph {
    ch: char,
    face: Option<Arc<Face>>,
    /// Advance in points, including the style's base spacing.
    adv: f32,
    /// The style's base spacing (grid), part of `adv`.
    base: f32,
    /// Second glyph drawn over this one (☑ = □ + ✓).
    overlay: Option<(Arc<Face>, char, f32)>,
}

/// Characters that may not start a line (行首禁则, GB/T 15834 标点符号用法 practice).
pub fn no_line_start(c: char) -> bool {
    matches!(
        c,
        '，' | '。'
            | '、'
            | '；'
            | '：'
            | '？'
            | '！'
            | '）'
            | '］'
            | '｝'
            | '〕'
            | '】'
            | '》'
            | '〉'
            | '」'
            | '』'
            | '”'
            | '’'
            | '…'
            | '·'
            | '・'
            | '％'
            | '‰'
            | '℃'
            | '〗'
            | ','
            | '.'
            | ';'
            | ':'
            | '?'
            | '!'
            | ')'
            | ']'
            | '}'
            | '%'
            | 'ー'
            | '々'
            | '～'
    )
}

/// Characters that may not end a line (行尾禁则).
pub fn no_line_end(c: char) -> bool {
    // A check box never ends a line: it belongs to the label after it (004 附件1).
    matches!(
        c,
        '（' | '［'
            | '｛'
            | '〔'
            | '【'
            | '《'
            | '〈'
            | '「'
            | '『'
            | '“'
            | '‘'
            | '〖'
            | '('
            | '['
            | '{'
            | '¥'
            | '￥'
            | '№'
            | '□'
            | '☑'
    )
}

/// Characters that belong to an unbreakable "word": Latin letters, digits and the punctuation
/// inside numbers and codes (1,234.50; 2026-04-22; 91220101MA...).
fn word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | ',' | '-' | '/' | '_' | '@' | '#' | '+' | '%')
}

/// Pairs that must stay together: the two halves of —— and …… (GB/T 15834 §4.13, §4.11).
fn inseparable(a: char, b: char) -> bool {
    (a == '—' && b == '—') || (a == '…' && b == '…')
}

pub struct Shaper<'a> {
    pub fonts: &'a FontSet,
    pub geometry: Geometry,
    pub missing: BTreeSet<char>,
    pub used: Vec<Arc<Face>>,
}

impl<'a> Shaper<'a> {
    fn note_face(&mut self, f: &Arc<Face>) {
        if !self.used.iter().any(|u| u.slot == f.slot) {
            self.used.push(f.clone());
        }
    }

    fn base_spacing(&self, style: Style) -> f32 {
        if style.grid {
            // Full-width characters advance one grid cell: 156 mm / 28 (§5.2.4), slightly less than 16 pt.
            self.geometry.char_pitch() * style.size / self.geometry.body_size - style.size
        } else {
            0.0
        }
    }

    fn shape(&mut self, text: &str, style: Style) -> Vec<Glyph> {
        let base = self.base_spacing(style);
        let mut out = Vec::with_capacity(text.len() / 2);
        for ch in text.chars() {
            if ch == '\n' || ch == '\r' {
                continue;
            }
            if let Some([a, b]) = composite(ch) {
                let first = self
                    .fonts
                    .lookup(style.role, a)
                    .map(|(f, _, adv)| (f.clone(), adv));
                let second = self
                    .fonts
                    .lookup(style.role, b)
                    .map(|(f, _, adv)| (f.clone(), adv));
                if let (Some((fa, aa)), Some((fb, ab))) = (first, second) {
                    self.note_face(&fa);
                    self.note_face(&fb);
                    let adv = aa * style.size;
                    let adv_b = ab * style.size;
                    out.push(Glyph {
                        ch: a,
                        face: Some(fa),
                        adv: adv + base,
                        base,
                        overlay: Some((fb, b, (adv - adv_b) / 2.0)),
                    });
                } else {
                    self.missing.insert(ch);
                }
                continue;
            }
            match self.fonts.lookup(style.role, ch) {
                Some((face, _gid, adv_em)) => {
                    let face = face.clone();
                    self.note_face(&face);
                    let adv = adv_em * style.size;
                    out.push(Glyph {
                        ch,
                        face: Some(face),
                        adv: adv + base,
                        base,
                        overlay: None,
                    });
                }
                None if ch == '\u{3000}' => out.push(Glyph {
                    ch,
                    face: None,
                    adv: style.size + base,
                    base,
                    overlay: None,
                }),
                None if ch.is_whitespace() => out.push(Glyph {
                    ch,
                    face: None,
                    adv: style.size * 0.3,
                    base: 0.0,
                    overlay: None,
                }),
                None => {
                    // Never printed as a box: reported and left out.
                    self.missing.insert(ch);
                }
            }
        }
        out
    }
}

/// Break shaped glyphs into lines: first line `first_w` wide, the others `w`. Applies the kinsoku
/// rules: no line starts with closing punctuation, none ends with an opening one, numbers and
/// Latin words are not split; a closing mark that just overflows is squeezed into the line.
fn break_lines(
    g: &[Glyph],
    first_w: f32,
    w: f32,
    squeeze: f32,
    keep_words: bool,
) -> Vec<(usize, usize)> {
    let mut lines = Vec::new();
    let mut start = 0;
    let n = g.len();
    let can_break = |i: usize| -> bool {
        // Break between i-1 and i.
        if i == 0 || i >= n {
            return true;
        }
        let (a, b) = (g[i - 1].ch, g[i].ch);
        if keep_words && !(a.is_whitespace() || b.is_whitespace()) {
            return false;
        }
        !(no_line_start(b) || no_line_end(a) || (word_char(a) && word_char(b)) || inseparable(a, b))
    };
    while start < n {
        // Skip spaces at the start of a continuation line.
        if !lines.is_empty() {
            while start < n && (g[start].ch == ' ' || g[start].ch == '\u{3000}') {
                start += 1;
            }
            if start >= n {
                break;
            }
        }
        let width = if lines.is_empty() { first_w } else { w };
        let mut x = 0.0;
        let mut end = start;
        while end < n && x + g[end].adv <= width + 0.01 {
            x += g[end].adv;
            end += 1;
        }
        if end >= n {
            lines.push((start, n));
            break;
        }
        if end == start {
            // Not even one glyph fits (a very narrow cell): take one anyway.
            lines.push((start, start + 1));
            start += 1;
            continue;
        }
        let mut brk = end;
        if !can_break(brk) {
            // Squeeze: pull up to two closing marks into the line when they overflow only a little.
            let mut extra = 0.0;
            let mut e = end;
            while e < n && e < end + 2 && no_line_start(g[e].ch) {
                extra += g[e].adv;
                e += 1;
            }
            if e > end && x + extra <= width + squeeze && can_break(e) {
                brk = e;
            } else {
                // Push back to the last allowed break; failing that (a number or code longer
                // than the line), to the last break that at least keeps the punctuation rules.
                let loose = |i: usize| -> bool {
                    let (a, b) = (g[i - 1].ch, g[i].ch);
                    !(no_line_start(b) || no_line_end(a) || inseparable(a, b))
                };
                brk = (start + 1..=end)
                    .rev()
                    .find(|&b| can_break(b))
                    .or_else(|| (start + 1..=end).rev().find(|&b| loose(b)))
                    .unwrap_or(end);
            }
        }
        lines.push((start, brk));
        start = brk;
    }
    if lines.is_empty() {
        lines.push((0, 0));
    }
    lines
}

// ---------------------------------------------------------------------------------------------
// Items: what the paginator places.

/// A line of glyphs relative to its item: x from the left of the container, baseline from the
/// item's top.
#[derive(Clone)]
struct LineBox {
    glyphs: Vec<Glyph>,
    x: f32,
    baseline: f32,
    size: f32,
    /// Extra spacing between glyphs (justification).
    extra: f32,
}

#[derive(Clone)]
struct CellBox {
    /// Offsets within the row group: x from the table's left, y from the group's top.
    x0: f32,
    y0: f32,
    x1: f32,
    y1: f32,
    lines: Vec<LineBox>,
}

#[derive(Clone)]
enum ItemKind {
    /// Text lines inside the text block, x relative to the block's left.
    Lines(Vec<LineBox>),
    Space,
    /// Rows of a table that must stay together; `table` indexes the table's header list.
    Rows {
        table: usize,
        cells: Vec<CellBox>,
        header: bool,
    },
}

#[derive(Clone)]
struct Item {
    height: f32,
    keep_with_next: bool,
    kind: ItemKind,
    /// A tall table row that may be cut at a line boundary across pages.
    splittable: bool,
}

/// Cut a splittable row item so that its first part is at most `avail` high; `None` when the
/// item may not be cut or too little of it would stay on this page.
fn split_rows(it: &Item, avail: f32, pitch: f32) -> Option<(Item, Item)> {
    if !it.splittable || avail < 1.5 * pitch || avail >= it.height {
        return None;
    }
    let ItemKind::Rows {
        table,
        cells,
        header,
    } = &it.kind
    else {
        return None;
    };
    // Move the cut above any line that would straddle it.
    let end = cells
        .iter()
        .flat_map(|c| c.lines.iter())
        .map(|l| (l.baseline - 0.88 * l.size - 0.5, l.baseline + 0.12 * l.size))
        .filter(|(top, bottom)| *top < avail && *bottom > avail)
        .map(|(top, _)| top)
        .fold(avail, f32::min);
    if end < pitch {
        return None;
    }
    // The continuation gets the cell's top padding again.
    let pad = 0.5 * MM;
    let part = |from: f32, to: f32, shift: f32| -> Vec<CellBox> {
        cells
            .iter()
            .map(|c| CellBox {
                x0: c.x0,
                x1: c.x1,
                y0: 0.0,
                y1: to - from + shift,
                lines: c
                    .lines
                    .iter()
                    .filter(|l| l.baseline >= from && l.baseline < to)
                    .map(|l| LineBox {
                        baseline: l.baseline - from + shift,
                        ..l.clone()
                    })
                    .collect(),
            })
            .collect()
    };
    let first = Item {
        height: end,
        keep_with_next: false,
        kind: ItemKind::Rows {
            table: *table,
            cells: part(0.0, end, 0.0),
            header: *header,
        },
        splittable: false,
    };
    let rest = Item {
        height: it.height - end + pad,
        keep_with_next: it.keep_with_next,
        kind: ItemKind::Rows {
            table: *table,
            cells: part(end, it.height, pad),
            header: *header,
        },
        splittable: true,
    };
    Some((first, rest))
}

/// Vertical position of the baseline inside a line of height `h` for a font of `size`: the
/// ideographic em box (0.88 above, 0.12 below the baseline) centred in the line.
fn baseline_in(h: f32, size: f32) -> f32 {
    h / 2.0 + 0.38 * size
}

pub struct Engine<'a> {
    pub shaper: Shaper<'a>,
    items: Vec<Item>,
    /// Header items per table (repeated on continuation pages).
    headers: Vec<Vec<Item>>,
    /// The last block was a signature: a 附注 after it stays on its page (GB/T 9704 §7.3.6).
    after_signature: bool,
    /// Height of the title lines pushed so far without body text after them.
    title_height: f32,
}

impl<'a> Engine<'a> {
    pub fn new(fonts: &'a FontSet, geometry: Geometry) -> Engine<'a> {
        Engine {
            shaper: Shaper {
                fonts,
                geometry,
                missing: BTreeSet::new(),
                used: Vec::new(),
            },
            items: Vec::new(),
            headers: Vec::new(),
            after_signature: false,
            title_height: 0.0,
        }
    }

    fn g(&self) -> Geometry {
        self.shaper.geometry
    }

    /// Lay out a paragraph into line boxes of `width`; `leading` 0 = the grid pitch.
    #[allow(clippy::too_many_arguments)]
    fn para_lines(
        &mut self,
        text: &str,
        style: Style,
        align: Align,
        indent: f32,
        width: f32,
        leading: f32,
        keep_words: bool,
    ) -> (Vec<LineBox>, f32) {
        let g = self.g();
        let lh = if leading > 0.0 { leading } else { g.pitch() };
        let mut out = Vec::new();
        let indent_w = indent
            * if style.grid {
                g.char_pitch() * style.size / g.body_size
            } else {
                style.size
            };
        let mut first_para = true;
        for piece in text.split('\n') {
            let glyphs = self.shaper.shape(piece, style);
            let first_indent = if first_para || indent > 0.0 {
                indent_w
            } else {
                0.0
            };
            first_para = false;
            let squeeze = style.size * 0.5;
            let breaks = break_lines(&glyphs, width - first_indent, width, squeeze, keep_words);
            let nlines = breaks.len();
            for (li, (s, e)) in breaks.into_iter().enumerate() {
                let mut line: Vec<Glyph> = glyphs[s..e].to_vec();
                // Trailing spaces do not count for justification.
                while line
                    .last()
                    .is_some_and(|g| g.ch == ' ' || g.ch == '\u{3000}')
                {
                    line.pop();
                }
                let x0 = if li == 0 { first_indent } else { 0.0 };
                let avail = width - x0;
                let natural: f32 = line.iter().map(|g| g.adv).sum();
                let last = li + 1 == nlines;
                let (x, extra) = match align {
                    Align::Justify if !last && line.len() > 1 => {
                        (x0, (avail - natural) / (line.len() - 1) as f32)
                    }
                    Align::Center => (x0 + ((avail - natural) / 2.0).max(0.0), 0.0),
                    Align::Right => (x0 + (avail - natural).max(0.0), 0.0),
                    _ => (x0, 0.0),
                };
                // A squeezed line (natural > avail) is compressed the same way.
                let extra = if natural > avail && line.len() > 1 {
                    (avail - natural) / (line.len() - 1) as f32
                } else {
                    extra
                };
                out.push(LineBox {
                    glyphs: line,
                    x,
                    baseline: baseline_in(lh, style.size),
                    size: style.size,
                    extra,
                });
            }
        }
        (out, lh)
    }

    /// Split a title into balanced centred lines (long titles: lines of similar length).
    fn title_lines(&mut self, text: &str) -> Vec<LineBox> {
        let g = self.g();
        let style = Style::new(FontRole::Title, g.title_size);
        let glyphs = self.shaper.shape(text, style);
        let total: f32 = glyphs.iter().map(|g| g.adv).sum();
        let n = (total / g.block_w).ceil().max(1.0);
        // Aim for equal lines, but never wider than the block.
        let target = (total / n + style.size).min(g.block_w);
        let breaks = break_lines(&glyphs, target, target, style.size * 0.5, false);
        let lh = g.pitch() * 1.25;
        breaks
            .into_iter()
            .map(|(s, e)| {
                let line = glyphs[s..e].to_vec();
                let natural: f32 = line.iter().map(|g| g.adv).sum();
                // A closing mark squeezed into a full-width line compresses the line instead of
                // overflowing the block.
                let extra = if natural > g.block_w && line.len() > 1 {
                    (g.block_w - natural) / (line.len() - 1) as f32
                } else {
                    0.0
                };
                LineBox {
                    glyphs: line,
                    x: ((g.block_w - natural) / 2.0).max(0.0),
                    baseline: baseline_in(lh, style.size),
                    size: style.size,
                    extra,
                }
            })
            .collect()
    }

    pub fn push(&mut self, block: &Block) {
        let g = self.g();
        if std::mem::take(&mut self.after_signature) && matches!(block, Block::Para { .. }) {
            if let Some(date) = self.items.last_mut() {
                date.keep_with_next = true;
            }
        }
        // Title lines (2号) are taller than a grid line; the title block as a whole is padded to
        // whole grid lines so that the body below stays on the 22-line grid (§5.2.4).
        let grid_next = matches!(block, Block::Para { style, .. } if style.grid);
        if let Block::Title(_) = block {
        } else if self.title_height > 0.0 && !grid_next {
            self.title_height = 0.0;
        } else if self.title_height > 0.0 {
            let pitch = g.pitch();
            let pad = (self.title_height / pitch - 0.01).ceil() * pitch - self.title_height;
            if let Some(last) = self.items.last_mut() {
                last.height += pad.max(0.0);
            }
            self.title_height = 0.0;
        }
        if matches!(block, Block::Signature { .. }) {
            self.after_signature = true;
        }
        match block {
            Block::Title(t) => {
                let lh = g.pitch() * 1.25;
                let lines = self.title_lines(t);
                for l in lines {
                    self.title_height += lh;
                    self.items.push(Item {
                        height: lh,
                        keep_with_next: true, // a title stays with what follows it
                        kind: ItemKind::Lines(vec![l]),
                        splittable: false,
                    });
                }
            }
            Block::Para {
                text,
                style,
                align,
                indent,
                leading,
            } => {
                let (lines, lh) =
                    self.para_lines(text, *style, *align, *indent, g.block_w, *leading, false);
                let n = lines.len();
                let heading = style.role == FontRole::Hei || style.role == FontRole::Kai;
                for (i, l) in lines.into_iter().enumerate() {
                    // Orphan/widow control for two-line paragraphs; headings stay with what follows.
                    let keep = heading || (n == 2 && i == 0) || (n > 2 && (i == 0 || i + 2 == n));
                    self.items.push(Item {
                        height: lh,
                        keep_with_next: keep,
                        kind: ItemKind::Lines(vec![l]),
                        splittable: false,
                    });
                }
            }
            Block::Space(lines) => {
                self.items.push(Item {
                    height: lines * g.pitch(),
                    keep_with_next: false,
                    kind: ItemKind::Space,
                    splittable: false,
                });
            }
            Block::Table(t) => {
                self.push_table(t);
                // A little air between a table and the text after it (dropped at a page top).
                self.items.push(Item {
                    height: 0.3 * g.pitch(),
                    keep_with_next: false,
                    kind: ItemKind::Space,
                    splittable: false,
                });
            }
            Block::Signature {
                names,
                date,
                style,
                gap_lines,
            } => {
                // The last line before the signature is kept with it (issue: never alone on a page).
                // Two lines of text come along when the block has to move (a clerk would not
                // send a lone line with the seal).
                for last in self
                    .items
                    .iter_mut()
                    .rev()
                    .filter(|i| !matches!(i.kind, ItemKind::Space))
                    .take(2)
                {
                    last.keep_with_next = true;
                }
                if *gap_lines > 0.0 {
                    self.items.push(Item {
                        height: gap_lines * g.pitch(),
                        keep_with_next: true,
                        kind: ItemKind::Space,
                        splittable: false,
                    });
                }
                let cp = g.char_pitch() * style.size / g.body_size;
                let date_glyphs = self.shaper.shape(date, *style);
                let date_w: f32 = date_glyphs.iter().map(|g| g.adv).sum();
                // 成文日期右空四字 (§7.3.5.1).
                let date_x = (g.block_w - 4.0 * cp - date_w).max(0.0);
                let centre = date_x + date_w / 2.0;
                let lh = g.pitch();
                for name in names {
                    let glyphs = self.shaper.shape(name, *style);
                    let w: f32 = glyphs.iter().map(|g| g.adv).sum();
                    // 署名以成文日期为准居中; a long name is moved left but stays in the block,
                    // and one longer than the block wraps into right-aligned lines.
                    let lines = if w <= g.block_w {
                        vec![LineBox {
                            glyphs,
                            x: (centre - w / 2.0).min(g.block_w - w).max(0.0),
                            baseline: baseline_in(lh, style.size),
                            size: style.size,
                            extra: 0.0,
                        }]
                    } else {
                        self.para_lines(name, *style, Align::Right, 0.0, g.block_w, lh, false)
                            .0
                    };
                    for l in lines {
                        self.items.push(Item {
                            height: lh,
                            keep_with_next: true,
                            kind: ItemKind::Lines(vec![l]),
                            splittable: false,
                        });
                    }
                }
                self.items.push(Item {
                    height: lh,
                    keep_with_next: false,
                    kind: ItemKind::Lines(vec![LineBox {
                        glyphs: date_glyphs,
                        x: date_x,
                        baseline: baseline_in(lh, style.size),
                        size: style.size,
                        extra: 0.0,
                    }]),
                    splittable: false,
                });
            }
        }
    }

    fn push_table(&mut self, t: &Table) {
        let g = self.g();
        let total: f32 = t.columns.iter().sum();
        let xs: Vec<f32> = std::iter::once(0.0)
            .chain(t.columns.iter().scan(0.0, |acc, w| {
                *acc += w / total * g.block_w;
                Some(*acc)
            }))
            .collect();
        let ncols = t.columns.len();
        let nrows = t.rows.len();
        // Place cells on the grid (HTML model: skip columns taken by rowspans from above).
        struct Placed {
            row: usize,
            col: usize,
            cell: Cell,
        }
        let mut taken = vec![vec![false; ncols]; nrows];
        let mut placed = Vec::new();
        for (r, row) in t.rows.iter().enumerate() {
            let mut c = 0;
            for cell in &row.cells {
                while c < ncols && taken[r][c] {
                    c += 1;
                }
                if c >= ncols {
                    break;
                }
                let cs = cell.colspan.min(ncols - c);
                let rs = cell.rowspan.min(nrows - r);
                for row in taken.iter_mut().skip(r).take(rs) {
                    for cell in row.iter_mut().skip(c).take(cs) {
                        *cell = true;
                    }
                }
                let mut cell = cell.clone();
                cell.colspan = cs;
                cell.rowspan = rs;
                placed.push(Placed {
                    row: r,
                    col: c,
                    cell,
                });
                c += cs;
            }
        }
        let pad_x = 1.2 * MM;
        let pad_y = 0.5 * MM;
        // Wrap every cell's text.
        let mut wrapped: Vec<(Vec<LineBox>, f32)> = Vec::with_capacity(placed.len());
        for p in &placed {
            let style = p.cell.style.unwrap_or(t.style);
            let w = xs[p.col + p.cell.colspan] - xs[p.col] - 2.0 * pad_x;
            let lh = style.size * 1.25;
            let (lines, _) = self.para_lines(
                &p.cell.text,
                style,
                p.cell.align,
                0.0,
                w.max(1.0),
                lh,
                p.cell.keep_words,
            );
            let h = lines.len() as f32 * lh + 2.0 * pad_y;
            wrapped.push((lines, h));
        }
        // Row heights: single-row cells first, then grow the last row of a span if needed.
        let mut heights = vec![t.min_row_height; nrows];
        for (p, (_, h)) in placed.iter().zip(&wrapped) {
            if p.cell.rowspan == 1 {
                heights[p.row] = heights[p.row].max(*h);
            }
        }
        for (p, (_, h)) in placed.iter().zip(&wrapped) {
            if p.cell.rowspan > 1 {
                let have: f32 = heights[p.row..p.row + p.cell.rowspan].iter().sum();
                if *h > have {
                    heights[p.row + p.cell.rowspan - 1] += h - have;
                }
            }
        }
        // Groups of rows joined by rowspans: never split.
        let mut group_end: Vec<usize> = (0..nrows).map(|r| r + 1).collect();
        for p in &placed {
            let end = p.row + p.cell.rowspan;
            group_end[p.row] = group_end[p.row].max(end);
        }
        let mut groups = Vec::new();
        let mut r = 0;
        while r < nrows {
            let mut end = group_end[r];
            let mut k = r;
            while k < end {
                end = end.max(group_end[k]);
                k += 1;
            }
            // The header rows form one group.
            if r < t.header_rows {
                end = end.max(t.header_rows);
            }
            groups.push((r, end));
            r = end;
        }
        let table_idx = self.headers.len();
        self.headers.push(Vec::new());
        let ys: Vec<f32> = std::iter::once(0.0)
            .chain(heights.iter().scan(0.0, |a, h| {
                *a += h;
                Some(*a)
            }))
            .collect();
        for &(r0, r1) in groups.iter() {
            let header = r0 < t.header_rows;
            let header_h: f32 = self.headers[table_idx].iter().map(|i| i.height).sum();
            // A tall single row (a long text in one cell) may break across pages at a line
            // boundary, like Word's "allow row to break across pages"; its text then starts at
            // the top of the cell. Ordinary rows never break.
            let tall = !header && r1 - r0 == 1 && ys[r1] - ys[r0] > (g.block_h - header_h) / 4.0;
            let mut cells = Vec::new();
            for (p, (lines, h)) in placed.iter().zip(&wrapped) {
                if p.row < r0 || p.row >= r1 {
                    continue;
                }
                let y0 = ys[p.row] - ys[r0];
                let y1 = ys[p.row + p.cell.rowspan] - ys[r0];
                // Centre the text vertically.
                let off = if tall {
                    pad_y
                } else {
                    ((y1 - y0) - h) / 2.0 + pad_y
                };
                let lines = lines
                    .iter()
                    .enumerate()
                    .map(|(i, l)| {
                        let style = p.cell.style.unwrap_or(t.style);
                        let lh = style.size * 1.25;
                        LineBox {
                            x: l.x + pad_x,
                            baseline: off + i as f32 * lh + l.baseline,
                            ..l.clone()
                        }
                    })
                    .collect();
                cells.push(CellBox {
                    x0: xs[p.col],
                    y0,
                    x1: xs[p.col + p.cell.colspan],
                    y1,
                    lines,
                });
            }
            let keep = header || t.rows[r1 - 1].keep_with_next;
            let item = Item {
                height: ys[r1] - ys[r0],
                keep_with_next: keep,
                kind: ItemKind::Rows {
                    table: table_idx,
                    cells,
                    header,
                },
                splittable: tall,
            };
            if header {
                self.headers[table_idx].push(item.clone());
            }
            self.items.push(item);
        }
    }

    /// Paginate and place everything; adds page numbers "— n —".
    pub fn finish(mut self, page_numbers: bool) -> Laid {
        let g = self.g();
        let block = BoxRect {
            x0: g.left,
            y0: g.top,
            x1: g.left + g.block_w,
            y1: g.top + g.block_h,
        };
        let mut laid = Laid::default();
        let mut page = 0usize;
        let mut y = 0.0f32;
        let eps = 0.5;
        let items = std::mem::take(&mut self.items);
        let n = items.len();
        let mut i = 0;
        // Which table is open (its header was placed or its rows started) at the current point.
        let mut open_table: Option<usize> = None;
        while i < n {
            // The chain of items kept together starting at i.
            let mut j = i;
            while j + 1 < n && items[j].keep_with_next {
                j += 1;
            }
            let chain_h: f32 = items[i..=j].iter().map(|it| it.height).sum();
            // A chain that does not fit goes to the next page, unless it is one tall row that
            // can be cut (it then starts here and continues overleaf).
            let cuttable = i == j && items[i].splittable;
            if y > 0.0 && y + chain_h > g.block_h + eps && chain_h <= g.block_h && !cuttable {
                page += 1;
                y = 0.0;
            }
            for it0 in &items[i..=j] {
                if matches!(it0.kind, ItemKind::Space) && y == 0.0 {
                    continue; // no blank lines at the top of a page
                }
                let mut cur = it0.clone();
                // y at which this page's own content starts (after a repeated header).
                let mut page_top = if y == 0.0 { Some(0.0) } else { None };
                loop {
                    // Repeat the header of a table continuing on a new page.
                    if let ItemKind::Rows { table, header, .. } = &cur.kind {
                        if !*header && y == 0.0 && open_table == Some(*table) {
                            let hdrs = self.headers[*table].clone();
                            for h in &hdrs {
                                place(&mut laid, &g, h, page, y, &block);
                                y += h.height;
                            }
                            page_top = Some(y);
                        }
                        open_table = Some(*table);
                    } else {
                        open_table = None;
                    }
                    let at_top = page_top == Some(y);
                    if y + cur.height <= g.block_h + eps {
                        place(&mut laid, &g, &cur, page, y, &block);
                        y += cur.height;
                        break;
                    }
                    if let Some((first, rest)) = split_rows(&cur, g.block_h - y, g.pitch()) {
                        place(&mut laid, &g, &first, page, y, &block);
                        page += 1;
                        y = 0.0;
                        page_top = Some(0.0);
                        cur = rest;
                        continue;
                    }
                    if at_top {
                        // Taller than a page and not cuttable: placed anyway (never lost).
                        place(&mut laid, &g, &cur, page, y, &block);
                        y += cur.height;
                        break;
                    }
                    page += 1;
                    y = 0.0;
                    page_top = Some(0.0);
                }
            }
            i = j + 1;
        }
        laid.pages = page + 1;
        if page_numbers {
            for p in 0..laid.pages {
                let text = format!("— {} —", p + 1);
                let style = Style::new(FontRole::Song, g.page_number_size);
                let glyphs = self.shaper.shape(&text, style);
                let w: f32 = glyphs.iter().map(|g| g.adv).sum();
                let em = g.page_number_size;
                // 单页码居右空一字，双页码居左空一字 (§7.5); 1-based page p+1 odd → right.
                let x = if (p + 1) % 2 == 1 {
                    g.left + g.block_w - em - w
                } else {
                    g.left + em
                };
                // The line of the number sits 7 mm below the text block.
                let top = g.top + g.block_h + g.page_number_gap - 0.5 * em;
                let container = BoxRect {
                    x0: g.left,
                    y0: g.top + g.block_h,
                    x1: g.left + g.block_w,
                    y1: g.top + g.block_h + g.page_number_gap + em,
                };
                let lb = LineBox {
                    glyphs,
                    x: 0.0,
                    baseline: 0.0,
                    size: em,
                    extra: 0.0,
                };
                emit_line(&mut laid, &lb, p, x, top + 0.88 * em, container);
            }
        }
        laid.missing = std::mem::take(&mut self.shaper.missing);
        let mut faces = std::mem::take(&mut self.shaper.used);
        faces.sort_by_key(|f| f.slot);
        laid.faces = faces;
        laid
    }
}

fn place(laid: &mut Laid, g: &Geometry, it: &Item, page: usize, y: f32, block: &BoxRect) {
    match &it.kind {
        ItemKind::Space => {}
        ItemKind::Lines(lines) => {
            for l in lines {
                emit_line(laid, l, page, g.left + l.x, g.top + y + l.baseline, *block);
            }
        }
        ItemKind::Rows { cells, .. } => {
            let w = 0.6;
            for c in cells {
                let (x0, y0, x1, y1) = (
                    g.left + c.x0,
                    g.top + y + c.y0,
                    g.left + c.x1,
                    g.top + y + c.y1,
                );
                // Each cell draws its left and top edge; right and bottom edges when on the
                // table's outer side are drawn too (shared edges once).
                laid.rules.push(Rule {
                    page,
                    x0,
                    y0,
                    x1,
                    y1: y0,
                    width: w,
                });
                laid.rules.push(Rule {
                    page,
                    x0,
                    y0,
                    x1: x0,
                    y1,
                    width: w,
                });
                laid.rules.push(Rule {
                    page,
                    x0: x1,
                    y0,
                    x1,
                    y1,
                    width: w,
                });
                laid.rules.push(Rule {
                    page,
                    x0,
                    y0: y1,
                    x1,
                    y1,
                    width: w,
                });
                let container = BoxRect { x0, y0, x1, y1 };
                for l in &c.lines {
                    emit_line(laid, l, page, x0 + l.x, y0 + l.baseline, container);
                }
            }
        }
    }
}

fn emit_line(laid: &mut Laid, l: &LineBox, page: usize, x: f32, baseline: f32, container: BoxRect) {
    let mut pen = x;
    let mut k = 0;
    let gl = &l.glyphs;
    while k < gl.len() {
        let Some(face) = gl[k].face.clone() else {
            pen += gl[k].adv + l.extra;
            k += 1;
            continue;
        };
        let start_x = pen;
        let mut text = String::new();
        let mut width = 0.0;
        let tc_extra = l.extra;
        let mut m = k;
        let mut overlay = None;
        while m < gl.len() && gl[m].face.as_ref().is_some_and(|f| f.slot == face.slot) {
            text.push(gl[m].ch);
            let last_of_line = m + 1 == gl.len();
            width += gl[m].adv + if last_of_line { 0.0 } else { tc_extra };
            let glyph_x = pen;
            pen += gl[m].adv + tc_extra;
            m += 1;
            if let Some((of, oc, dx)) = &gl[m - 1].overlay {
                // The overlay (✓ of ☑) follows its box in the content stream, so that text
                // extraction reads "□✓label".
                let ox = glyph_x + dx;
                overlay = Some(PlacedRun {
                    page,
                    face: of.slot,
                    size: l.size,
                    x: ox,
                    baseline,
                    tc: 0.0,
                    text: oc.to_string(),
                    bounds: BoxRect {
                        x0: ox,
                        y0: baseline - 0.88 * l.size,
                        x1: ox + gl[m - 1].adv - gl[m - 1].base - 2.0 * dx,
                        y1: baseline + 0.12 * l.size,
                    },
                    container,
                });
                break;
            }
        }
        // The run's own glyph extent excludes the spacing after its last glyph.
        let ink_w = if m == gl.len() {
            width
        } else {
            width - tc_extra
        };
        let tc = gl[k].base + tc_extra;
        laid.runs.push(PlacedRun {
            page,
            face: face.slot,
            size: l.size,
            x: start_x,
            baseline,
            tc,
            text,
            bounds: BoxRect {
                x0: start_x,
                y0: baseline - 0.88 * l.size,
                x1: start_x + ink_w,
                y1: baseline + 0.12 * l.size,
            },
            container,
        });
        if let Some(o) = overlay {
            laid.runs.push(o);
        }
        k = m;
    }
}
