//! Printed documents (文书): the notices, decisions and forms of the recovery procedure, laid out
//! per GB/T 9704-2012 and written as PDF with embedded font subsets.
//!
//! - [`render`]: one document → PDF bytes, page count and the characters no font could print.
//! - [`render_batch`]: many documents → one PDF, with a progress callback.
//! - [`format_document_number`]: 机关代字〔2026〕12号 or 〔2026〕第12号 (style per kind, a setting).
//! - [`check_glyphs`]: the characters that would be missing, to warn before printing.
//!
//! The same inputs give a byte-identical PDF: fixed metadata, fixed font resource names and a
//! document id derived from the content.
//!
//! Wiring: [`warm_up`] at start-up; `sources.rs` builds a [`Document`] from the database,
//! `settings.rs` holds the office's prefixes, number styles, wording and the number sequence,
//! `issue.rs` is the API (preview, issue, reprint, batch). [`check_glyphs`] warns before printing.

pub mod documents;
pub mod fonts;
pub mod issue;
pub mod kinds;
pub mod layout;
pub mod samples;
pub mod settings;
pub mod sources;
pub mod templates;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ts_rs::TS;

use printpdf::{
    Color, FontEmbeddingMode, FontId, Line, LinePoint, Mm, Op, ParsedFont, PdfDocument, PdfFont,
    PdfFontHandle, PdfPage, PdfSaveOptions, Point, PrintpdfFontMeta, Pt, Rgb, TextItem, TextMatrix,
};

pub use documents::*;
pub use fonts::{Face, FontRole, FontSet};
pub use layout::{Geometry, Laid, PlacedRun};
pub use templates::{default_template, DocumentKind, Templates};

use crate::error::ApiError;

/// 〔2026〕12号 or 〔2026〕第12号 (DOMAIN.md §5: a setting per document kind).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
pub enum NumberStyle {
    #[default]
    Plain,
    /// With 第 before the sequence, as some enforcement documents use.
    Di,
}

crate::labels!(NumberStyle { Plain => "〔年份〕12号", Di => "〔年份〕第12号" });

/// Format a document number: prefix (机关代字), year in 六角括号, sequence without leading zeros.
pub fn format_document_number(
    prefix: &str,
    year: i32,
    seq: u32,
    style: NumberStyle,
) -> Result<String, ApiError> {
    let prefix = prefix.trim();
    if prefix.is_empty() {
        return Err(ApiError::field("prefix", "发文机关代字不能为空"));
    }
    if prefix.contains(['〔', '〕', '[', ']', '(', ')', '（', '）']) {
        return Err(ApiError::field(
            "prefix",
            "发文机关代字不应包含括号，年份的六角括号〔〕由系统添加",
        ));
    }
    if !(1949..=9999).contains(&year) {
        return Err(ApiError::field("year", "年份应为四位数字"));
    }
    if seq == 0 {
        return Err(ApiError::field("seq", "序号从1开始"));
    }
    Ok(match style {
        NumberStyle::Plain => format!("{prefix}〔{year}〕{seq}号"),
        NumberStyle::Di => format!("{prefix}〔{year}〕第{seq}号"),
    })
}

/// What to do with characters that no installed font has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
pub enum MissingGlyphs {
    /// Refuse to print and list the characters (default: nothing is printed as a box).
    #[default]
    Refuse,
    /// Print without them and report them in [`RenderedPdf::missing_glyphs`] (the user was
    /// warned by [`check_glyphs`] and chose to go on).
    Omit,
}

#[derive(Debug, Clone, Default)]
pub struct RenderOptions {
    pub templates: Templates,
    pub missing_glyphs: MissingGlyphs,
    /// Printing on both sides: in a batch, a notice with an odd number of pages is followed by a
    /// blank page so that the next notice starts on a front side.
    pub duplex: bool,
}

#[derive(Debug, Clone)]
pub struct RenderedPdf {
    pub bytes: Vec<u8>,
    /// The paper as laid out — every run of text with its face, size and position, every rule —
    /// hashed (sha256, hex): the same for the same paper whatever the PDF writer does with fonts
    /// and streams (`issue::reproduce` accepts an archived document on it).
    pub content: String,
    pub pages: usize,
    /// Characters left out because no font has them (empty unless `MissingGlyphs::Omit`).
    pub missing_glyphs: Vec<char>,
}

fn fonts_or_err() -> Result<&'static FontSet, ApiError> {
    let set = FontSet::global();
    if set.is_empty() {
        return Err(ApiError::internal(
            "未找到可用的中文字体。请安装仿宋、宋体等字体，或安装 fonts-noto-cjk、fonts-lxgw-wenkai 字体包",
        ));
    }
    Ok(set)
}

/// Find and load the fonts of the common roles (body, title, page numbers) in a background
/// thread, so that the first print does not wait for them (call once at start-up).
pub fn warm_up() -> std::thread::JoinHandle<()> {
    std::thread::spawn(|| {
        let set = FontSet::global();
        for role in [FontRole::FangSong, FontRole::Title, FontRole::Song] {
            let _ = set.lookup(role, '医');
        }
    })
}

/// Lay out one document (no PDF): the placed runs, rules, page count and missing characters.
pub fn layout_document(doc: &Document, opts: &RenderOptions) -> Result<Laid, ApiError> {
    layout_with(fonts_or_err()?, doc, opts)
}

pub fn layout_with(
    fonts: &FontSet,
    doc: &Document,
    opts: &RenderOptions,
) -> Result<Laid, ApiError> {
    let built = documents::build(doc, &opts.templates)?;
    let mut engine = layout::Engine::new(fonts, Geometry::default());
    for b in &built.blocks {
        engine.push(b);
    }
    let laid = engine.finish(true);
    if !built.always_number_pages && laid.pages == 1 {
        // A one-page form carries no page number: lay out again without it.
        let mut engine = layout::Engine::new(fonts, Geometry::default());
        for b in &built.blocks {
            engine.push(b);
        }
        return Ok(engine.finish(false));
    }
    Ok(laid)
}

/// The characters of this document that no font can print (to warn the user before printing).
pub fn check_glyphs(doc: &Document, opts: &RenderOptions) -> Result<Vec<char>, ApiError> {
    Ok(layout_document(doc, opts)?.missing.into_iter().collect())
}

fn missing_error(chars: &[char]) -> ApiError {
    let list: String = chars
        .iter()
        .map(|c| format!("“{c}”(U+{:04X})", *c as u32))
        .collect::<Vec<_>>()
        .join("、");
    ApiError::validation(format!("以下字符在已安装的字体中都没有字形，无法打印：{list}。请改用常用字，或安装包含这些字的字体后再打印"))
}

/// Render one document to PDF.
pub fn render(doc: &Document, opts: &RenderOptions) -> Result<RenderedPdf, ApiError> {
    render_batch(std::slice::from_ref(doc), opts, &mut |_, _| Ok(()))
}

/// Render many documents into one PDF (each with its own page numbering). `progress(done, total)`
/// is called after each document is laid out and once more when the file is written; an error
/// from it (a cancelled job) stops the batch.
pub fn render_batch(
    docs: &[Document],
    opts: &RenderOptions,
    progress: &mut dyn FnMut(usize, usize) -> Result<(), ApiError>,
) -> Result<RenderedPdf, ApiError> {
    if docs.is_empty() {
        return Err(ApiError::validation("没有要打印的文书"));
    }
    let fonts = fonts_or_err()?;
    let total = docs.len();
    let mut laid_all = Vec::with_capacity(total);
    for (i, d) in docs.iter().enumerate() {
        let laid = layout_with(fonts, d, opts).map_err(|e| {
            if total > 1 {
                ApiError {
                    message: format!("第{}份文书（{}）：{}", i + 1, d.title(), e.message),
                    ..e
                }
            } else {
                e
            }
        })?;
        laid_all.push(laid);
        progress(i + 1, total + 1)?;
    }
    let mut missing: Vec<char> = laid_all
        .iter()
        .flat_map(|l| l.missing.iter().copied())
        .collect();
    missing.sort();
    missing.dedup();
    if !missing.is_empty() && opts.missing_glyphs == MissingGlyphs::Refuse {
        return Err(missing_error(&missing));
    }
    let title = if total == 1 {
        docs[0].title()
    } else {
        format!("文书批量打印（{total}份）")
    };
    let (bytes, pages) = write_pdf(
        &laid_all,
        &title,
        opts.duplex && total > 1,
        Geometry::default(),
    )?;
    progress(total + 1, total + 1)?;
    Ok(RenderedPdf {
        bytes,
        content: content_hash(&laid_all),
        pages,
        missing_glyphs: missing,
    })
}

/// The hash of what the documents put on paper (see [`RenderedPdf::content`]).
fn content_hash(laid: &[Laid]) -> String {
    let mut h = Sha256::new();
    for l in laid {
        l.fingerprint(&mut h);
    }
    hex::encode(h.finalize())
}

/// PDF resource name of a face slot: six capital letters, also used as the subset tag.
fn font_tag(slot: usize) -> String {
    let mut s = String::from("RCP");
    let mut n = slot;
    let mut tail = [b'A'; 3];
    for t in tail.iter_mut().rev() {
        *t = b'A' + (n % 26) as u8;
        n /= 26;
    }
    s.push_str(std::str::from_utf8(&tail).unwrap());
    s
}

/// zlib level of the embedded font programs, most of a notice's bytes: CFF outlines barely
/// compress (a notice's body face: 49 KB → 41 KB at level 1, 40.5 KB at 6 for three times the
/// time), and a new cut is what a clerk's next notice to another party waits for.
const FONT_LEVEL: u8 = 1;
/// zlib level of the page contents and ToUnicode maps: a few KB, compressed in microseconds.
const CONTENT_LEVEL: u8 = 6;

/// Lay out blocks on a page of their own geometry (a report on landscape A4) and write the PDF,
/// without page numbers on a single page. Characters no font has are refused, as for notices.
pub fn render_blocks(
    blocks: &[layout::Block],
    g: Geometry,
    title: &str,
) -> Result<RenderedPdf, ApiError> {
    let fonts = fonts_or_err()?;
    let lay = |numbers: bool| {
        let mut engine = layout::Engine::new(fonts, g);
        for b in blocks {
            engine.push(b);
        }
        engine.finish(numbers)
    };
    let mut laid = lay(true);
    if laid.pages == 1 {
        laid = lay(false);
    }
    let missing: Vec<char> = laid.missing.iter().copied().collect();
    if !missing.is_empty() {
        return Err(missing_error(&missing));
    }
    let content = content_hash(std::slice::from_ref(&laid));
    let (bytes, pages) = write_pdf(&[laid], title, false, g)?;
    Ok(RenderedPdf {
        bytes,
        content,
        pages,
        missing_glyphs: Vec::new(),
    })
}

fn write_pdf(
    laid: &[Laid],
    title: &str,
    duplex: bool,
    g: Geometry,
) -> Result<(Vec<u8>, usize), ApiError> {
    let (page_w, page_h) = (Mm(g.page_w / layout::MM), Mm(g.page_h / layout::MM));
    let mut doc = PdfDocument::new(title);
    // Fixed metadata (issue: the same inputs give a byte-identical PDF).
    let epoch = printpdf::OffsetDateTime::from_unix_timestamp(946_684_800).expect("fixed date");
    doc.metadata.info.creation_date = epoch;
    doc.metadata.info.modification_date = epoch;
    doc.metadata.info.metadata_date = epoch;
    doc.metadata.info.producer = "Recoup".to_string();
    doc.metadata.info.creator = "Recoup".to_string();
    // Each face is handed to printpdf already cut to the glyphs of these documents (see
    // `fonts::Face::cut`), so printpdf parses and embeds a ~50 KB font, never a 26 MB face.
    let mut uses: BTreeMap<usize, (&Arc<Face>, BTreeMap<char, u16>)> = BTreeMap::new();
    for l in laid {
        for f in &l.faces {
            uses.entry(f.slot).or_insert_with(|| (f, BTreeMap::new()));
        }
        for r in &l.runs {
            let (face, chars) = uses.get_mut(&r.face).expect("the face of a run is listed");
            for ch in r.text.chars() {
                if !chars.contains_key(&ch) {
                    if let Some(g) = face.glyph(ch) {
                        chars.insert(ch, g);
                    }
                }
            }
        }
    }
    for (slot, (face, chars)) in &uses {
        let chars: Vec<(char, u16)> = chars.iter().map(|(c, g)| (*c, *g)).collect();
        let mut font = cut_cached(face, chars)?;
        // Already cut: printpdf embeds it as it is (no second subsetting), under the subset tag.
        font.font_name = Some(format!("{}+{}", font_tag(*slot), face.postscript_name));
        let meta = PrintpdfFontMeta {
            embedding_mode: FontEmbeddingMode::Full,
            requires_subsetting: false,
            ..Default::default()
        };
        doc.resources
            .fonts
            .map
            .insert(FontId(font_tag(*slot)), PdfFont::with_meta(font, meta));
    }
    let mut pages = Vec::new();
    for l in laid {
        let mut per_page: Vec<Vec<Op>> = vec![Vec::new(); l.pages];
        // Rules first (table borders), deduplicated: shared cell edges are drawn once.
        let mut seen = std::collections::BTreeSet::new();
        for r in &l.rules {
            let key = (
                r.page,
                (r.x0 * 10.0).round() as i64,
                (r.y0 * 10.0).round() as i64,
                (r.x1 * 10.0).round() as i64,
                (r.y1 * 10.0).round() as i64,
            );
            if !seen.insert(key) {
                continue;
            }
            let ops = &mut per_page[r.page];
            if ops.is_empty() {
                ops.push(Op::SetOutlineColor {
                    col: Color::Rgb(Rgb {
                        r: 0.0,
                        g: 0.0,
                        b: 0.0,
                        icc_profile: None,
                    }),
                });
                ops.push(Op::SetOutlineThickness { pt: Pt(r.width) });
            }
            ops.push(Op::DrawLine {
                line: Line {
                    points: vec![
                        LinePoint {
                            p: Point {
                                x: Pt(r.x0),
                                y: Pt(g.page_h - r.y0),
                            },
                            bezier: false,
                        },
                        LinePoint {
                            p: Point {
                                x: Pt(r.x1),
                                y: Pt(g.page_h - r.y1),
                            },
                            bezier: false,
                        },
                    ],
                    is_closed: false,
                },
            });
        }
        let mut state: Vec<(Option<usize>, f32, f32)> = vec![(None, 0.0, f32::NAN); l.pages];
        for ops in per_page.iter_mut() {
            ops.push(Op::StartTextSection);
        }
        for run in &l.runs {
            let ops = &mut per_page[run.page];
            let st = &mut state[run.page];
            if st.0 != Some(run.face) || st.1 != run.size {
                ops.push(Op::SetFont {
                    font: PdfFontHandle::External(FontId(font_tag(run.face))),
                    size: Pt(run.size),
                });
                st.0 = Some(run.face);
                st.1 = run.size;
            }
            // Round to 1/1000 pt so that the stream does not carry float noise.
            let tc = (run.tc * 1000.0).round() / 1000.0;
            if st.2 != tc {
                ops.push(Op::SetCharacterSpacing { multiplier: tc });
                st.2 = tc;
            }
            ops.push(Op::SetTextMatrix {
                matrix: TextMatrix::Translate(
                    Pt(round3(run.x)),
                    Pt(round3(g.page_h - run.baseline)),
                ),
            });
            ops.push(Op::ShowText {
                items: vec![TextItem::Text(run.text.clone())],
            });
        }
        for ops in per_page.iter_mut() {
            ops.push(Op::EndTextSection);
        }
        for ops in per_page {
            pages.push(PdfPage::new(page_w, page_h, ops));
        }
        if duplex && l.pages % 2 == 1 {
            pages.push(PdfPage::new(page_w, page_h, Vec::new()));
        }
    }
    let npages = pages.len();
    doc.pages = pages;
    // Streams are compressed here rather than by printpdf (which uses zlib's slowest level):
    // the fastest level costs ~5 % of size (67 KB instead of 64 KB for a two-page notice) and
    // saves a third of the time (issue: ≤ 10 ms warm, ≤ 80 KB).
    let opts = PdfSaveOptions {
        optimize: false,
        subset_fonts: true,
        secure: true,
        image_optimization: None,
    };
    let mut warnings = Vec::new();
    let mut lo = doc.to_lopdf_document(&opts, &mut warnings);
    drop_unused_resources(&mut lo);
    let mut hasher = Sha256::new();
    for (id, obj) in lo.objects.iter_mut() {
        if let lopdf::Object::Stream(stream) = obj {
            hasher.update(id.0.to_be_bytes());
            if !stream.allows_compression || stream.dict.get(b"Filter").is_ok() {
                hasher.update(&stream.content);
                continue;
            }
            let font_program = stream.dict.get(b"Length1").is_ok()
                || stream
                    .dict
                    .get(b"Subtype")
                    .is_ok_and(|t| matches!(t.as_name(), Ok(b"CIDFontType0C") | Ok(b"OpenType")));
            if font_program {
                // The same cut gives the same program: compressed (and digested) once.
                let packed = packed_program(&stream.content);
                if let Some(z) = &packed.compressed {
                    stream.dict.set("Filter", "FlateDecode");
                    stream.set_content(z.clone());
                }
                hasher.update(packed.digest);
            } else {
                let z = deflate(&stream.content, CONTENT_LEVEL);
                if z.len() + 19 < stream.content.len() {
                    stream.dict.set("Filter", "FlateDecode");
                    stream.set_content(z);
                }
                hasher.update(&stream.content);
            }
        }
    }
    // printpdf writes a random /ID; the same inputs must give the same bytes, so the id is a
    // digest of the document's streams.
    let digest = hasher.finalize();
    let hex: String = digest.iter().map(|b| format!("{b:02X}")).collect();
    lo.trailer.set(
        "ID",
        lopdf::Object::Array(vec![
            lopdf::Object::String(
                hex.as_bytes()[..32].to_vec(),
                lopdf::StringFormat::Hexadecimal,
            ),
            lopdf::Object::String(
                hex.as_bytes()[32..].to_vec(),
                lopdf::StringFormat::Hexadecimal,
            ),
        ]),
    );
    let mut bytes = Vec::new();
    lo.save_to(&mut bytes)
        .expect("writing a PDF to memory cannot fail");
    Ok((bytes, npages))
}

/// What printpdf leaves on every page that a notice never uses: empty XObject, ExtGState and
/// Shading dictionaries (each its own object, referenced from a resource dictionary of its own
/// per page), an empty /Annots array, and TrimBox and CropBox equal to the MediaBox. All pages
/// share one resource dictionary holding the fonts. Nothing drawn changes.
fn drop_unused_resources(lo: &mut lopdf::Document) {
    use lopdf::Object;
    let empty = |lo: &lopdf::Document, o: &Object| -> bool {
        match o {
            Object::Reference(r) => lo
                .objects
                .get(r)
                .and_then(|o| o.as_dict().ok())
                .is_some_and(|d| d.is_empty()),
            Object::Dictionary(d) => d.is_empty(),
            _ => false,
        }
    };
    let pages: Vec<lopdf::ObjectId> = lo.get_pages().into_values().collect();
    let mut shared: Option<Object> = None;
    let mut gone: std::collections::BTreeSet<lopdf::ObjectId> = Default::default();
    for id in pages {
        let Some(Object::Dictionary(page)) = lo.objects.get(&id) else {
            continue;
        };
        let mut page = page.clone();
        let media = page.get(b"MediaBox").ok().cloned();
        for key in [&b"TrimBox"[..], b"CropBox"] {
            if media.is_some() && page.get(key).ok() == media.as_ref() {
                page.remove(key);
            }
        }
        if page
            .get(b"Annots")
            .and_then(Object::as_array)
            .is_ok_and(|a| a.is_empty())
        {
            page.remove(b"Annots");
        }
        if let Ok(Object::Reference(rid)) = page.get(b"Resources").cloned() {
            if let Some(Object::Dictionary(res)) = lo.objects.get(&rid) {
                let mut res = res.clone();
                for key in [&b"XObject"[..], b"ExtGState", b"Shading"] {
                    if let Ok(o) = res.get(key) {
                        if empty(lo, o) {
                            if let Object::Reference(r) = o {
                                gone.insert(*r);
                            }
                            res.remove(key);
                        }
                    }
                }
                let res = Object::Dictionary(res);
                match &shared {
                    Some(Object::Reference(sid)) if lo.objects.get(sid) == Some(&res) => {
                        gone.insert(rid);
                        page.set("Resources", Object::Reference(*sid));
                    }
                    _ => {
                        lo.objects.insert(rid, res);
                        shared = Some(Object::Reference(rid));
                    }
                }
            }
        }
        lo.objects.insert(id, Object::Dictionary(page));
    }
    for id in gone {
        lo.objects.remove(&id);
    }
}

thread_local! {
    /// One compressor per thread, reset for every stream: a fresh one allocates and clears some
    /// 300 KB of tables, more than compressing a page's content costs.
    static COMPRESSOR: std::cell::RefCell<Option<Box<miniz_oxide::deflate::core::CompressorOxide>>> =
        const { std::cell::RefCell::new(None) };
}

/// zlib (FlateDecode) at `level`, by miniz_oxide whatever flate2 backend is built in. The
/// compressor is reset before each stream, so the bytes depend only on the input and the level.
fn deflate(mut input: &[u8], level: u8) -> Vec<u8> {
    use miniz_oxide::deflate::core::{compress, CompressorOxide, TDEFLFlush, TDEFLStatus};
    COMPRESSOR.with(|cell| {
        let mut cell = cell.borrow_mut();
        let c = cell.get_or_insert_with(|| Box::new(CompressorOxide::default()));
        c.reset();
        c.set_format_and_level(miniz_oxide::DataFormat::Zlib, level);
        let mut out = vec![0; (input.len() / 2).max(64)];
        let mut pos = 0;
        loop {
            let (status, read, written) = compress(c, input, &mut out[pos..], TDEFLFlush::Finish);
            pos += written;
            match status {
                TDEFLStatus::Done => {
                    out.truncate(pos);
                    return out;
                }
                TDEFLStatus::Okay => {
                    input = &input[read..];
                    if out.len() - pos < 64 {
                        out.resize(out.len() * 2, 0);
                    }
                }
                _ => unreachable!("deflate into memory cannot fail"),
            }
        }
    })
}

/// A font program as written: its compressed bytes (None when compressing does not shrink it)
/// and the digest that stands for it in the document id.
struct Packed {
    raw: Vec<u8>,
    compressed: Option<Vec<u8>>,
    digest: [u8; 32],
}

/// The last few font programs, compressed: the cut cache below hands printpdf the same font
/// again, and printpdf writes the same program again.
static PACKED: Mutex<Vec<Arc<Packed>>> = Mutex::new(Vec::new());

fn packed_program(raw: &[u8]) -> Arc<Packed> {
    {
        let mut cache = PACKED.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(i) = cache.iter().position(|p| p.raw == raw) {
            let hit = cache.remove(i);
            cache.push(hit.clone());
            return hit;
        }
    }
    let z = deflate(raw, FONT_LEVEL);
    let compressed = (z.len() + 19 < raw.len()).then_some(z);
    let digest = Sha256::digest(compressed.as_deref().unwrap_or(raw)).into();
    let packed = Arc::new(Packed {
        raw: raw.to_vec(),
        compressed,
        digest,
    });
    let mut cache = PACKED.lock().unwrap_or_else(|e| e.into_inner());
    if cache.len() >= CUTS_KEPT {
        cache.remove(0);
    }
    cache.push(packed.clone());
    packed
}

/// A face cut to a document's characters, parsed by printpdf (its glyph widths decoded once).
type CutKey = (std::path::PathBuf, usize, Vec<(char, u16)>);

/// The last few cuts, by face and characters: previewing, issuing and printing a notice use the
/// same characters three times, and the next notice of a kind mostly the same ones (the title's
/// face keeps its cut whatever the body says). Cutting a CJK face reads its whole subroutine
/// index, so a cut costs milliseconds and a hit nothing.
static CUTS: Mutex<Vec<(CutKey, ParsedFont)>> = Mutex::new(Vec::new());
const CUTS_KEPT: usize = 8;

fn cut_cached(face: &Face, chars: Vec<(char, u16)>) -> Result<ParsedFont, ApiError> {
    let key: CutKey = (face.path.clone(), face.index, chars);
    {
        let mut cache = CUTS.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(i) = cache.iter().position(|(k, _)| *k == key) {
            let hit = cache.remove(i);
            let font = hit.1.clone();
            cache.push(hit);
            return Ok(font);
        }
    }
    let failed = || {
        ApiError::internal(format!(
            "无法嵌入字体“{}”（{}），请改用其他字体",
            face.family,
            face.path.display()
        ))
    };
    let bytes = face.cut(&key.2).ok_or_else(failed)?;
    let mut warnings = Vec::new();
    let font = ParsedFont::from_bytes(&bytes, 0, &mut warnings).ok_or_else(failed)?;
    let mut cache = CUTS.lock().unwrap_or_else(|e| e.into_inner());
    if cache.len() >= CUTS_KEPT {
        cache.remove(0);
    }
    cache.push((key, font.clone()));
    Ok(font)
}

fn round3(v: f32) -> f32 {
    (v * 1000.0).round() / 1000.0
}
