//! Crate facts from `Cargo.toml` (and the workspace's `Cargo.lock` when
//! present): which Redis clients a crate depends on, their versions and
//! features. Rules whose truth depends on a client version read these.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

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
        let v = self.locked.as_deref().or(self.requirement.as_deref())?;
        let digits: String = v
            .trim_start_matches(|c: char| !c.is_ascii_digit())
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        digits.parse().ok()
    }
}

/// What a crate's manifest says.
#[derive(Debug, Clone, Default)]
pub struct CrateManifest {
    /// The directory holding `Cargo.toml` (`None` for files outside any crate).
    pub root: Option<PathBuf>,
    pub name: Option<String>,
    pub clients: BTreeMap<String, ClientDep>,
    /// Set when `Cargo.toml` exists but could not be read or parsed.
    pub error: Option<String>,
}

impl CrateManifest {
    pub fn client(&self, name: &str) -> Option<&ClientDep> {
        self.clients.get(name)
    }

    /// Reads `dir/Cargo.toml` and the nearest `Cargo.lock` above it.
    pub fn load(dir: &Path) -> CrateManifest {
        let mut m = CrateManifest {
            root: Some(dir.to_path_buf()),
            ..CrateManifest::default()
        };
        let text = match read_manifest(&dir.join("Cargo.toml")) {
            Ok(t) => t,
            Err(e) => {
                m.error = Some(format!("cannot read Cargo.toml: {e}"));
                return m;
            }
        };
        let doc: toml::Table = match text.parse() {
            Ok(d) => d,
            Err(e) => {
                m.error = Some(format!("Cargo.toml is not valid TOML: {}", e.message()));
                return m;
            }
        };
        m.name = doc
            .get("package")
            .and_then(|p| p.get("name"))
            .and_then(|n| n.as_str())
            .map(str::to_string);
        let workspace_deps = workspace_dependencies(dir);
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
                let package = spec.get("package").and_then(|p| p.as_str()).unwrap_or(name);
                if !CLIENT_CRATES.contains(&package) {
                    continue;
                }
                let mut dep = parse_dep(spec);
                if spec.get("workspace").and_then(|w| w.as_bool()) == Some(true) {
                    if let Some(ws) = workspace_deps.as_ref().and_then(|w| w.get(name)) {
                        let base = parse_dep(ws);
                        dep.requirement = base.requirement;
                        dep.features.extend(base.features);
                    }
                }
                m.clients.insert(package.to_string(), dep);
            }
        }
        if let Some(lock) = find_lock(dir) {
            for (name, dep) in m.clients.iter_mut() {
                dep.locked = lock.get(name).cloned();
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

/// `[workspace.dependencies]` of the nearest workspace root above `dir`.
fn workspace_dependencies(dir: &Path) -> Option<toml::Table> {
    for ancestor in dir.ancestors() {
        let Ok(text) = read_manifest(&ancestor.join("Cargo.toml")) else {
            continue;
        };
        let Ok(doc) = text.parse::<toml::Table>() else {
            continue;
        };
        if let Some(ws) = doc.get("workspace") {
            return ws.get("dependencies").and_then(|d| d.as_table()).cloned();
        }
    }
    None
}

/// Package versions of the nearest `Cargo.lock` at or above `dir`; of
/// several versions of one package the highest major wins (the crate most
/// likely uses the newest).
fn find_lock(dir: &Path) -> Option<BTreeMap<String, String>> {
    let path = dir
        .ancestors()
        .map(|a| a.join("Cargo.lock"))
        .find(|p| p.is_file())?;
    let doc: toml::Table = read_manifest(&path).ok()?.parse().ok()?;
    let mut versions = BTreeMap::new();
    for pkg in doc.get("package")?.as_array()? {
        let (Some(name), Some(version)) = (
            pkg.get("name").and_then(|n| n.as_str()),
            pkg.get("version").and_then(|v| v.as_str()),
        ) else {
            continue;
        };
        if !CLIENT_CRATES.contains(&name) {
            continue;
        }
        let newer = |old: &String| {
            let major = |v: &str| {
                v.split('.')
                    .next()
                    .and_then(|m| m.parse::<u64>().ok())
                    .unwrap_or(0)
            };
            major(version) > major(old)
        };
        if versions.get(name).is_none_or(newer) {
            versions.insert(name.to_string(), version.to_string());
        }
    }
    Some(versions)
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
