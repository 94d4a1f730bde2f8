//! Where a crate sits among the crates of a run, so that a crate name its
//! code writes (`common::AppState`) is matched to the crate Cargo would
//! build it from. Two projects linted in one run may each have a `common`
//! crate, and one may build a crate (`redis`) that the other takes from
//! the registry: neither is the other's.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{code_name, Manifests};

/// A crate's place: its folder, its workspace and where its path
/// dependencies are.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CratePlace {
    /// Its folder, canonical.
    root: PathBuf,
    /// The nearest workspace root at or above it, canonical (`None`: a
    /// crate of its own, as a published crate is).
    workspace: Option<PathBuf>,
    /// A dependency read as context (see [`Manifests::pin_dependency`]):
    /// the crates of the run that use it name it from the registry.
    is_dependency: bool,
    /// Its path dependencies, written directly or taken from the
    /// workspace: package name (`-` as `_`) → the folder, canonical.
    path_deps: BTreeMap<String, PathBuf>,
}

impl CratePlace {
    /// Whether `package` (`-` as `_`), written in this crate's code, may
    /// stand for the crate at `other`, a crate of the run of that name: the
    /// crate a path dependency of that name points to, else a crate of the
    /// same workspace, a crate of its own or a dependency read as context.
    pub fn can_name(&self, package: &str, other: &CratePlace) -> bool {
        match self.path_deps.get(package) {
            Some(root) => *root == other.root,
            None => {
                other.is_dependency
                    || other.workspace.is_none()
                    || other.workspace == self.workspace
            }
        }
    }
}

impl Manifests {
    /// Where the crate at `root` sits (see [`CratePlace`]); read once per
    /// run.
    pub fn place(&self, root: &Path) -> Arc<CratePlace> {
        let places = self.places.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(place) = places.get(root) {
            return Arc::clone(place);
        }
        drop(places);
        let place = Arc::new(self.read_place(root));
        let mut places = self.places.lock().unwrap_or_else(|e| e.into_inner());
        Arc::clone(places.entry(root.to_path_buf()).or_insert(place))
    }

    fn read_place(&self, root: &Path) -> CratePlace {
        let canonical = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
        let workspace = self.workspace_root(root);
        let mut place = CratePlace {
            root: canonical(root),
            workspace: workspace.as_ref().map(|(w, _)| canonical(w)),
            is_dependency: self.is_pinned(root),
            path_deps: BTreeMap::new(),
        };
        let Ok(doc) = self.doc(root) else {
            return place;
        };
        let inherited = workspace.as_ref().and_then(|(w, doc)| {
            let deps = doc.get("workspace")?.get("dependencies")?.as_table()?;
            Some((w, deps))
        });
        for (name, spec) in super::dependency_tables(&doc).into_iter().flatten() {
            let from_workspace = spec.get("workspace").and_then(|w| w.as_bool()) == Some(true);
            let (base, spec) = match inherited {
                Some((w, deps)) if from_workspace => match deps.get(name) {
                    Some(ws_spec) => (w.as_path(), ws_spec),
                    None => continue,
                },
                _ => (root, spec),
            };
            let Some(path) = spec.get("path").and_then(|p| p.as_str()) else {
                continue;
            };
            let package = spec.get("package").and_then(|p| p.as_str());
            let package = code_name(package.unwrap_or(name));
            place.path_deps.insert(package, canonical(&base.join(path)));
        }
        place
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, manifest: &str) {
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
    }

    #[test]
    fn a_name_stands_for_the_crate_of_its_path_or_workspace_only() {
        let tmp = tempfile::tempdir().unwrap();
        let (a, b, lib) = (
            tmp.path().join("a"),
            tmp.path().join("b"),
            tmp.path().join("lib"),
        );
        write(&a, "[workspace]\nmembers = [\"app\", \"common\"]\n");
        write(&a.join("app"), "[package]\nname = \"app\"\n[dependencies]\nshared = { path = \"../../lib\" }\nredis = \"0.27\"\n");
        write(&a.join("common"), "[package]\nname = \"common\"\n");
        write(&b, "[workspace]\nmembers = [\"common\", \"redis\"]\n");
        write(&b.join("common"), "[package]\nname = \"common\"\n");
        write(&b.join("redis"), "[package]\nname = \"redis\"\n");
        write(&lib, "[workspace]\n[package]\nname = \"shared\"\n");
        let m = Manifests::default();
        let app = m.place(&a.join("app"));
        assert!(app.can_name("common", &m.place(&a.join("common"))));
        // Another project's crates, and its build of a published crate.
        assert!(!app.can_name("common", &m.place(&b.join("common"))));
        assert!(!app.can_name("redis", &m.place(&b.join("redis"))));
        // A path dependency reaches into another workspace.
        assert!(app.can_name("shared", &m.place(&lib)));
    }
}
