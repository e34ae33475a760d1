//! The dependency order of the core (ARCHITECTURE.md, "Layers"): a module may use only the modules
//! listed before it, so there is no cycle and nothing climbs back up. Reads every `crate::<module>`
//! path in `src/` (imports and inline paths alike).

use std::path::Path;

/// Bottom first. `labels!`/`labeled_by!` are macros of `vocab`, exported at the crate root.
const ORDER: &[&str] = &[
    "error", "files", "jobs", "money", "ids", "calendar", "vocab", "store", "office", "registry",
    "cases", "ledger", "docs", "reports", "exchange", "api", "serve",
];

fn rank(module: &str) -> Option<usize> {
    let module = match module {
        "labels" | "labeled_by" => "vocab",
        m => m,
    };
    ORDER.iter().position(|m| *m == module)
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The modules a source text names as `crate::<module>` (also inside `use crate::{a, b}`).
fn used_modules(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(i) = rest.find("crate::") {
            let after = &rest[i + "crate::".len()..];
            if let Some(group) = after.strip_prefix('{') {
                let inner = group.split('}').next().unwrap_or("");
                for part in inner.split(',') {
                    let name: String = part
                        .trim()
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    if !name.is_empty() {
                        out.push(name);
                    }
                }
            } else {
                let name: String = after
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    out.push(name);
                }
            }
            rest = after;
        }
    }
    out
}

#[test]
fn no_module_imports_one_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut violations = Vec::new();
    for file in &files {
        let rel = file.strip_prefix(&src).unwrap();
        let top = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let module = top.trim_end_matches(".rs");
        if matches!(module, "lib" | "main" | "bin") {
            continue; // the crate root and the binaries sit above everything
        }
        let own = rank(module).unwrap_or_else(|| {
            panic!("src/{module} is not in the layer order: add it to ORDER and ARCHITECTURE.md")
        });
        let text = std::fs::read_to_string(file).unwrap();
        for used in used_modules(&text) {
            // The crate root's re-exports (`crate::Money`) are for the hosts; inside the core a
            // path names its module, so that the order can be read from it.
            let Some(r) = rank(&used) else {
                violations.push(format!(
                    "src/{} uses crate::{used}, which is no module in ORDER",
                    rel.display()
                ));
                continue;
            };
            if r > own {
                violations.push(format!("src/{} uses crate::{used}", rel.display()));
            }
        }
    }
    assert!(
        violations.is_empty(),
        "modules importing one above them (order: {}):\n{}",
        ORDER.join(" → "),
        violations.join("\n")
    );
}

#[test]
fn the_checker_sees_grouped_and_inline_paths() {
    let found = used_modules(
        "use crate::{cases, ledger::x};\nlet a = crate::docs::render(); // crate::api",
    );
    assert_eq!(found, ["cases", "ledger", "docs"]);
}
