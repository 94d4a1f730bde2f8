//! Method chains: a chain's links from the root outwards, and the method
//! called on each value.

use syn::punctuated::Punctuated;
use syn::{Expr, ExprMethodCall, Token};

use super::commands::CallSpec;
use super::exprs::ClosureKind;
use super::facts::{Op, Recv, Root};
use super::names::{is_iter_chain, ITER_ADAPTERS, ROUTE_FNS};
use super::syntax::{flatten, is_none, lit_str, plain_ident, text, Link};
use super::value::{push_op, Tail, Value};
use super::Walker;
use crate::model::Api;
use crate::model::Swallow;
use crate::model::{ConnKind, CreationKind, Form, FredTimeout, Lib, Opts, Span};

impl Walker {
    pub(super) fn chain(&mut self, e: &Expr) -> Value {
        let (root, links) = flatten(e);
        // `doc.name`, `doc.get("name")`: a look into the binding, not a
        // use of all of it.
        let field = match links.first() {
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
        };
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
        for link in links {
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
                        match name.as_str() {
                            "unwrap_or_default" if tail == Tail::Nothing => {
                                self.facts.calls[idx].swallowed = Some(Swallow::UnwrapOrDefault);
                                tail = Tail::Handled;
                            }
                            "ok" if tail == Tail::Nothing => tail = Tail::Ok,
                            _ => tail = Tail::Handled,
                        }
                        if !matches!(
                            name.as_str(),
                            "unwrap" | "expect" | "unwrap_or_default" | "ok"
                        ) {
                            pending_call = None;
                        }
                    }
                    let calls_before = self.facts.calls.len();
                    value = self.method(value, m);
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

    pub(super) fn method(&mut self, value: Value, m: &ExprMethodCall) -> Value {
        let name = m.method.to_string();
        let argc = m.args.len();
        if !(argc == 1 && is_none(&m.args[0])) {
            self.mark(&name);
        }
        if name == "set_response_timeout" && argc == 1 && matches!(value, Value::RedisConfig(_)) {
            if is_none(&m.args[0]) {
                let span = Span::join(m.method.span(), m.paren_token.span.close());
                let in_test = self.in_test();
                self.facts.disabled_timeouts.push((span, in_test));
            } else {
                self.info().sets_response_timeout = true;
            }
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
            Value::RedisConfig(timeout) => {
                self.eval_args(m);
                if name == "set_response_timeout" && argc == 1 {
                    return Value::RedisConfig(self.conn_timeout_of(&m.args[0]));
                }
                Value::RedisConfig(timeout)
            }
            Value::Router if ROUTE_FNS.contains(&name.as_str()) || name == "to" => {
                self.route_args(&m.args);
                Value::Router
            }
            Value::Pipe(id) | Value::PipeCmd(id, _) if name == "cmd" && argc == 1 => {
                let idx = self.raw_cmd(
                    &m.args[0],
                    Span::join(m.method.span(), m.paren_token.span.close()),
                    Api::RedisRs,
                );
                match idx {
                    Some(idx) => {
                        self.facts.calls[idx].pipe = Some(id);
                        Value::PipeCmd(id, idx)
                    }
                    None => Value::Pipe(id),
                }
            }
            Value::PipeCmd(id, idx) if name == "arg" && argc == 1 => {
                let link = Span::join(m.method.span(), m.paren_token.span.close());
                self.push_arg(idx, &m.args[0], link);
                Value::PipeCmd(id, idx)
            }
            Value::Pipe(id) | Value::PipeCmd(id, _) => self.pipe_method(id, m),
            Value::RawCmd(idx) => match name.as_str() {
                "arg" if argc == 1 => {
                    let link = Span::join(m.method.span(), m.paren_token.span.close());
                    self.push_arg(idx, &m.args[0], link);
                    Value::RawCmd(idx)
                }
                "query" | "query_async" | "exec" | "exec_async" | "iter" | "iter_async"
                    if argc == 1 =>
                {
                    self.facts.calls[idx].recv = self.eval(&m.args[0]).recv();
                    self.facts.calls[idx].conn_binding = plain_ident(&m.args[0]);
                    Value::Unknown
                }
                "clone" | "take" | "cursor_arg" => Value::RawCmd(idx),
                _ => {
                    self.eval_args(m);
                    Value::Unknown
                }
            },
            Value::Script(mut keys) => match name.as_str() {
                "key" if argc == 1 => {
                    keys.extend(self.key_args(&m.args[0]));
                    Value::Script(keys)
                }
                "invoke" | "invoke_async" if argc == 1 => {
                    let recv = self.eval(&m.args[0]).recv();
                    let span = Span::join(m.method.span(), m.paren_token.span.close());
                    self.emit(CallSpec {
                        command: "EVALSHA".into(),
                        form: Form::Script,
                        keys,
                        args: Vec::new(),
                        inputs: Vec::new(),
                        opts: Opts::default(),
                        recv,
                        api: Api::RedisRs,
                        span,
                        pipe: None,
                    });
                    Value::Unknown
                }
                _ => {
                    self.eval_args(m);
                    Value::Script(keys)
                }
            },
            Value::FredBuilder => match name.as_str() {
                "build" | "build_pool" | "build_subscriber_client" => {
                    let kind = match name.as_str() {
                        "build" => ConnKind::FredClient,
                        "build_pool" => ConnKind::FredPool,
                        _ => ConnKind::FredSubscriber,
                    };
                    self.eval_args(m);
                    self.create(
                        CreationKind::FredClient {
                            command_timeout: FredTimeout::Missing,
                            reconnect: false,
                        },
                        (Lib::Fred, kind),
                        &name,
                        Span::join(m.method.span(), m.paren_token.span.close()),
                        Recv::Unknown,
                    )
                }
                _ => {
                    self.eval_args(m);
                    Value::FredBuilder
                }
            },
            Value::ClusterBuilder => {
                self.eval_args(m);
                if name == "build" {
                    let span = Span::join(m.method.span(), m.paren_token.span.close());
                    return self.create(
                        CreationKind::Client,
                        (Lib::RedisRs, ConnKind::ClusterClient),
                        "ClusterClientBuilder::build",
                        span,
                        Recv::Unknown,
                    );
                }
                Value::ClusterBuilder
            }
            Value::DeadpoolConfig { cluster } => {
                self.eval_args(m);
                match name.as_str() {
                    "create_pool" => {
                        let span = Span::join(m.method.span(), m.paren_token.span.close());
                        self.create(
                            CreationKind::Pool,
                            (Lib::Deadpool, ConnKind::Pool { cluster }),
                            "create_pool",
                            span,
                            Recv::Unknown,
                        )
                    }
                    "builder" => Value::PoolBuilder(Lib::Deadpool),
                    _ => Value::DeadpoolConfig { cluster },
                }
            }
            Value::PoolBuilder(lib) => {
                self.eval_args(m);
                match name.as_str() {
                    "build" | "build_unchecked" => {
                        let span = Span::join(m.method.span(), m.paren_token.span.close());
                        self.create(
                            CreationKind::Pool,
                            (lib, ConnKind::Pool { cluster: false }),
                            &name,
                            span,
                            Recv::Unknown,
                        )
                    }
                    _ => Value::PoolBuilder(lib),
                }
            }
            Value::Options {
                mut opts,
                mut group,
            } => {
                match name.as_str() {
                    "with_expiration" => opts.expiry = true,
                    "conditional_set" => opts.nx |= text(&m.args).contains("NX"),
                    "block" if argc == 1 => opts.timeout = self.timeout_of(&m.args[0]),
                    "group" => group = true,
                    "noack" => opts.noack = true,
                    _ => {}
                }
                self.eval_args(m);
                Value::Options { opts, group }
            }
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
            // fred `pipeline().with_options(..)` is still the pipeline.
            "ignore" | "clone" | "with_options" => {
                self.eval_args(m);
                Value::Pipe(id)
            }
            "query" | "query_async" | "exec" | "exec_async" if m.args.len() == 1 => {
                let recv = self.eval(&m.args[0]).recv();
                self.facts.pipes[id as usize].exec = Some(recv);
                Value::Unknown
            }
            "all" | "try_all" | "last" | "exec" => {
                self.eval_args(m);
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

    pub(super) fn eval_args(&mut self, m: &ExprMethodCall) {
        for a in &m.args {
            self.eval(a);
        }
    }

    pub(super) fn route_args(&mut self, args: &Punctuated<Expr, Token![,]>) {
        for a in args {
            match a {
                Expr::Path(p) => {
                    if let Some(last) = p.path.segments.last() {
                        self.facts.routed.push(last.ident.to_string());
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
