//! Connections built inside a dependency read as context (a registry
//! crate wrapping a Redis client, see `engine::dependencies`): which of
//! its fns build a client, connection or pool, themselves or through the
//! fns they call (`Master::new` → `MCaptchaRedis::new` → `Redis::new` →
//! `RedisConfig::connect` → `ConnectionManager::new`). Nothing inside the
//! dependency is reported, so each application call of such a fn counts
//! as the creations it leads to, at the application's call, with the
//! client version the application's lock builds the dependency with.

use std::collections::HashMap;
use std::sync::Arc;

use super::bottom_up::{BottomUp, Visit};
use super::symbols::Symbols;
use super::FileLink;
use crate::extract::facts::{FileFacts, FnTarget, RawCreation};
use crate::model::{
    ConnKind, ConnTimeout, CrateModel, Creation, CreationKind, FileId, FnInfo, Lib, Via,
};

/// How many calls deep a fn is followed.
const MAX_DEPTH: u32 = 6;

/// Most creations one fn stands for.
const MAX_MADE: usize = 8;

/// A client, connection or pool one fn of the dependency builds.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct MadeConn {
    kind: CreationKind,
    makes: ConnKind,
    lib: Lib,
    /// The constructor's name (`ConnectionManager::new`).
    what: String,
    /// The fn that builds it sets a timeout there (or names one it is
    /// given): not judged at the application's calls.
    timeouts_set: bool,
}

/// A fn as paths and receivers name it: its `impl` type and its name.
type FnRef = (Option<String>, String);

/// Each file's module path in its crate (`master::redis::master`).
pub type Modules = HashMap<FileId, Vec<String>>;

/// What one of the fns answering to a reference builds, and the module it
/// is declared in (two modules may each have a `Master::new`).
struct Candidate {
    module: Vec<String>,
    made: Arc<Vec<MadeConn>>,
}

/// What the fns of a dependency build, for its callers.
#[derive(Default)]
pub(super) struct Made {
    by_fn: HashMap<FnRef, Vec<Candidate>>,
    /// The redis-rs major version the application builds it with.
    redis_major: Option<u64>,
}

impl Made {
    /// What the fn `owner::name` builds; of several by that name, the one
    /// declared in `module` (a path written through a re-export names
    /// none of them, and reaches none).
    fn get(
        &self,
        owner: Option<&str>,
        name: &str,
        module: &[String],
    ) -> Option<&Arc<Vec<MadeConn>>> {
        let key = (owner.map(str::to_string), name.to_string());
        let made = match self.by_fn.get(&key)?.as_slice() {
            [one] => &one.made,
            several => &several.iter().find(|c| c.module == module)?.made,
        };
        (!made.is_empty()).then_some(made)
    }
}

/// One fn of the dependency: what it builds itself, and the calls it makes.
struct Node<'a> {
    file: FileId,
    facts: &'a FileFacts,
    func: u32,
}

impl Symbols {
    /// These symbols as those of a dependency read as context, built with
    /// redis-rs `redis_major`: what each of its fns builds is followed.
    pub fn as_dependency(
        mut self,
        files: &[(FileId, &FileFacts)],
        modules: &Modules,
        redis_major: Option<u64>,
    ) -> Symbols {
        let mut nodes = Vec::new();
        let mut index: HashMap<FnRef, Vec<usize>> = HashMap::new();
        for &(file, facts) in files {
            if facts.all_test {
                continue;
            }
            for (func, f) in facts.fns.iter().enumerate() {
                if f.is_test {
                    continue;
                }
                let key = (f.owner.clone(), f.info.name.clone());
                index.entry(key).or_default().push(nodes.len());
                nodes.push(Node {
                    file,
                    facts,
                    func: func as u32,
                });
            }
        }
        let mut builder = Builder {
            nodes: &nodes,
            index: &index,
            symbols: &self,
            memo: BottomUp::new(nodes.len(), MAX_DEPTH),
        };
        // Fns that build nothing count too: they tell same-named fns apart.
        let mut by_fn: HashMap<FnRef, Vec<Candidate>> = HashMap::new();
        for (key, found) in &index {
            for &n in found {
                let made = builder.made(n, 0).unwrap_or_default();
                let module = modules.get(&nodes[n].file).cloned().unwrap_or_default();
                by_fn
                    .entry(key.clone())
                    .or_default()
                    .push(Candidate { module, made });
            }
        }
        self.made = Made { by_fn, redis_major };
        self
    }
}

struct Builder<'a> {
    nodes: &'a [Node<'a>],
    index: &'a HashMap<FnRef, Vec<usize>>,
    symbols: &'a Symbols,
    memo: BottomUp<Vec<MadeConn>>,
}

impl Builder<'_> {
    fn made(&mut self, n: usize, depth: u32) -> Option<Arc<Vec<MadeConn>>> {
        match self.memo.enter(n, depth) {
            Visit::Known(done) => return Some(done),
            Visit::Skip => return None,
            Visit::Compute => {}
        }
        let Node { file, facts, func } = self.nodes[n];
        let info = &facts.fns[func as usize].info;
        let mut made: Vec<MadeConn> = facts
            .creations
            .iter()
            .filter(|c| c.func == func && !c.in_test)
            .map(|c| made_conn(c, info))
            .collect();
        for call in facts
            .fn_calls
            .iter()
            .filter(|c| c.func == func && !c.in_test)
        {
            let Some(key) = self.callee(&call.target, file) else {
                continue;
            };
            // Of same-named fns, the one in this file.
            let next = match self.index.get(&key).map(Vec::as_slice) {
                Some(&[one]) => one,
                Some(several) => match several.iter().find(|&&m| self.nodes[m].file == file) {
                    Some(&here) => here,
                    None => continue,
                },
                None => continue,
            };
            for m in self.made(next, depth + 1).iter().flat_map(|m| m.iter()) {
                if !made.contains(m) {
                    made.push(m.clone());
                }
            }
        }
        made.truncate(MAX_MADE);
        let made = Arc::new(made);
        self.memo.finish(n, &made);
        Some(made)
    }

    /// The fn of this crate a call reaches: by the type and name its path
    /// ends with, or by its receiver's type.
    fn callee(&self, target: &FnTarget, file: FileId) -> Option<FnRef> {
        match target {
            FnTarget::Path(path) => Some(path_ref(path)),
            FnTarget::Method { recv, name } => {
                let ty = self.symbols.recv_type(recv, file)?;
                (!ty.contains("::")).then(|| (Some(ty), name.clone()))
            }
        }
    }
}

/// `Type::fn` (the type is the segment before the fn when it is written
/// as a type) or a free `fn`.
fn path_ref(path: &[String]) -> FnRef {
    let name = path.last().cloned().unwrap_or_default();
    let owner = path
        .len()
        .checked_sub(2)
        .map(|i| &path[i])
        .filter(|s| s.starts_with(|c: char| c.is_uppercase()))
        .cloned();
    (owner, name)
}

fn made_conn(c: &RawCreation, info: &FnInfo) -> MadeConn {
    let timeouts_set = c.response_timeout != ConnTimeout::LibraryDefault
        || !info.sets_read_timeout.is_empty()
        || info.sets_response_timeout
        || info.sets_fred_command_timeout
        || info.sets_pool_wait_timeout;
    MadeConn {
        kind: c.kind,
        makes: c.makes,
        lib: c.lib,
        what: c.what.clone(),
        timeouts_set,
    }
}

/// Of what a dependency's fn builds, what its caller can be said to get.
/// A fn that builds both a sync and an async connection serves two
/// configurations (one server or a cluster, picked by an argument the
/// linter does not follow): the caller gets one of them, and the async one
/// is the dependency's main path. Connections come before the clients
/// they are opened from: the connection is what a caller pays for.
fn what_a_call_gets(made: &[MadeConn]) -> Vec<&MadeConn> {
    let is_async = |m: &MadeConn| matches!(m.kind, CreationKind::AsyncConnection { .. });
    let is_sync = |m: &MadeConn| matches!(m.kind, CreationKind::SyncConnection { .. });
    let both = made.iter().any(is_async) && made.iter().any(is_sync);
    let mut gets: Vec<&MadeConn> = made.iter().filter(|m| !(both && is_sync(m))).collect();
    gets.sort_by_key(|m| m.kind == CreationKind::Client);
    gets
}

impl FileLink<'_> {
    /// Adds, at each call of a dependency's fn that builds a client,
    /// connection or pool, those creations (the dependency is never
    /// reported on: this call is where the application asks for them).
    pub(super) fn made_in_dependencies(&self, model: &mut CrateModel) {
        for call in &self.facts.fn_calls {
            if self.skipped(call.in_test) {
                continue;
            }
            let FnTarget::Path(path) = &call.target else {
                continue;
            };
            let Some(krate) = path.first().and_then(|k| self.symbols.sibling(k)) else {
                continue;
            };
            let (owner, name) = path_ref(path);
            // The modules between the crate and the type (or fn).
            let last = path.len() - 1 - usize::from(owner.is_some());
            let module = path.get(1..last).unwrap_or_default();
            let Some(made) = krate.made.get(owner.as_deref(), &name, module) else {
                continue;
            };
            let made = what_a_call_gets(made);
            let written = match &owner {
                Some(ty) => format!("{ty}::{name}"),
                None => name.clone(),
            };
            for m in made {
                model.creations.push(Creation {
                    kind: m.kind,
                    makes: m.makes,
                    lib: m.lib,
                    what: format!("{written} → {}", m.what),
                    span: call.span,
                    file: self.id,
                    func: self.fn_base + call.func,
                    seq: 0,
                    in_loop: call.in_loop,
                    binding: None,
                    on_field: None,
                    response_timeout: ConnTimeout::LibraryDefault,
                    via: Some(Via {
                        redis_major: krate.made.redis_major,
                        timeouts_set: m.timeouts_set,
                    }),
                });
            }
        }
    }
}
