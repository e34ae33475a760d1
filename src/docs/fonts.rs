//! Fonts for printed notices: discovery of the system's 仿宋 / 宋体 / 黑体 / 楷体 / 方正小标宋 on
//! Windows and Linux, open fallbacks (Noto Serif CJK SC, Noto Sans CJK SC, LXGW WenKai), per-character
//! fallback and the report of characters that no font has.
//!
//! GB/T 9704-2012 §7 (DOMAIN.md §5): body 仿宋, title 小标宋, 一、 headings 黑体, （一） headings 楷体,
//! page numbers 宋体. Windows fonts are licensed with Windows: used from the system, never shipped.
//! Open fonts come from the Debian packages `fonts-noto-cjk` and `fonts-lxgw-wenkai` (SIL OFL 1.1).
//!
//! Font files are memory-mapped once per process (lazily: the first time a character needs the
//! face) and shared by every render: only the pages a lookup or a subset touches are read, so the
//! first notice does not wait for 26 MB Noto collections to be read, and memory stays small.
//! Glyph lookups and advances use `ttf-parser`; the glyphs a document uses are cut out of the full
//! face per document by `subsetter` (the subsetter of Typst, [`Face::cut`]), and `mod.rs` hands
//! that small font to printpdf, which parses and embeds it (no 26 MB face is ever parsed whole).
//! Noto CJK `.ttc` collections hold JP, KR, SC, TC, HK faces: the face is chosen by its family
//! name, not by a hard-coded index (PLATFORM.md).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock, RwLock};

use memmap2::Mmap;

/// The typographic role of a piece of text; each role has its own chain of faces.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum FontRole {
    /// 仿宋: body text (GB/T 9704 §7.3.5).
    FangSong,
    /// 宋体: page numbers (§7.5), table text where the office wants it.
    Song,
    /// 黑体: first-level headings 一、 (§7.3.3).
    Hei,
    /// 楷体: second-level headings （一） (§7.3.3).
    Kai,
    /// 小标宋: the title (§7.3.1).
    Title,
}

impl FontRole {
    pub const ALL: [FontRole; 5] = [
        FontRole::FangSong,
        FontRole::Song,
        FontRole::Hei,
        FontRole::Kai,
        FontRole::Title,
    ];

    pub fn label(self) -> &'static str {
        match self {
            FontRole::FangSong => "仿宋",
            FontRole::Song => "宋体",
            FontRole::Hei => "黑体",
            FontRole::Kai => "楷体",
            FontRole::Title => "小标宋",
        }
    }
}

/// One loaded font face: the mapped file, and the names and tables its lookups and cuts need.
pub struct Face {
    /// Stable index of the face in the font set (also its PDF resource name).
    pub slot: usize,
    pub path: PathBuf,
    pub index: usize,
    pub family: String,
    /// PostScript name (the PDF's BaseFont after the subset tag).
    pub postscript_name: String,
    /// The whole font file (a collection for `.ttc`), mapped read-only.
    data: Mmap,
    /// Byte ranges of the tables that lookups need, so that a lookup parses nothing else.
    tables: RawTables,
    units_per_em: f32,
}

type Range = std::ops::Range<usize>;

#[derive(Default)]
struct RawTables {
    head: Range,
    hhea: Range,
    maxp: Range,
    cmap: Option<Range>,
    hmtx: Option<Range>,
    /// Copied into each cut: printpdf's font descriptor reads the cap height and weight from it.
    os2: Option<Range>,
}

impl Face {
    /// The `ttf-parser` view of the lookup tables (costs a few table-header reads).
    fn parsed(&self) -> Option<ttf_parser::Face<'_>> {
        let d = &self.data[..];
        let t = &self.tables;
        ttf_parser::Face::from_raw_tables(ttf_parser::RawFaceTables {
            head: d.get(t.head.clone())?,
            hhea: d.get(t.hhea.clone())?,
            maxp: d.get(t.maxp.clone())?,
            cmap: t.cmap.clone().and_then(|r| d.get(r)),
            hmtx: t.hmtx.clone().and_then(|r| d.get(r)),
            ..Default::default()
        })
        .ok()
    }
    /// Glyph id of `ch`, if the face has a real glyph for it (gid 0 is .notdef: a box).
    pub fn glyph(&self, ch: char) -> Option<u16> {
        self.parsed()?
            .glyph_index(ch)
            .map(|g| g.0)
            .filter(|g| *g != 0)
    }
    /// Advance of glyph `gid` in em (1.0 = the font size).
    pub fn advance_em(&self, gid: u16) -> f32 {
        self.parsed()
            .and_then(|f| f.glyph_hor_advance(ttf_parser::GlyphId(gid)))
            .unwrap_or(0) as f32
            / self.units_per_em
    }
    /// The glyph and its advance (em) of `ch`, with one parse.
    fn glyph_and_advance(&self, ch: char) -> Option<(u16, f32)> {
        let f = self.parsed()?;
        let g = f.glyph_index(ch).filter(|g| g.0 != 0)?;
        let adv = f.glyph_hor_advance(g).unwrap_or(0) as f32 / self.units_per_em;
        Some((g.0, adv))
    }
    /// This face cut down to `chars` (each character with its glyph id in this face), as a font
    /// file that printpdf parses and embeds as it is: the glyphs are cut by `subsetter` (Typst's
    /// subsetter; new glyph ids 1..n in the order of the old ones, CFF made CID-keyed with
    /// CID = glyph id), and a `cmap` from each character to its new glyph and the face's `OS/2`
    /// are added (the subsetter leaves both out; printpdf maps text through the cmap and writes
    /// its ToUnicode map from it). Sizes: a notice's ~350 glyphs of a 65,000-glyph Noto face make
    /// a ~50 KB font instead of 26 MB to parse.
    pub fn cut(&self, chars: &[(char, u16)]) -> Option<Vec<u8>> {
        let mut gids: Vec<u16> = chars.iter().map(|c| c.1).collect();
        gids.sort_unstable();
        gids.dedup();
        let mut remap = subsetter::GlyphRemapper::new();
        for g in &gids {
            remap.remap(*g);
        }
        let program = subsetter::subset(&self.data, self.index as u32, &remap).ok()?;
        let mut map: Vec<(u32, u16)> = chars
            .iter()
            .filter_map(|(c, g)| Some((*c as u32, remap.get(*g)?)))
            .collect();
        map.sort_unstable();
        let cmap = cmap_format12(&map);
        let mut extra: Vec<([u8; 4], &[u8])> = vec![(*b"cmap", &cmap)];
        if let Some(os2) = self.tables.os2.clone().and_then(|r| self.data.get(r)) {
            extra.push((*b"OS/2", os2));
        }
        with_tables(&program, &extra)
    }
}

/// A `cmap` table with one Windows UCS-4 subtable (format 12) mapping `map` (code point, glyph),
/// sorted by code point.
fn cmap_format12(map: &[(u32, u16)]) -> Vec<u8> {
    // (first code point, last code point, glyph of the first): runs of consecutive code points
    // on consecutive glyphs share a group.
    let mut groups: Vec<(u32, u32, u32)> = Vec::new();
    for &(c, g) in map {
        let g = g as u32;
        match groups.last_mut() {
            Some((first, last, g0)) if c == *last + 1 && g == *g0 + (c - *first) => *last = c,
            _ => groups.push((c, c, g)),
        }
    }
    let mut out = Vec::with_capacity(28 + 12 * groups.len());
    for v in [0u16, 1, 3, 10] {
        out.extend_from_slice(&v.to_be_bytes());
    }
    out.extend_from_slice(&12u32.to_be_bytes());
    out.extend_from_slice(&12u16.to_be_bytes());
    out.extend_from_slice(&0u16.to_be_bytes());
    out.extend_from_slice(&(16 + 12 * groups.len() as u32).to_be_bytes());
    out.extend_from_slice(&0u32.to_be_bytes());
    out.extend_from_slice(&(groups.len() as u32).to_be_bytes());
    for (start, end, g) in groups {
        for v in [start, end, g] {
            out.extend_from_slice(&v.to_be_bytes());
        }
    }
    out
}

impl std::fmt::Debug for Face {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Face({} #{} {:?})", self.family, self.index, self.path)
    }
}

/// A face that may be loaded: a file on disk plus the family name to pick inside a collection.
struct Slot {
    path: PathBuf,
    /// Substring of the family name that selects the face inside a `.ttc`; empty = face 0.
    family_hint: &'static str,
    loaded: OnceLock<Option<Arc<Face>>>,
}

/// A well-known font file: its file names on Windows and Linux and, for collections, the family.
struct Known {
    files: &'static [&'static str],
    family_hint: &'static str,
}

// Windows ships simfang/simsun/simhei/simkai; offices add 方正小标宋 (PLATFORM.md "Fonts").
const FZ_XIAOBIAOSONG: Known = Known {
    files: &[
        "fzxbsjw.ttf",
        "fzxbsjw--gb1-0.ttf",
        "方正小标宋简体.ttf",
        "方正小标宋_gbk.ttf",
        "fzxbsk.ttf",
        "fzxiaobiaosong-b05s.ttf",
    ],
    family_hint: "",
};
const SIMFANG: Known = Known {
    files: &[
        "simfang.ttf",
        "fangsong.ttf",
        "仿宋_gb2312.ttf",
        "fangsong_gb2312.ttf",
        "fs_gb2312.ttf",
        "方正仿宋_gbk.ttf",
        "fzfsk.ttf",
    ],
    family_hint: "",
};
const SIMSUN: Known = Known {
    files: &["simsun.ttc", "simsun.ttf"],
    family_hint: "SimSun",
};
const SIMHEI: Known = Known {
    files: &["simhei.ttf", "方正黑体_gbk.ttf", "fzhtk.ttf"],
    family_hint: "",
};
const SIMKAI: Known = Known {
    files: &[
        "simkai.ttf",
        "楷体_gb2312.ttf",
        "kaiti_gb2312.ttf",
        "kaiti.ttf",
        "方正楷体_gbk.ttf",
        "fzktk.ttf",
    ],
    family_hint: "",
};
// Open fallbacks (fonts-noto-cjk, fonts-lxgw-wenkai, fonts-wqy-microhei); also the per-language
// `.otf` names of the upstream releases, which some distributions install instead of the `.ttc`.
const NOTO_SERIF_BOLD: Known = Known {
    files: &[
        "notoserifcjk-black.ttc",
        "notoserifcjk-bold.ttc",
        "notoserifcjksc-bold.otf",
        "notoserifsc-bold.otf",
    ],
    family_hint: "Noto Serif CJK SC",
};
const NOTO_SERIF: Known = Known {
    files: &[
        "notoserifcjk-regular.ttc",
        "notoserifcjksc-regular.otf",
        "notoserifsc-regular.otf",
    ],
    family_hint: "Noto Serif CJK SC",
};
const NOTO_SANS: Known = Known {
    files: &[
        "notosanscjk-regular.ttc",
        "notosanscjksc-regular.otf",
        "notosanssc-regular.otf",
    ],
    family_hint: "Noto Sans CJK SC",
};
const WENKAI: Known = Known {
    files: &["lxgwwenkai-regular.ttf"],
    family_hint: "",
};
const WQY: Known = Known {
    files: &["wqy-microhei.ttc"],
    family_hint: "WenQuanYi Micro Hei",
};
const DROID: Known = Known {
    files: &["droidsansfallbackfull.ttf", "droidsansfallback.ttf"],
    family_hint: "",
};

/// Which faces serve a role, best first (DOMAIN.md §5; issue: system fonts first, then open ones).
fn chain_for(role: FontRole) -> &'static [&'static Known] {
    match role {
        FontRole::Title => &[&FZ_XIAOBIAOSONG, &NOTO_SERIF_BOLD, &SIMSUN, &NOTO_SERIF],
        // No open 仿宋 exists in the registries (PLATFORM.md): a 宋体-like serif stands in.
        FontRole::FangSong => &[&SIMFANG, &SIMSUN, &NOTO_SERIF],
        FontRole::Song => &[&SIMSUN, &NOTO_SERIF],
        FontRole::Hei => &[&SIMHEI, &NOTO_SANS, &WQY],
        FontRole::Kai => &[&SIMKAI, &WENKAI, &SIMSUN, &NOTO_SERIF],
    }
}

/// Last-resort faces for characters that the role's own chain lacks (per-character fallback).
const LAST_RESORT: &[&Known] = &[&NOTO_SERIF, &SIMSUN, &NOTO_SANS, &WENKAI, &WQY, &DROID];

/// Where each platform keeps fonts. `RECOUP_FONT_DIR` (path list) comes first so an office can
/// drop a licensed 方正小标宋 next to the program without installing it.
pub fn font_dirs() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(extra) = std::env::var_os("RECOUP_FONT_DIR") {
        dirs.extend(std::env::split_paths(&extra));
    }
    if cfg!(windows) {
        let windir = std::env::var_os("WINDIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(r"C:\Windows"));
        dirs.push(windir.join("Fonts"));
        if let Some(local) = std::env::var_os("LOCALAPPDATA") {
            dirs.push(PathBuf::from(local).join(r"Microsoft\Windows\Fonts"));
        }
    } else {
        if let Some(home) = std::env::var_os("HOME") {
            let home = PathBuf::from(home);
            dirs.push(home.join(".local/share/fonts"));
            dirs.push(home.join(".fonts"));
        }
        dirs.push(PathBuf::from("/usr/local/share/fonts"));
        dirs.push(PathBuf::from("/usr/share/fonts"));
        // Windows fonts copied onto a Linux desktop (UOS / Kylin users often do).
        dirs.push(PathBuf::from("/usr/share/fonts/windows"));
    }
    dirs
}

/// Every font file under `dirs`, by lower-case file name (first found wins).
fn index_files(dirs: &[PathBuf]) -> HashMap<String, PathBuf> {
    fn walk(dir: &Path, depth: usize, out: &mut HashMap<String, PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                if depth < 5 {
                    walk(&p, depth + 1, out);
                }
            } else if let Some(name) = p.file_name().and_then(|n| n.to_str()) {
                let lower = name.to_lowercase();
                if lower.ends_with(".ttf") || lower.ends_with(".ttc") || lower.ends_with(".otf") {
                    out.entry(lower).or_insert(p);
                }
            }
        }
    }
    let mut out = HashMap::new();
    for d in dirs {
        walk(d, 0, &mut out);
    }
    out
}

/// The fonts available to this process: lazily loaded faces and the chain of faces per role.
pub struct FontSet {
    slots: Vec<Slot>,
    chains: HashMap<FontRole, Vec<usize>>,
    last_resort: Vec<usize>,
    /// (role, char) → (slot, glyph id, advance in em): the cmap and hmtx lookups are the hot
    /// path of layout, so each pair is resolved once per process.
    cache: RwLock<HashMap<(FontRole, char), Option<Resolved>>>,
}

/// A resolved character: face slot, glyph id, advance in em.
type Resolved = (usize, u16, f32);

impl FontSet {
    /// Discover fonts in `dirs`.
    pub fn discover(dirs: &[PathBuf]) -> FontSet {
        let files = index_files(dirs);
        let mut slots: Vec<Slot> = Vec::new();
        let mut by_known: HashMap<*const Known, Option<usize>> = HashMap::new();
        let mut slot_of = |k: &'static Known, slots: &mut Vec<Slot>| -> Option<usize> {
            *by_known.entry(k as *const Known).or_insert_with(|| {
                let path = k.files.iter().find_map(|f| files.get(*f))?;
                slots.push(Slot {
                    path: path.clone(),
                    family_hint: k.family_hint,
                    loaded: OnceLock::new(),
                });
                Some(slots.len() - 1)
            })
        };
        let mut chains = HashMap::new();
        for role in FontRole::ALL {
            let chain: Vec<usize> = chain_for(role)
                .iter()
                .filter_map(|k| slot_of(k, &mut slots))
                .collect();
            chains.insert(role, chain);
        }
        let last_resort: Vec<usize> = LAST_RESORT
            .iter()
            .filter_map(|k| slot_of(k, &mut slots))
            .collect();
        FontSet {
            slots,
            chains,
            last_resort,
            cache: RwLock::new(HashMap::new()),
        }
    }

    /// The process-wide font set (system directories), discovered and cached on first use.
    pub fn global() -> &'static FontSet {
        static SET: OnceLock<FontSet> = OnceLock::new();
        SET.get_or_init(|| FontSet::discover(&font_dirs()))
    }

    fn face(&self, slot: usize) -> Option<&Arc<Face>> {
        let s = &self.slots[slot];
        s.loaded
            .get_or_init(|| load_face(slot, &s.path, s.family_hint).map(Arc::new))
            .as_ref()
    }

    /// The face, glyph and advance (em) that print `ch` in `role`, cached.
    pub fn lookup(&self, role: FontRole, ch: char) -> Option<(&Arc<Face>, u16, f32)> {
        if let Some(hit) = self.cache.read().expect("font cache").get(&(role, ch)) {
            return hit
                .map(|(slot, g, adv)| (self.face(slot).expect("cached face is loaded"), g, adv));
        }
        let found = self.resolve_with_advance(role, ch);
        self.cache
            .write()
            .expect("font cache")
            .insert((role, ch), found.map(|(f, g, a)| (f.slot, g, a)));
        found
    }

    /// The face that prints `ch` in `role`: the role's chain first, then any other face.
    pub fn resolve(&self, role: FontRole, ch: char) -> Option<(&Arc<Face>, u16)> {
        self.resolve_with_advance(role, ch).map(|(f, g, _)| (f, g))
    }

    fn resolve_with_advance(&self, role: FontRole, ch: char) -> Option<(&Arc<Face>, u16, f32)> {
        let chain = &self.chains[&role];
        for &slot in chain.iter().chain(self.last_resort.iter()) {
            if let Some(face) = self.face(slot) {
                if let Some((g, adv)) = face.glyph_and_advance(ch) {
                    return Some((face, g, adv));
                }
            }
        }
        None
    }

    /// The primary face of a role (used for metrics of empty lines), if any font exists at all.
    pub fn primary(&self, role: FontRole) -> Option<&Arc<Face>> {
        self.chains[&role]
            .iter()
            .chain(self.last_resort.iter())
            .find_map(|&s| self.face(s))
    }

    /// What serves each role, for the settings screen and for the benchmark report.
    pub fn describe(&self) -> Vec<(FontRole, String)> {
        FontRole::ALL
            .iter()
            .map(|&r| {
                let name = match self.primary(r) {
                    Some(f) => format!("{} ({})", f.family, f.path.display()),
                    None => "（无可用字体）".to_string(),
                };
                (r, name)
            })
            .collect()
    }

    /// True when no CJK font at all was found: nothing can be printed.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }
}

fn load_face(slot: usize, path: &Path, family_hint: &str) -> Option<Face> {
    let file = std::fs::File::open(path).ok()?;
    // SAFETY: the map is read-only and font files are not rewritten while the program runs
    // (system font folders, or RECOUP_FONT_DIR); a file truncated under the map would fault,
    // the assumption every program that maps its fonts makes.
    let data = unsafe { Mmap::map(&file) }.ok()?;
    let faces = sfnt_faces(&data);
    let index = if family_hint.is_empty() {
        0
    } else {
        faces
            .iter()
            .position(|names| names.iter().any(|n| n == family_hint))
            .or_else(|| {
                faces
                    .iter()
                    .position(|names| names.iter().any(|n| n.contains(family_hint)))
            })
            .unwrap_or(0)
    };
    let family = faces
        .get(index)
        .and_then(|n| n.first().cloned())
        .unwrap_or_default();
    let raw = ttf_parser::RawFace::parse(&data, index as u32).ok()?;
    let base = data.as_ptr() as usize;
    let range = |tag: &[u8; 4]| -> Option<Range> {
        let t = raw.table(ttf_parser::Tag::from_bytes(tag))?;
        let start = t.as_ptr() as usize - base;
        Some(start..start + t.len())
    };
    let tables = RawTables {
        head: range(b"head")?,
        hhea: range(b"hhea")?,
        maxp: range(b"maxp")?,
        cmap: range(b"cmap"),
        hmtx: range(b"hmtx"),
        os2: range(b"OS/2"),
    };
    // The PostScript name, without parsing the outlines.
    let table = |tag: &[u8; 4]| raw.table(ttf_parser::Tag::from_bytes(tag));
    let full = ttf_parser::Face::from_raw_tables(ttf_parser::RawFaceTables {
        head: table(b"head")?,
        hhea: table(b"hhea")?,
        maxp: table(b"maxp")?,
        name: table(b"name"),
        ..Default::default()
    })
    .ok()?;
    let upem = full.units_per_em().max(1) as f32;
    let postscript_name = full
        .names()
        .into_iter()
        .filter(|n| n.name_id == ttf_parser::name_id::POST_SCRIPT_NAME)
        .find_map(|n| n.to_string())
        .unwrap_or_else(|| family.replace(' ', ""))
        .chars()
        .filter(|c| c.is_ascii_graphic() && !"()<>[]{}/%#".contains(*c))
        .collect();
    let face = Face {
        slot,
        path: path.to_path_buf(),
        index,
        family,
        postscript_name,
        units_per_em: upem,
        tables,
        data,
    };
    Some(face)
}

/// The font file `font` with the tables `extra` added (an sfnt's table directory is rewritten,
/// tables sorted by tag, checksums and the head's checksum adjustment recomputed).
fn with_tables(font: &[u8], extra: &[([u8; 4], &[u8])]) -> Option<Vec<u8>> {
    let be16 = |o: usize| -> Option<usize> {
        font.get(o..o + 2)
            .map(|b| u16::from_be_bytes([b[0], b[1]]) as usize)
    };
    let be32 = |o: usize| -> Option<usize> {
        font.get(o..o + 4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)
    };
    let mut tables: Vec<([u8; 4], &[u8])> = Vec::new();
    for i in 0..be16(4)? {
        let rec = 12 + 16 * i;
        let tag: [u8; 4] = font.get(rec..rec + 4)?.try_into().ok()?;
        let (off, len) = (be32(rec + 8)?, be32(rec + 12)?);
        if !extra.iter().any(|(t, _)| *t == tag) {
            tables.push((tag, font.get(off..off + len)?));
        }
    }
    tables.extend_from_slice(extra);
    tables.sort_by_key(|t| t.0);
    let checksum = |data: &[u8]| -> u32 {
        data.chunks(4).fold(0u32, |sum, c| {
            let mut b = [0u8; 4];
            b[..c.len()].copy_from_slice(c);
            sum.wrapping_add(u32::from_be_bytes(b))
        })
    };
    let n = tables.len();
    let selector = (usize::BITS - 1 - n.leading_zeros()) as u16;
    let range = (1u16 << selector) * 16;
    let mut out =
        Vec::with_capacity(12 + 16 * n + tables.iter().map(|t| t.1.len() + 3).sum::<usize>());
    out.extend_from_slice(&font[0..4]);
    for v in [n as u16, range, selector, n as u16 * 16 - range] {
        out.extend_from_slice(&v.to_be_bytes());
    }
    let mut offset = 12 + 16 * n;
    let mut head_at = None;
    for (tag, data) in &tables {
        let sum = if tag == b"head" && data.len() >= 12 {
            head_at = Some(offset);
            // The checksum adjustment (bytes 8..12) counts as zero.
            let mut h = data.to_vec();
            h[8..12].fill(0);
            checksum(&h)
        } else {
            checksum(data)
        };
        out.extend_from_slice(tag);
        out.extend_from_slice(&sum.to_be_bytes());
        out.extend_from_slice(&(offset as u32).to_be_bytes());
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        offset += data.len().next_multiple_of(4);
    }
    for (_, data) in &tables {
        out.extend_from_slice(data);
        out.resize(out.len().next_multiple_of(4), 0);
    }
    if let Some(h) = head_at {
        out[h + 8..h + 12].fill(0);
        let adjust = 0xB1B0_AFBAu32.wrapping_sub(checksum(&out));
        out[h + 8..h + 12].copy_from_slice(&adjust.to_be_bytes());
    }
    Some(out)
}

/// Family names (name ids 1 and 16) of every face in a font file or collection, read straight
/// from the `name` table so that choosing a `.ttc` face costs no full parse.
pub fn sfnt_faces(bytes: &[u8]) -> Vec<Vec<String>> {
    let be16 = |o: usize| -> Option<usize> {
        bytes
            .get(o..o + 2)
            .map(|b| u16::from_be_bytes([b[0], b[1]]) as usize)
    };
    let be32 = |o: usize| -> Option<usize> {
        bytes
            .get(o..o + 4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)
    };
    let offsets: Vec<usize> = if bytes.get(0..4) == Some(b"ttcf") {
        let n = be32(8).unwrap_or(0).min(64);
        (0..n).filter_map(|i| be32(12 + 4 * i)).collect()
    } else {
        vec![0]
    };
    offsets
        .into_iter()
        .map(|off| {
            let mut names = Vec::new();
            let num_tables = be16(off + 4).unwrap_or(0);
            for t in 0..num_tables {
                let rec = off + 12 + 16 * t;
                if bytes.get(rec..rec + 4) != Some(b"name") {
                    continue;
                }
                let Some(table) = be32(rec + 8) else { break };
                let count = be16(table + 2).unwrap_or(0);
                let storage = table + be16(table + 4).unwrap_or(0);
                for r in 0..count {
                    let nr = table + 6 + 12 * r;
                    let (Some(platform), Some(name_id), Some(len), Some(noff)) =
                        (be16(nr), be16(nr + 6), be16(nr + 8), be16(nr + 10))
                    else {
                        break;
                    };
                    if name_id != 1 && name_id != 16 {
                        continue;
                    }
                    let Some(raw) = bytes.get(storage + noff..storage + noff + len) else {
                        continue;
                    };
                    let s = if platform == 3 || platform == 0 {
                        let units: Vec<u16> = raw
                            .chunks_exact(2)
                            .map(|c| u16::from_be_bytes([c[0], c[1]]))
                            .collect();
                        String::from_utf16_lossy(&units)
                    } else {
                        raw.iter().map(|&b| b as char).collect()
                    };
                    if !s.is_empty() && !names.contains(&s) {
                        names.push(s);
                    }
                }
                break;
            }
            names
        })
        .collect()
}

/// Characters drawn by overlaying two glyphs: a checked box is □ with ✓ over it, because few
/// fonts have ☑ (004 附件1 check boxes).
pub fn composite(ch: char) -> Option<[char; 2]> {
    match ch {
        '☑' => Some(['□', '✓']),
        _ => None,
    }
}
