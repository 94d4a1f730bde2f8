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

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::rust::Processed;
use super::workspace::{module_name, same_file, CrateRoot};
use super::Run;
use crate::diagnostic::ProblemKind;

/// Why a file that fails to parse is no module of its crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum NotModule {
    /// A cargo script, or text another file reads with `include_str!` (or
    /// splices in with `include!`): it is known what the file is, and
    /// nothing is said about it.
    Known,
    /// No `mod` declaration, `#[path]` or `include!` reaches it: a leftover
    /// or a file used by a tool; a warning says it was skipped.
    Unreached,
}

/// The indexes of `files` whose parse problem is not the project's, with
/// why.
pub(super) fn not_modules(
    run: &Run,
    files: &[PathBuf],
    owners: &[Option<CrateRoot>],
    processed: &[Processed],
) -> HashMap<usize, NotModule> {
    let failed: Vec<usize> = (0..files.len())
        .filter(|&i| {
            processed[i]
                .problem
                .as_ref()
                .is_some_and(|p| p.kind == ProblemKind::Parse)
        })
        .collect();
    if failed.is_empty() {
        return HashMap::new();
    }
    let mut crates: HashMap<&Path, Vec<&Path>> = HashMap::new();
    for (file, owner) in files.iter().zip(owners) {
        if let Some(root) = owner {
            crates.entry(root).or_default().push(file);
        }
    }
    let mut out = HashMap::new();
    // By crate: the failed files whose reach its text must tell.
    let mut to_search: HashMap<&Path, Vec<usize>> = HashMap::new();
    for i in failed {
        let problem = processed[i].problem.as_ref();
        if problem
            .and_then(|p| p.source.as_deref())
            .is_some_and(is_cargo_script)
        {
            out.insert(i, NotModule::Known);
            continue;
        }
        // A file of no crate (`rustc file.rs`) is its own root.
        let Some(root) = owners[i].as_deref() else {
            continue;
        };
        if !is_target_root(run, &files[i], root) {
            to_search.entry(root).or_default().push(i);
        }
    }
    for (root, failed) in to_search {
        let siblings = crates.get(root).map(Vec::as_slice).unwrap_or_default();
        let paths: Vec<&Path> = failed.iter().map(|&i| files[i].as_path()).collect();
        let reached = reach_among(&paths, siblings, run.opts.max_file_size);
        for (&i, reach) in failed.iter().zip(reached) {
            match reach {
                Reach::Module => {}
                Reach::Included => {
                    out.insert(i, NotModule::Known);
                }
                Reach::Nothing => {
                    out.insert(i, NotModule::Unreached);
                }
            }
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
    let conventional = matches!(
        parts.as_slice(),
        ["build.rs"]
            | ["src", "lib.rs" | "main.rs"]
            | ["src", "bin", _]
            | ["src", "bin", _, "main.rs"]
            | ["examples" | "tests" | "benches", _]
            | ["examples" | "tests" | "benches", _, "main.rs"]
    );
    conventional
        || run
            .manifests
            .layout(root)
            .target_files
            .iter()
            .any(|t| same_file(t, path))
}

/// How the other files of its crate reach a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reach {
    /// A `mod` of its name (in doubt, any `mod` of that name) or a
    /// `#[path]` naming it: a module, whose parse error is real.
    Module,
    /// Read with `include_str!` / `include_bytes!` or spliced in with
    /// `include!`: Cargo never parses it as a module.
    Included,
    Nothing,
}

/// How each of `failed` is reached by the other files of its crate, read
/// once for all of them.
fn reach_among(failed: &[&Path], siblings: &[&Path], max_size: u64) -> Vec<Reach> {
    let names: Vec<(Option<&str>, Option<String>)> = failed
        .iter()
        .map(|p| (p.file_name().and_then(|n| n.to_str()), module_name(p)))
        .collect();
    // A name that cannot be read: in doubt, a module.
    let mut reach: Vec<Reach> = names
        .iter()
        .map(|(file, _)| match file {
            None => Reach::Module,
            Some(_) => Reach::Nothing,
        })
        .collect();
    for other in siblings {
        if reach.iter().all(|r| *r == Reach::Module) {
            break;
        }
        let Ok(bytes) = crate::source::read_capped(other, max_size) else {
            continue;
        };
        let text = String::from_utf8_lossy(&bytes);
        for (j, (file, name)) in names.iter().enumerate() {
            let Some(file) = file else { continue };
            if reach[j] == Reach::Module || failed[j] == *other {
                continue;
            }
            for line in text.lines().map(str::trim_start) {
                let declares = name.as_deref().is_some_and(|m| declares_mod(line, m));
                if declares || (line.starts_with("#[path") && line.contains(file)) {
                    reach[j] = Reach::Module;
                    break;
                }
                if line.contains("include") && line.contains(file) {
                    reach[j] = Reach::Included;
                }
            }
        }
    }
    reach
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
