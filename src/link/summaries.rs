//! Per-fn summaries, a link stage: which commands each fn of a crate sends
//! on keys built from its parameters, itself or through the helpers it
//! calls (bottom-up, to [`MAX_DEPTH`] calls deep, a recursive call left
//! out). Built once per crate with its symbols; other crates of the run
//! read them through the workspace. `apply` puts the commands at every
//! call of a summarized fn, with the caller's keys and place.

use std::collections::HashMap;
use std::sync::Arc;

mod substitute;

use self::substitute::{literal_parts, mentions, substitute};
use super::bottom_up::{BottomUp, Visit};
use super::symbols::{CrateNames, Symbols, Workspace};
use super::{FileLink, Scope};
use crate::extract::facts::{
    Callee, FileFacts, NamedArg, Op, RawCall, RawHelperCall, RawKey, Recv, Root,
};
use crate::extract::types::TypeClass;
use crate::manifest::CratePlace;
use crate::model::command::{self, flags};
use crate::model::key::Key;
use crate::model::summary::{FnSummary, SentCommand, Through};
use crate::model::{Call, Conn, ConnKind, CrateModel, FileId, Form, Lib, RunsOn};

/// How many helper calls deep a summary looks.
const MAX_DEPTH: u32 = 4;

/// Most commands one summary keeps (a fn calling many helpers each
/// sending many commands would copy them all into every caller).
const MAX_SENDS: usize = 64;

/// Commands that are not copied to callers: each is judged where it is
/// written (a KEYS or a script per call site would repeat one finding at
/// every caller), or means nothing apart from the code around it.
const NOT_COPIED: &[&str] = &[
    "WATCH",
    "UNWATCH",
    "MULTI",
    "EXEC",
    "DISCARD",
    "KEYS",
    "SCAN",
    "SSCAN",
    "HSCAN",
    "ZSCAN",
    "PUBLISH",
    "SPUBLISH",
    "SUBSCRIBE",
    "PSUBSCRIBE",
    "SSUBSCRIBE",
    "XREAD",
    "XREADGROUP",
];

pub(super) type Summary = FnSummary<RawKey>;

/// A fn as calls name it: a method by its `impl` type, a free fn by name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct FnRef {
    owner: Option<String>,
    name: String,
}

/// The summaries of one crate's fns.
#[derive(Default)]
pub(super) struct Summaries {
    /// `None` when several fns answer to the name (two modules each with a
    /// free `store`): a call cannot tell which it reaches.
    by_fn: HashMap<FnRef, Option<Arc<Summary>>>,
}

impl Summaries {
    fn get(&self, owner: Option<&str>, name: &str) -> Option<&Arc<Summary>> {
        let key = FnRef {
            owner: owner.map(str::to_string),
            name: name.to_string(),
        };
        self.by_fn.get(&key)?.as_ref()
    }
}

/// A fn with something to summarize.
struct Node<'a> {
    file: FileId,
    params: &'a [String],
    /// An async fn: a blocking command in it is reported where it is
    /// sent (it already runs on the async runtime), not at its callers.
    is_async: bool,
    direct: Vec<SentCommand<RawKey>>,
    helpers: Vec<&'a RawHelperCall>,
}

/// Builds the summaries of a crate's fns. `symbols` holds the crate's
/// tables (its summaries still empty).
pub(super) fn build<'a>(files: &[(FileId, &'a FileFacts)], symbols: &Symbols) -> Summaries {
    let mut nodes: Vec<Node<'a>> = Vec::new();
    let mut index: HashMap<FnRef, Vec<Option<usize>>> = HashMap::new();
    for &(id, facts) in files {
        if facts.all_test {
            continue;
        }
        let link = FileLink {
            id,
            facts,
            fn_base: 0,
            symbols,
            scope: Scope::default(),
        };
        let mut of_fn: HashMap<u32, usize> = HashMap::new();
        let mut node_of = |func: u32, nodes: &mut Vec<Node<'a>>| -> usize {
            *of_fn.entry(func).or_insert_with(|| {
                nodes.push(Node {
                    file: id,
                    params: &facts.fns[func as usize].info.params,
                    is_async: facts.fns[func as usize].info.is_async,
                    direct: Vec::new(),
                    helpers: Vec::new(),
                });
                nodes.len() - 1
            })
        };
        for raw in &facts.calls {
            let params = &facts.fns[raw.func as usize].info.params;
            if raw.in_test || raw.pipe.is_some() || params.is_empty() {
                continue;
            }
            let keys = raw_keys(raw);
            let recv_param = raw
                .conn_binding
                .as_ref()
                .and_then(|b| params.iter().position(|p| p == b));
            let on_keys = copied(&raw.command) && keys.iter().any(|k| mentions(k, params));
            let Some(conn) = link.redis_conn(raw) else {
                continue;
            };
            let in_async = facts.fns[raw.func as usize].info.is_async;
            let on_recv = recv_param.is_some()
                && (topology_bound(&raw.command, keys.len())
                    || (!raw.awaited && !in_async && conn.is_none_or(blocking)));
            if !on_keys && !on_recv {
                continue;
            }
            let sent = SentCommand {
                call: link.call(raw, conn),
                keys,
                in_loop: raw.in_loop.is_some(),
                recv_param,
            };
            let n = node_of(raw.func, &mut nodes);
            nodes[n].direct.push(sent);
        }
        for h in &facts.helper_calls {
            if !h.in_test && !facts.fns[h.func as usize].info.params.is_empty() {
                let n = node_of(h.func, &mut nodes);
                nodes[n].helpers.push(h);
            }
        }
        // Every fn counts for telling same-named fns apart.
        for (func, f) in facts.fns.iter().enumerate() {
            if f.is_test {
                continue;
            }
            let key = FnRef {
                owner: f.owner.clone(),
                name: f.info.name.clone(),
            };
            index
                .entry(key)
                .or_default()
                .push(of_fn.get(&(func as u32)).copied());
        }
    }
    let mut builder = Builder {
        nodes: &nodes,
        index: &index,
        symbols,
        memo: BottomUp::new(nodes.len(), MAX_DEPTH),
    };
    let mut by_fn = HashMap::new();
    for (key, found) in &index {
        let summary = match found.as_slice() {
            [Some(n)] => builder.summarize(*n, 0),
            [None] => continue,
            _ => None,
        };
        by_fn.insert(key.clone(), summary);
    }
    Summaries { by_fn }
}

struct Builder<'a> {
    nodes: &'a [Node<'a>],
    index: &'a HashMap<FnRef, Vec<Option<usize>>>,
    symbols: &'a Symbols,
    memo: BottomUp<Summary>,
}

impl<'a> Builder<'a> {
    fn summarize(&mut self, n: usize, depth: u32) -> Option<Arc<Summary>> {
        match self.memo.enter(n, depth) {
            Visit::Known(done) => return Some(done),
            Visit::Skip => return None,
            Visit::Compute => {}
        }
        let node = &self.nodes[n];
        let mut sends = node.direct.clone();
        for h in &node.helpers {
            let Some((krate, summary)) = self.callee_summary(h, node.file, depth) else {
                continue;
            };
            for s in &summary.sends {
                let keys = keys_at_call(self.symbols, krate, &summary, s, h);
                // The helper's connection parameter given one of ours.
                let recv_param = named_arg(h, s.recv_param)
                    .and_then(|a| node.params.iter().position(|p| *p == a.name));
                let on_keys =
                    copied(&s.call.command) && keys.iter().any(|k| mentions(k, node.params));
                let on_recv = recv_param.is_some()
                    && (topology_bound(&s.call.command, keys.len())
                        || (!s.call.awaited && !node.is_async && s.call.conn.is_none_or(blocking)));
                if on_keys || on_recv {
                    sends.push(SentCommand {
                        call: s.call.clone(),
                        keys,
                        in_loop: s.in_loop || h.site.in_loop.is_some(),
                        recv_param,
                    });
                }
            }
            sends.truncate(MAX_SENDS);
        }
        let summary = Arc::new(Summary {
            params: node.params.to_vec(),
            sends,
        });
        self.memo.finish(n, &summary);
        Some(summary)
    }

    /// The summary of the fn a helper call reaches, with the symbols of its
    /// crate: this crate's, summarized now, or another crate's of the run
    /// (summarized with its own crate, so a chain of helpers goes on there).
    fn callee_summary(
        &mut self,
        h: &RawHelperCall,
        file: FileId,
        depth: u32,
    ) -> Option<(&'a Symbols, Arc<Summary>)> {
        let symbols = self.symbols;
        let owner = match &h.callee {
            Callee::InCrate(krate) if matches!(krate.as_str(), "std" | "core" | "alloc") => {
                return None
            }
            Callee::InCrate(krate) => {
                if let Some(other) = symbols.sibling(krate) {
                    return Some((other, Arc::clone(other.summaries.get(None, &h.name)?)));
                }
                None
            }
            Callee::Local => None,
            Callee::Method(recv) => {
                let ty = symbols.recv_type(recv, file)?;
                let (krate, short) = symbols.owner(&ty)?;
                if !std::ptr::eq(krate, symbols) {
                    return Some((
                        krate,
                        Arc::clone(krate.summaries.get(Some(short), &h.name)?),
                    ));
                }
                Some(short.to_string())
            }
        };
        let key = FnRef {
            owner,
            name: h.name.clone(),
        };
        let n = match self.index.get(&key)?.as_slice() {
            [Some(n)] => *n,
            _ => return None,
        };
        Some((symbols, self.summarize(n, depth + 1)?))
    }
}

impl Symbols {
    /// The same symbols reading other crates' names from `workspace`; the
    /// summaries are built again when a helper of this crate calls a fn of
    /// another crate of the run, so that they follow it there.
    pub fn in_workspace(
        self,
        workspace: Arc<Workspace>,
        names: CrateNames,
        files: &[(FileId, &FileFacts)],
    ) -> Symbols {
        let mut s = self.with_workspace(workspace, names);
        let reaches_other_crates = s.workspace.called_by(&s, s.place(), files);
        if reaches_other_crates {
            s.summaries = build(files, &s);
        }
        s
    }
}

impl Workspace {
    /// Whether `files`, of the crate whose symbols are `symbols`, call a fn
    /// of another crate of the run: a free fn through that crate's name
    /// (`common::store::bump(..)`), or a method of one of its types
    /// (`self.ledger.store(..)` with `ledger: shop_ledger::Ledger`), so
    /// that a chain whose middle step is a method is followed too.
    /// `place`: where that crate sits.
    pub fn called_by(
        &self,
        symbols: &Symbols,
        place: Option<&CratePlace>,
        files: &[(FileId, &FileFacts)],
    ) -> bool {
        files.iter().any(|&(id, facts)| {
            facts.helper_calls.iter().any(|h| match &h.callee {
                Callee::InCrate(krate) => self.get(place, krate).is_some(),
                Callee::Method(recv) => symbols
                    .recv_type(recv, id)
                    .is_some_and(|ty| ty.contains("::")),
                Callee::Local => false,
            })
        })
    }
}

/// The argument of helper call `h` given for parameter `param`, when it is
/// written as a name.
fn named_arg(h: &RawHelperCall, param: Option<usize>) -> Option<&NamedArg> {
    let i = param?;
    h.named_args.iter().find(|a| a.index == i)
}

/// A command whose finding depends on the connection it runs on (a SCAN or
/// KEYS on a cluster sees one node, keys across slots fail there): sent on
/// a connection parameter, it is copied to callers whatever its keys, and
/// counts there only on a cluster connection.
fn topology_bound(command: &str, keys: usize) -> bool {
    matches!(command, "SCAN" | "KEYS")
        || (keys >= 2 && command::spec(command).is_some_and(|s| s.has(flags::SAME_SLOT)))
}

/// A connection whose commands block the thread that sends them (when not
/// awaited): a redis-rs sync connection or client, an r2d2 pooled
/// connection.
/// The keys a helper's command is sent on, as a call of the helper makes
/// them: the caller's arguments in place of the helper's parameters. A
/// method that builds a key is looked up in the caller's crate (`here`),
/// then in the helper's (`krate`).
fn keys_at_call(
    here: &Symbols,
    krate: &Symbols,
    summary: &Summary,
    sent: &SentCommand<RawKey>,
    h: &RawHelperCall,
) -> Vec<RawKey> {
    let lookup = |ty: &str, m: &str| {
        here.method_builder(ty, m)
            .or_else(|| krate.method_builder(ty, m))
    };
    sent.keys
        .iter()
        .map(|k| substitute(k, &summary.params, h, &lookup))
        .collect()
}

fn blocking(conn: Conn) -> bool {
    match conn.kind {
        ConnKind::Sync | ConnKind::ClusterSync | ConnKind::Client => conn.lib == Lib::RedisRs,
        ConnKind::Pooled { .. } => conn.lib == Lib::R2d2,
        _ => false,
    }
}

/// Whether a command sent by a helper is copied to its callers.
fn copied(command: &str) -> bool {
    let plain = command::spec(command).is_some_and(|s| !s.has(flags::BLOCKING | flags::SCRIPT));
    plain
        && !NOT_COPIED.contains(&command)
        && !crate::model::redis_modules::is_module_command(command)
}

/// A call's keys as written: a raw command's are found among its
/// arguments by the command's key layout.
fn raw_keys(raw: &RawCall) -> Vec<RawKey> {
    match raw.form {
        Form::Raw | Form::RawUnnamed => {
            let Some(spec) = command::spec(&raw.command) else {
                return Vec::new();
            };
            let lits: Vec<Option<&str>> = raw.args.iter().map(|a| a.lit.as_deref()).collect();
            command::raw_key_positions(spec.keys, &lits)
                .into_iter()
                .filter_map(|i| raw.args.get(i).map(|a| a.key.clone()))
                .collect()
        }
        _ => raw.keys.clone(),
    }
}

impl Symbols {
    /// The type a method's receiver is (`cache`, `self.cache`, `state.cache
    /// .clone()`), through the crate's fields; qualified when it is another
    /// crate's.
    pub(super) fn recv_type(&self, recv: &Recv, file: FileId) -> Option<String> {
        let Recv::Path {
            root: Root::Type { name, .. },
            ops,
        } = recv
        else {
            return None;
        };
        let mut class = self.unalias(TypeClass::Struct(name.clone()));
        for op in ops {
            let TypeClass::Struct(s) = &class else {
                return None;
            };
            let (krate, short) = self.owner(s)?;
            let next = match op {
                Op::Field(f) => krate.field(short, f, file)?,
                Op::Call(m) => krate.fn_returns.get(m)?.clone(),
                Op::Clone | Op::Get => continue,
            };
            class = self.unalias(Symbols::qualified(krate, self, next));
        }
        match class {
            TypeClass::Struct(s) => Some(s),
            _ => None,
        }
    }

    /// The summary of the fn a helper call reaches: in this crate, or in
    /// the crate of the run its path or receiver type names.
    fn callee_summary(&self, h: &RawHelperCall, file: FileId) -> Option<(&Symbols, &Arc<Summary>)> {
        match &h.callee {
            Callee::Local => Some((self, self.summaries.get(None, &h.name)?)),
            // The standard library's fns are not the crate's.
            Callee::InCrate(krate) if matches!(krate.as_str(), "std" | "core" | "alloc") => None,
            // A sibling crate of the run, or a module of this one.
            Callee::InCrate(krate) => match self.sibling(krate) {
                Some(other) => Some((other, other.summaries.get(None, &h.name)?)),
                None => Some((self, self.summaries.get(None, &h.name)?)),
            },
            Callee::Method(recv) => {
                let ty = self.recv_type(recv, file)?;
                let (krate, short) = self.owner(&ty)?;
                Some((krate, krate.summaries.get(Some(short), &h.name)?))
            }
        }
    }
}

impl FileLink<'_> {
    /// Adds, at each call of a summarized fn, the commands the fn sends,
    /// with the caller's keys and place.
    pub(super) fn through_helpers(&self, model: &mut CrateModel) {
        for h in &self.facts.helper_calls {
            if self.skipped(h.in_test) {
                continue;
            }
            let Some((krate, summary)) = self.symbols.callee_summary(h, self.id) else {
                continue;
            };
            for s in &summary.sends {
                let raw = keys_at_call(self.symbols, krate, summary, s, h);
                // The caller's connection, when it passes one it names.
                let conn = named_arg(h, s.recv_param)
                    .and_then(|a| self.symbols.recv_calling(&a.recv, self.id, None).ok())
                    .flatten();
                // A command kept only for its connection counts on a cluster.
                let copied_for_keys =
                    copied(&s.call.command) && s.keys.iter().any(|k| mentions(k, &summary.params));
                // Kept for the caller's cluster connection, unless the
                // helper's own command is judged on a cluster already.
                let on_cluster = conn.is_some_and(|c| c.kind.is_cluster() == Some(true));
                let same_crate = std::ptr::eq(krate, self.symbols);
                let helper_on_cluster = s
                    .call
                    .conn
                    .and_then(|c| c.kind.is_cluster())
                    .unwrap_or(same_crate && model.uses_cluster);
                let cluster_bound = on_cluster
                    && !helper_on_cluster
                    && topology_bound(&s.call.command, s.keys.len());
                // A blocking command the caller sends from async code.
                let blocks_async_caller = !s.call.awaited
                    && conn.or(s.call.conn).is_some_and(blocking)
                    && model.func(self.fn_base + h.func).runs_on(h.site.span)
                        == RunsOn::AsyncWorker;
                if !copied_for_keys && !cluster_bound && !blocks_async_caller {
                    continue;
                }
                let through = Through {
                    helper: h.name.clone(),
                    key_text_in_helper: literal_parts(&raw) == literal_parts(&s.keys),
                };
                let keys = raw.iter().map(|k| self.symbols.key(k)).collect();
                let mut call = self.at_site(h, &s.call, keys, through);
                if conn.is_some() {
                    call.conn = conn;
                }
                model.calls.push(call);
            }
        }
    }

    /// A helper's command placed at the call of the helper.
    fn at_site(&self, h: &RawHelperCall, sent: &Call, keys: Vec<Key>, through: Through) -> Call {
        let site = &h.site;
        Call {
            keys,
            span: site.span,
            file: self.id,
            func: self.fn_base + h.func,
            seq: site.seq,
            in_loop: site.in_loop,
            pipe: None,
            in_transaction: false,
            in_handler: site.in_handler_closure,
            swallowed: None,
            inputs: Vec::new(),
            gates: site.gates.clone(),
            block: site.block,
            loops: site.loops.clone(),
            module_args: Vec::new(),
            name_span: None,
            arg_spans: Vec::new(),
            padded_int_value: None,
            conn_binding: None,
            cancellable: false,
            conn_field: None,
            through: Some(through),
            ..sent.clone()
        }
    }
}
