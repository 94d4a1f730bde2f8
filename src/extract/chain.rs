//! Method chains: a chain's links from the root outwards, and the method
//! called on each value.

use syn::{Expr, ExprMethodCall};

use super::clients::{fred, pools, redis_rs};
use super::exprs::ClosureKind;
use super::facts::{Op, Recv, Root, RoutedFn};
use super::names::{is_iter_chain, ITER_ADAPTERS, ROUTE_FNS, WARP_COMBINATORS};
use super::syntax::{flatten, is_none, lit_str, Link};
use super::value::{push_op, Tail, Value};
use super::Walker;
use crate::model::{Api, PipeRun, Span, Swallow};

/// fred's methods that open a client's or pool's connections.
pub(super) const CONNECT_METHODS: &[&str] = &["init", "connect", "connect_pool"];

impl Walker {
    pub(super) fn chain(&mut self, e: &Expr) -> Value {
        let (root, links) = flatten(e);
        let field = looked_into(links.first());
        let made_before = self.facts.creations.len();
        let mut value = match field {
            Some(Some(f)) => self.look_into(root, Some(f)),
            _ if matches!(root, Expr::Index(_)) => self.look_into(root, None),
            _ => self.eval(root),
        };
        // Replies this chain works on: the root binding's, then those of
        // the commands it runs (for `.contains`/`.sort_by` on them).
        let root_name = match root {
            Expr::Path(p) => p.path.get_ident().map(|i| i.to_string()),
            _ => None,
        };
        let mut replies: Vec<u32> = root_name
            .as_deref()
            .and_then(|n| self.flow_of_name(n))
            .map(|f| f.iter().filter_map(|s| s.reply_seq()).collect())
            .unwrap_or_default();
        // The last command emitted in this chain and whether only
        // transparent links (`.await`, `?`, `unwrap`) followed it.
        let mut pending_call: Option<usize> = match value {
            Value::RawCmd(idx) => Some(idx),
            _ => None,
        };
        let mut tail = Tail::Nothing;
        // The connection made by the chain so far, while only `.await`
        // followed it: an `.unwrap()` there panics on a failed connect.
        let mut pending_made = self.facts.creations[made_before..].last().map(|c| c.seq);
        for link in links {
            if !matches!(link, Link::Await) {
                if let (Some(seq), Link::Method(m)) = (pending_made, &link) {
                    self.note_unwrap(seq, m);
                }
                pending_made = None;
            }
            match link {
                Link::Await => {
                    if let Some(idx) = pending_call {
                        self.facts.calls[idx].awaited = true;
                    }
                }
                Link::Try => tail = Tail::Handled,
                Link::Field(member) => {
                    pending_call = None;
                    let name = match member {
                        syn::Member::Named(id) => id.to_string(),
                        syn::Member::Unnamed(i) => i.index.to_string(),
                    };
                    self.mark(&name);
                    value = match value {
                        Value::Conn(recv @ Recv::Path { .. })
                        | Value::FnResult(recv @ Recv::Path { .. }, _) => {
                            Value::Conn(push_op(recv, Op::Field(name)))
                        }
                        Value::Global(g) => Value::Conn(Recv::Path {
                            root: Root::Static(g),
                            ops: vec![Op::Field(name)],
                        }),
                        _ => Value::Unknown,
                    };
                }
                Link::Method(m) => {
                    let name = m.method.to_string();
                    self.note_reply_use(&replies, m);
                    self.note_file_read(root, root_name.as_deref(), m);
                    // `.arg(..)` / `.query(..)` build and run a raw command:
                    // its result comes after them.
                    let building = matches!(value, Value::RawCmd(_));
                    if let (Some(idx), false) = (pending_call, building) {
                        if name == "len" {
                            self.facts.calls[idx].result_len = true;
                        }
                        // A fallback in place of the error (straight on the
                        // `Result`, or on the `Option` `.ok()` made of it).
                        let unread = matches!(tail, Tail::Nothing | Tail::Ok);
                        if unread {
                            let seq = self.facts.calls[idx].seq;
                            self.note_unwrap(seq, m);
                        }
                        match name.as_str() {
                            "unwrap_or_default" if unread => {
                                self.facts.calls[idx].swallowed = Some(Swallow::UnwrapOrDefault);
                                tail = Tail::Handled;
                            }
                            "unwrap_or" if unread => {
                                self.facts.calls[idx].swallowed = Some(Swallow::UnwrapOr);
                                tail = Tail::Handled;
                            }
                            "ok" if tail == Tail::Nothing => tail = Tail::Ok,
                            _ => tail = Tail::Handled,
                        }
                        if !matches!(
                            name.as_str(),
                            "unwrap" | "expect" | "unwrap_or_default" | "unwrap_or" | "ok"
                        ) {
                            pending_call = None;
                        }
                    }
                    let (calls_before, made) = (self.facts.calls.len(), self.facts.creations.len());
                    value = self.method(value, m);
                    pending_made = self.facts.creations[made..].last().map(|c| c.seq);
                    if self.facts.calls.len() > calls_before {
                        pending_call = Some(self.facts.calls.len() - 1);
                        tail = Tail::Nothing;
                        let seq = self.facts.calls[self.facts.calls.len() - 1].seq;
                        replies.push(seq);
                    }
                }
            }
        }
        self.last_chain = pending_call.map(|idx| (idx, tail));
        value
    }

    /// A method called on a value: the value's client adapter decides, and
    /// anything else may be a connection.
    pub(super) fn method(&mut self, value: Value, m: &ExprMethodCall) -> Value {
        self.note_db_method(m);
        let name = m.method.to_string();
        let argc = m.args.len();
        if !(argc == 1 && is_none(&m.args[0])) {
            self.mark(&name);
        }
        if argc == 0 && CONNECT_METHODS.contains(&name.as_str()) {
            self.info().connects_client = true;
        }
        if name == "block_on" {
            self.note_offloaded(&m.args);
        }
        if ITER_ADAPTERS.contains(&name.as_str()) && is_iter_chain(&m.receiver) {
            self.walk_closure_args(&m.args, ClosureKind::Iter);
            return Value::Unknown;
        }
        if matches!(
            name.as_str(),
            "get_or_init" | "get_or_try_init" | "call_once" | "get_or_insert_with"
        ) {
            self.walk_closure_args(&m.args, ClosureKind::Init);
            return value;
        }
        match value {
            Value::RedisConfig(timeout) => redis_rs::config_method(self, timeout, m),
            Value::Router if ROUTE_FNS.contains(&name.as_str()) || name == "to" => {
                self.route_args(&m.args);
                Value::Router
            }
            // A warp filter: `.and_then(h)`, `.map(h)` and `.then(h)` run h
            // per request; `.and(..)`, `.or(..)` and the like keep a filter.
            Value::Router if matches!(name.as_str(), "and_then" | "map" | "then") => {
                self.route_args(&m.args);
                Value::Router
            }
            Value::Router if WARP_COMBINATORS.contains(&name.as_str()) => {
                self.eval_args(m);
                Value::Router
            }
            Value::Pipe(id) | Value::PipeCmd(id, _) if name == "cmd" && argc == 1 => {
                redis_rs::pipe_cmd(self, id, m)
            }
            Value::PipeCmd(id, idx) if name == "arg" && argc == 1 => {
                redis_rs::push_arg(self, idx, m);
                Value::PipeCmd(id, idx)
            }
            Value::Pipe(id) | Value::PipeCmd(id, _) => self.pipe_method(id, m),
            Value::RawCmd(idx) => redis_rs::raw_cmd_method(self, idx, m),
            Value::Script(keys) => redis_rs::script_method(self, keys, m),
            // `scripts::RESERVE.key(k)`, `reserve_script().key(k)`: a script
            // kept in a static of another module (`Lazy<Script>`,
            // `LazyLock<Script>`) or handed out by a fn, keyed here.
            Value::Global(_) | Value::FnResult(..) if name == "key" && argc == 1 => {
                redis_rs::script_method(self, Vec::new(), m)
            }
            Value::FredBuilder => fred::builder_method(self, m),
            Value::ClusterBuilder => redis_rs::cluster_builder_method(self, m),
            Value::DeadpoolConfig { cluster } => pools::deadpool_config_method(self, cluster, m),
            Value::PoolBuilder(lib) => pools::builder_method(self, lib, m),
            Value::Options { opts, group } => redis_rs::options_method(self, opts, group, m),
            value => self.conn_method(value, m),
        }
    }

    pub(super) fn pipe_method(&mut self, id: u32, m: &ExprMethodCall) -> Value {
        let name = m.method.to_string();
        match name.as_str() {
            "atomic" => {
                self.facts.pipes[id as usize].atomic = true;
                Value::Pipe(id)
            }
            // fred `pipeline().with_options(..)` is still the pipeline, and
            // so is the owned copy a builder chain ends with
            // (`redis::pipe().hset(..).to_owned()`).
            "ignore" | "clone" | "with_options" | "to_owned" => {
                self.eval_args(m);
                Value::Pipe(id)
            }
            "query" | "query_async" | "exec" | "exec_async" if m.args.len() == 1 => {
                let recv = self.eval(&m.args[0]).recv();
                self.note_pipe_run(id, m);
                self.facts.pipes[id as usize].exec = Some(recv);
                Value::Unknown
            }
            "all" | "try_all" | "last" | "exec" => {
                self.eval_args(m);
                self.note_pipe_run(id, m);
                Value::Unknown
            }
            _ => {
                let api = self.facts.pipes[id as usize].api;
                if self.command_method(api, Recv::Unknown, m, Some(id)) {
                    Value::Pipe(id)
                } else {
                    self.eval_args(m);
                    Value::Unknown
                }
            }
        }
    }

    /// Commands recorded after this point are queued after the run.
    fn note_pipe_run(&mut self, id: u32, m: &ExprMethodCall) {
        let sync_method = matches!(m.method.to_string().as_str(), "query" | "exec");
        let run = PipeRun {
            after_seq: self.seq,
            span: Span::join(m.method.span(), m.paren_token.span.close()),
            blocking: sync_method && self.facts.pipes[id as usize].api == Api::RedisRs,
        };
        self.facts.pipes[id as usize].runs.push(run);
    }

    pub(super) fn eval_args(&mut self, m: &ExprMethodCall) {
        for a in &m.args {
            self.eval(a);
        }
    }

    pub(super) fn route_args<'e>(&mut self, args: impl IntoIterator<Item = &'e Expr>) {
        for a in args {
            match a {
                Expr::Path(p) => {
                    let segs = &p.path.segments;
                    if let Some(last) = segs.last() {
                        let qualifier =
                            segs.len().checked_sub(2).map(|i| segs[i].ident.to_string());
                        self.facts.routed.push(RoutedFn {
                            name: last.ident.to_string(),
                            qualifier,
                        });
                    }
                }
                Expr::Closure(_) => {
                    self.cx().handler_depth += 1;
                    self.eval(a);
                    self.cx().handler_depth -= 1;
                }
                _ => {
                    self.eval(a);
                }
            }
        }
    }
}

/// `doc.name`, `doc.get("name")`: a look into the binding, not a use of
/// all of it; the field when it is written out.
fn looked_into(first: Option<&Link>) -> Option<Option<String>> {
    match first {
        Some(Link::Field(syn::Member::Named(id))) => Some(Some(id.to_string())),
        Some(Link::Method(m))
            if matches!(m.method.to_string().as_str(), "get" | "get_mut" | "pointer")
                && m.args.len() == 1 =>
        {
            // `pointer("/profile/name")`: the document's field is the
            // first segment.
            Some(lit_str(&m.args[0]).map(|f| {
                f.trim_start_matches('/')
                    .split('/')
                    .next()
                    .unwrap_or_default()
                    .to_string()
            }))
        }
        _ => None,
    }
}
