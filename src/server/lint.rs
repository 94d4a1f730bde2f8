//! One open document: its text, and its findings from the last lint.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use lsp_types::{Diagnostic, Url};

use super::convert::{self, Lines, Site};
use crate::diagnostic::{Finding, Outcome, ProblemKind};
use crate::engine::{self, ConfigSource, Input, Options, Prefilter, ServerConfs, Stdin};
use crate::link::Scope;
use crate::rules::REGISTRY;
use crate::source::FileId;
use crate::suppress::{self, Syntax};

/// What every lint of the session shares.
pub(super) struct Settings {
    pub config: ConfigSource,
    pub cache: Option<PathBuf>,
}

/// An open document.
pub(super) struct Document {
    /// The file it stands for; `None` for a document that is not a file
    /// (an unsaved `untitled:` buffer): nothing to lint it against.
    path: Option<PathBuf>,
    pub text: String,
    pub version: i32,
    /// The findings of the last lint, in this text.
    pub findings: Vec<Published>,
    /// Files that kept the document from being linted (read errors,
    /// invalid configuration files), shown as they are.
    problems: Vec<Diagnostic>,
}

/// A finding on the document, and the diagnostic it was published as.
pub(super) struct Published {
    pub finding: Finding,
    pub site: Site,
    pub diagnostic: Diagnostic,
}

impl Document {
    pub fn open(uri: &Url, text: String, version: i32) -> Document {
        Document {
            path: uri.to_file_path().ok(),
            text,
            version,
            findings: Vec::new(),
            problems: Vec::new(),
        }
    }

    pub fn change(&mut self, text: String, version: i32) {
        self.text = text;
        self.version = version;
    }

    pub fn syntax(&self) -> Syntax {
        self.path.as_deref().map_or(Syntax::Rust, Syntax::of)
    }

    /// Lints the text with the whole crate as context, as `--stdin-filename`
    /// does, and keeps what concerns this document.
    pub fn lint(&mut self, settings: &Settings) -> Result<(), engine::Error> {
        let Some(path) = self.path.clone() else {
            return Ok(());
        };
        let options = Options {
            input: Input::Stdin(Stdin {
                path: path.clone(),
                bytes: self.text.clone().into_bytes(),
            }),
            rules: REGISTRY.to_vec(),
            settings: engine::Settings::Configured {
                source: clone_source(&settings.config),
                select: Vec::new(),
                ignore: Vec::new(),
                extend_select: Vec::new(),
            },
            scope: Scope::default(),
            server_confs: ServerConfs::Lint,
            threads: None,
            prefilter: Prefilter::SkipUnrelated,
            cache: settings.cache.clone(),
            max_file_size: engine::DEFAULT_MAX_FILE_SIZE,
            exclude: engine::Exclude::default(),
        };
        let linted = engine::run(&options)?;
        let mut outcome = linted.outcome;
        let absolute = std::path::absolute(&path).unwrap_or(path);
        let this = outcome.files.iter().position(|f| f.path == absolute);
        if let Some(id) = this {
            // A text without Redis code is not kept by the engine; the
            // suppressions are read from it, not from the file on disk.
            outcome.files[id].source = Arc::from(self.text.as_str());
        }
        suppress::apply(&mut outcome, &linted.rules_run);
        self.problems = problems(&outcome, &absolute, &self.text);
        self.findings = match this {
            Some(id) => published(&outcome, id as FileId, &self.text),
            None => Vec::new(),
        };
        Ok(())
    }

    /// The diagnostics of the last lint: findings, then problems.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        let findings = self.findings.iter().map(|p| p.diagnostic.clone());
        findings.chain(self.problems.iter().cloned()).collect()
    }
}

/// `ConfigSource` is a plain choice of where configuration comes from; a
/// run takes its own.
fn clone_source(source: &ConfigSource) -> ConfigSource {
    match source {
        ConfigSource::Discovered => ConfigSource::Discovered,
        ConfigSource::File(path) => ConfigSource::File(path.clone()),
        ConfigSource::Isolated => ConfigSource::Isolated,
    }
}

/// The findings with a site in file `id` (the document), as diagnostics:
/// at their primary site when it is there, else at their first site there.
fn published(outcome: &Outcome, id: FileId, text: &str) -> Vec<Published> {
    let lines = Lines::new(text);
    outcome
        .findings
        .iter()
        .filter_map(|f| {
            let site = if f.file == id {
                Site::Primary
            } else {
                let other = f.related.iter().find(|r| r.file == id)?;
                Site::Other {
                    file: id,
                    span: other.span,
                }
            };
            Some(Published {
                diagnostic: convert::diagnostic(f, site, &lines, outcome),
                finding: f.clone(),
                site,
            })
        })
        .collect()
}

/// The problems of the document: it could not be read, or it is a
/// configuration file that does not parse. A Rust file that does not parse
/// is left to the compiler and rust-analyzer, which say it better while
/// the user types.
fn problems(outcome: &Outcome, path: &Path, text: &str) -> Vec<Diagnostic> {
    let shown = engine::display_path(path, &std::env::current_dir().unwrap_or_default());
    let rust = Syntax::of(path) == Syntax::Rust;
    let lines = Lines::new(text);
    outcome
        .problems
        .iter()
        .filter(|p| p.display == shown)
        .filter(|p| !(rust && p.kind == ProblemKind::Parse))
        .map(|p| convert::problem(p, &lines))
        .collect()
}
