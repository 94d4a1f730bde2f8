//! What a `Cargo.lock` says about the crates a workspace builds but does
//! not own: which of them talk to Redis through a client crate of their
//! own (`libmcaptcha` → `redis 0.23.3`), where Cargo took each from, and
//! which client versions it builds them with. A dependency's folder has no
//! lock of its own that counts: the application's lock decides.

use std::sync::Arc;

use super::{LockVersions, CLIENT_CRATES, REDIS_CLIENT_CRATES};

/// Where Cargo takes a locked package from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PackageSource {
    /// A registry (crates.io or a private one): unpacked under
    /// `$CARGO_HOME/registry/src/<index>/<name>-<version>/`.
    Registry,
    /// A git repository at a commit: checked out under
    /// `$CARGO_HOME/git/checkouts/<repo>-<hash>/<short commit>/`.
    Git { commit: String },
}

/// A package of the lock that is not the workspace's own and depends on a
/// Redis client crate directly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockedWrapper {
    pub name: String,
    pub version: String,
    pub source: PackageSource,
    /// The client crates it depends on, each at the one version the lock
    /// builds it with.
    pub clients: LockVersions,
}

/// One `[[package]]` entry, as far as it matters here.
#[derive(Default)]
struct Entry<'a> {
    name: &'a str,
    version: &'a str,
    source: Option<&'a str>,
    /// `name` or `name version` (`name version (source)` in old locks).
    dependencies: Vec<&'a str>,
}

/// What the linter reads from one `Cargo.lock`, in one scan of it.
#[derive(Debug, Default)]
pub struct Lock {
    /// The client packages' versions, for the crates the lock builds.
    pub versions: Arc<LockVersions>,
    /// Its packages that wrap a Redis client.
    pub wrappers: Vec<LockedWrapper>,
}

impl Lock {
    pub fn read(text: &str) -> Lock {
        let entries = entries(text);
        Lock {
            versions: Arc::new(client_versions(&entries)),
            wrappers: wrappers(&entries),
        }
    }
}

/// The versions of the client packages a crate may depend on. Cargo
/// writes one key per line, so a line scan reads what a TOML parse of the
/// whole (often half-megabyte) file would, in a fraction of the time.
fn client_versions(entries: &[Entry]) -> LockVersions {
    let mut versions = LockVersions::new();
    for e in entries {
        if CLIENT_CRATES.contains(&e.name) && !e.version.is_empty() {
            versions
                .entry(e.name.to_string())
                .or_default()
                .push(e.version.to_string());
        }
    }
    versions
}

/// The lock's packages that wrap a Redis client (see [`LockedWrapper`]),
/// in lock order. Client crates themselves are modelled by the client
/// adapters and are not listed; nor are path and workspace packages
/// (they have no `source`: the walk reads them when they are linted).
fn wrappers(entries: &[Entry]) -> Vec<LockedWrapper> {
    let mut versions = LockVersions::new();
    for e in entries {
        if REDIS_CLIENT_CRATES.contains(&e.name) {
            versions
                .entry(e.name.to_string())
                .or_default()
                .push(e.version.to_string());
        }
    }
    entries
        .iter()
        .filter(|e| !REDIS_CLIENT_CRATES.contains(&e.name))
        .filter_map(|e| {
            let source = package_source(e.source?)?;
            let clients: LockVersions = e
                .dependencies
                .iter()
                .filter_map(|d| client_of(d, &versions))
                .map(|(name, version)| (name, vec![version]))
                .collect();
            (!clients.is_empty()).then(|| LockedWrapper {
                name: e.name.to_string(),
                version: e.version.to_string(),
                source,
                clients,
            })
        })
        .collect()
}

/// The client crate and its exact version that a `dependencies` item
/// names; a bare name stands for the lock's one version of it.
fn client_of(item: &str, versions: &LockVersions) -> Option<(String, String)> {
    let mut parts = item.split_whitespace();
    let name = parts.next()?;
    if !REDIS_CLIENT_CRATES.contains(&name) {
        return None;
    }
    let version = match parts.next() {
        Some(v) => v.to_string(),
        None => versions.get(name)?.first()?.clone(),
    };
    Some((name.to_string(), version))
}

/// `registry+…` / `sparse+…` are registries; `git+<url>#<commit>` a git
/// checkout. Anything else (a local registry, say) is not followed.
fn package_source(source: &str) -> Option<PackageSource> {
    if source.starts_with("registry+") || source.starts_with("sparse+") {
        return Some(PackageSource::Registry);
    }
    let rest = source.strip_prefix("git+")?;
    let (_, commit) = rest.rsplit_once('#')?;
    Some(PackageSource::Git {
        commit: commit.to_string(),
    })
}

/// The `[[package]]` entries of a lock, by a line scan (Cargo writes one
/// key per line and one dependency per line).
fn entries(lock: &str) -> Vec<Entry<'_>> {
    let mut out = Vec::new();
    let mut current: Option<Entry> = None;
    let mut in_dependencies = false;
    for line in lock.lines() {
        let line = line.trim();
        if in_dependencies {
            if line.starts_with(']') {
                in_dependencies = false;
            } else if let (Some(e), Some(item)) = (current.as_mut(), quoted_item(line)) {
                e.dependencies.push(item);
            }
            continue;
        }
        if line.starts_with('[') {
            out.extend(current.take());
            if line == "[[package]]" {
                current = Some(Entry::default());
            }
            continue;
        }
        let Some(e) = current.as_mut() else { continue };
        if let Some(v) = super::quoted_value(line, "name") {
            e.name = v;
        } else if let Some(v) = super::quoted_value(line, "version") {
            e.version = v;
        } else if let Some(v) = super::quoted_value(line, "source") {
            e.source = Some(v);
        } else if let Some(rest) = line.strip_prefix("dependencies") {
            let list = rest.trim_start().strip_prefix('=').unwrap_or("").trim();
            // `dependencies = [ "a", "b" ]` on one line, or one per line.
            let inline = list.strip_prefix('[').unwrap_or("");
            e.dependencies
                .extend(inline.split(',').filter_map(quoted_item));
            in_dependencies = !inline.trim_end().ends_with(']');
        }
    }
    out.extend(current);
    out
}

/// The text of a `"…",` list item.
fn quoted_item(item: &str) -> Option<&str> {
    let item = item
        .trim()
        .trim_end_matches(']')
        .trim()
        .trim_end_matches(',');
    item.trim().strip_prefix('"')?.strip_suffix('"')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrappers_are_sourced_packages_depending_on_a_client() {
        let lock = r#"
version = 4

[[package]]
name = "app"
version = "0.1.0"
dependencies = [
 "libcache",
 "redis 1.0.2",
]

[[package]]
name = "libcache"
version = "0.2.4"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "00"
dependencies = [
 "redis 0.23.3",
 "serde",
]

[[package]]
name = "lockkit"
version = "0.5.0"
source = "git+https://github.com/acme/lockkit?branch=main#0123456789abcdef"
dependencies = ["fred", "tokio"]

[[package]]
name = "fred"
version = "9.4.0"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "plain"
version = "1.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
dependencies = [
 "serde",
]

[[package]]
name = "redis"
version = "0.23.3"
source = "registry+https://github.com/rust-lang/crates.io-index"
dependencies = [
 "bytes",
]

[[package]]
name = "redis"
version = "1.0.2"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "deadpool-redis"
version = "0.22.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
dependencies = [
 "redis 0.32.7",
]
"#;
        let found = Lock::read(lock).wrappers;
        let names: Vec<&str> = found.iter().map(|w| w.name.as_str()).collect();
        assert_eq!(names, ["libcache", "lockkit"]);
        assert_eq!(found[0].version, "0.2.4");
        assert_eq!(found[0].source, PackageSource::Registry);
        assert_eq!(found[0].clients["redis"], ["0.23.3"]);
        assert_eq!(
            found[1].source,
            PackageSource::Git {
                commit: "0123456789abcdef".into()
            }
        );
        assert_eq!(found[1].clients["fred"], ["9.4.0"]);
    }
}
