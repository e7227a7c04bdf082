//! Embeds every `patterns/**/*.toml` file as the built-in pattern set, with the gates and heads
//! of its regexes (see `src/patterns/gate.rs`) worked out here rather than at every start-up.

#[allow(dead_code)]
#[path = "src/normalize.rs"]
mod normalize;

#[allow(dead_code)]
#[path = "src/patterns/gate.rs"]
mod gate;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "toml")
            && path != dir.join("model.toml").as_path()
        {
            // `patterns/model.toml` is the line model (src/model), not a pattern file.
            out.push(path);
        }
    }
}

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let dir = root.join("patterns");
    println!("cargo:rerun-if-changed=patterns");
    println!("cargo:rerun-if-changed=src/normalize.rs");
    println!("cargo:rerun-if-changed=src/patterns/gate.rs");
    let mut files = Vec::new();
    collect(&dir, &mut files);
    files.sort();
    let mut code = String::from("static BUILTIN_FILES: &[(&str, &str)] = &[\n");
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let rel = f
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        writeln!(
            code,
            "    ({rel:?}, include_str!({:?})),",
            f.display().to_string()
        )
        .unwrap();
    }
    code.push_str("];\n");
    code.push_str(&gates(&files));
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("builtin_patterns.rs");
    std::fs::write(out, code).unwrap();
}

/// `static BUILTIN_GATES: &[(&str, u8, &[&[u8]])]`: for every distinct regex of the pattern files,
/// sorted, its head (kind 1), else its gate (kind 2), else nothing (kind 0), and the literals.
fn gates(files: &[PathBuf]) -> String {
    let mut regexes: Vec<String> = Vec::new();
    for f in files {
        let src = std::fs::read_to_string(f).unwrap();
        // A file that does not parse is reported at run time; it has no precomputed gates.
        let Ok(table) = src.parse::<toml::Table>() else {
            continue;
        };
        let Some(rules) = table.get("rule").and_then(|r| r.as_array()) else {
            continue;
        };
        for rule in rules {
            if let Some(list) = rule.get("regexes").and_then(|r| r.as_array()) {
                regexes.extend(list.iter().filter_map(|r| r.as_str()).map(String::from));
            }
        }
    }
    regexes.sort();
    regexes.dedup();
    let mut code = String::from("static BUILTIN_GATES: &[(&str, u8, &[&[u8]])] = &[\n");
    for r in &regexes {
        let (kind, lits) = match gate::head(r) {
            Some(l) => (1, l),
            None => match gate::gate(r) {
                Some(l) => (2, l),
                None => (0, Vec::new()),
            },
        };
        let lits: Vec<String> = lits.iter().map(|l| format!("&{l:?}")).collect();
        writeln!(code, "    ({r:?}, {kind}, &[{}]),", lits.join(", ")).unwrap();
    }
    code.push_str("];\n");
    code
}
