//! Where the sources of a locked dependency are on this machine: a
//! vendored copy when the workspace replaces its sources with a folder,
//! else Cargo's unpacked registry crates and git checkouts. Nothing is
//! fetched: a dependency Cargo has not downloaded yet is not found.

use std::path::{Path, PathBuf};

use super::{read_manifest, LockedWrapper, PackageSource};

/// Cargo's home folder (`$CARGO_HOME`, else `~/.cargo`).
#[derive(Debug, Clone)]
pub struct CargoHome(pub PathBuf);

impl CargoHome {
    /// The one the environment names, if any.
    pub fn from_env() -> Option<CargoHome> {
        if let Some(home) = std::env::var_os("CARGO_HOME").filter(|h| !h.is_empty()) {
            return Some(CargoHome(PathBuf::from(home)));
        }
        let home = std::env::var_os("HOME").filter(|h| !h.is_empty())?;
        Some(CargoHome(PathBuf::from(home).join(".cargo")))
    }
}

/// The root folder of `package`'s sources, as the workspace at
/// `workspace` builds it.
pub fn locate(
    package: &LockedWrapper,
    workspace: &Path,
    home: Option<&CargoHome>,
) -> Option<PathBuf> {
    if let Some(found) = vendored(package, workspace) {
        return Some(found);
    }
    let home = home?;
    match &package.source {
        PackageSource::Registry => registry(package, home),
        PackageSource::Git { commit } => git_checkout(package, commit, home),
    }
}

/// `$CARGO_HOME/registry/src/<index>/<name>-<version>/`, in any index.
fn registry(package: &LockedWrapper, home: &CargoHome) -> Option<PathBuf> {
    let folder = format!("{}-{}", package.name, package.version);
    let mut indexes: Vec<PathBuf> = std::fs::read_dir(home.0.join("registry/src"))
        .ok()?
        .flatten()
        .map(|e| e.path())
        .collect();
    indexes.sort();
    indexes
        .into_iter()
        .map(|index| index.join(&folder))
        .find(|dir| dir.join("Cargo.toml").is_file())
}

/// `$CARGO_HOME/git/checkouts/<repo>-<hash>/<short commit>/`, and in it
/// the crate by that name (a repository may hold a workspace).
fn git_checkout(package: &LockedWrapper, commit: &str, home: &CargoHome) -> Option<PathBuf> {
    let short = commit.get(..7)?;
    let mut checkouts: Vec<PathBuf> = std::fs::read_dir(home.0.join("git/checkouts"))
        .ok()?
        .flatten()
        .map(|e| e.path().join(short))
        .filter(|dir| dir.is_dir())
        .collect();
    checkouts.sort();
    checkouts
        .iter()
        .find_map(|dir| crate_named(dir, &package.name, 3))
}

/// The folder at or below `dir` (at most `depth` levels) whose manifest
/// names the package `name`.
fn crate_named(dir: &Path, name: &str, depth: u32) -> Option<PathBuf> {
    if package_field(dir, "name").as_deref() == Some(name) {
        return Some(dir.to_path_buf());
    }
    if depth == 0 {
        return None;
    }
    let mut subdirs: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.path())
        .filter(|p| {
            !p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .filter(|p| !p.ends_with("target"))
        .collect();
    subdirs.sort();
    subdirs
        .iter()
        .find_map(|sub| crate_named(sub, name, depth - 1))
}

/// `[package] <key>` of the manifest in `dir` (`name`, `version`).
fn package_field(dir: &Path, key: &str) -> Option<String> {
    let text = read_manifest(&dir.join("Cargo.toml")).ok()?;
    let doc: toml::Table = text.parse().ok()?;
    Some(doc.get("package")?.get(key)?.as_str()?.to_string())
}

/// A vendored copy: the workspace's `.cargo/config.toml` replaces its
/// sources with a folder (`[source.vendored-sources] directory =
/// "vendor"`), holding `<name>/` or, when two versions are vendored,
/// `<name>-<version>/`.
fn vendored(package: &LockedWrapper, workspace: &Path) -> Option<PathBuf> {
    let config = ["config.toml", "config"]
        .iter()
        .map(|f| workspace.join(".cargo").join(f))
        .find_map(|p| read_manifest(&p).ok())?;
    let doc: toml::Table = config.parse().ok()?;
    let sources = doc.get("source")?.as_table()?;
    let folders = sources
        .values()
        .filter_map(|s| s.get("directory")?.as_str())
        .map(|d| workspace.join(d));
    let named = [
        format!("{}-{}", package.name, package.version),
        package.name.clone(),
    ];
    for folder in folders {
        for name in &named {
            let dir = folder.join(name);
            if package_field(&dir, "version").as_deref() == Some(package.version.as_str()) {
                return Some(dir);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::LockVersions;

    fn package(name: &str, version: &str, source: PackageSource) -> LockedWrapper {
        LockedWrapper {
            name: name.into(),
            version: version.into(),
            source,
            clients: LockVersions::new(),
        }
    }

    fn write(path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn manifest(name: &str, version: &str) -> String {
        format!("[package]\nname = \"{name}\"\nversion = \"{version}\"\n")
    }

    #[test]
    fn sources_are_found_vendored_in_the_registry_and_in_git_checkouts() {
        let dir = tempfile::tempdir().unwrap();
        let home = CargoHome(dir.path().join("home"));
        let app = dir.path().join("app");
        let registry = home.0.join("registry/src/index.example-0123/cache-0.2.4");
        write(&registry.join("Cargo.toml"), &manifest("cache", "0.2.4"));
        let cache = package("cache", "0.2.4", PackageSource::Registry);
        assert_eq!(locate(&cache, &app, Some(&home)), Some(registry));
        // Not fetched: not found, and no Cargo home at all is no error.
        let other = package("cache", "0.3.0", PackageSource::Registry);
        assert_eq!(locate(&other, &app, Some(&home)), None);
        assert_eq!(locate(&cache, &app, None), None);

        // A git checkout holding a workspace: the member by that name.
        let checkout = home.0.join("git/checkouts/locks-5f3a/0123456");
        write(
            &checkout.join("Cargo.toml"),
            "[workspace]\nmembers = [\"lockkit\"]\n",
        );
        write(
            &checkout.join("lockkit/Cargo.toml"),
            &manifest("lockkit", "0.5.0"),
        );
        let git = PackageSource::Git {
            commit: "0123456789abcdef".into(),
        };
        let lockkit = package("lockkit", "0.5.0", git);
        assert_eq!(
            locate(&lockkit, &app, Some(&home)),
            Some(checkout.join("lockkit"))
        );

        // A vendored copy wins over the registry's.
        write(
            &app.join(".cargo/config.toml"),
            "[source.crates-io]\nreplace-with = \"vendored\"\n\n[source.vendored]\ndirectory = \"vendor\"\n",
        );
        let vendored = app.join("vendor/cache");
        write(&vendored.join("Cargo.toml"), &manifest("cache", "0.2.4"));
        assert_eq!(locate(&cache, &app, Some(&home)), Some(vendored));
    }
}
