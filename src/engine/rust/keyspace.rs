//! The run's keyspace: each crate's key sites are taken when the crate is
//! linked; once every crate is, they are joined per Cargo workspace and
//! the keyspace rules run on each workspace's keys (one workspace is one
//! service's view of Redis; two workspaces in one run are usually two
//! services with their own data). The whole run's keyspace is what
//! `redis-lint keys` shows.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::super::plan::{UnitKey, Units};
use super::super::Run;
use crate::diagnostic::Finding;
use crate::link::keyspace::{self, CrateKeys};
use crate::model::keyspace::Keyspace;
use crate::rules::{self, Rule};
use crate::settings::Config;
use crate::source::FileId;

/// Which Cargo workspace each crate of the run belongs to.
pub(super) struct Scopes {
    /// Crate root → (workspace index, package name).
    of_root: BTreeMap<PathBuf, (u32, String)>,
    /// Workspace roots as shown, by index.
    shown: Vec<String>,
    /// The first file of each workspace: its configuration's rule options
    /// apply to the workspace's keyspace rules.
    first_file: Vec<Option<FileId>>,
}

/// A crate's place in the keyspace.
pub(super) struct UnitScope {
    pub index: u32,
    pub crate_name: String,
}

impl Scopes {
    /// The workspace of each crate (examples and benchmarks are left out:
    /// their keys are no part of the service's keyspace).
    pub(super) fn of(run: &Run, units: &Units) -> Scopes {
        let mut scopes = Scopes {
            of_root: BTreeMap::new(),
            shown: Vec::new(),
            first_file: Vec::new(),
        };
        let mut index: BTreeMap<PathBuf, u32> = BTreeMap::new();
        let mut memo = BTreeMap::new();
        for (key, files) in &units.units {
            let (Some(root), None) = (&key.root, &key.example) else {
                continue;
            };
            let workspace = workspace_root(root, &mut memo);
            let next = index.len() as u32;
            let i = *index.entry(workspace.clone()).or_insert_with(|| {
                scopes.shown.push(run.display(&workspace));
                scopes.first_file.push(None);
                next
            });
            if scopes.first_file[i as usize].is_none() {
                scopes.first_file[i as usize] = files.first().map(|(id, _)| *id);
            }
            let name = run
                .manifests
                .load(root)
                .name
                .or_else(|| root.file_name().map(|n| n.to_string_lossy().into_owned()))
                .unwrap_or_default();
            scopes.of_root.insert(root.clone(), (i, name));
        }
        scopes
    }

    pub(super) fn of_unit(&self, key: &UnitKey) -> Option<UnitScope> {
        if key.example.is_some() {
            return None;
        }
        let (index, name) = self.of_root.get(key.root.as_ref()?)?;
        Some(UnitScope {
            index: *index,
            crate_name: name.clone(),
        })
    }
}

/// The Cargo workspace a crate is built in: the nearest folder at or above
/// it whose `Cargo.toml` has a `[workspace]` table that does not exclude
/// it; the crate itself when there is none.
fn workspace_root(root: &Path, memo: &mut BTreeMap<PathBuf, Option<Vec<PathBuf>>>) -> PathBuf {
    for dir in root.ancestors() {
        let excluded = memo
            .entry(dir.to_path_buf())
            .or_insert_with(|| workspace_excludes(dir));
        let Some(excluded) = excluded else {
            continue;
        };
        let inside = root.strip_prefix(dir).unwrap_or(root);
        if excluded.iter().any(|e| inside.starts_with(e)) {
            break;
        }
        return dir.to_path_buf();
    }
    root.to_path_buf()
}

/// The `exclude` list of `dir/Cargo.toml`'s `[workspace]`; `None` when it
/// has no such table (or cannot be read).
fn workspace_excludes(dir: &Path) -> Option<Vec<PathBuf>> {
    let text = crate::manifest::read_manifest(&dir.join("Cargo.toml")).ok()?;
    if !text.contains("[workspace") {
        return None;
    }
    let doc: toml::Table = text.parse().ok()?;
    let workspace = doc.get("workspace")?;
    let excluded = workspace
        .get("exclude")
        .and_then(|e| e.as_array())
        .into_iter()
        .flatten()
        .filter_map(|e| e.as_str())
        .map(|e| crate::engine::workspace::normal(Path::new(e)))
        .collect();
    Some(excluded)
}

/// The keyspace rules' findings, and the run's keyspace.
pub(super) struct Checked {
    pub findings: Vec<Finding>,
    pub keyspace: Keyspace,
}

/// Runs the keyspace rules on each workspace's keys; builds the run's
/// keyspace.
pub(super) fn check(
    scopes: &Scopes,
    parts: Vec<CrateKeys>,
    configs: &[Option<Arc<Config>>],
    rules: &[&'static Rule],
) -> Checked {
    let keyspace = keyspace::build(parts, scopes.shown.clone());
    let mut findings = Vec::new();
    let any_rule = rules
        .iter()
        .any(|r| matches!(r.check, rules::Check::Keyspace(_)));
    if any_rule {
        for (i, first) in scopes.first_file.iter().enumerate() {
            let own = keyspace::of_scope(&keyspace, i as u32);
            if own.sites.is_empty() {
                continue;
            }
            let config = first.and_then(|f| configs[f as usize].as_deref());
            findings.extend(rules::run_keyspace(
                &own,
                config.map(|c| &c.rule_options),
                rules,
            ));
        }
    }
    Checked { findings, keyspace }
}
