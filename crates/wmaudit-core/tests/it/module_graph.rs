//! Layering inside the core: within any folder of src/ (rules/, snapshot/,
//! report/, ...), the sibling modules' imports form no cycle, so each can be
//! read (and changed) knowing only the ones below it. Cargo enforces the
//! layers between crates; this test does it between modules.
//!
//! A module's imports are the paths it names (`super::x`, `crate::dir::x`,
//! and in the folder's mod.rs `self::x`/`x::`), outside `#[cfg(test)]`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The sibling modules of folder `dir`: name -> the source files that make it.
fn siblings(dir: &Path) -> BTreeMap<String, Vec<PathBuf>> {
    let mut out = BTreeMap::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_stem().unwrap().to_string_lossy().into_owned();
        if p.is_dir() {
            let mut files = Vec::new();
            rust_files(&p, &mut files);
            out.insert(name, files);
        } else if p.extension().is_some_and(|x| x == "rs") && name != "mod" && name != "lib" {
            out.insert(name, vec![p]);
        }
    }
    out
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The code of a file without its test module.
fn code(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    match text.find("#[cfg(test)]") {
        Some(i) => text[..i].to_owned(),
        None => text,
    }
}

/// Does `text` name sibling `name` of the folder reached by `crate_path`?
fn names(text: &str, crate_path: &str, name: &str, depth_from_folder: usize) -> bool {
    let word = |s: &str| {
        text.match_indices(s).any(|(i, _)| {
            let after = text[i + s.len()..].chars().next();
            let before = text[..i].chars().next_back();
            !after.is_some_and(|c| c.is_alphanumeric() || c == '_')
                && !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':')
        })
    };
    // From a file `depth_from_folder` levels below the folder, the folder is
    // super::super::... that many times.
    let sup = "super::".repeat(depth_from_folder);
    let direct = word(&format!("{sup}{name}")) || word(&format!("crate::{crate_path}{name}"));
    // Grouped imports: `use super::{a, b};`.
    let grouped = [format!("{sup}{{"), format!("crate::{crate_path}{{")]
        .iter()
        .any(|open| {
            text.match_indices(open.as_str()).any(|(i, _)| {
                let rest = &text[i + open.len()..];
                let group = &rest[..rest.find('}').unwrap_or(rest.len())];
                group
                    .split(',')
                    .any(|item| item.trim().split("::").next() == Some(name))
            })
        });
    direct || grouped
}

fn check_folder(src: &Path, dir: &Path, cycles: &mut Vec<String>) {
    let rel = dir.strip_prefix(src).unwrap();
    let crate_path: String = rel
        .components()
        .map(|c| format!("{}::", c.as_os_str().to_string_lossy()))
        .collect();
    let mods = siblings(dir);
    let mut graph: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (m, files) in &mods {
        let deps = graph.entry(m.as_str()).or_default();
        for f in files {
            let text = code(f);
            // dir/m.rs is one level below dir; dir/m/mod.rs too; dir/m/x.rs two.
            let below = f.strip_prefix(dir).unwrap().components().count();
            let depth = if f.file_name().is_some_and(|n| n == "mod.rs") {
                below - 1
            } else {
                below
            };
            for other in mods.keys().filter(|o| *o != m) {
                if names(&text, &crate_path, other, depth) {
                    deps.insert(other.as_str());
                }
            }
        }
    }
    // Depth-first search for a cycle.
    fn visit<'a>(
        n: &'a str,
        g: &BTreeMap<&'a str, BTreeSet<&'a str>>,
        stack: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
        found: &mut Vec<String>,
        folder: &str,
    ) {
        if let Some(i) = stack.iter().position(|s| *s == n) {
            let mut cycle: Vec<&str> = stack[i..].to_vec();
            cycle.push(n);
            found.push(format!("{folder}: {}", cycle.join(" -> ")));
            return;
        }
        if !done.insert(n) {
            return;
        }
        stack.push(n);
        for d in g.get(n).into_iter().flatten() {
            visit(d, g, stack, done, found, folder);
        }
        stack.pop();
    }
    let mut done = BTreeSet::new();
    for n in graph.keys() {
        visit(
            n,
            &graph,
            &mut Vec::new(),
            &mut done,
            cycles,
            &rel.display().to_string(),
        );
    }
    for files in mods.values() {
        if let Some(parent) = files.first().and_then(|f| f.parent()).filter(|p| *p != dir) {
            check_folder(src, parent, cycles);
        }
    }
}

#[test]
fn sibling_modules_import_each_other_in_one_direction_only() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut cycles = Vec::new();
    for dir in std::fs::read_dir(&src).unwrap() {
        let dir = dir.unwrap().path();
        if dir.is_dir() {
            check_folder(&src, &dir, &mut cycles);
        }
    }
    assert!(cycles.is_empty(), "import cycles:\n{}", cycles.join("\n"));
}

/// The detector finds what it must: a planted pair of mutual imports.
#[test]
fn a_planted_cycle_is_found() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    let folder = src.join("things");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("mod.rs"), "mod a;\nmod b;\nmod c;\n").unwrap();
    std::fs::write(folder.join("a.rs"), "use super::{b, c::X};\n").unwrap();
    std::fs::write(folder.join("b.rs"), "use crate::things::c::Y;\n").unwrap();
    std::fs::write(folder.join("c.rs"), "fn f() { super::a::go(); }\n").unwrap();
    let mut cycles = Vec::new();
    check_folder(&src, &folder, &mut cycles);
    assert_eq!(cycles, ["things: a -> b -> c -> a"]);
}
