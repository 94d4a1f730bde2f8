//! Rust code: every file read, parsed and extracted once (in parallel,
//! skipping those that cannot matter), then every compilation unit linked
//! into a crate model and checked by the rules (in parallel).

mod crate_graph;
mod keyspace;
mod needed;

use std::collections::BTreeSet;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Arc;

use rayon::prelude::*;

use super::lua_files::LuaFiles;
use super::plan::{Reported, UnitKey, Units};
use super::workspace::{load_manifest, Role};
use super::Run;
use crate::diagnostic::{Finding, Level, Outcome, Problem, ProblemKind};
use crate::extract::facts::FileFacts;
use crate::link::keyspace::CrateKeys;
use crate::link::{self, CrateNames, Scope, Symbols, Workspace, WorkspaceCrate};
use crate::manifest::{CrateManifest, CratePlace, Renames};
use crate::model::keyspace::Keyspace;
use crate::model::CrateModel;
use crate::rules::{self, Rule};
use crate::settings::{Config, LintExamples};
use crate::source::FileId;

pub(super) use needed::{digest, parse_needed, source_text};

/// A file after extraction.
pub(super) struct Processed {
    /// Boxed: most files of a large tree are not parsed, and each of them
    /// would otherwise carry an empty `FileFacts` (over a kilobyte) inline.
    pub facts: Option<Box<FileFacts>>,
    /// What is kept of its text for the findings' snippets.
    pub text: KeptText,
    /// Boxed for the same reason: few files have one.
    pub problem: Option<Box<Problem>>,
}

/// What is kept of a parsed file's text: linking and checking work on
/// facts, so a text is read again only for the files findings point into.
pub(super) enum KeptText {
    /// Nothing: no finding can point into the file.
    Nothing,
    /// The text's hash: it is read again when a finding points into the
    /// file, and shown only if unchanged since it was parsed.
    Digest(u64),
    /// The text itself: standard input's, which cannot be read again.
    Text(Arc<str>),
}

impl Processed {
    /// A file not parsed (yet).
    fn skipped() -> Processed {
        Processed {
            facts: None,
            text: KeptText::Nothing,
            problem: None,
        }
    }

    fn failed(problem: Problem) -> Processed {
        Processed {
            problem: Some(Box::new(problem)),
            ..Processed::skipped()
        }
    }

    fn is_skipped(&self) -> bool {
        self.facts.is_none() && self.problem.is_none()
    }
}

/// One unit's result.
struct Checked {
    findings: Vec<Finding>,
    problem: Option<Problem>,
    /// Files with Redis calls or connections.
    redis_files: BTreeSet<FileId>,
    /// Its key sites, for the run's keyspace (none for examples).
    keys: CrateKeys,
}

/// Links and checks every unit (in parallel); adds the findings its
/// file's configuration does not turn off, and the units' problems. Then
/// checks each Cargo workspace's keyspace; gives the run's.
pub(super) fn check_units(
    run: &Run,
    units: Units,
    rules: &[&'static Rule],
    reported: &Reported,
    lua: &LuaFiles,
    outcome: &mut Outcome,
) -> Keyspace {
    let shown: &Outcome = outcome;
    let workspace = workspace(run, &units, shown);
    let scopes = keyspace::Scopes::of(run, &units, shown);
    let results: Vec<Checked> = units
        .units
        .into_par_iter()
        .map(|(key, files)| {
            let scope = scopes.of_unit(&key);
            let unit = Unit {
                key,
                files: &files,
                workspace: &workspace,
                lua,
            };
            check_unit(run, unit, scope, &units.configs, rules, shown)
        })
        .collect();
    let mut manifest_problems = BTreeSet::new();
    let mut keys = Vec::with_capacity(results.len());
    let add = |f: Finding, outcome: &mut Outcome| {
        let Some(f) = at_configured_level(f, &units.configs, outcome) else {
            return;
        };
        let config = units.configs[f.file as usize].as_deref();
        let examples = config.map_or(LintExamples::Defects, |c| c.lint_examples);
        let quiet = units.roles[f.file as usize] == Role::Example && !examples.reports(f.rule);
        if !quiet {
            outcome.findings.push(f);
        }
    };
    for checked in results {
        keys.push(checked.keys);
        for f in checked.findings {
            add(f, outcome);
        }
        let shown = |id: &FileId| reported.includes(&outcome.files[*id as usize].path);
        outcome.files_with_redis += checked.redis_files.iter().filter(|id| shown(id)).count();
        if let Some(p) = checked.problem {
            // Examples share their crate's manifest: report it once.
            if manifest_problems.insert(p.display.clone()) {
                outcome.problems.push(p);
            }
        }
    }
    let run_keyspace = keyspace::check(&scopes, keys, &units.configs, rules);
    for f in run_keyspace.findings {
        add(f, outcome);
    }
    // A code rule's finding that a keyspace rule's restates is one problem.
    rules::drop_restated(&mut outcome.findings);
    run_keyspace.keyspace
}

/// Every crate's symbol tables by package name, so that a crate reads the
/// types, aliases and fields of the other crates of the run that it names
/// (`common::AppState`, `common::RedisPool`).
fn workspace(run: &Run, units: &Units, shown: &Outcome) -> Arc<Workspace> {
    let named: Vec<NamedCrate> = units
        .units
        .par_iter()
        .filter(|(key, _)| key.example.is_none())
        .filter_map(|(key, files)| {
            let manifest = run.manifests.load(key.root.as_deref()?);
            let root = key.root.as_deref()?;
            let dependency = manifest.is_dependency.then(|| DependencyBuilt {
                redis_major: manifest.client("redis").and_then(|d| d.major()),
                modules: files
                    .iter()
                    .map(|(id, _)| (*id, module_path(&shown.file(*id).path, root)))
                    .collect(),
            });
            Some(NamedCrate {
                dependency,
                name: manifest.name?,
                renames: manifest.crate_renames,
                place: run.manifests.place(root),
                files: files.iter().map(|(id, f)| (*id, f)).collect(),
            })
        })
        .collect();
    let first: Vec<Arc<Symbols>> = named
        .par_iter()
        .map(|c| Arc::new(c.symbols(Symbols::new(&c.files))))
        .collect();
    // A second round lets a crate's helpers follow the helpers of the
    // crates it calls (`web` → `common::cache::touch` → `base::bump`).
    let round = Arc::new(Workspace::new(
        named
            .iter()
            .zip(&first)
            .map(|(c, s)| c.in_workspace(s))
            .collect(),
    ));
    let crates = named
        .par_iter()
        .zip(first.par_iter())
        .map(|(c, symbols)| {
            let refs = &c.files;
            let symbols = match round.called_by(symbols, Some(&c.place), refs) {
                true => {
                    let round = Arc::clone(&round);
                    let symbols = Symbols::new(refs).in_workspace(round, c.names(), refs);
                    Arc::new(c.symbols(symbols))
                }
                false => Arc::clone(symbols),
            };
            c.in_workspace(&symbols)
        })
        .collect();
    Arc::new(Workspace::new(crates))
}

/// A crate of the run as other crates name it: its package name, the
/// names it depends on others under, where it sits, and its files.
struct NamedCrate<'a> {
    name: String,
    renames: Renames,
    place: Arc<CratePlace>,
    files: Vec<(FileId, &'a FileFacts)>,
    /// Set for a dependency read as context (see `dependencies`).
    dependency: Option<DependencyBuilt>,
}

/// How the application builds a dependency read as context.
struct DependencyBuilt {
    redis_major: Option<u64>,
    /// Each file's module path (`master::redis::master`), to tell apart
    /// same-named types of two modules.
    modules: link::Modules,
}

/// The module path of a crate's file under `src/` (`src/a/mod.rs` and
/// `src/a.rs` are `a`; `src/lib.rs` is the crate root).
fn module_path(path: &std::path::Path, root: &std::path::Path) -> Vec<String> {
    let Ok(rel) = path.strip_prefix(root.join("src")) else {
        return Vec::new();
    };
    let mut parts: Vec<String> = rel
        .with_extension("")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

impl NamedCrate<'_> {
    /// The crate as the workspace holds it, with these symbols.
    /// How its code names the other crates.
    fn names(&self) -> CrateNames {
        CrateNames {
            renames: self.renames.clone(),
            place: Some(Arc::clone(&self.place)),
        }
    }

    fn in_workspace(&self, symbols: &Arc<Symbols>) -> WorkspaceCrate {
        WorkspaceCrate {
            name: self.name.clone(),
            place: Arc::clone(&self.place),
            symbols: Arc::clone(symbols),
        }
    }

    /// Its symbols as other crates read them: a dependency's tell what
    /// each of its fns builds.
    fn symbols(&self, symbols: Symbols) -> Symbols {
        match &self.dependency {
            Some(d) => symbols.as_dependency(&self.files, &d.modules, d.redis_major),
            None => symbols,
        }
    }
}

/// One compilation unit to link, with the run's other crates.
struct Unit<'a> {
    key: UnitKey,
    files: &'a [(FileId, FileFacts)],
    workspace: &'a Arc<Workspace>,
    /// The `.lua` files its scripts include.
    lua: &'a LuaFiles,
}

/// A finding at the level its file's configuration sets, `None` when that
/// is `allow`. The related sites in files that allow the rule are dropped;
/// when the primary site's file allows it, the first site left becomes
/// the primary.
fn at_configured_level(
    mut f: Finding,
    configs: &[Option<Arc<Config>>],
    outcome: &Outcome,
) -> Option<Finding> {
    let (rule, default) = (f.rule, f.level);
    let level = |file: FileId| match &configs[file as usize] {
        Some(config) => config.level(rule, &outcome.files[file as usize].path),
        None => default,
    };
    f.related.retain(|r| level(r.file) != Level::Allow);
    f.level = level(f.file);
    if f.level == Level::Allow {
        if f.related.is_empty() {
            return None;
        }
        let first = f.related.remove(0);
        (f.file, f.span) = (first.file, first.span);
        f.level = level(f.file);
    }
    Some(f)
}

/// Links one unit and checks it. A bug in linking or in a rule costs this
/// unit's findings, not the run: reported like a file's internal error.
fn check_unit(
    run: &Run,
    unit: Unit,
    scope: Option<link::keyspace::CrateScope>,
    configs: &[Option<Arc<Config>>],
    rules: &[&'static Rule],
    outcome: &Outcome,
) -> Checked {
    let unit_scope = scope;
    let root = unit.key.root.as_deref();
    let (manifest, problem) = load_manifest(&run.manifests, root, &run.cwd);
    let names = CrateNames {
        renames: manifest.crate_renames.clone(),
        place: root.map(|r| run.manifests.place(r)),
    };
    // The crate follows the configuration of its first file.
    let config = unit
        .files
        .first()
        .and_then(|(id, _)| configs[*id as usize].as_deref());
    let scope = Scope {
        tests: run.opts.scope.tests || config.is_some_and(|c| c.lint_tests),
    };
    let checked = panic::catch_unwind(AssertUnwindSafe(|| {
        link_and_check(manifest, names, &unit, scope, config, rules)
    }));
    match checked {
        Ok((findings, redis_files, model)) => Checked {
            findings,
            problem,
            redis_files,
            keys: unit_scope
                .map(|s| link::keyspace::crate_sites(&model, &s))
                .unwrap_or_default(),
        },
        Err(_) => {
            let display = root
                .map(|r| run.display(&r.join("Cargo.toml")))
                .or_else(|| {
                    unit.files
                        .first()
                        .map(|(id, _)| outcome.file(*id).display.clone())
                })
                .unwrap_or_default();
            let internal = Problem {
                kind: ProblemKind::Internal,
                display,
                message: "internal error while checking this crate; its findings are left out"
                    .into(),
                span: None,
                source: None,
            };
            Checked {
                findings: Vec::new(),
                problem: Some(internal),
                redis_files: BTreeSet::new(),
                keys: CrateKeys::default(),
            }
        }
    }
}

/// The crate model of one unit, checked by `rules`; with the files that
/// use Redis, and the model itself.
fn link_and_check(
    manifest: CrateManifest,
    names: CrateNames,
    unit: &Unit,
    scope: Scope,
    config: Option<&Config>,
    rules: &[&'static Rule],
) -> (Vec<Finding>, BTreeSet<FileId>, CrateModel) {
    let refs: Vec<(FileId, &FileFacts)> = unit.files.iter().map(|(id, f)| (*id, f)).collect();
    let symbols = Symbols::new(&refs).in_workspace(Arc::clone(unit.workspace), names, &refs);
    let mut model = link::resolve(manifest, &refs, &symbols, scope);
    unit.lua.attach(&mut model);
    let redis_files: BTreeSet<FileId> = model
        .calls
        .iter()
        .map(|c| c.file)
        .chain(model.creations.iter().map(|c| c.file))
        .collect();
    (
        rules::run(&model, config.map(|c| &c.rule_options), rules),
        redis_files,
        model,
    )
}
