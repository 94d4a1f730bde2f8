//! Crates on disk: which crate owns a file, which of its files are test
//! code, its manifest, and how paths are shown.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::diagnostic::{Problem, ProblemKind};
use crate::manifest::{CrateManifest, Manifests};

/// Finds the crate (the nearest directory with a `Cargo.toml`) owning a file.
#[derive(Default)]
pub(super) struct CrateIndex {
    cache: HashMap<PathBuf, Option<PathBuf>>,
}

impl CrateIndex {
    pub(super) fn owner(&mut self, file: &Path) -> Option<PathBuf> {
        let dir = file.parent()?.to_path_buf();
        self.owner_of_dir(&dir)
    }

    fn owner_of_dir(&mut self, dir: &Path) -> Option<PathBuf> {
        if let Some(hit) = self.cache.get(dir) {
            return hit.clone();
        }
        let found = if dir.join("Cargo.toml").is_file() {
            Some(dir.to_path_buf())
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

/// Files under a crate's `tests/` or `benches/` are test code.
pub(super) fn is_test_path(path: &Path, root: &Path) -> bool {
    path.strip_prefix(root)
        .ok()
        .and_then(|rel| rel.components().next())
        .is_some_and(|first| matches!(first.as_os_str().to_str(), Some("tests" | "benches")))
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
