//! One lint run: find the files, parse and extract each once (in
//! parallel), link each crate, run the rules, sort the results.
//!
//! Stages: `plan` (what to lint: the walk, each file's configuration, the
//! grouping into compilation units), `workspace` (which crate owns a file,
//! its manifest), `rust` (parse and extract every file; link and check
//! every unit), `server_conf` (redis.conf, sentinel.conf, compose files).
//! Nothing here prints: what the user should hear about is returned.

mod dependencies;
mod lua_files;
mod plan;
mod reach;
mod rust;
mod server_conf;
mod workspace;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::cache::{Cache, EntryRef};
use crate::diagnostic::{Outcome, Problem, ProblemKind};
use crate::link::Scope;
use crate::manifest::Manifests;
use crate::parse;
use crate::rules::Rule;
use crate::settings::{Config, ConfigError, Resolver};
use crate::source::FileId;
use crate::suppress::RulesRun;
use crate::walk::Walked;

pub use workspace::display_path;

/// What to lint and how.
pub struct Options {
    pub input: Input,
    /// The rules that may run; the settings choose among them.
    pub rules: Vec<&'static Rule>,
    pub settings: Settings,
    pub scope: Scope,
    pub server_confs: ServerConfs,
    /// Worker threads (`None`: one per core).
    pub threads: Option<usize>,
    pub prefilter: Prefilter,
    /// Folder of the on-disk facts cache, when caching.
    pub cache: Option<PathBuf>,
    /// Files larger than this many bytes are not read (a read problem).
    pub max_file_size: u64,
    /// Files left out of the walk (`--exclude`).
    pub exclude: Exclude,
}

/// `--exclude`: globs matched against paths relative to the current
/// directory; a file is left out when it or one of its folders matches.
#[derive(Default)]
pub struct Exclude(globset::GlobSet);

impl Exclude {
    /// The globs, or the first invalid one's error.
    pub fn new(globs: &[String]) -> Result<Exclude, globset::Error> {
        let mut set = globset::GlobSetBuilder::new();
        for glob in globs {
            set.add(globset::Glob::new(glob.trim_end_matches('/'))?);
        }
        Ok(Exclude(set.build()?))
    }

    fn excludes(&self, path: &Path, cwd: &Path) -> bool {
        if self.0.is_empty() {
            return false;
        }
        let rel = path.strip_prefix(cwd).unwrap_or(path);
        rel.ancestors()
            .take_while(|p| !p.as_os_str().is_empty())
            .any(|p| self.0.is_match(p))
    }
}

/// No hand-written source file comes near it, and generated files of
/// 10 to 20 MB are still linted; a file of hundreds of MB would take tens
/// of GB to parse.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 32 << 20;

impl Options {
    /// Lints `paths` with `rules` at their default levels, reading no
    /// configuration file; the other options at their defaults.
    pub fn new(paths: Vec<PathBuf>, rules: Vec<&'static Rule>) -> Options {
        Options {
            input: Input::Paths(paths),
            rules,
            settings: Settings::RuleDefaults,
            scope: Scope::default(),
            server_confs: ServerConfs::Lint,
            threads: None,
            prefilter: Prefilter::SkipUnrelated,
            cache: None,
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            exclude: Exclude::default(),
        }
    }
}

/// Where the source text comes from.
pub enum Input {
    /// Files and folders, walked.
    Paths(Vec<PathBuf>),
    /// One text (standard input), linted as if it were at its path.
    Stdin(Stdin),
}

/// Source given on standard input, linted as if it were at `path`
/// (editors lint unsaved buffers this way). Its bytes are checked like a
/// file's (size, UTF-8): a bad input is a problem of that file.
pub struct Stdin {
    pub path: PathBuf,
    pub bytes: Vec<u8>,
}

/// Which rules run on a file, and at which level.
pub enum Settings {
    /// Every rule of [`Options::rules`] at its default level; no
    /// configuration file is read (tests, library use).
    RuleDefaults,
    /// Each file follows the configuration the source gives it (rule
    /// levels, excludes, options, test code), narrowed by the selectors.
    Configured {
        source: ConfigSource,
        select: Vec<String>,
        ignore: Vec<String>,
        /// `--extend-select`: on top of each file's selection.
        extend_select: Vec<String>,
    },
}

/// Where configuration comes from.
pub enum ConfigSource {
    /// The nearest `redis-lint.toml`, `.redis-lint.toml` or Cargo.toml
    /// `[package.metadata.redis-lint]` of each file.
    Discovered,
    /// This file, for every linted file.
    File(PathBuf),
    /// No configuration file: the defaults.
    Isolated,
}

impl ConfigSource {
    /// The configuration lookup, with the command line's selectors.
    pub fn resolver(&self, select: &[String], ignore: &[String]) -> Result<Resolver, ConfigError> {
        let fixed = match self {
            ConfigSource::File(path) => Some(Config::load(path)?),
            ConfigSource::Isolated => Some(Config::default()),
            ConfigSource::Discovered => None,
        };
        Ok(Resolver::new(fixed, select, ignore))
    }
}

/// Whether Redis configuration files (redis.conf, sentinel.conf, compose
/// files running `redis-server`) are linted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerConfs {
    Lint,
    /// `--no-config-files`.
    Skip,
}

/// Whether files that cannot hold Redis code are parsed (see `prefilter`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prefilter {
    /// Parse only the files that may matter.
    SkipUnrelated,
    /// Parse every file (for checking the prefilter; slower).
    ParseAll,
}

/// A lint run's result: the outcome, and what the user should be told
/// besides.
pub struct Linted {
    pub outcome: Outcome,
    pub warnings: Vec<Warning>,
    /// Paths given to lint that do not exist (each is also a problem of
    /// the outcome): the rest was linted, but the run failed.
    pub missing_paths: Vec<MissingPath>,
    /// Which rules ran on each file of the outcome (for the suppressions).
    pub rules_run: RulesRun,
    /// How much was done (`--verbose`).
    pub stats: Stats,
    /// Every key template of the run's crates (`redis-lint keys`).
    pub keyspace: crate::model::keyspace::Keyspace,
}

/// What a run looked at, for `--verbose`.
#[derive(Debug, Default)]
pub struct Stats {
    /// Rust files reported on.
    pub rust_files: usize,
    /// Other files of their crates, read as context (see `plan::Reported`).
    pub context_files: usize,
    /// Rust files parsed or taken from the cache; the others could not
    /// hold Redis code (the prefilter) or could not be read.
    pub parsed: usize,
    /// Redis configuration files looked at.
    pub config_files: usize,
    /// Registry and git crates that wrap a Redis client, read as context
    /// (their files count in `context_files`).
    pub dependency_crates: usize,
    /// Such crates whose sources are not on this machine (not fetched).
    pub dependency_missing: usize,
    /// Left out by `--exclude`.
    pub excluded: usize,
    /// The configuration files that applied (`None`: the defaults).
    pub configs: Vec<Option<PathBuf>>,
}

/// Something that went wrong without spoiling the run.
#[derive(Debug, thiserror::Error)]
pub enum Warning {
    #[error("could not write the cache: {0}")]
    CacheNotWritten(std::io::Error),
    /// A file named on the command line that is neither Rust (`.rs`) nor a
    /// Redis configuration.
    #[error("{0}: not a Rust file; skipped")]
    NotRust(String),
    /// The paths hold nothing to lint.
    #[error("no Rust files found")]
    NothingToLint,
    /// A `.rs` file that does not parse and that no `mod` declaration,
    /// `#[path]` or `include!` of its crate reaches: Cargo never compiles
    /// it, so it fails nothing.
    #[error("{0}: not valid Rust, but no module of its crate reaches it; skipped")]
    NotAModule(String),
}

/// A path given to lint that cannot be found.
#[derive(Debug, thiserror::Error)]
#[error("{display}: {error}")]
pub struct MissingPath {
    pub display: String,
    pub error: std::io::Error,
}

/// Why a run could not be made.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot start worker threads: {0}")]
    Threads(#[from] rayon::ThreadPoolBuildError),
    /// The paths could not be walked.
    #[error("{0}")]
    Walk(String),
    /// The configuration file given by [`ConfigSource::File`] is invalid
    /// (the error is a rendered diagnostic: show its `Debug` form).
    #[error("{0:?}")]
    ConfigFile(ConfigError),
    /// A configuration file found for a linted file is invalid.
    #[error("{}", render_config_error(.0))]
    Config(ConfigError),
}

/// A configuration error rendered for the terminal.
fn render_config_error(e: &ConfigError) -> String {
    let mut out = String::new();
    let handler =
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor());
    let _ = handler.render_report(&mut out, e.0.as_ref());
    out
}

/// The most worker threads a run starts: more only cost memory and
/// start-up time (each has a large stack).
pub fn max_threads() -> usize {
    4 * std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Lints what `opts` says, in a pool of worker threads.
pub fn run(opts: &Options) -> Result<Linted, Error> {
    let resolver = match &opts.settings {
        Settings::RuleDefaults => None,
        Settings::Configured {
            source,
            select,
            ignore,
            extend_select,
        } => Some(
            source
                .resolver(select, ignore)
                .map_err(Error::ConfigFile)?
                .with_extend_select(extend_select),
        ),
    };
    let mut builder = parse::thread_pool();
    if let Some(n) = opts.threads {
        builder = builder.num_threads(n.min(max_threads()));
    }
    let pool = builder.build()?;
    let run = Run {
        opts,
        resolver: resolver.as_ref(),
        cwd: std::env::current_dir().unwrap_or_default(),
        manifests: Manifests::default(),
        stdin: match &opts.input {
            Input::Stdin(stdin) => Some(rust::source_text(&stdin.bytes, opts.max_file_size)),
            Input::Paths(_) => None,
        },
    };
    pool.install(|| run.lint())
}

/// What every stage of one run reads.
struct Run<'a> {
    opts: &'a Options,
    /// `None`: [`Settings::RuleDefaults`].
    resolver: Option<&'a Resolver>,
    /// Paths are shown relative to it.
    cwd: PathBuf,
    /// Workspace manifests and lock files, parsed once for all crates.
    manifests: Manifests,
    /// Standard input's text, or why it cannot be linted.
    stdin: Option<Result<Arc<str>, String>>,
}

impl Run<'_> {
    fn lint(&self) -> Result<Linted, Error> {
        let plan::Found {
            mut walked,
            missing,
            not_rust,
            mut reported,
        } = plan::walk(&self.opts.input, self.opts.server_confs)?;
        let excluded = self.leave_out_excluded(&mut walked);
        let mut crates = workspace::CrateIndex::default();
        let deps = dependencies::find(self, &walked.files, &mut crates);
        if !deps.files.is_empty() {
            reported.keep_only(&walked.files);
            walked.files.extend(deps.files.iter().cloned());
        }
        let mut outcome = Outcome {
            files_scanned: reported.count(&walked.files),
            ..Outcome::default()
        };
        let (mut warnings, missing_paths) =
            self.walk_problems(&walked, missing, &not_rust, &mut outcome);
        let owners: Vec<Option<workspace::CrateRoot>> =
            walked.files.iter().map(|f| crates.owner(f)).collect();
        self.manifests
            .know_run_crates(owners.iter().flatten().map(|root| root.to_path_buf()));
        let file_configs = self.configs_of(&walked.files, &deps)?;
        let rules = plan::rust_rules(self, &file_configs);

        let cache = self.opts.cache.as_deref().map(Cache::open);
        let (processed, fresh) = rust::parse_needed(self, &walked.files, &owners, cache.as_ref());
        let stats = Stats {
            rust_files: reported.count(&walked.files),
            context_files: walked.files.len() - reported.count(&walked.files),
            parsed: processed.iter().filter(|p| p.facts.is_some()).count(),
            config_files: walked.configs.len(),
            dependency_crates: deps.crates,
            dependency_missing: deps.missing,
            excluded,
            configs: distinct_origins(&file_configs),
        };
        // Saved before linking, and dropped: its facts are the files' now.
        if let Some(cache) = cache {
            let entries = walked.files.iter().zip(&fresh).zip(&processed);
            let entries = entries
                .filter_map(|((path, stamp), p)| {
                    let stamp = stamp.as_ref()?;
                    let facts = p.facts.as_deref().filter(|_| stamp.parsed);
                    Some(EntryRef { path, stamp, facts })
                })
                .collect();
            if let Err(e) = cache.save(entries) {
                warnings.push(Warning::CacheNotWritten(e));
            }
        }
        let mut units = plan::group(
            self,
            plan::Parsed {
                files: &walked.files,
                owners,
                processed,
                configs: file_configs,
            },
            &mut outcome,
        );
        let lua = lua_files::LuaFiles::read(self, &mut units, &mut outcome);
        let mut configs = units.configs.clone();
        let examples: HashSet<FileId> = (0..units.roles.len() as FileId)
            .filter(|&id| units.roles[id as usize] == workspace::Role::Example)
            .collect();
        warnings.extend(units.not_modules.iter().cloned().map(Warning::NotAModule));
        let digests = std::mem::take(&mut units.digests);
        let keyspace = rust::check_units(self, units, &rules, &reported, &lua, &mut outcome);
        plan::read_pointed_texts(self, &digests, &mut outcome);
        server_conf::lint(self, &walked.configs, &mut crates, &mut outcome)?;
        // Configuration files follow their folder's configuration here (the
        // engine gave an included file its root's: the same one unless the
        // included file sits under another redis-lint configuration).
        let rest = outcome.files[configs.len()..].iter();
        configs.extend(rest.map(|f| self.config_of(&f.path).ok().flatten()));
        let ran = self.opts.rules.iter().map(|r| r.meta.id).collect();
        let context = self.context_files(&reported, &outcome);
        self.leave_out_context(&reported, &walked.files, &mut outcome);
        finish(&mut outcome);
        Ok(Linted {
            outcome,
            warnings,
            missing_paths,
            rules_run: RulesRun::new(ran, configs)
                .with_context(context)
                .with_examples(examples),
            stats,
            keyspace,
        })
    }

    /// Drops the files `--exclude` leaves out; gives how many.
    fn leave_out_excluded(&self, walked: &mut Walked) -> usize {
        let before = walked.files.len() + walked.configs.len();
        let exclude = &self.opts.exclude;
        walked.files.retain(|f| !exclude.excludes(f, &self.cwd));
        walked.configs.retain(|f| !exclude.excludes(f, &self.cwd));
        before - walked.files.len() - walked.configs.len()
    }

    /// What the walk could not use: paths it could not read and missing
    /// paths are problems of the outcome; files that are not Rust, and
    /// finding nothing at all, are warnings.
    fn walk_problems(
        &self,
        walked: &Walked,
        missing: Vec<(PathBuf, std::io::Error)>,
        not_rust: &[PathBuf],
        outcome: &mut Outcome,
    ) -> (Vec<Warning>, Vec<MissingPath>) {
        let mut warnings: Vec<Warning> = not_rust
            .iter()
            .map(|p| Warning::NotRust(self.display(p)))
            .collect();
        let nothing = walked.files.is_empty() && walked.configs.is_empty();
        if nothing && missing.is_empty() && matches!(self.opts.input, Input::Paths(_)) {
            warnings.push(Warning::NothingToLint);
        }
        let missing: Vec<MissingPath> = missing
            .into_iter()
            .map(|(path, error)| MissingPath {
                display: self.display(&path),
                error,
            })
            .collect();
        let unreadable = walked
            .problems
            .iter()
            .map(|(path, message)| (self.display(path), message.clone()));
        let gone = missing
            .iter()
            .map(|m| (m.display.clone(), m.error.to_string()));
        let problems = unreadable.chain(gone).map(|(display, message)| Problem {
            kind: ProblemKind::Read,
            display,
            message,
            span: None,
            source: None,
        });
        outcome.problems.extend(problems);
        (warnings, missing)
    }

    /// Each file's configuration (none: [`Settings::RuleDefaults`]); a
    /// dependency's file follows its application's workspace.
    fn configs_of(
        &self,
        files: &[PathBuf],
        deps: &dependencies::Dependencies,
    ) -> Result<Vec<Option<Arc<Config>>>, Error> {
        files
            .iter()
            .map(|f| self.config_of(deps.configured_as(f)))
            .collect()
    }

    fn config_of(&self, file: &Path) -> Result<Option<Arc<Config>>, Error> {
        let Some(resolver) = self.resolver else {
            return Ok(None);
        };
        resolver
            .for_dir(file.parent().unwrap_or(Path::new(".")))
            .map(Some)
            .map_err(Error::Config)
    }

    /// Of `rules` (a configuration's choice), those the options allow
    /// (`--min-impact`).
    fn allowed(&self, rule: &Rule) -> bool {
        self.opts.rules.iter().any(|o| o.meta.id == rule.meta.id)
    }

    /// Drops what belongs to files walked only as their crate's context
    /// (see [`plan::Reported`]): their findings, and their read and parse
    /// problems. Crate-level problems (the manifest) stay.
    /// The files of the outcome read only as context of the files named
    /// (`plan::Reported::Only`): nothing is reported on them, not even
    /// about their suppressions.
    fn context_files(&self, reported: &plan::Reported, outcome: &Outcome) -> HashSet<FileId> {
        match reported {
            plan::Reported::All => HashSet::new(),
            plan::Reported::Only(_) => (0..outcome.files.len() as FileId)
                .filter(|&id| !reported.includes(&outcome.file(id).path))
                .collect(),
        }
    }

    fn leave_out_context(
        &self,
        reported: &plan::Reported,
        files: &[PathBuf],
        outcome: &mut Outcome,
    ) {
        let plan::Reported::Only(_) = reported else {
            return;
        };
        let context: std::collections::HashSet<String> = files
            .iter()
            .filter(|f| !reported.includes(f))
            .map(|f| self.display(f))
            .collect();
        let shown = &outcome.files;
        // A problem shows when any of its sites is in a named file (a key
        // named in keys.rs and used in the staged store.rs).
        let named = |file: FileId| reported.includes(&shown[file as usize].path);
        outcome
            .findings
            .retain(|f| named(f.file) || f.related.iter().any(|r| named(r.file)));
        outcome.problems.retain(|p| !context.contains(&p.display));
    }

    /// Standard input's text (or why it cannot be linted) when `path` is
    /// the file it stands for.
    fn stdin_text(&self, path: &Path) -> Option<Result<Arc<str>, String>> {
        match (&self.opts.input, &self.stdin) {
            (Input::Stdin(stdin), Some(text))
                if std::path::absolute(&stdin.path).is_ok_and(|p| p == path) =>
            {
                Some(text.clone())
            }
            _ => None,
        }
    }

    fn display(&self, path: &Path) -> String {
        display_path(path, &self.cwd)
    }
}

/// The configuration files behind `configs`, each once.
fn distinct_origins(configs: &[Option<Arc<Config>>]) -> Vec<Option<PathBuf>> {
    let mut origins: Vec<Option<PathBuf>> =
        configs.iter().flatten().map(|c| c.origin.clone()).collect();
    origins.sort();
    origins.dedup();
    origins
}

/// Findings in report order without duplicates; problems by place.
fn finish(outcome: &mut Outcome) {
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
}
