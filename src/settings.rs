//! Configuration: `redis-lint.toml` / `.redis-lint.toml`, or the
//! `[package.metadata.redis-lint]` / `[workspace.metadata.redis-lint]`
//! table of a `Cargo.toml`. Each file uses the nearest configuration found
//! walking up from its folder; `--config` names one for every file and
//! `--isolated` ignores them all.
//!
//! ```toml
//! select = ["all"]                 # ids, prefixes, guide sections
//! ignore = ["key-no-namespace"]
//! lint-tests = false
//! lint-examples = "defects"         # or "all"
//! keyspace-programs = "workspace"   # or "file", "fn": see `KeyspacePrograms`
//! dependencies = "follow"           # or "ignore": see `Dependencies`
//! exclude = ["generated/**"]
//! docs-url = "https://docs.example.com/redis-lint/rules"  # SARIF helpUri
//!
//! [rules]
//! conn-command-in-loop = "warn"    # allow | warn | deny
//! key-missing-ttl = { level = "deny", ephemeral-prefixes = ["cache", "sess"] }
//! key-name-too-long = { max-length = 80 }
//!
//! [[overrides]]
//! paths = ["src/admin/**"]
//! ignore = ["cmd-dangerous-command"]
//! ```
//!
//! Unknown keys, rule ids and levels are errors that point into the file.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use globset::{Glob, GlobSet, GlobSetBuilder};
use miette::{LabeledSpan, MietteDiagnostic, NamedSource, Report};
use serde::Deserialize;
use toml::Spanned;

use crate::diagnostic::{Activation, InExamples, Level, RuleMeta};
pub use crate::model::keyspace::KeyspacePrograms;
use crate::rules::{self, OptionError, Rule, RuleOptionsSet};
pub use dependencies::Dependencies;
mod dependencies;

pub const FILE_NAMES: [&str; 2] = ["redis-lint.toml", ".redis-lint.toml"];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    select: Option<Vec<Spanned<String>>>,
    ignore: Option<Vec<Spanned<String>>>,
    lint_tests: Option<bool>,
    lint_examples: Option<LintExamples>,
    keyspace_programs: Option<KeyspacePrograms>,
    dependencies: Option<Dependencies>,
    exclude: Option<Vec<Spanned<String>>>,
    docs_url: Option<Spanned<String>>,
    rules: Option<BTreeMap<Spanned<String>, Spanned<toml::Value>>>,
    overrides: Option<Vec<RawOverride>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawOverride {
    paths: Vec<Spanned<String>>,
    select: Option<Vec<Spanned<String>>>,
    ignore: Option<Vec<Spanned<String>>>,
    rules: Option<BTreeMap<Spanned<String>, Spanned<toml::Value>>>,
}

#[derive(Debug, Deserialize)]
struct CargoToml {
    package: Option<CargoSection>,
    workspace: Option<CargoSection>,
}

#[derive(Debug, Deserialize)]
struct CargoSection {
    metadata: Option<CargoMetadata>,
}

#[derive(Debug, Deserialize)]
struct CargoMetadata {
    #[serde(rename = "redis-lint")]
    redis_lint: Option<RawConfig>,
}

/// Which rules apply, and at which level.
#[derive(Debug, Clone)]
struct RuleSet {
    /// `None`: the default set (every default-on rule).
    select: Option<Vec<String>>,
    ignore: Vec<String>,
    levels: HashMap<&'static str, Level>,
    /// `select` and `ignore` resolved to rule ids, once: levels are asked
    /// per file and rule, and resolving selectors each time made a run
    /// over many files with many selectors take seconds.
    resolved: OnceLock<Resolved>,
}

/// The rules a [`RuleSet`]'s selectors name.
#[derive(Debug, Clone)]
struct Resolved {
    /// `None`: no `select` (the default set applies).
    selected: Option<HashSet<&'static str>>,
    ignored: HashSet<&'static str>,
}

#[cfg(test)]
thread_local! {
    /// How many times this thread resolved selectors (tests only).
    static RESOLUTIONS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// The ids of the rules some selectors name (none when they name nothing
/// valid: errors were reported when the configuration was read).
fn resolve(selectors: &[String]) -> HashSet<&'static str> {
    #[cfg(test)]
    RESOLUTIONS.with(|n| n.set(n.get() + 1));
    rules::select(selectors, &[], None)
        .map(|set| set.iter().map(|r| r.meta.id).collect())
        .unwrap_or_default()
}

impl RuleSet {
    fn new(
        select: Option<Vec<String>>,
        ignore: Vec<String>,
        levels: HashMap<&'static str, Level>,
    ) -> RuleSet {
        RuleSet {
            select,
            ignore,
            levels,
            resolved: OnceLock::new(),
        }
    }

    fn resolved(&self) -> &Resolved {
        self.resolved.get_or_init(|| Resolved {
            selected: self.select.as_deref().map(resolve),
            ignored: if self.ignore.is_empty() {
                HashSet::new()
            } else {
                resolve(&self.ignore)
            },
        })
    }
}

#[derive(Debug)]
struct Override {
    globs: GlobSet,
    patterns: Vec<String>,
    rules: RuleSet,
}

/// A loaded configuration.
#[derive(Debug)]
pub struct Config {
    /// The file it came from (`None`: built-in defaults).
    pub origin: Option<PathBuf>,
    /// Folder that relative globs are matched from.
    root: PathBuf,
    rules: RuleSet,
    pub lint_tests: bool,
    /// Which rules report in example and benchmark code.
    pub lint_examples: LintExamples,
    pub keyspace_programs: KeyspacePrograms,
    /// Read registry/git crates wrapping a client (the workspace root's says).
    pub dependencies: Dependencies,
    exclude: GlobSet,
    exclude_patterns: Vec<String>,
    overrides: Vec<Override>,
    /// The options of the rules that take some (`[rules]` only).
    pub rule_options: RuleOptionsSet,
    /// `docs-url`: where the rule pages are published, for SARIF's
    /// `helpUri` (`{id}` in it is the rule id; else `<docs-url>/<id>.md`).
    pub docs_url: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            origin: None,
            root: PathBuf::new(),
            rules: RuleSet::new(None, Vec::new(), HashMap::new()),
            lint_tests: false,
            lint_examples: LintExamples::Defects,
            keyspace_programs: KeyspacePrograms::Workspace,
            dependencies: Dependencies::Follow,
            exclude: GlobSet::empty(),
            exclude_patterns: Vec::new(),
            overrides: Vec::new(),
            rule_options: RuleOptionsSet::default(),
            docs_url: None,
        }
    }
}

/// `lint-examples`: which rules report in example and benchmark code
/// (`examples/`, `benches/`, `[[example]]` and `[[bench]]` targets).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LintExamples {
    /// Only the rules whose findings are defects a reader would copy
    /// ([`InExamples::Reported`]).
    Defects,
    /// Every rule, as in production code.
    All,
}

impl LintExamples {
    pub fn as_str(self) -> &'static str {
        match self {
            LintExamples::Defects => "defects",
            LintExamples::All => "all",
        }
    }

    fn explain(self) -> &'static str {
        match self {
            LintExamples::Defects => {
                "only rules for defects a reader would copy; hygiene rules stay silent"
            }
            LintExamples::All => "every rule, as in production code",
        }
    }

    /// Whether `rule` reports in example and benchmark code.
    pub fn reports(self, rule: &RuleMeta) -> bool {
        self == LintExamples::All || rule.examples == InExamples::Reported
    }
}

/// A configuration error, ready to print (with a snippet of the file).
pub struct ConfigError(pub Report);

impl fmt::Debug for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

/// Where a `[rules]` table's rule options go: the configuration's own
/// options, or nowhere (an override's table may only set levels).
enum OptionsTarget<'a> {
    TopLevel(&'a mut RuleOptionsSet),
    Override,
}

impl OptionsTarget<'_> {
    /// Hands one option key to its rule; the error message on refusal.
    fn set(&mut self, rule: &Rule, key: &str, value: &toml::Value) -> Result<(), String> {
        let no_option = || format!("rule `{}` has no option `{key}`", rule.meta.id);
        match self {
            OptionsTarget::TopLevel(set) => match set.of_mut(rule.meta.id) {
                Some(options) => options.set(key, value).map_err(|e| match e {
                    OptionError::Unknown => no_option(),
                    OptionError::Invalid(what) => what.to_string(),
                }),
                None => Err(no_option()),
            },
            // The value is checked first, so a bad one is reported as such.
            OptionsTarget::Override => {
                match rule.options.map(|defaults| defaults().set(key, value)) {
                    Some(Ok(())) => {
                        Err("rule options belong in the top-level [rules] table".to_string())
                    }
                    Some(Err(OptionError::Invalid(what))) => Err(what.to_string()),
                    Some(Err(OptionError::Unknown)) | None => Err(no_option()),
                }
            }
        }
    }
}

struct Loader<'a> {
    path: &'a Path,
    text: &'a str,
}

impl Loader<'_> {
    fn error(&self, message: impl Into<String>, span: Option<Range<usize>>) -> ConfigError {
        let mut diag = MietteDiagnostic::new(message.into()).with_code("config-error");
        if let Some(span) = span {
            diag = diag.with_label(LabeledSpan::at(span, "here"));
        }
        let source = NamedSource::new(self.path.display().to_string(), self.text.to_string());
        ConfigError(Report::new(diag).with_source_code(source))
    }

    fn selectors(
        &self,
        list: &Option<Vec<Spanned<String>>>,
    ) -> Result<Option<Vec<String>>, ConfigError> {
        let Some(list) = list else { return Ok(None) };
        for sel in list {
            if let Err(e) = rules::select(std::slice::from_ref(sel.get_ref()), &[], None) {
                let message = match rules::nearest_id(sel.get_ref()) {
                    Some(near) => format!(
                        "`{}` names no rule, prefix or guide section; did you mean `{near}`?",
                        sel.get_ref()
                    ),
                    None => e,
                };
                return Err(self.error(message, Some(sel.span())));
            }
        }
        Ok(Some(list.iter().map(|s| s.get_ref().clone()).collect()))
    }

    fn levels(
        &self,
        table: &Option<BTreeMap<Spanned<String>, Spanned<toml::Value>>>,
        mut options: OptionsTarget,
    ) -> Result<HashMap<&'static str, Level>, ConfigError> {
        let mut levels = HashMap::new();
        for (id, value) in table.iter().flatten() {
            let rule: &'static Rule = rules::find(id.get_ref()).ok_or_else(|| {
                let id_text = id.get_ref();
                let message = match rules::nearest_id(id_text) {
                    Some(near) => format!("unknown rule `{id_text}`; did you mean `{near}`?"),
                    None => format!("unknown rule `{id_text}`"),
                };
                self.error(message, Some(id.span()))
            })?;
            let level_of = |v: &toml::Value| -> Result<Level, ConfigError> {
                v.as_str().and_then(Level::from_name).ok_or_else(|| {
                    self.error(
                        "a level is \"allow\", \"warn\" or \"deny\"",
                        Some(value.span()),
                    )
                })
            };
            match value.get_ref() {
                toml::Value::Table(t) => {
                    for (key, v) in t {
                        if key == "level" {
                            levels.insert(rule.meta.id, level_of(v)?);
                            continue;
                        }
                        options
                            .set(rule, key, v)
                            .map_err(|message| self.error(message, Some(value.span())))?;
                    }
                }
                v => {
                    levels.insert(rule.meta.id, level_of(v)?);
                }
            }
        }
        Ok(levels)
    }

    fn docs_url(&self, url: Option<Spanned<String>>) -> Result<Option<String>, ConfigError> {
        match url {
            Some(u)
                if !(u.get_ref().starts_with("https://") || u.get_ref().starts_with("http://")) =>
            {
                Err(self.error("`docs-url` is an http(s) URL", Some(u.span())))
            }
            u => Ok(u.map(Spanned::into_inner)),
        }
    }

    fn globs(&self, patterns: &[Spanned<String>]) -> Result<GlobSet, ConfigError> {
        let mut builder = GlobSetBuilder::new();
        for p in patterns {
            let glob = Glob::new(p.get_ref())
                .map_err(|e| self.error(format!("bad glob: {e}"), Some(p.span())))?;
            builder.add(glob);
            // `dir` also means everything below it.
            if !p.get_ref().contains('*') {
                if let Ok(g) = Glob::new(&format!("{}/**", p.get_ref().trim_end_matches('/'))) {
                    builder.add(g);
                }
            }
        }
        builder
            .build()
            .map_err(|e| self.error(format!("bad glob: {e}"), None))
    }

    fn build(&self, raw: RawConfig, root: &Path) -> Result<Config, ConfigError> {
        let mut rule_options = RuleOptionsSet::default();
        let levels = self.levels(&raw.rules, OptionsTarget::TopLevel(&mut rule_options))?;
        let exclude_raw = raw.exclude.unwrap_or_default();
        let mut overrides = Vec::new();
        for o in raw.overrides.unwrap_or_default() {
            overrides.push(Override {
                globs: self.globs(&o.paths)?,
                patterns: o.paths.iter().map(|p| p.get_ref().clone()).collect(),
                rules: RuleSet::new(
                    self.selectors(&o.select)?,
                    self.selectors(&o.ignore)?.unwrap_or_default(),
                    self.levels(&o.rules, OptionsTarget::Override)?,
                ),
            });
        }
        Ok(Config {
            origin: Some(self.path.to_path_buf()),
            root: root.to_path_buf(),
            rules: RuleSet::new(
                self.selectors(&raw.select)?,
                self.selectors(&raw.ignore)?.unwrap_or_default(),
                levels,
            ),
            lint_tests: raw.lint_tests.unwrap_or(false),
            lint_examples: raw.lint_examples.unwrap_or(LintExamples::Defects),
            keyspace_programs: raw.keyspace_programs.unwrap_or(KeyspacePrograms::Workspace),
            dependencies: raw.dependencies.unwrap_or(Dependencies::Follow),
            exclude: self.globs(&exclude_raw)?,
            exclude_patterns: exclude_raw.iter().map(|p| p.get_ref().clone()).collect(),
            overrides,
            rule_options,
            docs_url: self.docs_url(raw.docs_url)?,
        })
    }
}

impl Config {
    /// Loads a `redis-lint.toml`-style file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            ConfigError(Report::new(
                MietteDiagnostic::new(format!("cannot read {}: {e}", path.display()))
                    .with_code("config-error"),
            ))
        })?;
        let loader = Loader { path, text: &text };
        let raw: RawConfig =
            toml::from_str(&text).map_err(|e| loader.error(e.message().to_string(), e.span()))?;
        loader.build(raw, path.parent().unwrap_or(Path::new(".")))
    }

    /// Loads the `redis-lint` metadata table of a `Cargo.toml`, if any.
    fn load_cargo(path: &Path) -> Result<Option<Config>, ConfigError> {
        let Ok(text) = std::fs::read_to_string(path) else {
            return Ok(None);
        };
        if !text.contains("redis-lint") {
            return Ok(None);
        }
        let loader = Loader { path, text: &text };
        // A Cargo.toml that is not valid TOML is the manifest's problem,
        // reported elsewhere; it simply has no configuration.
        let Ok(doc) = toml::from_str::<CargoToml>(&text) else {
            return match toml::from_str::<toml::Table>(&text) {
                Ok(_) => {
                    // Valid TOML, so the error is in our table: report it.
                    let e = toml::from_str::<CargoToml>(&text).expect_err("failed above");
                    Err(loader.error(e.message().to_string(), e.span()))
                }
                Err(_) => Ok(None),
            };
        };
        let raw = doc
            .package
            .and_then(|p| p.metadata)
            .and_then(|m| m.redis_lint)
            .or_else(|| {
                doc.workspace
                    .and_then(|w| w.metadata)
                    .and_then(|m| m.redis_lint)
            });
        raw.map(|raw| loader.build(raw, path.parent().unwrap_or(Path::new("."))))
            .transpose()
    }

    fn relative<'p>(&self, path: &'p Path) -> &'p Path {
        path.strip_prefix(&self.root).unwrap_or(path)
    }

    /// Files the configuration excludes from the report.
    pub fn excludes(&self, path: &Path) -> bool {
        self.exclude.is_match(self.relative(path))
    }

    /// The level of `rule` for findings in `path` (`Allow`: not reported).
    pub fn level(&self, rule: &RuleMeta, path: &Path) -> Level {
        let rel = self.relative(path);
        let mut level = self.rules.level(rule);
        for o in &self.overrides {
            if o.globs.is_match(rel) {
                level = o.rules.level_over(rule, level);
            }
        }
        level
    }

    /// Every rule some file may need: what to run.
    pub fn rules_to_run(&self) -> Vec<&'static Rule> {
        rules::REGISTRY
            .iter()
            .copied()
            .filter(|r| {
                self.rules.level(&r.meta) != Level::Allow
                    || self
                        .overrides
                        .iter()
                        .any(|o| o.rules.level_over(&r.meta, Level::Allow) != Level::Allow)
            })
            .collect()
    }

    /// Applies command-line selection on top: `--select` replaces the
    /// file's selection, `--ignore` adds to it.
    pub fn with_cli(mut self, select: &[String], ignore: &[String]) -> Config {
        if !select.is_empty() {
            self.rules.select = Some(select.to_vec());
        }
        self.rules.ignore.extend(ignore.iter().cloned());
        self.rules.resolved = OnceLock::new();
        self
    }

    /// `--extend-select`: these rules on top of the file's selection (the
    /// default rules when it has none).
    pub fn with_extend_select(mut self, extra: &[String]) -> Config {
        if !extra.is_empty() {
            let mut select = self.rules.select.take().unwrap_or_else(|| {
                let on = rules::REGISTRY
                    .iter()
                    .filter(|r| r.meta.default == Activation::On);
                on.map(|r| r.meta.id.to_string()).collect()
            });
            select.extend(extra.iter().cloned());
            self.rules.select = Some(select);
        }
        self
    }

    /// The effective configuration as TOML (`redis-lint config --show`).
    pub fn show(&self) -> String {
        let mut out = String::new();
        match &self.origin {
            Some(p) => out.push_str(&format!("# from {}\n", p.display())),
            None => out.push_str("# built-in defaults (no configuration file found)\n"),
        }
        let list = |v: &[String]| {
            format!(
                "[{}]",
                v.iter()
                    .map(|s| format!("{s:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        let rules_run: Vec<String> = self
            .rules_to_run()
            .iter()
            .map(|r| r.meta.id.to_string())
            .collect();
        out.push_str(&format!(
            "select = {}\n",
            list(
                self.rules
                    .select
                    .as_deref()
                    .unwrap_or(&["default".to_string()])
            )
        ));
        out.push_str(&format!("ignore = {}\n", list(&self.rules.ignore)));
        out.push_str(&format!("lint-tests = {}\n", self.lint_tests));
        out.push_str(&format!(
            "lint-examples = \"{}\"\n# in examples/ and benches/: {}\n",
            self.lint_examples.as_str(),
            self.lint_examples.explain()
        ));
        let quiet: Vec<&str> = self
            .rules_to_run()
            .iter()
            .filter(|r| !self.lint_examples.reports(&r.meta))
            .map(|r| r.meta.id)
            .collect();
        if !quiet.is_empty() {
            out.push_str(&format!(
                "# silent in examples/ and benches/: {}\n",
                quiet.join(", ")
            ));
        }
        out.push_str(&format!(
            "keyspace-programs = \"{}\"\n",
            self.keyspace_programs.as_str()
        ));
        out.push_str(&self.dependencies.shown());
        out.push_str(&format!("exclude = {}\n", list(&self.exclude_patterns)));
        if let Some(url) = &self.docs_url {
            out.push_str(&format!("docs-url = {url:?}\n"));
        }
        out.push_str(&format!(
            "# rules that run: {}\n\n[rules]\n",
            rules_run.join(", ")
        ));
        for r in rules::REGISTRY.iter() {
            let level = self.rules.level(&r.meta);
            match self.rule_options.of(r.meta.id) {
                Some(options) if level != Level::Allow => out.push_str(&format!(
                    "{} = {{ level = \"{}\", {} }}\n",
                    r.meta.id,
                    level.as_str(),
                    options.show()
                )),
                _ => out.push_str(&format!("{} = \"{}\"\n", r.meta.id, level.as_str())),
            }
        }
        for o in &self.overrides {
            out.push_str(&format!("\n[[overrides]]\npaths = {}\n", list(&o.patterns)));
            if let Some(sel) = &o.rules.select {
                out.push_str(&format!("select = {}\n", list(sel)));
            }
            if !o.rules.ignore.is_empty() {
                out.push_str(&format!("ignore = {}\n", list(&o.rules.ignore)));
            }
        }
        out
    }
}

impl RuleSet {
    fn selected(&self, rule: &RuleMeta) -> bool {
        let resolved = self.resolved();
        let by_select = match &resolved.selected {
            Some(ids) => ids.contains(rule.id),
            None => rule.default == Activation::On,
        };
        by_select && !resolved.ignored.contains(rule.id)
    }

    fn level(&self, rule: &RuleMeta) -> Level {
        match self.levels.get(rule.id) {
            Some(l) => *l,
            None if self.selected(rule) => Level::Deny,
            None => Level::Allow,
        }
    }

    /// This override's say on a rule whose level was `base`.
    fn level_over(&self, rule: &RuleMeta, base: Level) -> Level {
        if let Some(l) = self.levels.get(rule.id) {
            return *l;
        }
        let resolved = self.resolved();
        let selected = resolved
            .selected
            .as_ref()
            .is_some_and(|ids| ids.contains(rule.id));
        let ignored = resolved.ignored.contains(rule.id);
        if ignored {
            Level::Allow
        } else if selected && base == Level::Allow {
            Level::Deny
        } else {
            base
        }
    }
}

/// Finds the configuration of each file: the nearest one walking up.
pub struct Resolver {
    fixed: Option<Arc<Config>>,
    select: Vec<String>,
    ignore: Vec<String>,
    /// `--extend-select`.
    extend: Vec<String>,
    by_dir: Mutex<HashMap<PathBuf, Arc<Config>>>,
    loaded: Mutex<HashMap<PathBuf, Arc<Config>>>,
}

impl Resolver {
    /// `fixed`: one configuration for every file (`--config`, `--isolated`).
    pub fn new(fixed: Option<Config>, select: &[String], ignore: &[String]) -> Resolver {
        Resolver {
            fixed: fixed.map(|c| Arc::new(c.with_cli(select, ignore))),
            select: select.to_vec(),
            ignore: ignore.to_vec(),
            extend: Vec::new(),
            by_dir: Mutex::new(HashMap::new()),
            loaded: Mutex::new(HashMap::new()),
        }
    }

    /// Adds `--extend-select` to every configuration.
    pub fn with_extend_select(mut self, extra: &[String]) -> Resolver {
        self.extend = extra.to_vec();
        self.fixed = self.fixed.map(|c| {
            let c = Arc::try_unwrap(c).expect("not shared yet");
            Arc::new(c.with_extend_select(extra))
        });
        self
    }

    /// The configuration for files in `dir`.
    pub fn for_dir(&self, dir: &Path) -> Result<Arc<Config>, ConfigError> {
        if let Some(c) = &self.fixed {
            return Ok(c.clone());
        }
        if let Some(c) = self.by_dir.lock().expect("config cache").get(dir) {
            return Ok(c.clone());
        }
        let found = self.find(dir)?;
        self.by_dir
            .lock()
            .expect("config cache")
            .insert(dir.to_path_buf(), found.clone());
        Ok(found)
    }

    /// The configuration of `dir`: its own file, else its parent's (each
    /// folder is looked at once, however many files it holds).
    fn find(&self, dir: &Path) -> Result<Arc<Config>, ConfigError> {
        for name in FILE_NAMES {
            let path = dir.join(name);
            if path.is_file() {
                return self.load_once(&path, Config::load);
            }
        }
        let cargo = dir.join("Cargo.toml");
        if cargo.is_file()
            && std::fs::read_to_string(&cargo).is_ok_and(|t| t.contains("redis-lint"))
        {
            if let Some(c) = self.load_once_opt(&cargo)? {
                return Ok(c);
            }
        }
        match dir.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => self.for_dir(parent),
            _ => Ok(Arc::new(
                Config::default()
                    .with_cli(&self.select, &self.ignore)
                    .with_extend_select(&self.extend),
            )),
        }
    }

    fn load_once(
        &self,
        path: &Path,
        load: fn(&Path) -> Result<Config, ConfigError>,
    ) -> Result<Arc<Config>, ConfigError> {
        if let Some(c) = self.loaded.lock().expect("config cache").get(path) {
            return Ok(c.clone());
        }
        let c = load(path)?.with_cli(&self.select, &self.ignore);
        let c = Arc::new(c.with_extend_select(&self.extend));
        self.loaded
            .lock()
            .expect("config cache")
            .insert(path.to_path_buf(), c.clone());
        Ok(c)
    }

    fn load_once_opt(&self, path: &Path) -> Result<Option<Arc<Config>>, ConfigError> {
        if let Some(c) = self.loaded.lock().expect("config cache").get(path) {
            return Ok(Some(c.clone()));
        }
        let Some(c) = Config::load_cargo(path)? else {
            return Ok(None);
        };
        let c = c.with_cli(&self.select, &self.ignore);
        let c = Arc::new(c.with_extend_select(&self.extend));
        self.loaded
            .lock()
            .expect("config cache")
            .insert(path.to_path_buf(), c.clone());
        Ok(Some(c))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_are_resolved_once_per_configuration() {
        let prefixes = [
            "key", "conn", "cmd", "ds", "memory", "sec", "cluster", "mod", "ai", "conf",
        ];
        let select: Vec<String> = prefixes.iter().map(|p| p.to_string()).collect();
        let config = Config::default().with_cli(&select, &["key-no-namespace".to_string()]);
        let before = RESOLUTIONS.with(|n| n.get());
        for i in 0..1000 {
            let path = PathBuf::from(format!("src/f{i}.rs"));
            for rule in rules::REGISTRY.iter() {
                config.level(&rule.meta, &path);
            }
        }
        config.rules_to_run();
        // One for `select`, one for `ignore`.
        assert_eq!(RESOLUTIONS.with(|n| n.get()) - before, 2);
        let no_namespace = rules::find("key-no-namespace").unwrap();
        assert_eq!(
            config.level(&no_namespace.meta, Path::new("a.rs")),
            Level::Allow
        );
    }
}
