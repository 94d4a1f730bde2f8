//! Redis configuration files among the walked candidates: each is read,
//! classified and parsed with its includes (in parallel), added to
//! `outcome.files` (included files too, once), and checked by the conf
//! rules its redis-lint configuration selects, at the levels it sets.
//! Files excluded by the configuration, test files (under a crate's
//! `tests/`, unless test code is linted) and files that are
//! not Redis configurations (nginx.conf) are left out; a file included by
//! another configuration is linted as part of it, not alone. Each
//! configuration's purpose (does it deploy a server?) is decided in
//! [`purpose`].

mod purpose;

use std::collections::HashMap;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use super::workspace::{is_test_path, CrateIndex};
use super::{Error, Input, Run};
use crate::diagnostic::{Level, Outcome, Problem, ProblemKind};
use crate::rules::{self, Rule};
use crate::server_conf::{self as conf, IncludeScope, Loaded};
use crate::settings::Config;
use crate::source::{FileId, SourceFile};

/// A configuration file to lint alone, with its redis-lint configuration.
struct Root<'a> {
    path: &'a PathBuf,
    config: Option<Arc<Config>>,
}

/// Lints the configuration files at `paths` into `outcome`.
pub(super) fn lint(
    run: &Run,
    paths: &[PathBuf],
    crates: &mut CrateIndex,
    outcome: &mut Outcome,
) -> Result<(), Error> {
    let roots = roots(run, paths, crates)?;
    let rules = conf_rules(run, &roots);
    if rules.is_empty() {
        return Ok(());
    }
    // Includes are read inside the linted folders only.
    let scope = match &run.opts.input {
        Input::Paths(paths) => IncludeScope::new(paths.iter().map(PathBuf::as_path)),
        Input::Stdin(stdin) => IncludeScope::new([stdin.path.as_path()]),
    };
    let loaded: Vec<Result<Option<Loaded>, Problem>> = roots
        .par_iter()
        .map(|root| load(run, root.path, &scope))
        .collect();
    let skip = included_elsewhere(&roots, &loaded);
    let purposes = purpose::Purposes::new(paths, &run.cwd);
    let mut ids: HashMap<PathBuf, FileId> = HashMap::new();
    for (i, (root, result)) in roots.iter().zip(loaded).enumerate() {
        let mut loaded = match result {
            Ok(Some(l)) if !skip[i] => l,
            Ok(_) => continue,
            Err(problem) => {
                outcome.files_scanned += 1;
                outcome.problems.push(problem);
                continue;
            }
        };
        let purpose = purposes.of(root.path);
        loaded.confs.iter_mut().for_each(|c| c.purpose = purpose);
        check(run, root, loaded, &rules, &mut ids, outcome);
    }
    // Of a file read only through an `include` (not one of the files
    // linted), reports show the lines findings point at, never their
    // neighbours.
    let linted: Vec<PathBuf> = roots.iter().map(|r| canonical(r.path)).collect();
    for (path, id) in &ids {
        if !linted.contains(path) {
            let file = &mut outcome.files[*id as usize];
            let lines: Vec<u32> = outcome
                .findings
                .iter()
                .filter(|f| f.file == *id)
                .flat_map(|f| f.span.start.line..=f.span.end.line)
                .collect();
            file.source = conf::only_lines(&file.source, &lines);
        }
    }
    Ok(())
}

fn canonical(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| path.to_path_buf())
}

/// The candidates to lint, with their configurations: excluded files and
/// test files are left out.
fn roots<'a>(
    run: &Run,
    paths: &'a [PathBuf],
    crates: &mut CrateIndex,
) -> Result<Vec<Root<'a>>, Error> {
    let mut roots = Vec::new();
    for path in paths {
        let config = run.config_of(path)?;
        if config.as_ref().is_some_and(|c| c.excludes(path)) {
            continue;
        }
        let tests = run.opts.scope.tests || config.as_ref().is_some_and(|c| c.lint_tests);
        if !tests
            && crates
                .owner(path)
                .is_some_and(|root| is_test_path(path, &root))
        {
            continue;
        }
        roots.push(Root { path, config });
    }
    Ok(roots)
}

/// The conf rules any root's configuration selects (within the options'
/// rules), or the options' conf rules without settings.
fn conf_rules(run: &Run, roots: &[Root]) -> Vec<&'static Rule> {
    let mut rules: Vec<&'static Rule> = match run.resolver {
        Some(_) => roots
            .iter()
            .filter_map(|r| r.config.as_ref())
            .flat_map(|c| c.rules_to_run())
            .filter(|r| run.allowed(r))
            .collect(),
        None => run.opts.rules.clone(),
    };
    rules.retain(|r| matches!(r.check, rules::Check::Conf(_)));
    rules.sort_by_key(|r| r.meta.id);
    rules.dedup_by_key(|r| r.meta.id);
    rules
}

/// Reads and parses one root with its includes; never panics outward.
fn load(run: &Run, path: &Path, scope: &IncludeScope) -> Result<Option<Loaded>, Problem> {
    // Standard input is the only root when it is a configuration.
    let text = match &run.stdin {
        Some(Ok(text)) => Some(text.clone()),
        Some(Err(message)) => {
            return Err(Problem {
                kind: ProblemKind::Read,
                display: run.display(path),
                message: message.clone(),
                span: None,
                source: None,
            })
        }
        None => None,
    };
    match panic::catch_unwind(AssertUnwindSafe(|| conf::load_within(path, text, scope))) {
        Ok(Ok(l)) => Ok(l),
        Ok(Err(e)) => Err(Problem {
            kind: if e.text.is_some() {
                ProblemKind::Parse
            } else {
                ProblemKind::Read
            },
            display: run.display(&e.path),
            message: e.message,
            span: e.span,
            source: e.text,
        }),
        Err(_) => Err(Problem {
            kind: ProblemKind::Internal,
            display: run.display(path),
            message: "internal error while reading this configuration file".into(),
            span: None,
            source: None,
        }),
    }
}

/// Whether each root is included by another root (then it is linted as
/// part of it), unless they include each other.
fn included_elsewhere(roots: &[Root], loaded: &[Result<Option<Loaded>, Problem>]) -> Vec<bool> {
    let canon: Vec<PathBuf> = roots
        .iter()
        .map(|r| {
            r.path
                .canonicalize()
                .unwrap_or_else(|_| r.path.to_path_buf())
        })
        .collect();
    let includes = |i: usize, path: &PathBuf| {
        loaded[i]
            .as_ref()
            .ok()
            .and_then(|l| l.as_ref())
            .is_some_and(|l| l.included.contains(path))
    };
    let part_of_another = |i: usize| {
        (0..roots.len()).any(|j| j != i && includes(j, &canon[i]) && !includes(i, &canon[j]))
    };
    (0..roots.len()).map(part_of_another).collect()
}

/// Adds a loaded root's files to the outcome (each file once across roots,
/// by canonical path in `ids`) and its findings.
fn check(
    run: &Run,
    root: &Root,
    loaded: Loaded,
    rules: &[&'static Rule],
    ids: &mut HashMap<PathBuf, FileId>,
    outcome: &mut Outcome,
) {
    let map: Vec<FileId> = loaded
        .sources
        .iter()
        .map(|source| {
            let key = source
                .path
                .canonicalize()
                .unwrap_or_else(|_| source.path.clone());
            *ids.entry(key).or_insert_with(|| {
                // A Redis configuration is Redis code for the summary.
                outcome.files_scanned += 1;
                outcome.files_with_redis += 1;
                outcome.files.push(SourceFile {
                    path: source.path.clone(),
                    display: run.display(&source.path),
                    source: source.text.clone(),
                });
                (outcome.files.len() - 1) as FileId
            })
        })
        .collect();
    for mut file in loaded.confs {
        file.file = map[file.file as usize];
        for d in &mut file.directives {
            d.file = map[d.file as usize];
        }
        for mut f in rules::run_conf(&file, rules) {
            if let Some(config) = &root.config {
                // A finding in an included file follows that file's
                // path in the including file's configuration.
                let path = &outcome.files[f.file as usize].path;
                if config.excludes(path) {
                    continue;
                }
                f.level = config.level(f.rule, path);
            }
            if f.level != Level::Allow {
                outcome.findings.push(f);
            }
        }
    }
}
