//! `include` lines: which files a configuration pulls in, read how.
//!
//! Included files are read only inside an [`IncludeScope`] (the linted
//! folders) or the including configuration's own folder, only when they are
//! regular files of a sane size, each once per configuration, within a
//! total budget: an include is text from the user's files, and may name
//! `/proc/self/environ`, `/dev/zero`, a FIFO, or a web of files including
//! each other.

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use super::{parse, Directive, LoadError, Source, MAX_CONF_BYTES};
use crate::source::FileId;

/// Where included files may be read from: folders (canonical paths) the
/// user asked to lint. An `include` elsewhere (`/proc/self/environ`,
/// `/etc/redis/common.conf`) names a file on the server, not one of the
/// project's; reading it could print secrets, hang on a FIFO or never end.
#[derive(Debug, Clone, Default)]
pub struct IncludeScope {
    folders: Vec<PathBuf>,
}

impl IncludeScope {
    /// The folders of `roots` (a file stands for its folder); roots that do
    /// not exist are left out.
    pub fn new<'a>(roots: impl IntoIterator<Item = &'a Path>) -> IncludeScope {
        let mut folders: Vec<PathBuf> = roots
            .into_iter()
            .filter_map(|root| root.canonicalize().ok())
            .map(|root| match root.is_file() {
                true => root.parent().map_or(root.clone(), Path::to_path_buf),
                false => root,
            })
            .collect();
        folders.sort();
        folders.dedup();
        IncludeScope { folders }
    }

    /// Whether a canonical path lies under one of the folders.
    fn holds(&self, canonical: &Path) -> bool {
        self.folders.iter().any(|f| canonical.starts_with(f))
    }
}

/// How much one configuration may read with all its includes: a bound on
/// the work a tree of includes can ask for.
const MAX_TOTAL_BYTES: u64 = 16 << 20;

/// Include nesting deeper than this is a mistake (Redis would recurse
/// until it fails).
const MAX_INCLUDE_DEPTH: usize = 32;

pub(super) struct Loader<'a> {
    scope: &'a IncludeScope,
    /// The root configuration's own folder (canonical): always in scope.
    folder: PathBuf,
    /// Bytes left to read for included files.
    budget: u64,
    sources: Vec<Source>,
    /// Canonical paths of the files read so far, the root first.
    read: Vec<PathBuf>,
    /// How many files are being read, one inside the other.
    depth: usize,
    included: Vec<PathBuf>,
    complete: bool,
}

impl<'a> Loader<'a> {
    /// A loader that has read `root` (a file in `root.path`).
    pub(super) fn new(scope: &'a IncludeScope, root: Source) -> Loader<'a> {
        let folder = root
            .path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        Loader {
            scope,
            folder: canonical(folder),
            budget: MAX_TOTAL_BYTES.saturating_sub(root.text.len() as u64),
            read: vec![canonical(&root.path)],
            sources: vec![root],
            depth: 1,
            included: Vec::new(),
            complete: true,
        }
    }

    /// The files read (the root first), the canonical paths of those it
    /// included, and whether every include could be read.
    pub(super) fn finish(self) -> (Vec<Source>, Vec<PathBuf>, bool) {
        (self.sources, self.included, self.complete)
    }

    pub(super) fn read(&mut self, id: usize, out: &mut Vec<Directive>) -> Result<(), LoadError> {
        let source = self.sources[id].clone();
        let parsed = parse::parse(&source.text, id as FileId).map_err(|e| LoadError {
            path: source.path.clone(),
            // Of an included file, the report shows the faulty line alone.
            text: Some(match id {
                0 => source.text.clone(),
                _ => only_line(&source.text, e.span.start.line),
            }),
            span: Some(e.span),
            message: format!("Redis cannot read this line: {}", e.message),
        })?;
        for d in parsed {
            if d.name == "include" {
                self.include(&d, &source.path, out)?;
            } else {
                out.push(d);
            }
        }
        Ok(())
    }

    fn include(
        &mut self,
        d: &Directive,
        from: &Path,
        out: &mut Vec<Directive>,
    ) -> Result<(), LoadError> {
        let Some(arg) = d.arg(0).filter(|a| !a.is_empty() && !a.contains('$')) else {
            self.complete = false;
            return Ok(());
        };
        let target = normalise(&from.parent().unwrap_or(Path::new("")).join(arg));
        for path in expand(&target) {
            let canon = canonical(&path);
            if self.read.contains(&canon) || self.depth >= MAX_INCLUDE_DEPTH {
                continue;
            }
            let Some(text) = self.fetch(&path, &canon) else {
                self.complete = false;
                continue;
            };
            self.sources.push(Source {
                path: path.clone(),
                text,
            });
            self.read.push(canon.clone());
            self.included.push(canon);
            self.depth += 1;
            let result = self.read(self.sources.len() - 1, out);
            self.depth -= 1;
            result?;
        }
        Ok(())
    }

    /// The text of an included file, when it is a regular UTF-8 file in
    /// the scope and within the size limits.
    fn fetch(&mut self, path: &Path, canon: &Path) -> Option<Arc<str>> {
        if !self.scope.holds(canon) && !canon.starts_with(&self.folder) {
            return None;
        }
        let cap = MAX_CONF_BYTES.min(self.budget);
        let bytes = crate::source::read_capped(path, cap).ok()?;
        self.budget -= bytes.len() as u64;
        String::from_utf8(bytes).ok().map(Arc::from)
    }
}

/// `text` with every line but `line` (1-based) emptied: line numbers still
/// hold.
fn only_line(text: &str, line: u32) -> Arc<str> {
    only_lines(text, &[line])
}

/// `text` with every line but `lines` (1-based) emptied: line numbers
/// still hold. What reports may show of an included file.
pub fn only_lines(text: &str, lines: &[u32]) -> Arc<str> {
    let mut lines = lines.to_vec();
    lines.sort_unstable();
    let kept: Vec<&str> = text
        .split('\n')
        .enumerate()
        .map(
            |(i, l)| match lines.binary_search(&(i as u32 + 1)).is_ok() {
                true => l,
                false => "",
            },
        )
        .collect();
    Arc::from(kept.join("\n"))
}

/// An include path with wildcards in its file name (`conf.d/*.conf`) names
/// every matching file, in alphabetical order (none: nothing, as for
/// Redis); any other path names itself.
fn expand(path: &Path) -> Vec<PathBuf> {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return vec![path.to_path_buf()];
    };
    if !name.contains(['*', '?', '[']) {
        return vec![path.to_path_buf()];
    }
    let Ok(glob) = globset::Glob::new(name) else {
        return Vec::new();
    };
    let matcher = glob.compile_matcher();
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.file_name().is_some_and(|n| matcher.is_match(n)))
        .collect();
    found.sort();
    found
}

fn canonical(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| normalise(path))
}

/// Removes `.` and resolves `..` without touching the file system.
fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}
