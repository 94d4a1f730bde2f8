//! Each `Cargo.toml` of a run, read and parsed once and shared by all its
//! readers (the crate's manifest, its layout, the crate graph, its
//! workspace's members and excludes): before, a crate's manifest was parsed
//! up to six times in one run.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use super::read_manifest;

/// Why a `Cargo.toml` gives no table.
#[derive(Debug, Clone, thiserror::Error)]
pub enum DocError {
    #[error("cannot read Cargo.toml: {0}")]
    Read(String),
    #[error("Cargo.toml is not valid TOML: {0}")]
    Toml(String),
}

/// A parsed `Cargo.toml`, less the tables no reader asks for.
pub type Doc = Result<Arc<toml::Table>, DocError>;

/// The run's parsed manifests, by folder.
#[derive(Default)]
pub(super) struct Docs(Mutex<HashMap<PathBuf, Arc<OnceLock<Doc>>>>);

impl Docs {
    /// `dir/Cargo.toml`, parsed on first need; a thread asking while
    /// another parses it waits for that parse.
    pub(super) fn get(&self, dir: &Path) -> Doc {
        let slot = {
            let mut slots = self.0.lock().unwrap_or_else(|e| e.into_inner());
            Arc::clone(slots.entry(dir.to_path_buf()).or_default())
        };
        slot.get_or_init(|| parse(dir)).clone()
    }
}

fn parse(dir: &Path) -> Doc {
    let text = read_manifest(&dir.join("Cargo.toml")).map_err(|e| DocError::Read(e.to_string()))?;
    let mut doc: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| DocError::Toml(e.message().to_string()))?;
    prune(&mut doc);
    Ok(Arc::new(doc))
}

/// The top-level tables some reader asks for.
const READ: &[&str] = &[
    "package",
    "lib",
    "bin",
    "example",
    "test",
    "bench",
    "dependencies",
    "dev-dependencies",
    "build-dependencies",
    "target",
    "workspace",
];

/// The keys read of `[package]`, of a target (`[lib]`, `[[bin]]`, …), of
/// a dependency and of `[workspace]`.
const PACKAGE_READ: &[&str] = &["name", "build", "publish", "exclude"];
const TARGET_READ: &[&str] = &["name", "path"];
const DEPENDENCY_READ: &[&str] = &["package", "version", "features", "path", "workspace"];
const WORKSPACE_READ: &[&str] = &["members", "exclude", "dependencies", "package"];
const DEPENDENCY_TABLES: &[&str] = &["dependencies", "dev-dependencies", "build-dependencies"];

/// Every dependency table of a manifest: of each kind, and of each
/// `[target.'cfg(..)']`.
pub fn dependency_tables(doc: &toml::Table) -> Vec<&toml::Table> {
    let targets = doc.get("target").and_then(|t| t.as_table());
    let targets = targets.into_iter().flat_map(|t| t.values());
    let holders = std::iter::once(doc).chain(targets.filter_map(|t| t.as_table()));
    holders
        .flat_map(|t| {
            DEPENDENCY_TABLES
                .iter()
                .filter_map(|k| t.get(*k)?.as_table())
        })
        .collect()
}

/// Drops what no reader asks for: the run keeps every crate's manifest,
/// and a published crate's lists every target and feature.
fn prune(doc: &mut toml::Table) {
    doc.retain(|key, _| READ.contains(&key));
    keep_only(doc.get_mut("package"), PACKAGE_READ);
    keep_only(doc.get_mut("lib"), TARGET_READ);
    for key in ["bin", "example", "test", "bench"] {
        if let Some(toml::Value::Array(targets)) = doc.get_mut(key) {
            targets
                .iter_mut()
                .for_each(|t| keep_only(Some(t), TARGET_READ));
        }
    }
    prune_dependencies(doc);
    if let Some(toml::Value::Table(targets)) = doc.get_mut("target") {
        for (_, target) in targets.iter_mut() {
            if let toml::Value::Table(target) = target {
                target.retain(|key, _| DEPENDENCY_TABLES.contains(&key));
                prune_dependencies(target);
            }
        }
    }
    if let Some(toml::Value::Table(workspace)) = doc.get_mut("workspace") {
        workspace.retain(|key, _| WORKSPACE_READ.contains(&key));
        keep_only(workspace.get_mut("package"), &["publish"]);
        prune_dependencies(workspace);
    }
}

/// Each dependency of the table's dependency tables, down to what is read.
fn prune_dependencies(table: &mut toml::Table) {
    for key in DEPENDENCY_TABLES {
        if let Some(toml::Value::Table(deps)) = table.get_mut(*key) {
            deps.iter_mut()
                .for_each(|(_, spec)| keep_only(Some(spec), DEPENDENCY_READ));
        }
    }
}

/// A table down to these keys (anything else is left as it is).
fn keep_only(value: Option<&mut toml::Value>, keys: &[&str]) {
    if let Some(toml::Value::Table(table)) = value {
        table.retain(|key, _| keys.contains(&key));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manifest_is_parsed_once_and_pruned() {
        let dir = tempfile::tempdir().unwrap();
        let manifest = "[package]\nname = \"app\"\ndescription = \"long\"\n\
                        [package.metadata.docs]\nall = true\n[dependencies]\nredis = \"1\"\n\
                        [dependencies.fred]\nversion = \"10\"\noptional = true\n\
                        [[example]]\nname = \"ex\"\npath = \"ex.rs\"\nrequired-features = [\"a\"]\n\
                        [features]\ndefault = []\n";
        std::fs::write(dir.path().join("Cargo.toml"), manifest).unwrap();
        let docs = Docs::default();
        let first = docs.get(dir.path()).unwrap();
        std::fs::write(dir.path().join("Cargo.toml"), "not toml [").unwrap();
        let again = docs.get(dir.path()).unwrap();
        assert!(Arc::ptr_eq(&first, &again), "parsed a second time");
        assert!(first.get("features").is_none());
        let package = first["package"].as_table().unwrap();
        assert_eq!(package["name"].as_str(), Some("app"));
        assert!(package.get("metadata").is_none() && package.get("description").is_none());
        assert!(first["dependencies"].get("redis").is_some());
        let fred = first["dependencies"]["fred"].as_table().unwrap();
        assert!(fred.contains_key("version") && !fred.contains_key("optional"));
        let example = first["example"][0].as_table().unwrap();
        assert!(example.contains_key("path") && !example.contains_key("required-features"));
    }

    #[test]
    fn read_and_syntax_errors_are_told_apart() {
        let dir = tempfile::tempdir().unwrap();
        let docs = Docs::default();
        let missing = docs.get(dir.path()).unwrap_err().to_string();
        assert!(missing.starts_with("cannot read Cargo.toml"), "{missing}");
        let broken = tempfile::tempdir().unwrap();
        std::fs::write(broken.path().join("Cargo.toml"), "[package\n").unwrap();
        let bad = docs.get(broken.path()).unwrap_err().to_string();
        assert!(bad.starts_with("Cargo.toml is not valid TOML"), "{bad}");
    }
}
