//! Crates on disk: which crate owns a file, which of its files are test
//! code, its manifest, and how paths are shown.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diagnostic::{Problem, ProblemKind};
use crate::manifest::{CrateLayout, CrateManifest, Manifests};

/// A crate's folder, shared by all its files: a run over a registry
/// holds one per file, 60,000 of them.
pub(super) type CrateRoot = Arc<Path>;

/// Finds the crate (the nearest directory with a `Cargo.toml`) owning a file.
#[derive(Default)]
pub(super) struct CrateIndex {
    cache: HashMap<PathBuf, Option<CrateRoot>>,
}

impl CrateIndex {
    pub(super) fn owner(&mut self, file: &Path) -> Option<CrateRoot> {
        let dir = file.parent()?.to_path_buf();
        self.owner_of_dir(&dir)
    }

    fn owner_of_dir(&mut self, dir: &Path) -> Option<CrateRoot> {
        if let Some(hit) = self.cache.get(dir) {
            return hit.clone();
        }
        let found = if dir.join("Cargo.toml").is_file() {
            Some(CrateRoot::from(dir))
        } else {
            match dir.parent() {
                Some(parent) if !parent.as_os_str().is_empty() => self.owner_of_dir(parent),
                _ => None,
            }
        };
        self.cache.insert(dir.to_path_buf(), found.clone());
        found
    }
}

/// Files under a crate's `tests/` are test code.
pub(super) fn is_test_path(path: &Path, root: &Path) -> bool {
    first_folder(path, root) == Some("tests")
}

/// What a Rust file of a crate is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    Production,
    /// Example or benchmark code (under `examples/` or `benches/`, or a
    /// `[[example]]` / `[[bench]]` target): it does not run in production
    /// but readers copy it, so only rules for defects they would copy
    /// report there (see `InExamples`).
    Example,
}

/// The role of the file at `path` of the crate at `root`.
pub(super) fn role(path: &Path, root: &Path, layout: &CrateLayout) -> Role {
    let under = matches!(first_folder(path, root), Some("examples" | "benches"));
    if under || example_crate(root) || layout.example_files.iter().any(|f| same_file(f, path)) {
        Role::Example
    } else {
        Role::Production
    }
}

/// A crate of its own inside the `examples/` or `benches/` folder of a
/// crate or of a repository (`examples/web-demo/Cargo.toml`, as pool and
/// client crates ship them).
fn example_crate(root: &Path) -> bool {
    root.ancestors().skip(1).any(|dir| {
        let named = matches!(
            dir.file_name().and_then(|n| n.to_str()),
            Some("examples" | "benches")
        );
        // The folder belongs to a crate or a repository (a user's own
        // `~/examples/app` is not example code).
        named
            && dir
                .parent()
                .is_some_and(|p| p.join("Cargo.toml").is_file() || p.join(".git").exists())
    })
}

/// The first folder of `path` below `root`.
fn first_folder<'a>(path: &'a Path, root: &Path) -> Option<&'a str> {
    let rel = path.strip_prefix(root).ok()?;
    let mut parts = rel.components();
    let first = parts.next()?;
    // A file directly in the crate folder has no first folder.
    parts.next()?;
    first.as_os_str().to_str()
}

/// Whether two spellings of a path (`./x/../y.rs`, `y.rs`) name one file.
pub(super) fn same_file(a: &Path, b: &Path) -> bool {
    a == b || normal(a) == normal(b)
}

/// `path` with `.` and `..` resolved lexically.
pub(super) fn normal(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// The module a file defines: its stem, or its folder for `mod.rs`.
pub(super) fn module_name(path: &Path) -> Option<String> {
    let stem = path.file_stem()?.to_str()?;
    match stem {
        "mod" => path.parent()?.file_name()?.to_str().map(str::to_string),
        "lib" | "main" => None,
        _ => Some(stem.to_string()),
    }
}

/// The manifest of the crate at `root` (the default outside any crate),
/// with the problem reading it, if any.
pub(super) fn load_manifest(
    manifests: &Manifests,
    root: Option<&Path>,
    cwd: &Path,
) -> (CrateManifest, Option<Problem>) {
    let manifest = root.map(|r| manifests.load(r)).unwrap_or_default();
    let problem = manifest.error.as_ref().map(|message| Problem {
        kind: ProblemKind::Manifest,
        display: root
            .map(|r| display_path(&r.join("Cargo.toml"), cwd))
            .unwrap_or_default(),
        message: message.clone(),
        span: None,
        source: None,
    });
    (manifest, problem)
}

/// A path as shown to the user: relative to `cwd` when under it, with `/`.
pub fn display_path(path: &Path, cwd: &Path) -> String {
    let shown = path.strip_prefix(cwd).unwrap_or(path);
    let s = crate::walk::path_text(shown);
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}
