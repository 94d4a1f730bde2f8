//! Crate facts from `Cargo.toml` (and the workspace's `Cargo.lock` when
//! present): which Redis clients a crate depends on, their versions and
//! features. Rules whose truth depends on a client version read these.

mod docs;
mod layout;
mod lock;
mod place;
mod sources;
mod tooling;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

pub use docs::{dependency_tables, Doc, DocError};
pub use layout::CrateLayout;
pub use lock::{Lock, LockedWrapper, PackageSource};
pub use place::CratePlace;
pub use sources::{locate, CargoHome};

/// The Redis client crates the linter knows, by package name.
const CLIENT_CRATES: &[&str] = &[
    "redis",
    "fred",
    "deadpool-redis",
    "bb8-redis",
    "r2d2",
    "redis-test",
    "mobc-redis",
];

/// The crates that are Redis clients of their own: a crate of a lock that
/// depends on one of these wraps Redis (see [`wrappers`]). `r2d2` is a
/// generic pool, not one of them (its Redis side is `r2d2_redis`).
const REDIS_CLIENT_CRATES: &[&str] = &[
    "redis",
    "fred",
    "deadpool-redis",
    "bb8-redis",
    "r2d2_redis",
    "redis-test",
    "mobc-redis",
];

/// A Redis client dependency of a crate.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClientDep {
    /// The version requirement as written (`"0.27"`, `"1"`).
    pub requirement: Option<String>,
    /// The exact version from `Cargo.lock`, when there is one.
    pub locked: Option<String>,
    pub features: Vec<String>,
}

impl ClientDep {
    /// The major version (0 or 1 for redis-rs): from the lock file when
    /// present, else from the requirement.
    pub fn major(&self) -> Option<u64> {
        self.version().map(|(major, _)| major)
    }

    /// (major, minor): from the lock file when present, else from the
    /// requirement (`"0.23"`, `"^1.2"`).
    pub fn version(&self) -> Option<(u64, u64)> {
        let v = self.locked.as_deref().or(self.requirement.as_deref())?;
        let mut parts = v
            .trim_start_matches(|c: char| !c.is_ascii_digit())
            .split('.')
            .map(|p| {
                p.chars()
                    .take_while(char::is_ascii_digit)
                    .collect::<String>()
            });
        let major = parts.next()?.parse().ok()?;
        let minor = parts.next().and_then(|m| m.parse().ok()).unwrap_or(0);
        Some((major, minor))
    }
}

/// What a crate's manifest says.
#[derive(Debug, Clone, Default)]
pub struct CrateManifest {
    /// The directory holding `Cargo.toml` (`None` for files outside any crate).
    pub root: Option<PathBuf>,
    pub name: Option<String>,
    pub clients: BTreeMap<String, ClientDep>,
    /// Client crates the crate depends on under another name.
    pub renames: Renames,
    /// Other crates it depends on under another name (`common = { path =
    /// "../common", package = "app-common" }`): code name → the package's
    /// code name, so `common::AppState` is looked up in `app-common`.
    pub crate_renames: Renames,
    /// Set when `Cargo.toml` exists but could not be read or parsed.
    pub error: Option<String>,
    /// The code names of its dependencies that are read as context
    /// because they wrap a Redis client (see `Manifests::pin_dependency`).
    pub wrappers: Vec<String>,
    /// This crate is such a dependency: read as context, never reported.
    pub is_dependency: bool,
}

/// Crates a crate depends on under a name of its own (`kv = { package =
/// "redis" }`): code name → the package's code name (`kv` → `redis`,
/// `pool` → `deadpool_redis`), so `kv::cmd(..)` reads as `redis::cmd(..)`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Renames(BTreeMap<String, String>);

impl Renames {
    pub const NONE: Renames = Renames(BTreeMap::new());

    /// The package that `name`, written as a path's first segment, stands
    /// for (a client crate for [`CrateManifest::renames`]).
    pub fn package_of(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// The names code writes for renamed clients.
    pub fn local_names(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }

    /// Renames given as (local name, client code name) pairs.
    #[cfg(test)]
    pub fn of(pairs: &[(&str, &str)]) -> Renames {
        Renames(
            pairs
                .iter()
                .map(|(l, c)| (l.to_string(), c.to_string()))
                .collect(),
        )
    }
}

/// How code names a package (`deadpool-redis` → `deadpool_redis`).
fn code_name(package: &str) -> String {
    package.replace('-', "_")
}

impl CrateManifest {
    pub fn client(&self, name: &str) -> Option<&ClientDep> {
        self.clients.get(name)
    }
}

/// Client versions by package name, from one `Cargo.lock` (a workspace
/// may lock two versions of one client, for two of its crates).
pub type LockVersions = BTreeMap<String, Vec<String>>;

/// The workspace-level files every crate of a workspace reads (its root
/// `Cargo.toml`'s `[workspace.dependencies]`, its `Cargo.lock`), read and
/// parsed once per run and shared across threads: a 300-crate monorepo
/// would otherwise parse a half-megabyte lock file 300 times.
#[derive(Default)]
pub struct Manifests {
    docs: docs::Docs,
    workspace_deps: Mutex<HashMap<PathBuf, Option<Arc<toml::Table>>>>,
    locks: Mutex<HashMap<PathBuf, Option<Arc<Lock>>>>,
    layouts: Mutex<HashMap<PathBuf, Arc<CrateLayout>>>,
    /// By workspace root: its test-only members (see [`CrateLayout`]).
    test_only: Mutex<HashMap<PathBuf, Arc<HashSet<PathBuf>>>>,
    /// The crate roots of this run, sorted: a crate with no `Cargo.lock`
    /// above it takes the lock of a crate of the run that depends on it.
    run_crates: OnceLock<Vec<PathBuf>>,
    /// Crate root → the first crate of the run (in path order) that names
    /// it as a path dependency or workspace member; built on first need.
    builders: OnceLock<HashMap<PathBuf, PathBuf>>,
    /// Dependency crates read as context (a registry crate has no lock
    /// that counts): root → the client versions the application's lock
    /// builds it with.
    pinned: Mutex<HashMap<PathBuf, Arc<LockVersions>>>,
    /// The package names of those dependencies.
    pinned_names: Mutex<HashSet<String>>,
    /// By crate root: where it sits (see [`CratePlace`]).
    places: Mutex<HashMap<PathBuf, Arc<CratePlace>>>,
}

impl Manifests {
    /// Reads `dir/Cargo.toml` and the nearest `Cargo.lock` above it.
    pub fn load(&self, dir: &Path) -> CrateManifest {
        let mut m = CrateManifest {
            root: Some(dir.to_path_buf()),
            ..CrateManifest::default()
        };
        let doc = match self.doc(dir) {
            Ok(d) => d,
            Err(e) => {
                m.error = Some(e.to_string());
                return m;
            }
        };
        m.name = doc
            .get("package")
            .and_then(|p| p.get("name"))
            .and_then(|n| n.as_str())
            .map(str::to_string);
        let workspace_deps = self.workspace_dependencies(dir);
        let pinned_names = self
            .pinned_names
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        m.is_dependency = self.is_pinned(dir);
        let mut tables: Vec<&toml::Table> = Vec::new();
        for key in ["dependencies", "dev-dependencies", "build-dependencies"] {
            if let Some(t) = doc.get(key).and_then(|v| v.as_table()) {
                tables.push(t);
            }
        }
        if let Some(targets) = doc.get("target").and_then(|t| t.as_table()) {
            for target in targets.values() {
                for key in ["dependencies", "dev-dependencies"] {
                    if let Some(t) = target.get(key).and_then(|v| v.as_table()) {
                        tables.push(t);
                    }
                }
            }
        }
        for table in tables {
            for (name, spec) in table {
                let inherited = (spec.get("workspace").and_then(|w| w.as_bool()) == Some(true))
                    .then(|| workspace_deps.as_ref().and_then(|w| w.get(name)))
                    .flatten();
                // A rename is written on the dependency or, for one taken
                // from the workspace, in `[workspace.dependencies]`.
                let package = spec
                    .get("package")
                    .or_else(|| inherited.and_then(|ws| ws.get("package")))
                    .and_then(|p| p.as_str())
                    .unwrap_or(name);
                if !CLIENT_CRATES.contains(&package) {
                    if pinned_names.contains(package) && !m.wrappers.contains(&code_name(name)) {
                        m.wrappers.push(code_name(name));
                    }
                    if package != name {
                        m.crate_renames
                            .0
                            .insert(code_name(name), code_name(package));
                    }
                    continue;
                }
                let mut dep = parse_dep(spec);
                if let Some(ws) = inherited {
                    let base = parse_dep(ws);
                    dep.requirement = base.requirement;
                    dep.features.extend(base.features);
                }
                if package != name {
                    m.renames.0.insert(code_name(name), code_name(package));
                }
                m.clients.insert(package.to_string(), dep);
            }
        }
        if m.clients.is_empty() {
            return m;
        }
        if let Some(lock) = self.lock_versions(dir) {
            for (name, dep) in m.clients.iter_mut() {
                dep.locked = lock.get(name).and_then(|v| locked_for(dep, v));
            }
        }
        m
    }
}

/// A manifest or lock file larger than this is not one.
const MAX_MANIFEST_BYTES: u64 = 16 << 20;

/// Why a manifest or lock file could not be read.
#[derive(Debug)]
pub enum ManifestReadError {
    Read(crate::source::ReadError),
    NotUtf8,
}

impl std::fmt::Display for ManifestReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ManifestReadError::Read(e) => e.fmt(f),
            ManifestReadError::NotUtf8 => f.write_str("not valid UTF-8"),
        }
    }
}

/// The text of a `Cargo.toml` or `Cargo.lock`: a regular file (a link to
/// `/dev/zero` or a FIFO in a parent folder must not hang the run) of a
/// sane size.
pub fn read_manifest(path: &Path) -> Result<String, ManifestReadError> {
    let bytes =
        crate::source::read_capped(path, MAX_MANIFEST_BYTES).map_err(ManifestReadError::Read)?;
    String::from_utf8(bytes).map_err(|_| ManifestReadError::NotUtf8)
}

fn parse_dep(spec: &toml::Value) -> ClientDep {
    match spec {
        toml::Value::String(v) => ClientDep {
            requirement: Some(v.clone()),
            ..ClientDep::default()
        },
        toml::Value::Table(t) => ClientDep {
            requirement: t
                .get("version")
                .and_then(|v| v.as_str())
                .map(str::to_string),
            locked: None,
            features: t
                .get("features")
                .and_then(|f| f.as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default(),
        },
        _ => ClientDep::default(),
    }
}

impl Manifests {
    /// `dir/Cargo.toml`, parsed once per run.
    pub fn doc(&self, dir: &Path) -> Doc {
        self.docs.get(dir)
    }

    /// The nearest workspace root at or above `dir`, with its manifest.
    fn workspace_root(&self, dir: &Path) -> Option<(PathBuf, Arc<toml::Table>)> {
        dir.ancestors().find_map(|ancestor| {
            // Only the manifests that can be a workspace's are parsed.
            let path = ancestor.join("Cargo.toml");
            if !path.is_file() {
                return None;
            }
            let doc = self.doc(ancestor).ok()?;
            doc.contains_key("workspace")
                .then(|| (ancestor.to_path_buf(), doc))
        })
    }

    /// What the files of the crate at `root` are for (read once per run).
    /// An unreadable manifest says nothing: its files are production code
    /// (the manifest problem is reported by [`Manifests::load`]).
    pub fn layout(&self, root: &Path) -> Arc<CrateLayout> {
        let memo = |m: &Self| {
            m.layouts
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .get(root)
                .cloned()
        };
        if let Some(hit) = memo(self) {
            return hit;
        }
        let doc = self.doc(root).ok();
        let mut layout = doc.map(|d| CrateLayout::of(root, &d)).unwrap_or_default();
        layout.test_only = self.workspace_test_only(root).contains(root);
        layout.library_tooling = tooling::library_tooling(root, self);
        let layout = Arc::new(layout);
        let mut layouts = self.layouts.lock().unwrap_or_else(|e| e.into_inner());
        layouts.insert(root.to_path_buf(), layout.clone());
        layout
    }

    /// The test-only members of the nearest workspace at or above `dir`.
    fn workspace_test_only(&self, dir: &Path) -> Arc<HashSet<PathBuf>> {
        let Some((root, doc)) = self.workspace_root(dir) else {
            return Arc::default();
        };
        let mut memo = self.test_only.lock().unwrap_or_else(|e| e.into_inner());
        memo.entry(root.clone())
            .or_insert_with(|| Arc::new(layout::test_only_members(&root, &doc, self)))
            .clone()
    }

    /// `[workspace.dependencies]` of the nearest workspace root at or above
    /// `dir`.
    fn workspace_dependencies(&self, dir: &Path) -> Option<Arc<toml::Table>> {
        let (root, doc) = self.workspace_root(dir)?;
        let mut memo = self
            .workspace_deps
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        memo.entry(root)
            .or_insert_with(|| {
                let deps = doc.get("workspace")?.get("dependencies")?.as_table()?;
                Some(Arc::new(deps.clone()))
            })
            .clone()
    }

    /// Tells which crates this run lints (call once, before `load`).
    pub fn know_run_crates(&self, roots: impl IntoIterator<Item = PathBuf>) {
        let roots: BTreeSet<PathBuf> = roots.into_iter().collect();
        // A second call keeps the first set: the run's crates do not change.
        let _ = self.run_crates.set(roots.into_iter().collect());
    }

    /// Client versions in the `Cargo.lock` that builds the crate at `dir`:
    /// the nearest one at or above it, else the one of a crate of the run
    /// that depends on it by path or lists it as a workspace member (a
    /// library checked out beside the application that builds it).
    fn lock_versions(&self, dir: &Path) -> Option<Arc<LockVersions>> {
        let pinned = self.pinned.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(versions) = pinned.get(dir) {
            return Some(Arc::clone(versions));
        }
        drop(pinned);
        let path = nearest_lock(dir).or_else(|| {
            let builders = self.builders.get_or_init(|| {
                let crates = self.run_crates.get().map(Vec::as_slice).unwrap_or_default();
                crates_built_by(crates, self)
            });
            let builder = builders.get(&dir.canonicalize().ok()?)?;
            nearest_lock(builder)
        })?;
        Some(Arc::clone(&self.lock(&path)?.versions))
    }

    /// The `Cargo.lock` at `path`, read and scanned once per run.
    pub fn lock(&self, path: &Path) -> Option<Arc<Lock>> {
        let mut memo = self.locks.lock().unwrap_or_else(|e| e.into_inner());
        memo.entry(path.to_path_buf())
            .or_insert_with_key(|path| {
                let text = read_manifest(path).ok()?;
                Some(Arc::new(Lock::read(&text)))
            })
            .clone()
    }
}

impl Manifests {
    /// Whether the crate at `root` is a dependency read as context.
    fn is_pinned(&self, root: &Path) -> bool {
        let pinned = self.pinned.lock().unwrap_or_else(|e| e.into_inner());
        pinned.contains_key(root)
    }

    /// Builds the crate at `root` (a dependency read as context) with
    /// `clients`: the versions its entry in the application's lock names.
    pub fn pin_dependency(&self, root: PathBuf, name: &str, clients: LockVersions) {
        let mut pinned = self.pinned.lock().unwrap_or_else(|e| e.into_inner());
        pinned.insert(root, Arc::new(clients));
        let mut names = self.pinned_names.lock().unwrap_or_else(|e| e.into_inner());
        names.insert(name.to_string());
    }
}

/// The nearest `Cargo.lock` at or above `dir`.
pub fn nearest_lock(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .map(|a| a.join("Cargo.lock"))
        .find(|p| p.is_file())
}

/// For the crates of a run: each crate folder (canonical) that another
/// crate's manifest names as a path dependency or workspace member, with
/// that crate's root (the first in path order wins).
fn crates_built_by(roots: &[PathBuf], manifests: &Manifests) -> HashMap<PathBuf, PathBuf> {
    let mut built_by = HashMap::new();
    for root in roots {
        let Ok(doc) = manifests.doc(root) else {
            continue;
        };
        let path_deps = ["dependencies", "dev-dependencies", "build-dependencies"]
            .iter()
            .filter_map(|key| doc.get(*key).and_then(|t| t.as_table()))
            .flat_map(|table| table.values())
            .filter_map(|spec| spec.get("path").and_then(|p| p.as_str()));
        let members = doc
            .get("workspace")
            .and_then(|w| w.get("members"))
            .and_then(|m| m.as_array())
            .into_iter()
            .flatten()
            .filter_map(|m| m.as_str());
        for relative in path_deps.chain(members) {
            if let Ok(target) = root.join(relative).canonicalize() {
                built_by.entry(target).or_insert_with(|| root.clone());
            }
        }
    }
    built_by
}

/// Of the versions a lock holds of a client, the one a dependency's
/// requirement takes (`0.31` → `0.31.0`, `1` → `1.8.2`); the highest major
/// when none matches (a requirement not read, or not written).
fn locked_for(dep: &ClientDep, versions: &[String]) -> Option<String> {
    let parse = |v: &str| {
        ClientDep {
            requirement: Some(v.to_string()),
            ..ClientDep::default()
        }
        .version()
    };
    let compatible = |v: &&String| match (dep.version(), parse(v)) {
        (Some((0, minor)), Some((0, locked_minor))) => minor == locked_minor,
        (Some((major, _)), Some((locked, _))) => major == locked,
        _ => false,
    };
    versions
        .iter()
        .find(compatible)
        .or_else(|| versions.iter().max_by_key(|v| major(v)))
        .cloned()
}

/// `value` of a `key = "value"` line.
fn quoted_value<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let rest = line
        .strip_prefix(key)?
        .trim_start()
        .strip_prefix('=')?
        .trim();
    rest.strip_prefix('"')?.strip_suffix('"')
}

fn major(version: &str) -> u64 {
    version
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renamed_clients_are_read_from_the_crate_and_its_workspace() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(
            root.join("Cargo.toml"),
            "[workspace]\nmembers = [\"billing\"]\n\n[workspace.dependencies]\n\
             store = { package = \"deadpool-redis\", version = \"0.23\" }\n",
        )
        .unwrap();
        std::fs::create_dir_all(root.join("billing")).unwrap();
        std::fs::write(
            root.join("billing/Cargo.toml"),
            "[package]\nname = \"billing\"\nversion = \"0.1.0\"\n\n[dependencies]\n\
             kv = { package = \"redis\", version = \"0.31\" }\n\
             store = { workspace = true }\nserde = \"1\"\n\
             shared = { path = \"../shared\", package = \"app-shared\" }\n",
        )
        .unwrap();
        let m = Manifests::default().load(&root.join("billing"));
        assert_eq!(
            m.renames,
            Renames::of(&[("kv", "redis"), ("store", "deadpool_redis")])
        );
        assert_eq!(m.crate_renames, Renames::of(&[("shared", "app_shared")]));
        assert_eq!(m.client("redis").unwrap().major(), Some(0));
        assert!(m.client("deadpool-redis").is_some());
    }

    #[test]
    fn a_pinned_dependency_takes_the_application_lock() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("wrapper-0.1.0");
        std::fs::create_dir_all(&root).unwrap();
        std::fs::write(
            root.join("Cargo.toml"),
            "[package]\nname = \"wrapper\"\nversion = \"0.1.0\"\n\n[dependencies]\nredis = \"0.23\"\n",
        )
        .unwrap();
        // The lock a published crate ships is not what the application builds.
        std::fs::write(
            root.join("Cargo.lock"),
            "[[package]]\nname = \"redis\"\nversion = \"0.23.5\"\n",
        )
        .unwrap();
        let manifests = Manifests::default();
        let pinned = LockVersions::from([("redis".to_string(), vec!["0.23.3".to_string()])]);
        manifests.pin_dependency(root.clone(), "wrapper", pinned);
        let m = manifests.load(&root);
        assert_eq!(m.client("redis").unwrap().locked.as_deref(), Some("0.23.3"));
    }

    #[test]
    fn major_prefers_the_lock() {
        let dep = ClientDep {
            requirement: Some("0.27".into()),
            locked: Some("1.8.1".into()),
            features: vec![],
        };
        assert_eq!(dep.major(), Some(1));
        let dep = ClientDep {
            requirement: Some("^0.32.7".into()),
            ..ClientDep::default()
        };
        assert_eq!(dep.major(), Some(0));
    }

    #[test]
    fn lock_scan_reads_client_versions_only() {
        let lock = r#"
# This file is automatically @generated by Cargo.
version = 4

[[package]]
name = "redis"
version = "0.27.6"
source = "registry+https://github.com/rust-lang/crates.io-index"
dependencies = [
 "bytes",
]

[[package]]
name = "redis"
version = "1.0.2"

[[package]]
name = "serde"
version = "1.0.228"

[[package]]
name = "fred"
version = "10.1.0"
"#;
        let versions = Lock::read(lock).versions;
        assert_eq!(versions["redis"], ["0.27.6", "1.0.2"]);
        assert_eq!(versions["fred"], ["10.1.0"]);
        assert!(!versions.contains_key("serde"));
        let on = |requirement: Option<&str>| {
            let dep = ClientDep {
                requirement: requirement.map(str::to_string),
                ..ClientDep::default()
            };
            locked_for(&dep, &versions["redis"])
        };
        assert_eq!(on(Some("0.27")).as_deref(), Some("0.27.6"));
        assert_eq!(on(Some("1")).as_deref(), Some("1.0.2"));
        assert_eq!(on(None).as_deref(), Some("1.0.2"));
    }
}
