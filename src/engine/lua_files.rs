//! `.lua` files that Rust code includes as scripts (`Script::new(include_str!(
//! "lua/reserve.lua"))`): each read once per run (through `read_capped`),
//! added to the outcome's files so that findings can point into it, and
//! parsed; a file that cannot be read or is not valid Lua is a problem of
//! that file, and the run goes on. Nothing here is cached: the facts cache
//! keeps the include's path (part of the Rust file), never the script, so
//! an edited `.lua` file is always read afresh.

use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use super::plan::Units;
use super::Run;
use crate::diagnostic::{Outcome, Problem, ProblemKind};
use crate::model::lua::{self, LuaError, LuaFile, ScriptBody};
use crate::model::{CrateModel, IncludeBase, ScriptSource};
use crate::source::{self, FileId, SourceFile, Span};

/// An include as the Rust code writes it: (Rust file, path, base).
type Site = (FileId, String, IncludeBase);

/// The `.lua` files of a run, by the includes that name them.
#[derive(Default)]
pub(super) struct LuaFiles {
    by_site: HashMap<Site, Arc<LuaFile>>,
}

impl LuaFiles {
    /// Reads every `.lua` file the units' facts include, once each.
    pub(super) fn read(run: &Run, units: &mut Units, outcome: &mut Outcome) -> LuaFiles {
        let mut out = LuaFiles::default();
        // Each file once, however many includes name it; `None` when it
        // could not be read or parsed.
        let mut by_path: HashMap<PathBuf, Option<Arc<LuaFile>>> = HashMap::new();
        let mut sites = Vec::new();
        for (key, files) in &units.units {
            // A const is a script when some file of the crate runs it as one
            // (an included text used otherwise is never read).
            let script_consts: HashSet<&str> = files
                .iter()
                .flat_map(|(_, f)| f.script_consts.iter().map(String::as_str))
                .collect();
            for (id, facts) in files {
                let rust_path = &outcome.files[*id as usize].path;
                let consts = facts.str_consts.iter();
                let consts = consts.filter(|(name, _, _)| script_consts.contains(name.as_str()));
                let sources = facts.scripts.iter().map(|(s, _)| s);
                let sources = sources.chain(consts.map(|(_, s, _)| s));
                for source in sources {
                    let ScriptSource::File { path, base, .. } = source else {
                        continue;
                    };
                    let dir = match base {
                        IncludeBase::RustFile => rust_path.parent(),
                        IncludeBase::CrateRoot => key.root.as_deref(),
                    };
                    if let Some(dir) = dir {
                        let full = normalize(&dir.join(path));
                        sites.push(((*id, path.clone(), *base), full));
                    }
                }
            }
        }
        for (site, path) in sites {
            let including = site.0 as usize;
            let file = by_path
                .entry(path.clone())
                .or_insert_with(|| {
                    let (config, role) = (units.configs[including].clone(), units.roles[including]);
                    let file = load(run, &path, outcome);
                    if file.is_some() {
                        units.configs.push(config);
                        units.roles.push(role);
                    }
                    file
                })
                .clone();
            if let Some(file) = file {
                out.by_site.insert(site, file);
            }
        }
        out
    }

    /// Puts the `.lua` file read for each include of the model in place.
    pub(super) fn attach(&self, model: &mut CrateModel) {
        for script in &mut model.scripts {
            if let ScriptBody::Included { path, base } = &script.body {
                if let Some(file) = self.by_site.get(&(script.file, path.clone(), *base)) {
                    script.body = ScriptBody::File(Arc::clone(file));
                }
            }
        }
    }
}

/// Reads and parses one `.lua` file; adds it to the outcome's files when it
/// parses (so that findings can point into it), or its problem.
fn load(run: &Run, path: &Path, outcome: &mut Outcome) -> Option<Arc<LuaFile>> {
    let display = run.display(path);
    let problem = |kind, message: String, span, source| Problem {
        kind,
        display: display.clone(),
        message,
        span,
        source,
    };
    let text = source::read_capped(path, run.opts.max_file_size)
        .map_err(|e| e.to_string())
        .and_then(|bytes| super::rust::source_text(&bytes, run.opts.max_file_size));
    let text = match text {
        Ok(text) => text,
        Err(message) => {
            let message = format!("cannot read this Lua script: {message}");
            outcome
                .problems
                .push(problem(ProblemKind::Read, message, None, None));
            return None;
        }
    };
    match lua::parse(&text) {
        Ok(facts) => {
            let file = outcome.files.len() as FileId;
            outcome.files.push(SourceFile {
                path: path.to_path_buf(),
                display,
                source: Arc::clone(&text),
            });
            Some(Arc::new(LuaFile { file, text, facts }))
        }
        Err(e) => {
            let span = match &e {
                LuaError::Syntax { at, .. } => {
                    let at = lua::file_pos(&text, *at);
                    Some(Span { start: at, end: at })
                }
                LuaError::TooDeep { .. } => None,
            };
            let message = format!("cannot read this Lua script: {e}");
            outcome
                .problems
                .push(problem(ProblemKind::Parse, message, span, Some(text)));
            None
        }
    }
}

/// `a/b/../c.lua` as `a/c.lua`, so that two includes of one file through
/// different folders read it once.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}
