//! Dependency crates as context: applications often reach Redis through a
//! crate from a registry or git (`libmcaptcha::redis::Redis::new(url)`),
//! and the connection, with its client version's defaults, is built
//! inside it. For each Cargo workspace of the run, the packages its lock
//! takes from elsewhere that depend on a Redis client crate are read like
//! the other files of a crate named on its own: linted for their model,
//! symbols and summaries, never reported on (see `plan::Reported`). Their
//! client versions are the ones the application's lock builds them with.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::workspace::{is_test_path, CrateIndex};
use super::Run;
use crate::manifest::{locate, nearest_lock, CargoHome};
use crate::settings::Dependencies as Follow;
use crate::walk;

/// The dependency crates found for a run.
#[derive(Default)]
pub(super) struct Dependencies {
    /// Their Rust files, in crate order, each crate's files sorted.
    pub files: Vec<PathBuf>,
    /// Each file's workspace root (the one whose lock brought the crate):
    /// its configuration is the one that applies.
    pub workspace_of: BTreeMap<PathBuf, PathBuf>,
    /// Crates read.
    pub crates: usize,
    /// Crates the locks name whose sources are not on this machine (not
    /// fetched yet): skipped without a word, counted for `--verbose`.
    pub missing: usize,
}

impl Dependencies {
    /// The path whose configuration applies to `file`: for a dependency's
    /// file, its application's workspace manifest.
    pub(super) fn configured_as<'a>(&'a self, file: &'a Path) -> &'a Path {
        self.workspace_of.get(file).map_or(file, PathBuf::as_path)
    }
}

/// The dependency crates that the workspaces owning `files` build and
/// that wrap a Redis client, where Cargo has put their sources. `index`
/// is the run's: the owners found here serve the rest of the run.
pub(super) fn find(run: &Run, files: &[PathBuf], index: &mut CrateIndex) -> Dependencies {
    let owners: BTreeSet<PathBuf> = files
        .iter()
        .filter_map(|f| index.owner(f))
        .map(|root| root.to_path_buf())
        .collect();
    let locks: BTreeSet<PathBuf> = owners.iter().filter_map(|r| nearest_lock(r)).collect();
    let home = CargoHome::from_env();
    let mut found = Dependencies::default();
    let mut roots: Vec<(PathBuf, PathBuf)> = Vec::new();
    for lock in locks {
        let Some(workspace) = lock.parent() else {
            continue;
        };
        let manifest = workspace.join("Cargo.toml");
        let config = run.config_of(&manifest).ok().flatten();
        if config.is_some_and(|c| c.dependencies == Follow::Ignore) {
            continue;
        }
        let Some(read) = run.manifests.lock(&lock) else {
            continue;
        };
        for wrapper in &read.wrappers {
            let Some(root) = locate(wrapper, workspace, home.as_ref()) else {
                found.missing += 1;
                continue;
            };
            let root = std::path::absolute(&root).unwrap_or(root);
            // Already linted (a vendored copy inside the walked tree), or
            // brought by another workspace of the run.
            if owners.contains(&root) || roots.iter().any(|(r, _)| *r == root) {
                continue;
            }
            run.manifests
                .pin_dependency(root.clone(), &wrapper.name, wrapper.clients.clone());
            roots.push((root, manifest.clone()));
        }
    }
    for (root, manifest) in roots {
        let Ok(walked) = walk::collect(std::slice::from_ref(&root)) else {
            continue;
        };
        let crate_files = walked.files.into_iter().filter(|f| {
            f.extension().is_some_and(|x| x == "rs")
                && !is_test_path(f, &root)
                && !under(f, &root, &["examples", "benches", "src/bin", "build.rs"])
                && index.owner(f).as_deref() == Some(root.as_path())
        });
        for file in crate_files {
            found.workspace_of.insert(file.clone(), manifest.clone());
            found.files.push(file);
        }
        found.crates += 1;
    }
    found
}

/// Whether `path` lies in (or is) one of `folders` of the crate at
/// `root`: code other crates cannot call.
fn under(path: &Path, root: &Path, folders: &[&str]) -> bool {
    folders.iter().any(|f| path.starts_with(root.join(f)))
}
