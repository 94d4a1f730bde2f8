//! What to lint: the walked files (or standard input), the rules each file's
//! configuration selects, and the grouping of parsed files into
//! compilation units.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::reach::{self, NotModule};
use super::rust::{KeptText, Processed};
use super::workspace::{role, CrateIndex, CrateRoot, Role};
use super::{Error, Input, Run, ServerConfs};
use crate::diagnostic::Outcome;
use crate::extract::facts::FileFacts;
use crate::rules::Rule;
use crate::server_conf;
use crate::settings::Config;
use crate::source::{FileId, SourceFile};
use crate::walk::{self, Walked};

/// What the walk found, and what it could not use.
pub(super) struct Found {
    pub walked: Walked,
    /// Paths given to lint that cannot be found, with the reason.
    pub missing: Vec<(PathBuf, std::io::Error)>,
    /// Files named on the command line that are neither Rust nor a Redis
    /// configuration: left out.
    pub not_rust: Vec<PathBuf>,
    /// Which of the walked files are reported on.
    pub reported: Reported,
}

/// Which walked Rust files the user asked about. Crate-wide rules need the
/// whole crate (a key builder in another file, an `XACK` elsewhere), so a
/// file named on its own (pre-commit passes the staged files, an editor
/// its buffer) brings its crate's other files in as context; only the
/// named files are reported on.
pub(super) enum Reported {
    /// Every walked file.
    All,
    /// Only these (absolute paths); the other walked files are context.
    Only(BTreeSet<PathBuf>),
}

impl Reported {
    pub fn includes(&self, path: &Path) -> bool {
        match self {
            Reported::All => true,
            Reported::Only(paths) => paths.contains(path),
        }
    }

    /// Reports on no more than `files` (of those reported on now): the
    /// files added after them are context.
    pub fn keep_only(&mut self, files: &[PathBuf]) {
        if let Reported::All = self {
            *self = Reported::Only(files.iter().cloned().collect());
        }
    }

    /// How many of `files` are reported on.
    pub fn count(&self, files: &[PathBuf]) -> usize {
        match self {
            Reported::All => files.len(),
            Reported::Only(_) => files.iter().filter(|f| self.includes(f)).count(),
        }
    }
}

/// The files to lint: standard input alone (as a Rust file or as a Redis
/// configuration, by its name), or what the walk finds. A path that does
/// not exist is set aside (the others are still linted).
pub(super) fn walk(input: &Input, confs: ServerConfs) -> Result<Found, Error> {
    let mut found = match input {
        Input::Stdin(stdin) => {
            let path = std::path::absolute(&stdin.path).unwrap_or_else(|_| stdin.path.clone());
            let (files, configs) = if server_conf::is_candidate(&stdin.path) {
                (Vec::new(), vec![path])
            } else {
                (vec![path], Vec::new())
            };
            Found {
                walked: Walked {
                    files,
                    configs,
                    problems: Vec::new(),
                },
                missing: Vec::new(),
                not_rust: Vec::new(),
                reported: Reported::All,
            }
        }
        Input::Paths(paths) => walk_paths(paths)?,
    };
    let named: Vec<PathBuf> = match input {
        Input::Stdin(_) => found.walked.files.clone(),
        Input::Paths(paths) => paths
            .iter()
            .filter(|p| p.is_file())
            .filter_map(|p| std::path::absolute(p).ok())
            .filter(|p| found.walked.files.contains(p))
            .collect(),
    };
    add_crate_context(&mut found, &named)?;
    if confs == ServerConfs::Skip {
        found.walked.configs.clear();
    }
    Ok(found)
}

/// Adds the other Rust files of the crates owning the `named` files (see
/// [`Reported`]); files of nested crates are left out, they are other
/// crates.
fn add_crate_context(found: &mut Found, named: &[PathBuf]) -> Result<(), Error> {
    let mut crates = CrateIndex::default();
    let roots: BTreeSet<PathBuf> = named
        .iter()
        .filter_map(|f| crates.owner(f))
        .map(|root| root.to_path_buf())
        .collect();
    if roots.is_empty() {
        return Ok(());
    }
    let roots: Vec<PathBuf> = roots.into_iter().collect();
    let context = walk::collect(&roots).map_err(Error::Walk)?;
    let reported: BTreeSet<PathBuf> = found.walked.files.iter().cloned().collect();
    let mut files = std::mem::take(&mut found.walked.files);
    files.extend(context.files.into_iter().filter(|f| {
        !reported.contains(f)
            && crates
                .owner(f)
                .is_some_and(|root| roots.iter().any(|r| **r == *root))
    }));
    files.sort();
    files.dedup();
    found.walked.files = files;
    found.reported = Reported::Only(reported);
    Ok(())
}

fn walk_paths(paths: &[PathBuf]) -> Result<Found, Error> {
    let mut present = Vec::new();
    let mut missing = Vec::new();
    for path in paths {
        match std::fs::metadata(path) {
            Ok(_) => present.push(path.clone()),
            Err(e) => missing.push((path.clone(), e)),
        }
    }
    let mut walked = walk::collect(&present).map_err(Error::Walk)?;
    // Folders yield `.rs` files only: anything else was named explicitly.
    let (rust, not_rust) = walked
        .files
        .into_iter()
        .partition(|f| f.extension().is_some_and(|x| x == "rs"));
    walked.files = rust;
    Ok(Found {
        walked,
        missing,
        not_rust,
        reported: Reported::All,
    })
}

/// The rules to run on Rust code: those any file's configuration selects
/// (within the options' rules), or the options' rules without settings.
pub(super) fn rust_rules(run: &Run, configs: &[Option<Arc<Config>>]) -> Vec<&'static Rule> {
    if run.resolver.is_none() {
        return run.opts.rules.clone();
    }
    // Files share a few configurations: each is asked once (asked per
    // file, a 60,000-file tree collected four million rules to dedup).
    let mut distinct: Vec<&Arc<Config>> = configs.iter().flatten().collect();
    distinct.sort_by_key(|c| Arc::as_ptr(c));
    distinct.dedup_by_key(|c| Arc::as_ptr(c));
    let mut all: Vec<&'static Rule> = distinct.iter().flat_map(|c| c.rules_to_run()).collect();
    all.sort_by_key(|r| r.meta.id);
    all.dedup_by_key(|r| r.meta.id);
    all.retain(|r| run.allowed(r));
    all
}

/// The walked Rust files after parsing, index by index.
pub(super) struct Parsed<'a> {
    pub files: &'a [PathBuf],
    /// The crate root owning each file.
    pub owners: Vec<Option<CrateRoot>>,
    pub processed: Vec<Processed>,
    pub configs: Vec<Option<Arc<Config>>>,
}

/// A compilation unit: the crate root (if any) and, for an example or a
/// benchmark, its program's name.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct UnitKey {
    pub root: Option<PathBuf>,
    pub example: Option<String>,
}

/// The files to check, by compilation unit, and the configuration and role
/// of each file of the outcome (by `FileId`).
pub(super) struct Units {
    pub units: BTreeMap<UnitKey, Vec<(FileId, FileFacts)>>,
    pub configs: Vec<Option<Arc<Config>>>,
    pub roles: Vec<Role>,
    /// Files that failed to parse and that nothing in their crate reaches
    /// (see [`reach`]), as they are displayed: a warning names them.
    /// Cargo scripts and included templates are skipped without a word.
    pub not_modules: Vec<String>,
    /// Of each file of the outcome whose text was not kept, the hash of
    /// the text it was parsed from (see [`KeptText`]).
    pub digests: HashMap<FileId, u64>,
}

/// Groups the parsed files by compilation unit (a crate, or one of its
/// examples or benchmarks), in path order, leaving out excluded files.
/// Each file kept is added to `outcome.files`; its parse problem to
/// `outcome.problems`, unless the file is no module of its crate (a
/// template, a cargo script). The files of a crate that its workspace uses
/// only to test itself are test code.
pub(super) fn group(run: &Run, parsed: Parsed, outcome: &mut Outcome) -> Units {
    let test_files = test_module_files(parsed.files, &parsed.processed);
    let unreached = reach::not_modules(run, parsed.files, &parsed.owners, &parsed.processed);
    let mut out = Units {
        units: BTreeMap::new(),
        configs: Vec::new(),
        roles: Vec::new(),
        not_modules: Vec::new(),
        digests: HashMap::new(),
    };
    let files = parsed.files.iter().zip(parsed.owners).zip(parsed.processed);
    for (i, (((path, owner), p), config)) in files.zip(parsed.configs).enumerate() {
        if config.as_ref().is_some_and(|c| c.excludes(path)) {
            continue;
        }
        match (p.problem, unreached.get(&i)) {
            (Some(_), Some(NotModule::Known)) => {}
            (Some(_), Some(NotModule::Unreached)) => out.not_modules.push(run.display(path)),
            (Some(problem), None) => outcome.problems.push(*problem),
            (None, _) => {}
        }
        let Some(mut facts) = p.facts else { continue };
        let layout = owner.as_deref().map(|root| run.manifests.layout(root));
        facts.all_test |= test_files.iter().any(|t| path.starts_with(t) || path == t);
        facts.all_test |= layout
            .as_ref()
            .is_some_and(|l| l.test_only || l.library_tooling);
        let role = match (owner.as_deref(), &layout) {
            (Some(root), Some(layout)) => role(path, root, layout),
            _ => Role::Production,
        };
        let example = owner.as_deref().and_then(|root| program_unit(path, root));
        let id = outcome.files.len() as FileId;
        let source = match p.text {
            KeptText::Text(text) => text,
            KeptText::Digest(digest) => {
                out.digests.insert(id, digest);
                Arc::from("")
            }
            KeptText::Nothing => Arc::from(""),
        };
        outcome.files.push(SourceFile {
            path: path.clone(),
            display: run.display(path),
            source,
        });
        out.configs.push(config);
        out.roles.push(role);
        let key = UnitKey {
            root: owner.map(|root| root.to_path_buf()),
            example,
        };
        out.units.entry(key).or_default().push((id, *facts));
    }
    out
}

/// Files and folders that `#[cfg(test)] mod name;` declarations pull in.
fn test_module_files(files: &[PathBuf], processed: &[Processed]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for (path, p) in files.iter().zip(processed) {
        let Some(facts) = &p.facts else { continue };
        if facts.test_mods.is_empty() {
            continue;
        }
        let Some(parent) = path.parent() else {
            continue;
        };
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        // `lib.rs`, `main.rs` and `mod.rs` own their folder; `foo.rs` owns `foo/`.
        let dir = if matches!(stem, "lib" | "main" | "mod") {
            parent.to_path_buf()
        } else {
            parent.join(stem)
        };
        for name in &facts.test_mods {
            out.push(dir.join(format!("{name}.rs")));
            out.push(dir.join(name));
        }
    }
    out
}

/// Each example under `examples/` and each benchmark under `benches/` is
/// its own program: crate-wide facts (a cluster client in one example) must
/// not leak into the others.
fn program_unit(path: &Path, root: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    let mut parts = rel.components();
    let folder = parts.next()?.as_os_str().to_str()?;
    if !matches!(folder, "examples" | "benches") {
        return None;
    }
    let first = parts.next()?.as_os_str().to_str()?;
    Some(format!("{folder}/{}", first.trim_end_matches(".rs")))
}

/// Reads again the text of each file that a finding points into and whose
/// text was not kept, and shows it when it is the text the file was parsed
/// from (else the findings show without a snippet).
pub(super) fn read_pointed_texts(run: &Run, digests: &HashMap<FileId, u64>, outcome: &mut Outcome) {
    let pointed: BTreeSet<FileId> = outcome
        .findings
        .iter()
        .flat_map(|f| std::iter::once(f.file).chain(f.related.iter().map(|r| r.file)))
        .filter(|id| digests.contains_key(id))
        .collect();
    for id in pointed {
        let file = &mut outcome.files[id as usize];
        let text = crate::source::read_capped(&file.path, run.opts.max_file_size)
            .ok()
            .and_then(|bytes| super::rust::source_text(&bytes, run.opts.max_file_size).ok());
        if let Some(text) = text.filter(|t| Some(&super::rust::digest(t)) == digests.get(&id)) {
            file.source = text;
        }
    }
}
