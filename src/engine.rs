//! One lint run: find the files, parse and extract each once (in
//! parallel), resolve each crate, run the rules, sort the results.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::cache::{self, Cache};
use crate::diagnostic::{Finding, Level, Outcome, Problem, ProblemKind};
use crate::extract::{self, facts::FileFacts};
use crate::link::{self as resolve, Scope};
use crate::manifest::CrateManifest;
use crate::rules::{self, Rule};
use crate::settings::{Config, ConfigError, Resolver};
use crate::source::{FileId, Pos, SourceFile, Span};
use crate::{prefilter, server_conf, walk};

/// What to lint and how.
pub struct Options {
    pub paths: Vec<PathBuf>,
    pub rules: Vec<&'static Rule>,
    pub scope: Scope,
    pub threads: Option<usize>,
    /// Skip parsing files that cannot hold Redis code (see `prefilter`).
    pub prefilter: bool,
    /// Folder of the on-disk facts cache, when caching.
    pub cache: Option<PathBuf>,
}

/// A file after extraction.
struct Processed {
    facts: Option<FileFacts>,
    source: Option<Arc<str>>,
    problem: Option<Problem>,
}

/// A compilation unit: the crate root (if any) and the example's name.
type UnitKey = (Option<PathBuf>, Option<String>);

/// Stack for worker threads: syn and the extractor recurse on nesting.
const STACK_SIZE: usize = 256 << 20;

/// Lints with `opts.rules` at their default level, ignoring configuration
/// files.
pub fn run(opts: &Options) -> Result<Outcome, String> {
    run_with(opts, None, None)
}

/// Source text given on standard input, linted as if it were at `path`
/// (editors lint unsaved buffers this way).
pub struct Stdin {
    pub path: PathBuf,
    pub text: Arc<str>,
}

/// Lints with configuration: each file follows the configuration the
/// resolver finds for it (rule levels, excludes, options, test code).
/// With `stdin`, that text is the only file linted.
pub fn run_with(
    opts: &Options,
    configs: Option<&Resolver>,
    stdin: Option<&Stdin>,
) -> Result<Outcome, String> {
    run_configured(opts, configs, stdin, true)
}

/// As [`run_with`]; with `config_files` false, Redis configuration files
/// (redis.conf, sentinel.conf, compose files running `redis-server`) are
/// left out (`--no-config-files`).
pub fn run_configured(
    opts: &Options,
    configs: Option<&Resolver>,
    stdin: Option<&Stdin>,
    config_files: bool,
) -> Result<Outcome, String> {
    let mut builder = rayon::ThreadPoolBuilder::new().stack_size(STACK_SIZE);
    if let Some(n) = opts.threads {
        builder = builder.num_threads(n);
    }
    let pool = builder
        .build()
        .map_err(|e| format!("cannot start worker threads: {e}"))?;
    pool.install(|| run_in_pool(opts, configs, stdin, config_files))
}

/// A configuration error rendered for the terminal.
fn config_error(e: ConfigError) -> String {
    let mut out = String::new();
    let handler =
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor());
    let _ = handler.render_report(&mut out, e.0.as_ref());
    out
}

fn run_in_pool(
    opts: &Options,
    configs: Option<&Resolver>,
    stdin: Option<&Stdin>,
    config_files: bool,
) -> Result<Outcome, String> {
    let cwd = std::env::current_dir().unwrap_or_default();
    // Standard input named like a configuration file is linted as one.
    let (rust_stdin, conf_stdin) = match stdin {
        Some(s) if server_conf::is_candidate(&s.path) => (None, Some(s)),
        other => (other, None),
    };
    let mut walked = match stdin {
        Some(input) => {
            let path = std::path::absolute(&input.path).unwrap_or_else(|_| input.path.clone());
            let (files, configs) = match conf_stdin {
                Some(_) => (Vec::new(), vec![path]),
                None => (vec![path], Vec::new()),
            };
            walk::Walked {
                files,
                configs,
                problems: Vec::new(),
            }
        }
        None => walk::collect(&opts.paths)?,
    };
    if !config_files {
        walked.configs.clear();
    }
    let mut outcome = Outcome {
        files_scanned: walked.files.len(),
        ..Outcome::default()
    };
    outcome
        .problems
        .extend(walked.problems.into_iter().map(|(path, message)| Problem {
            kind: ProblemKind::Read,
            display: display_path(&path, &cwd),
            message,
            span: None,
            source: None,
        }));

    let mut crates = CrateIndex::default();
    let owners: Vec<Option<PathBuf>> = walked.files.iter().map(|f| crates.owner(f)).collect();
    // Each file's configuration (none: the options' rules, all at `deny`).
    let file_configs: Vec<Option<Arc<Config>>> = match configs {
        Some(resolver) => walked
            .files
            .iter()
            .map(|f| {
                resolver
                    .for_dir(f.parent().unwrap_or(Path::new(".")))
                    .map(Some)
            })
            .collect::<Result<_, _>>()
            .map_err(config_error)?,
        None => vec![None; walked.files.len()],
    };
    let rules_to_run: Vec<&'static Rule> = match configs {
        Some(_) => {
            let mut all: Vec<&'static Rule> = file_configs
                .iter()
                .flatten()
                .flat_map(|c| c.rules_to_run())
                .collect();
            all.sort_by_key(|r| r.meta.id);
            all.dedup_by_key(|r| r.meta.id);
            // `opts.rules` bounds what may run (`--min-impact`).
            all.retain(|r| opts.rules.iter().any(|o| o.meta.id == r.meta.id));
            all
        }
        None => opts.rules.clone(),
    };
    let cache = opts.cache.as_deref().map(Cache::open);
    let (processed, fresh) = parse_needed(
        &walked.files,
        &owners,
        &cwd,
        opts.prefilter,
        cache.as_ref(),
        rust_stdin.map(|s| s.text.clone()),
    );
    if let Some(cache) = &cache {
        if let Err(e) = cache.save(fresh) {
            eprintln!("redis-lint: could not write the cache: {e}");
        }
    }

    let test_files = test_module_files(&walked.files, &processed);

    // Group files by compilation unit (a crate, or one of its examples), in
    // path order.
    let mut by_crate: BTreeMap<UnitKey, Vec<(FileId, FileFacts)>> = BTreeMap::new();
    let mut configs_by_file: Vec<Option<Arc<Config>>> = Vec::new();
    for (((path, owner), p), config) in walked
        .files
        .iter()
        .zip(owners)
        .zip(processed)
        .zip(file_configs)
    {
        if config.as_ref().is_some_and(|c| c.excludes(path)) {
            continue;
        }
        if let Some(problem) = p.problem {
            outcome.problems.push(problem);
        }
        let Some(mut facts) = p.facts else { continue };
        facts.all_test |= test_files.iter().any(|t| path.starts_with(t) || path == t);
        let example = owner.as_deref().and_then(|root| example_unit(path, root));
        let id = outcome.files.len() as FileId;
        outcome.files.push(SourceFile {
            path: path.clone(),
            display: display_path(path, &cwd),
            source: p.source.unwrap_or_else(|| Arc::from("")),
        });
        configs_by_file.push(config);
        by_crate
            .entry((owner, example))
            .or_default()
            .push((id, facts));
    }

    let results: Vec<(Vec<Finding>, Option<Problem>, BTreeSet<FileId>)> = by_crate
        .into_par_iter()
        .map(|((root, _), files)| {
            let manifest = root.as_deref().map(CrateManifest::load).unwrap_or_default();
            let problem = manifest.error.as_ref().map(|message| Problem {
                kind: ProblemKind::Manifest,
                display: root
                    .as_deref()
                    .map(|r| display_path(&r.join("Cargo.toml"), &cwd))
                    .unwrap_or_default(),
                message: message.clone(),
                span: None,
                source: None,
            });
            let refs: Vec<(FileId, &FileFacts)> = files.iter().map(|(id, f)| (*id, f)).collect();
            // The crate follows the configuration of its first file.
            let crate_config = files
                .first()
                .and_then(|(id, _)| configs_by_file[*id as usize].as_ref());
            let scope = Scope {
                tests: opts.scope.tests || crate_config.is_some_and(|c| c.lint_tests),
            };
            // A bug in resolution or a rule costs this crate's findings,
            // not the run: reported like a file's internal error.
            let checked = panic::catch_unwind(AssertUnwindSafe(|| {
                let mut model = resolve::resolve(manifest, &refs, scope);
                if let Some(c) = crate_config {
                    model.settings = c.settings.clone();
                }
                let redis_files: BTreeSet<FileId> = model
                    .calls
                    .iter()
                    .map(|c| c.file)
                    .chain(model.creations.iter().map(|c| c.file))
                    .collect();
                (rules::run(&model, &rules_to_run), redis_files)
            }));
            match checked {
                Ok((findings, redis_files)) => (findings, problem, redis_files),
                Err(_) => {
                    let first = files.first().map(|(id, _)| *id as usize);
                    let internal = Problem {
                        kind: ProblemKind::Internal,
                        display: root
                            .as_deref()
                            .map(|r| display_path(&r.join("Cargo.toml"), &cwd))
                            .or_else(|| first.map(|i| outcome.files[i].display.clone()))
                            .unwrap_or_default(),
                        message:
                            "internal error while checking this crate; its findings are left out"
                                .into(),
                        span: None,
                        source: None,
                    };
                    (Vec::new(), Some(internal), BTreeSet::new())
                }
            }
        })
        .collect();
    let mut manifest_problems = BTreeSet::new();
    for (findings, problem, redis_files) in results {
        for mut f in findings {
            let file = &outcome.files[f.file as usize];
            if let Some(config) = &configs_by_file[f.file as usize] {
                f.level = config.level(f.rule, &file.path);
            }
            if f.level != Level::Allow {
                outcome.findings.push(f);
            }
        }
        outcome.files_with_redis += redis_files.len();
        if let Some(p) = problem {
            // Examples share their crate's manifest: report it once.
            if manifest_problems.insert(p.display.clone()) {
                outcome.problems.push(p);
            }
        }
    }

    lint_configs(
        &walked.configs,
        conf_stdin,
        opts,
        configs,
        &mut crates,
        &cwd,
        &mut outcome,
    )?;

    outcome.sort_findings();
    outcome
        .findings
        .dedup_by(|a, b| a.file == b.file && a.span == b.span && a.rule.id == b.rule.id);
    outcome.problems.sort_by(|a, b| {
        (&a.display, a.span.map(|s| s.start), a.kind).cmp(&(
            &b.display,
            b.span.map(|s| s.start),
            b.kind,
        ))
    });
    Ok(outcome)
}

/// Lints the Redis configuration files among the walked candidates: each
/// is read, classified and parsed with its includes (in parallel), added to
/// `outcome.files` (included files too, once), and checked by the conf
/// rules its redis-lint configuration selects, at the levels it sets.
/// Files excluded by the configuration, test files (under a crate's
/// `tests/` or `benches/`, unless test code is linted) and files that are
/// not Redis configurations (nginx.conf) are left out; a file included by
/// another configuration is linted as part of it, not alone.
fn lint_configs(
    paths: &[PathBuf],
    stdin: Option<&Stdin>,
    opts: &Options,
    configs: Option<&Resolver>,
    crates: &mut CrateIndex,
    cwd: &Path,
    outcome: &mut Outcome,
) -> Result<(), String> {
    let mut roots: Vec<(&PathBuf, Option<Arc<Config>>)> = Vec::new();
    for path in paths {
        let config = match configs {
            Some(resolver) => Some(
                resolver
                    .for_dir(path.parent().unwrap_or(Path::new(".")))
                    .map_err(config_error)?,
            ),
            None => None,
        };
        if config.as_ref().is_some_and(|c| c.excludes(path)) {
            continue;
        }
        let tests = opts.scope.tests || config.as_ref().is_some_and(|c| c.lint_tests);
        if !tests
            && crates
                .owner(path)
                .is_some_and(|root| is_test_path(path, &root))
        {
            continue;
        }
        roots.push((path, config));
    }
    let mut rules: Vec<&'static Rule> = match configs {
        Some(_) => roots
            .iter()
            .filter_map(|(_, c)| c.as_ref())
            .flat_map(|c| c.rules_to_run())
            .filter(|r| opts.rules.iter().any(|o| o.meta.id == r.meta.id))
            .collect(),
        None => opts.rules.clone(),
    };
    rules.retain(|r| matches!(r.check, rules::Check::Conf(_)));
    rules.sort_by_key(|r| r.meta.id);
    rules.dedup_by_key(|r| r.meta.id);
    if rules.is_empty() {
        return Ok(());
    }

    // Includes are read inside the linted folders only.
    let scope = server_conf::IncludeScope::new(opts.paths.iter().map(PathBuf::as_path));
    let loaded: Vec<Result<Option<server_conf::Loaded>, Problem>> = roots
        .par_iter()
        .map(|(path, _)| {
            let text = stdin.map(|s| s.text.clone());
            let load = || server_conf::load_within(path, text, &scope);
            let result = panic::catch_unwind(AssertUnwindSafe(load));
            match result {
                Ok(Ok(l)) => Ok(l),
                Ok(Err(e)) => Err(Problem {
                    kind: if e.text.is_some() {
                        ProblemKind::Parse
                    } else {
                        ProblemKind::Read
                    },
                    display: display_path(&e.path, cwd),
                    message: e.message,
                    span: e.span,
                    source: e.text,
                }),
                Err(_) => Err(Problem {
                    kind: ProblemKind::Internal,
                    display: display_path(path, cwd),
                    message: "internal error while reading this configuration file".into(),
                    span: None,
                    source: None,
                }),
            }
        })
        .collect();

    // A root another root includes is linted as part of it, unless they
    // include each other.
    let canon: Vec<PathBuf> = roots
        .iter()
        .map(|(p, _)| p.canonicalize().unwrap_or_else(|_| p.to_path_buf()))
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
    let skip: Vec<bool> = (0..roots.len()).map(part_of_another).collect();

    let mut ids: HashMap<PathBuf, FileId> = HashMap::new();
    for (i, ((_, config), result)) in roots.iter().zip(loaded).enumerate() {
        let loaded = match result {
            Ok(Some(l)) if !skip[i] => l,
            Ok(_) => continue,
            Err(problem) => {
                outcome.files_scanned += 1;
                outcome.problems.push(problem);
                continue;
            }
        };
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
                        display: display_path(&source.path, cwd),
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
            for mut f in rules::run_conf(&file, &rules) {
                if let Some(config) = config {
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
    Ok(())
}

/// Reads every file, then parses those that may matter (all of them
/// without the prefilter), in parallel. Also returns the cache entries of
/// every file parsed or found in the cache.
fn parse_needed(
    files: &[PathBuf],
    owners: &[Option<PathBuf>],
    cwd: &Path,
    prefilter: bool,
    cache: Option<&Cache>,
    stdin: Option<Arc<str>>,
) -> (Vec<Processed>, Vec<(u64, FileFacts)>) {
    let texts: Vec<Result<Arc<str>, Problem>> = match stdin {
        Some(text) => vec![Ok(text)],
        None => files.par_iter().map(|p| read_source(p, cwd)).collect(),
    };
    let mut processed: Vec<Processed> = texts
        .iter()
        .map(|t| Processed {
            facts: None,
            source: None,
            problem: t.as_ref().err().cloned(),
        })
        .collect();
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
        let results: Vec<(usize, Processed, Option<u64>)> = pending
            .par_iter()
            .map(|&i| {
                let text = texts[i]
                    .as_ref()
                    .expect("only readable files are parsed")
                    .clone();
                let owner = owners[i].as_deref();
                let Some(cache) = cache else {
                    return (i, process(&files[i], text, owner, cwd), None);
                };
                let is_test = owner.is_some_and(|root| is_test_path(&files[i], root));
                let key = cache::key(&text, is_test);
                let p = match cache.get(key) {
                    Some(facts) => Processed {
                        facts: Some(facts.clone()),
                        source: keep_source(facts, text),
                        problem: None,
                    },
                    None => process(&files[i], text, owner, cwd),
                };
                (i, p, Some(key))
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
        let mut wanted = prefilter::wanted_names(processed.iter().filter_map(|p| p.facts.as_ref()));
        // The modules of parsed files: their `mod` declaration may say `#[cfg(test)]`.
        for (i, p) in processed.iter().enumerate() {
            if p.facts.is_some() {
                // Its `mod` declaration may say `#[cfg(test)]`.
                wanted.extend(module_name(&files[i]).map(|m| format!("mod {m};")));
            }
        }
        let search = prefilter::NameSearch::new(&wanted);
        pending = texts
            .par_iter()
            .enumerate()
            .filter(|(i, t)| !parsed[*i] && t.as_ref().is_ok_and(|t| search.found_in(t)))
            .map(|(i, _)| i)
            .collect();
    }
    (processed, fresh)
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

/// The module a file defines: its stem, or its folder for `mod.rs`.
fn module_name(path: &Path) -> Option<String> {
    let stem = path.file_stem()?.to_str()?;
    match stem {
        "mod" => path.parent()?.file_name()?.to_str().map(str::to_string),
        "lib" | "main" => None,
        _ => Some(stem.to_string()),
    }
}

fn read_source(path: &Path, cwd: &Path) -> Result<Arc<str>, Problem> {
    let problem = |message: String| Problem {
        kind: ProblemKind::Read,
        display: display_path(path, cwd),
        message,
        span: None,
        source: None,
    };
    let bytes = std::fs::read(path).map_err(|e| problem(format!("cannot read file: {e}")))?;
    match String::from_utf8(bytes) {
        Ok(text) => Ok(Arc::from(text)),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            Err(problem(format!(
                "not valid UTF-8 (first bad byte at offset {at})"
            )))
        }
    }
}

/// Parses and extracts one file; never panics outward.
fn process(path: &Path, source: Arc<str>, owner: Option<&Path>, cwd: &Path) -> Processed {
    let display = display_path(path, cwd);
    let problem = |kind, message: String, span, source| Processed {
        facts: None,
        source: None,
        problem: Some(Problem {
            kind,
            display: display.clone(),
            message,
            span,
            source,
        }),
    };
    let is_test = owner.is_some_and(|root| is_test_path(path, root));
    // syn and the extractor recurse once per nesting level; past this depth
    // even the large worker stack could overflow, which aborts the process
    // (no unwinding to catch), so such files are reported, not parsed.
    // A line this long is generated, and long generated lines are where
    // bracket-free nesting (closures, `&&&…T`) hides.
    if let Some(len) = source.lines().map(str::len).max().filter(|l| *l > MAX_LINE) {
        let message = format!("has a line of {len} bytes (over {MAX_LINE}); not linted");
        return problem(ProblemKind::Parse, message, None, None);
    }
    if let Some(depth) = nesting_beyond(&source, MAX_NESTING) {
        let message =
            format!("nested more than {MAX_NESTING} levels deep (at least {depth}); not linted");
        return problem(ProblemKind::Parse, message, None, None);
    }
    let result = panic::catch_unwind(AssertUnwindSafe(|| {
        // Read the error's position now: spans die with the source map below.
        syn::parse_file(&source)
            .map(|ast| extract::extract(&ast, is_test))
            .map_err(|e| {
                let start = e.span().start();
                (
                    e.to_string(),
                    Pos {
                        line: start.line as u32,
                        col: start.column as u32,
                    },
                )
            })
    }));
    // proc-macro2 keeps a copy of every parsed text per thread so spans can
    // report positions; the facts hold plain line/column numbers already,
    // so free it (otherwise memory grows with every file parsed).
    proc_macro2::extra::invalidate_current_thread_spans();
    match result {
        Ok(Ok(facts)) => Processed {
            source: keep_source(&facts, source),
            facts: Some(facts),
            problem: None,
        },
        Ok(Err((e, pos))) => {
            let span = Span {
                start: pos,
                end: pos,
            };
            problem(
                ProblemKind::Parse,
                format!("cannot parse: {e}"),
                Some(span),
                Some(source),
            )
        }
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            problem(
                ProblemKind::Internal,
                format!("internal error while linting this file: {what}"),
                None,
                None,
            )
        }
    }
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

/// Each example under `examples/` is its own program: crate-wide facts (a
/// cluster client in one example) must not leak into the others.
fn example_unit(path: &Path, root: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    let mut parts = rel.components();
    if parts.next()?.as_os_str() != "examples" {
        return None;
    }
    let first = parts.next()?.as_os_str().to_str()?;
    Some(first.trim_end_matches(".rs").to_string())
}

/// Longest line a file may have to be parsed.
const MAX_LINE: usize = 100_000;

/// Deepest bracket nesting the parser is allowed to recurse through.
const MAX_NESTING: usize = 8_000;

/// The bracket depth reached, when it exceeds `limit`. A byte scan (brackets
/// inside strings and comments count too, which only errs on the safe side).
fn nesting_beyond(text: &str, limit: usize) -> Option<usize> {
    let (mut depth, mut max) = (0usize, 0usize);
    for b in text.bytes() {
        match b {
            b'{' | b'(' | b'[' => {
                depth += 1;
                max = max.max(depth);
            }
            b'}' | b')' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    (max > limit).then_some(max)
}

/// Files under a crate's `tests/` or `benches/` are test code.
fn is_test_path(path: &Path, root: &Path) -> bool {
    path.strip_prefix(root)
        .ok()
        .and_then(|rel| rel.components().next())
        .is_some_and(|first| matches!(first.as_os_str().to_str(), Some("tests" | "benches")))
}

pub fn display_path(path: &Path, cwd: &Path) -> String {
    let shown = path.strip_prefix(cwd).unwrap_or(path);
    let s = crate::walk::path_text(shown);
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

/// Finds the crate (the nearest directory with a `Cargo.toml`) owning a file.
#[derive(Default)]
struct CrateIndex {
    cache: HashMap<PathBuf, Option<PathBuf>>,
}

impl CrateIndex {
    fn owner(&mut self, file: &Path) -> Option<PathBuf> {
        let dir = file.parent()?.to_path_buf();
        self.owner_of_dir(&dir)
    }

    fn owner_of_dir(&mut self, dir: &Path) -> Option<PathBuf> {
        if let Some(hit) = self.cache.get(dir) {
            return hit.clone();
        }
        let found = if dir.join("Cargo.toml").is_file() {
            Some(dir.to_path_buf())
        } else {
            match dir.parent() {
                Some(parent) if !parent.as_os_str().is_empty() => self.owner_of_dir(parent),
                _ => None,
            }
        };
        self.cache.insert(dir.to_path_buf(), found.clone());
        found
    }
}
