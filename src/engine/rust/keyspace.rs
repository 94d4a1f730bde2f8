//! The run's keyspace: each crate's key sites are taken when the crate is
//! linked; once every crate is, they are joined per Cargo workspace and
//! the keyspace rules run on each workspace's keys (one workspace is one
//! service's view of Redis; two workspaces in one run are usually two
//! services with their own data). The whole run's keyspace is what
//! `redis-lint keys` shows.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::super::plan::{UnitKey, Units};
use super::super::workspace::Role;
use super::super::Run;
use crate::diagnostic::{Finding, Outcome};
use crate::extract::facts::FileFacts;
use crate::link::keyspace::{self, CrateKeys, CrateScope, FileProgram};
use crate::manifest::Manifests;
use crate::model::keyspace::{Keyspace, Program};
use crate::rules::{self, Rule};
use crate::settings::{Config, KeyspacePrograms};
use crate::source::FileId;

/// Which Cargo workspace each crate of the run belongs to, and the program
/// of each of its files.
pub(super) struct Scopes {
    /// Unit → where its sites belong.
    of_unit: BTreeMap<UnitId, CrateScope>,
    /// Workspace roots as shown, by index.
    shown: Vec<String>,
    /// The first file of each workspace: its configuration's rule options
    /// apply to the workspace's keyspace rules.
    first_file: Vec<Option<FileId>>,
}

/// A unit as `Scopes` knows it: its crate root and example name.
type UnitId = (PathBuf, Option<String>);

impl Scopes {
    /// The workspace of each crate, and the program of each file: an
    /// example or benchmark is one; an integration test file (`tests/`) is
    /// one; a file whose configuration sets `keyspace-programs` is one, or
    /// each of its fns; the rest is the service.
    pub(super) fn of(run: &Run, units: &Units, outcome: &Outcome) -> Scopes {
        let mut scopes = Scopes {
            of_unit: BTreeMap::new(),
            shown: Vec::new(),
            first_file: Vec::new(),
        };
        let mut index: BTreeMap<PathBuf, u32> = BTreeMap::new();
        let mut memo = BTreeMap::new();
        for (key, files) in &units.units {
            let Some(root) = &key.root else {
                continue;
            };
            let workspace = workspace_root(root, &run.manifests, &mut memo);
            let next = index.len() as u32;
            let i = *index.entry(workspace.clone()).or_insert_with(|| {
                scopes.shown.push(run.display(&workspace));
                scopes.first_file.push(None);
                next
            });
            if scopes.first_file[i as usize].is_none() && key.example.is_none() {
                scopes.first_file[i as usize] = files.first().map(|(id, _)| *id);
            }
            let name = run
                .manifests
                .load(root)
                .name
                .or_else(|| root.file_name().map(|n| n.to_string_lossy().into_owned()))
                .unwrap_or_default();
            // A crate of its own under `examples/` is an example too.
            let example_crate = files
                .first()
                .is_some_and(|(id, _)| units.roles[*id as usize] == Role::Example);
            let default = match &key.example {
                Some(example) => Program::Example(example.clone()),
                None if example_crate => Program::Example(run.display(root)),
                None => Program::Service,
            };
            let programs = match key.example {
                Some(_) => HashMap::new(),
                None => files
                    .iter()
                    .filter_map(|(id, facts)| {
                        let path = &outcome.files[*id as usize].path;
                        let config = units.configs[*id as usize].as_deref();
                        Some((*id, file_program(run, root, path, facts, config)?))
                    })
                    .collect(),
            };
            let at = CrateScope {
                crate_name: name,
                scope: i,
                programs,
                default,
            };
            scopes
                .of_unit
                .insert((root.clone(), key.example.clone()), at);
        }
        scopes
    }

    pub(super) fn of_unit(&self, key: &UnitKey) -> Option<CrateScope> {
        let id = (key.root.clone()?, key.example.clone());
        self.of_unit.get(&id).cloned()
    }
}

/// The program of a crate's file when it is not the service: each test fn
/// (of `tests/`, a test-only file, or a `#[cfg(test)]` module) is its own
/// (a test sets up its own keys, and a suite runs its tests on a flushed or
/// scratch database), and so is a file, or each fn of one, whose
/// configuration says so.
fn file_program(
    run: &Run,
    root: &Path,
    path: &Path,
    facts: &FileFacts,
    config: Option<&Config>,
) -> Option<FileProgram> {
    let shown = run.display(path);
    let under_tests = path
        .strip_prefix(root)
        .is_ok_and(|rel| rel.starts_with("tests"));
    if under_tests || facts.all_test {
        return Some(FileProgram::EachFn(shown));
    }
    let tests: HashSet<String> = facts
        .fns
        .iter()
        .filter(|f| f.is_test)
        .map(|f| f.info.name.clone())
        .collect();
    match config.map_or(KeyspacePrograms::Workspace, |c| c.keyspace_programs) {
        KeyspacePrograms::Workspace if tests.is_empty() => None,
        KeyspacePrograms::Workspace => Some(FileProgram::TestFns { file: shown, tests }),
        KeyspacePrograms::File => Some(FileProgram::Whole(Program::Apart(shown))),
        KeyspacePrograms::Fn => Some(FileProgram::EachFn(shown)),
    }
}

/// The Cargo workspace a crate is built in: the nearest folder at or above
/// it whose `Cargo.toml` has a `[workspace]` table that does not exclude
/// it; the crate itself when there is none.
fn workspace_root(
    root: &Path,
    manifests: &Manifests,
    memo: &mut BTreeMap<PathBuf, Option<Vec<PathBuf>>>,
) -> PathBuf {
    for dir in root.ancestors() {
        let excluded = memo
            .entry(dir.to_path_buf())
            .or_insert_with(|| workspace_excludes(dir, manifests));
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
fn workspace_excludes(dir: &Path, manifests: &Manifests) -> Option<Vec<PathBuf>> {
    dir.join("Cargo.toml").is_file().then_some(())?;
    let doc = manifests.doc(dir).ok()?;
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
