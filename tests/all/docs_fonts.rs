//! Font discovery: the SC face of a Noto CJK collection is chosen by name, roles fall back along
//! their chains, characters fall back one by one, and no font at all is an error, not boxes.

use std::path::PathBuf;

use recoup::docs::fonts::{sfnt_faces, FontRole, FontSet};

const NOTO: &str = "/usr/share/fonts/opentype/noto";

#[test]
fn collection_face_is_chosen_by_family_name() {
    let bytes = std::fs::read(format!("{NOTO}/NotoSerifCJK-Regular.ttc"))
        .expect("fonts-noto-cjk installed");
    let faces = sfnt_faces(&bytes);
    assert!(faces.len() >= 5, "{faces:?}");
    let sc = faces
        .iter()
        .position(|f| f.iter().any(|n| n == "Noto Serif CJK SC"))
        .expect("SC face");
    // The SC face is not the first one: a fixed index 0 would print Japanese glyph forms.
    assert_ne!(sc, 0);

    let set = FontSet::discover(&[PathBuf::from(NOTO)]);
    let body = set.primary(FontRole::FangSong).unwrap();
    assert_eq!(body.family, "Noto Serif CJK SC");
    let hei = set.primary(FontRole::Hei).unwrap();
    assert_eq!(hei.family, "Noto Sans CJK SC");
}

#[test]
fn roles_fall_back_along_their_chain() {
    // Only Noto installed: 楷体 (no simkai, no LXGW WenKai) falls back to the serif.
    let set = FontSet::discover(&[PathBuf::from(NOTO)]);
    assert_eq!(
        set.primary(FontRole::Kai).unwrap().family,
        "Noto Serif CJK SC"
    );
    // With LXGW WenKai installed, 楷体 uses it.
    let set = FontSet::discover(&[
        PathBuf::from(NOTO),
        PathBuf::from("/usr/share/fonts/truetype/lxgw-wenkai"),
    ]);
    assert_eq!(set.primary(FontRole::Kai).unwrap().family, "LXGW WenKai");
}

#[test]
fn characters_fall_back_one_by_one() {
    let set = FontSet::discover(&[PathBuf::from(NOTO)]);
    // 医 (GB 2312) and 䶮 (CJK Ext. A) both come from the full SC face: there is no cut-down copy
    // of the face whose gaps would send rare characters elsewhere.
    let (common, g1, adv) = set.lookup(FontRole::FangSong, '医').unwrap();
    let (rare, g2, _) = set.lookup(FontRole::FangSong, '䶮').unwrap();
    assert_eq!(common.slot, rare.slot);
    assert_eq!(rare.family, "Noto Serif CJK SC");
    assert!(g1 != 0 && g2 != 0 && g1 != g2);
    assert_eq!(adv, 1.0, "ideographs advance one em");
    // 黑体 has its own face (the sans), whatever face the body uses.
    let (hei, _, _) = set.lookup(FontRole::Hei, '医').unwrap();
    assert_eq!(hei.family, "Noto Sans CJK SC");
    assert!(set.lookup(FontRole::FangSong, '\u{10FFFD}').is_none());
}

#[test]
fn no_fonts_at_all_is_detected() {
    let dir = tempfile::tempdir().unwrap();
    let set = FontSet::discover(&[dir.path().to_path_buf()]);
    assert!(set.is_empty());
    assert!(set.lookup(FontRole::FangSong, '医').is_none());
}
