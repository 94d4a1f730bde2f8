//! Files that fail to parse but are no module of their crate: their parse
//! error is not the project's. A `.rs` file is a module only when Cargo
//! builds it: a target's root (`src/lib.rs`, `src/main.rs`, `build.rs`,
//! `src/bin/`, `examples/`, `tests/`, `benches/`, or a `path` in
//! `Cargo.toml`), or a file some `mod` declaration reaches. A template that
//! a build script fills in (read with `include_str!`), a file spliced into
//! a module with `include!`, a cargo script (`#!/usr/bin/env cargo` with a
//! `---` manifest block) and a file nothing reaches are none of these.
//!
//! Only the files that failed are looked into, so the cost is a search of
//! their crates' text when a parse fails, nothing otherwise.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::rust::Processed;
use super::workspace::{module_name, same_file};
use super::Run;
use crate::diagnostic::ProblemKind;

/// The indexes of `files` whose parse problem is not the project's.
pub(super) fn not_modules(
    run: &Run,
    files: &[PathBuf],
    owners: &[Option<PathBuf>],
    processed: &[Processed],
) -> HashSet<usize> {
    let failed: Vec<usize> = (0..files.len())
        .filter(|&i| {
            processed[i]
                .problem
                .as_ref()
                .is_some_and(|p| p.kind == ProblemKind::Parse)
        })
        .collect();
    if failed.is_empty() {
        return HashSet::new();
    }
    let mut crates: HashMap<&Path, Vec<&Path>> = HashMap::new();
    for (file, owner) in files.iter().zip(owners) {
        if let Some(root) = owner {
            crates.entry(root.as_path()).or_default().push(file);
        }
    }
    let mut out = HashSet::new();
    for i in failed {
        let problem = processed[i].problem.as_ref();
        if problem
            .and_then(|p| p.source.as_deref())
            .is_some_and(is_cargo_script)
        {
            out.insert(i);
            continue;
        }
        let Some(root) = owners[i].as_deref() else {
            // A file of no crate (`rustc file.rs`): its own root.
            continue;
        };
        if is_target_root(run, &files[i], root) {
            continue;
        }
        let siblings = crates.get(root).map(Vec::as_slice).unwrap_or_default();
        if reached(&files[i], siblings, run.opts.max_file_size) == Reached::NotAsModule {
            out.insert(i);
        }
    }
    out
}

/// A cargo script: a `#!` line naming cargo, or a `---` manifest block at
/// the top (Rust's frontmatter, which `syn` does not read).
fn is_cargo_script(text: &str) -> bool {
    let mut lines = text.lines();
    let Some(first) = lines.next() else {
        return false;
    };
    let body_start = if first.starts_with("#!") && !first.starts_with("#![") {
        if first.contains("cargo") {
            return true;
        }
        lines.next().unwrap_or("")
    } else {
        first
    };
    body_start.trim_end().starts_with("---")
}

/// Whether Cargo builds `path` as the root of one of the crate's targets.
fn is_target_root(run: &Run, path: &Path, root: &Path) -> bool {
    let Ok(rel) = path.strip_prefix(root) else {
        return true;
    };
    let parts: Vec<&str> = rel.iter().filter_map(|p| p.to_str()).collect();
    let conventional = match parts.as_slice() {
        ["build.rs"] | ["src", "lib.rs" | "main.rs"] => true,
        ["src", "bin", _] | ["src", "bin", _, "main.rs"] => true,
        ["examples" | "tests" | "benches", _] => true,
        ["examples" | "tests" | "benches", _, "main.rs"] => true,
        _ => false,
    };
    conventional
        || run
            .manifests
            .layout(root)
            .target_files
            .iter()
            .any(|t| same_file(t, path))
}

/// How the other files of its crate reach a file.
#[derive(Debug, PartialEq, Eq)]
enum Reached {
    /// A `mod` declaration of its name, or a `#[path]` naming it: a module
    /// (its parse error is real).
    AsModule,
    /// Only by `include_str!` / `include!` / `include_bytes!`, or not at
    /// all: Cargo never parses it as a module.
    NotAsModule,
}

/// Searches the text of the crate's other files for what reaches `path`.
/// In doubt (a `mod` of the same name elsewhere), a module.
fn reached(path: &Path, siblings: &[&Path], max_size: u64) -> Reached {
    let Some(file_name) = path.file_name().and_then(|n| n.to_str()) else {
        return Reached::AsModule;
    };
    let module = module_name(path);
    for other in siblings.iter().filter(|o| **o != path) {
        let Ok(bytes) = crate::source::read_capped(other, max_size) else {
            continue;
        };
        let text = String::from_utf8_lossy(&bytes);
        for line in text
            .lines()
            .filter(|l| l.contains("mod ") || l.contains(file_name))
        {
            let line = line.trim_start();
            let declares = module.as_deref().is_some_and(|m| declares_mod(line, m));
            let path_attr = line.starts_with("#[path") && line.contains(file_name);
            if declares || path_attr {
                return Reached::AsModule;
            }
        }
    }
    Reached::NotAsModule
}

/// Whether `line` declares the module `name` (`mod name;`, `pub mod name {`).
fn declares_mod(line: &str, name: &str) -> bool {
    line.match_indices("mod ").any(|(at, _)| {
        let before_ok = at == 0 || line[..at].ends_with([' ', ')']);
        let rest = line[at + 4..].trim_start();
        before_ok
            && rest
                .strip_prefix(name)
                .is_some_and(|after| after.is_empty() || after.starts_with([';', ' ', '{']))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cargo_scripts_are_recognised() {
        assert!(is_cargo_script(
            "#!/usr/bin/env cargo\n---\n[dependencies]\n---\nfn main() {}"
        ));
        assert!(is_cargo_script(
            "#!/usr/bin/env -S cargo -Zscript\n---cargo\n"
        ));
        assert!(is_cargo_script("---\n[dependencies]\n---\nfn main() {}"));
        assert!(!is_cargo_script("#![allow(dead_code)]\nfn main() {}"));
        assert!(!is_cargo_script("#!/bin/sh\nfn main() {}"));
        assert!(!is_cargo_script("fn main() { let x = 1 -- 2; }"));
    }

    #[test]
    fn mod_declarations_by_name() {
        assert!(declares_mod("mod handlers;", "handlers"));
        assert!(declares_mod("pub(crate) mod handlers {", "handlers"));
        assert!(declares_mod("#[cfg(test)] mod handlers;", "handlers"));
        assert!(!declares_mod("mod handlers_v2;", "handlers"));
        assert!(!declares_mod("// the cosmod handlers", "handlers"));
    }
}
