//! Embeds every `rules/*.toml` of the repository in the library, so adding a
//! rule file needs no hand-kept list (a test still checks each rule has docs
//! and fixtures).

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    // The variable at run time, not `env!`: a build script binary may be
    // reused for another checkout of the same sources.
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default();
    let dir = Path::new(&manifest).join("../../rules");
    // A directory: cargo rescans it, so an added or edited rule rebuilds.
    println!("cargo::rerun-if-changed={}", dir.display());
    let entries = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read the rule directory {}: {e}", dir.display()));
    let mut files: Vec<String> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".toml"))
        .collect();
    files.sort();
    let mut out = String::from("/// The shipped rules, embedded at build time by build.rs.\n");
    out.push_str("pub const BUILTIN_RULE_FILES: &[(&str, &str)] = &[\n");
    for name in &files {
        let path = dir.join(name);
        let path = path.canonicalize().unwrap_or(path);
        writeln!(
            out,
            "    ({:?}, include_str!({:?})),",
            format!("rules/{name}"),
            path
        )
        .expect("writing to a String");
    }
    out.push_str("];\n");
    let target =
        Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("builtin_rules.rs");
    std::fs::write(&target, out)
        .unwrap_or_else(|e| panic!("cannot write {}: {e}", target.display()));
}
