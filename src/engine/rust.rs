//! Rust code: every file read, parsed and extracted once (in parallel,
//! skipping those that cannot matter), then every compilation unit linked
//! into a crate model and checked by the rules (in parallel).

use std::collections::BTreeSet;
use std::io::Read;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use super::plan::{Reported, UnitKey, Units};
use super::workspace::{is_test_path, load_manifest, module_name};
use super::{Prefilter, Run};
use crate::cache::{self, Cache};
use crate::diagnostic::{Finding, Level, Outcome, Problem, ProblemKind};
use crate::extract::{self, facts::FileFacts};
use crate::link::{self, Scope};
use crate::manifest::CrateManifest;
use crate::parse::{self, Unparsed};
use crate::prefilter;
use crate::rules::{self, Rule};
use crate::settings::Config;
use crate::source::{FileId, Span};

/// A file after extraction.
pub(super) struct Processed {
    pub facts: Option<FileFacts>,
    pub source: Option<Arc<str>>,
    pub problem: Option<Problem>,
}

impl Processed {
    fn failed(problem: Problem) -> Processed {
        Processed {
            facts: None,
            source: None,
            problem: Some(problem),
        }
    }
}

/// Cache entries (key, facts) of the files parsed or found in the cache.
type Fresh = Vec<(u64, FileFacts)>;

/// Reads every file, then parses those that may matter (all of them
/// without the prefilter), in parallel: first the files that mention Redis,
/// then, round by round, those that name what the parsed files define.
pub(super) fn parse_needed(
    run: &Run,
    files: &[PathBuf],
    owners: &[Option<PathBuf>],
    cache: Option<&Cache>,
) -> (Vec<Processed>, Fresh) {
    // Standard input replaces the file it stands for within its crate.
    let texts: Vec<Result<Arc<str>, Problem>> = files
        .par_iter()
        .map(|p| match run.stdin_text(p) {
            Some(text) => text.map_err(|message| read_problem(run, p, message)),
            None => read_source(run, p),
        })
        .collect();
    let mut processed: Vec<Processed> = texts
        .iter()
        .map(|t| Processed {
            facts: None,
            source: None,
            problem: t.as_ref().err().cloned(),
        })
        .collect();
    let prefilter = run.opts.prefilter == Prefilter::SkipUnrelated;
    let markers = prefilter::Markers::new();
    let mut pending: Vec<usize> = texts
        .par_iter()
        .enumerate()
        .filter(|(_, t)| {
            t.as_ref()
                .is_ok_and(|t| !prefilter || markers.may_use_redis(t))
        })
        .map(|(i, _)| i)
        .collect();
    let mut parsed = vec![false; files.len()];
    let mut fresh = Vec::new();
    while !pending.is_empty() {
        let parser = Parser {
            run,
            files,
            owners,
            cache,
        };
        let results: Vec<(usize, Processed, Option<u64>)> = pending
            .par_iter()
            .map(|&i| {
                parser.parse(
                    i,
                    texts[i].as_ref().expect("only readable files are parsed"),
                )
            })
            .collect();
        for (i, p, key) in results {
            parsed[i] = true;
            if let (Some(key), Some(facts)) = (key, &p.facts) {
                fresh.push((key, facts.clone()));
            }
            processed[i] = p;
        }
        if !prefilter {
            break;
        }
        let search = names_wanted(files, &processed);
        pending = texts
            .par_iter()
            .enumerate()
            .filter(|(i, t)| !parsed[*i] && t.as_ref().is_ok_and(|t| search.found_in(t)))
            .map(|(i, _)| i)
            .collect();
    }
    (processed, fresh)
}

/// What the parsed files define and other files may use: a file naming
/// one of them must be parsed too.
fn names_wanted(files: &[PathBuf], processed: &[Processed]) -> prefilter::NameSearch {
    let mut wanted = prefilter::wanted_names(processed.iter().filter_map(|p| p.facts.as_ref()));
    for (i, p) in processed.iter().enumerate() {
        if p.facts.is_some() {
            // Its `mod` declaration may say `#[cfg(test)]`.
            wanted.extend(module_name(&files[i]).map(|m| format!("mod {m};")));
        }
    }
    prefilter::NameSearch::new(&wanted)
}

/// Parses one file, or takes its facts from the cache.
struct Parser<'a> {
    run: &'a Run<'a>,
    files: &'a [PathBuf],
    owners: &'a [Option<PathBuf>],
    cache: Option<&'a Cache>,
}

impl Parser<'_> {
    /// File `i`'s facts, with its cache key when caching.
    fn parse(&self, i: usize, text: &Arc<str>) -> (usize, Processed, Option<u64>) {
        let (path, text) = (&self.files[i], text.clone());
        let owner = self.owners[i].as_deref();
        let Some(cache) = self.cache else {
            return (i, process(self.run, path, text, owner), None);
        };
        let is_test = owner.is_some_and(|root| is_test_path(path, root));
        let key = cache::key(&text, is_test);
        let p = match cache.get(key) {
            Some(facts) => Processed {
                facts: Some(facts.clone()),
                source: keep_source(facts, text),
                problem: None,
            },
            None => process(self.run, path, text, owner),
        };
        (i, p, Some(key))
    }
}

/// Sources are kept only for files that can have findings (for snippets).
fn keep_source(facts: &FileFacts, source: Arc<str>) -> Option<Arc<str>> {
    let redis = !facts.calls.is_empty()
        || !facts.creations.is_empty()
        || !facts.disabled_timeouts.is_empty()
        || !facts.url_literals.is_empty()
        || !facts.locked_connections.is_empty();
    redis.then_some(source)
}

fn read_problem(run: &Run, path: &Path, message: String) -> Problem {
    Problem {
        kind: ProblemKind::Read,
        display: run.display(path),
        message,
        span: None,
        source: None,
    }
}

/// A file's text; a file over the size limit is not read at all.
fn read_source(run: &Run, path: &Path) -> Result<Arc<str>, Problem> {
    let limit = run.opts.max_file_size;
    let cannot_read = |e: std::io::Error| read_problem(run, path, format!("cannot read file: {e}"));
    let file = std::fs::File::open(path).map_err(cannot_read)?;
    let len = file.metadata().map_err(cannot_read)?.len();
    if len > limit {
        return Err(read_problem(run, path, too_large(limit)));
    }
    let mut bytes = Vec::with_capacity(len as usize);
    // A file that grew since is caught by `source_text`.
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(cannot_read)?;
    source_text(&bytes, limit).map_err(|message| read_problem(run, path, message))
}

fn too_large(limit: u64) -> String {
    format!("larger than {limit} bytes (--max-file-size); not linted")
}

/// The text of a file's bytes, or why it cannot be linted: larger than
/// `limit` (only `limit + 1` bytes need be given), or not UTF-8.
pub(super) fn source_text(bytes: &[u8], limit: u64) -> Result<Arc<str>, String> {
    if bytes.len() as u64 > limit {
        return Err(too_large(limit));
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(Arc::from(text)),
        Err(e) => Err(format!(
            "not valid UTF-8 (first bad byte at offset {})",
            e.valid_up_to()
        )),
    }
}

/// Parses and extracts one file; never panics outward.
fn process(run: &Run, path: &Path, source: Arc<str>, owner: Option<&Path>) -> Processed {
    let problem = |kind, message: String, span, source| {
        Processed::failed(Problem {
            kind,
            display: run.display(path),
            message,
            span,
            source,
        })
    };
    let is_test = owner.is_some_and(|root| is_test_path(path, root));
    match parse::parse_file_with(&source, |ast| extract::extract(&ast, is_test)) {
        Ok(facts) => Processed {
            source: keep_source(&facts, source),
            facts: Some(facts),
            problem: None,
        },
        Err(Unparsed::Syntax { message, at }) => {
            let span = Span { start: at, end: at };
            let message = format!("cannot parse: {message}");
            problem(ProblemKind::Parse, message, Some(span), Some(source))
        }
        Err(e @ Unparsed::Panic(_)) => problem(ProblemKind::Internal, e.to_string(), None, None),
        // Too deep or too long to parse safely: like a parse error.
        Err(e) => problem(ProblemKind::Parse, e.to_string(), None, None),
    }
}

/// One unit's result.
struct Checked {
    findings: Vec<Finding>,
    problem: Option<Problem>,
    /// Files with Redis calls or connections.
    redis_files: BTreeSet<FileId>,
}

/// Links and checks every unit (in parallel); adds the findings its
/// file's configuration does not turn off, and the units' problems.
pub(super) fn check_units(
    run: &Run,
    units: Units,
    rules: &[&'static Rule],
    reported: &Reported,
    outcome: &mut Outcome,
) {
    let shown: &Outcome = outcome;
    let results: Vec<Checked> = units
        .units
        .into_par_iter()
        .map(|(key, files)| check_unit(run, key, &files, &units.configs, rules, shown))
        .collect();
    let mut manifest_problems = BTreeSet::new();
    for checked in results {
        for mut f in checked.findings {
            let file = &outcome.files[f.file as usize];
            if let Some(config) = &units.configs[f.file as usize] {
                f.level = config.level(f.rule, &file.path);
            }
            if f.level != Level::Allow {
                outcome.findings.push(f);
            }
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
}

/// Links one unit and checks it. A bug in linking or in a rule costs this
/// unit's findings, not the run: reported like a file's internal error.
fn check_unit(
    run: &Run,
    key: UnitKey,
    files: &[(FileId, FileFacts)],
    configs: &[Option<Arc<Config>>],
    rules: &[&'static Rule],
    outcome: &Outcome,
) -> Checked {
    let root = key.root.as_deref();
    let (manifest, problem) = load_manifest(&run.manifests, root, &run.cwd);
    // The crate follows the configuration of its first file.
    let config = files
        .first()
        .and_then(|(id, _)| configs[*id as usize].as_deref());
    let scope = Scope {
        tests: run.opts.scope.tests || config.is_some_and(|c| c.lint_tests),
    };
    let checked = panic::catch_unwind(AssertUnwindSafe(|| {
        link_and_check(manifest, files, scope, config, rules)
    }));
    match checked {
        Ok((findings, redis_files)) => Checked {
            findings,
            problem,
            redis_files,
        },
        Err(_) => {
            let display = root
                .map(|r| run.display(&r.join("Cargo.toml")))
                .or_else(|| {
                    files
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
            }
        }
    }
}

/// The crate model of one unit, checked by `rules`; with the files that
/// use Redis.
fn link_and_check(
    manifest: CrateManifest,
    files: &[(FileId, FileFacts)],
    scope: Scope,
    config: Option<&Config>,
    rules: &[&'static Rule],
) -> (Vec<Finding>, BTreeSet<FileId>) {
    let refs: Vec<(FileId, &FileFacts)> = files.iter().map(|(id, f)| (*id, f)).collect();
    let model = link::resolve(manifest, &refs, scope);
    let redis_files: BTreeSet<FileId> = model
        .calls
        .iter()
        .map(|c| c.file)
        .chain(model.creations.iter().map(|c| c.file))
        .collect();
    (
        rules::run(&model, config.map(|c| &c.rule_options), rules),
        redis_files,
    )
}
