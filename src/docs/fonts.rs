//! Fonts for printed notices: discovery of the system's 仿宋 / 宋体 / 黑体 / 楷体 / 方正小标宋 on
//! Windows and Linux, open fallbacks (Noto Serif CJK SC, Noto Sans CJK SC, LXGW WenKai), per-character
//! fallback and the report of characters that no font has.
//!
//! GB/T 9704-2012 §7 (DOMAIN.md §5): body 仿宋, title 小标宋, 一、 headings 黑体, （一） headings 楷体,
//! page numbers 宋体. Windows fonts are licensed with Windows: used from the system, never shipped.
//! Open fonts come from the Debian packages `fonts-noto-cjk` and `fonts-lxgw-wenkai` (SIL OFL 1.1).
//!
//! Faces are parsed once per process (lazily: a face is read from disk the first time a character
//! needs it) and shared by every render. Noto CJK `.ttc` collections hold JP, KR, SC, TC, HK faces:
//! the face is chosen by its family name, not by a hard-coded index (PLATFORM.md).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock, RwLock};

use printpdf::ParsedFont;

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

/// One loaded font face.
pub struct Face {
    /// Stable index of the face in the font set (also its PDF resource name).
    pub slot: usize,
    pub path: PathBuf,
    pub index: usize,
    pub family: String,
    pub parsed: ParsedFont,
    units_per_em: f32,
}

impl Face {
    /// Glyph id of `ch`, if the face has a real glyph for it (gid 0 is .notdef: a box).
    pub fn glyph(&self, ch: char) -> Option<u16> {
        self.parsed
            .lookup_glyph_index(ch as u32)
            .filter(|g| *g != 0)
    }
    /// Advance of glyph `gid` in em (1.0 = the font size).
    pub fn advance_em(&self, gid: u16) -> f32 {
        self.parsed.get_horizontal_advance(gid) as f32 / self.units_per_em
    }
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
    /// `Some(full)`: this slot is the common-character cut of the face in slot `full`.
    common_of: Option<usize>,
    loaded: OnceLock<Option<Arc<Face>>>,
}

/// GB 2312 (6,763 hanzi, punctuation, symbols) plus ASCII and the marks the notices use. A CJK
/// font is cut down to these once per process: subsetting the cut per notice is about ten times
/// cheaper than subsetting a 65,000-glyph face, and the rest of the face stays reachable through
/// per-character fallback to the full face.
const COMMON_CHARS: &str = include_str!("common_chars.txt");

/// Faces larger than this are cut to [`COMMON_CHARS`] (CJK fonts; Latin fonts are far smaller).
const CUT_ABOVE_BYTES: u64 = 4 << 20;

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
                    common_of: None,
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
        // Put the common-character cut of every big face in front of the face itself.
        let mut cut_of: HashMap<usize, usize> = HashMap::new();
        let n = slots.len();
        for full in 0..n {
            let big = std::fs::metadata(&slots[full].path)
                .map(|m| m.len() > CUT_ABOVE_BYTES)
                .unwrap_or(false);
            if big {
                let s = &slots[full];
                let cut = Slot {
                    path: s.path.clone(),
                    family_hint: s.family_hint,
                    common_of: Some(full),
                    loaded: OnceLock::new(),
                };
                slots.push(cut);
                cut_of.insert(full, slots.len() - 1);
            }
        }
        let expand = |chain: &[usize]| -> Vec<usize> {
            chain
                .iter()
                .flat_map(|s| {
                    cut_of
                        .get(s)
                        .copied()
                        .into_iter()
                        .chain(std::iter::once(*s))
                })
                .collect()
        };
        let chains = chains.into_iter().map(|(r, c)| (r, expand(&c))).collect();
        let last_resort = expand(&last_resort);
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
            .get_or_init(|| match s.common_of {
                None => load_face(slot, &s.path, s.family_hint).map(Arc::new),
                Some(full) => self
                    .face(full)
                    .and_then(|f| cut_face(slot, f))
                    .map(Arc::new),
            })
            .as_ref()
    }

    /// The face, glyph and advance (em) that print `ch` in `role`, cached.
    pub fn lookup(&self, role: FontRole, ch: char) -> Option<(&Arc<Face>, u16, f32)> {
        if let Some(hit) = self.cache.read().expect("font cache").get(&(role, ch)) {
            return hit
                .map(|(slot, g, adv)| (self.face(slot).expect("cached face is loaded"), g, adv));
        }
        let found = self.resolve(role, ch).map(|(f, g)| (f, g, f.advance_em(g)));
        self.cache
            .write()
            .expect("font cache")
            .insert((role, ch), found.map(|(f, g, a)| (f.slot, g, a)));
        found
    }

    /// The face that prints `ch` in `role`: the role's chain first, then any other face.
    pub fn resolve(&self, role: FontRole, ch: char) -> Option<(&Arc<Face>, u16)> {
        let chain = &self.chains[&role];
        for &slot in chain.iter().chain(self.last_resort.iter()) {
            if let Some(face) = self.face(slot) {
                if let Some(g) = face.glyph(ch) {
                    return Some((face, g));
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

/// The common-character cut of a loaded face (see [`COMMON_CHARS`]).
fn cut_face(slot: usize, full: &Face) -> Option<Face> {
    let mut glyphs = std::collections::BTreeMap::new();
    for ch in COMMON_CHARS.chars() {
        if let Some(g) = full.glyph(ch) {
            glyphs.entry(g).or_insert_with(|| ch.to_string());
        }
    }
    let cut = printpdf::subset_font(&full.parsed, &glyphs).ok()?;
    let mut warnings = Vec::new();
    let parsed = ParsedFont::from_bytes(&cut.bytes, 0, &mut warnings)?;
    // The cut must map every common character to a glyph with the full face's advance;
    // otherwise use the full face alone.
    for ch in COMMON_CHARS.chars().step_by(97) {
        if let Some(g) = full.glyph(ch) {
            let cg = parsed.lookup_glyph_index(ch as u32).filter(|g| *g != 0)?;
            if parsed.get_horizontal_advance(cg) as f32
                / parsed.pdf_font_metrics.units_per_em.max(1) as f32
                != full.advance_em(g)
            {
                return None;
            }
        }
    }
    let units_per_em = parsed.pdf_font_metrics.units_per_em.max(1) as f32;
    Some(Face {
        slot,
        path: full.path.clone(),
        index: 0,
        family: full.family.clone(),
        parsed,
        units_per_em,
    })
}

fn load_face(slot: usize, path: &Path, family_hint: &str) -> Option<Face> {
    let bytes = std::fs::read(path).ok()?;
    let faces = sfnt_faces(&bytes);
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
    let mut warnings = Vec::new();
    let parsed = ParsedFont::from_bytes(&bytes, index, &mut warnings)?;
    drop(bytes);
    let units_per_em = parsed.pdf_font_metrics.units_per_em.max(1) as f32;
    Some(Face {
        slot,
        path: path.to_path_buf(),
        index,
        family,
        parsed,
        units_per_em,
    })
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
