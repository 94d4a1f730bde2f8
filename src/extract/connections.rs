//! Connections: methods on a (possible) connection, client or pool,
//! creation sites and the timeouts set on them.

use syn::{Expr, ExprMethodCall};

use super::facts::{Op, PipeInfo, RawCreation, RawHelperCall, RawPubSubUse, Recv, Root};
use super::names::{connection_like, AMBIGUOUS_METHODS, PASSTHROUGH};
use super::syntax::{flatten, is_none, is_upper, lit_num, plain_ident, text};
use super::value::{config_timeout, local, push_op, Value};
use super::Walker;
use crate::model::Api;
use crate::model::ConnTimeout;
use crate::model::{ConnKind, CreationKind, Lib, Span};

impl Walker {
    /// Methods on a (possible) connection, client or pool.
    pub(super) fn conn_method(&mut self, value: Value, m: &ExprMethodCall) -> Value {
        let name = m.method.to_string();
        let argc = m.args.len();
        let recv = value.recv();
        let span = Span::join(m.method.span(), m.paren_token.span.close());
        if recv == Recv::NotRedis {
            self.eval_args(m);
            return Value::Unknown;
        }
        match (name.as_str(), argc) {
            ("clone", 0) => return Value::Conn(push_op(recv, Op::Clone)),
            ("get", 0) => return Value::Conn(push_op(recv, Op::Get)),
            (p, _) if PASSTHROUGH.contains(&p) => {
                self.eval_args(m);
                return value;
            }
            _ => {}
        }
        let known_kind = match &recv {
            Recv::Known { lib, kind, .. } => Some((*lib, *kind)),
            _ => None,
        };
        let redis_ok = matches!(known_kind, Some((Lib::RedisRs, _)))
            || (known_kind.is_none() && self.mentions_redis);
        // Connection constructors of redis-rs.
        let created = match (name.as_str(), argc) {
            ("get_connection", 0) | ("get_connection_with_timeout", 1) if redis_ok => {
                let cluster = matches!(known_kind, Some((_, ConnKind::ClusterClient)));
                let kind = if cluster {
                    ConnKind::Cluster
                } else {
                    ConnKind::Sync
                };
                let creation = CreationKind::SyncConnection {
                    with_connect_timeout: argc == 1,
                };
                Some((creation, kind))
            }
            ("get_async_connection" | "get_tokio_connection", 0) if redis_ok => {
                let cluster = matches!(known_kind, Some((_, ConnKind::ClusterClient)));
                let kind = if cluster {
                    ConnKind::Cluster
                } else {
                    ConnKind::Sync
                };
                Some((CreationKind::AsyncConnection { with_config: false }, kind))
            }
            (
                "get_multiplexed_async_connection"
                | "get_multiplexed_tokio_connection"
                | "get_multiplexed_async_connection_with_config"
                | "get_multiplexed_async_connection_with_timeouts"
                | "get_multiplexed_tokio_connection_with_response_timeouts",
                _,
            ) => Some((
                CreationKind::AsyncConnection {
                    with_config: argc > 0,
                },
                ConnKind::Multiplexed,
            )),
            ("get_connection_manager" | "get_connection_manager_with_config", _) => Some((
                CreationKind::AsyncConnection {
                    with_config: argc > 0,
                },
                ConnKind::Manager,
            )),
            _ => None,
        };
        if let Some((creation, kind)) = created {
            let values: Vec<Value> = m.args.iter().map(|a| self.eval(a)).collect();
            let created = self.create(creation, (Lib::RedisRs, kind), &name, span, recv);
            // 0.x `*_with_timeouts(response, connect)` take the Duration itself.
            if name.contains("with_response_timeouts") || name.ends_with("with_timeouts") {
                let timeout = self.duration_of(&m.args[0]);
                self.set_creation_timeout(timeout);
                // A response timeout given straight to the constructor.
                self.info().sets_response_timeout = true;
            } else if name.ends_with("with_config") {
                self.set_creation_timeout(config_timeout(values.first()));
            }
            return created;
        }
        if matches!(
            name.as_str(),
            "subscribe" | "psubscribe" | "ssubscribe" | "as_pubsub" | "into_pubsub"
        ) && recv != Recv::Unknown
        {
            let (func, in_test) = (self.func(), self.in_test());
            let in_handler_closure = self.fns.last().is_some_and(|f| f.handler_depth > 0);
            self.facts.pubsub_uses.push(RawPubSubUse {
                method: name.clone(),
                recv: recv.clone(),
                span,
                func,
                in_test,
                in_handler_closure,
            });
        }
        match (name.as_str(), argc) {
            ("get_async_pubsub" | "as_pubsub" | "into_pubsub", 0) if redis_ok => {
                return Value::Conn(local(Lib::RedisRs, ConnKind::PubSub));
            }
            ("create_pool", 1) if self.mentions_deadpool && known_kind.is_none() => {
                self.eval_args(m);
                return self.create(
                    CreationKind::Pool,
                    (Lib::Deadpool, ConnKind::Pool { cluster: false }),
                    "create_pool",
                    span,
                    recv,
                );
            }
            // A timeout set on a connection after it was made (sync
            // `set_read_timeout`, async `MultiplexedConnection::set_response_timeout`)
            // is the one its commands run under.
            ("set_read_timeout" | "set_response_timeout", 1) if redis_ok => {
                if let Some(id) = plain_ident(&m.receiver) {
                    let timeout = self.conn_timeout_of(&m.args[0]);
                    let func = self.func();
                    if let Some(c) = self
                        .facts
                        .creations
                        .iter_mut()
                        .rev()
                        .find(|c| c.func == func && c.binding.as_deref() == Some(id.as_str()))
                    {
                        c.response_timeout = timeout;
                    }
                }
                if name == "set_read_timeout" {
                    self.note_read_timeout(m);
                }
                self.eval_args(m);
                return Value::Unknown;
            }
            ("set_read_timeout" | "set_write_timeout", 1) => {
                self.note_read_timeout(m);
                self.eval_args(m);
                return Value::Unknown;
            }
            _ => {}
        }
        let fred_ok = matches!(known_kind, Some((Lib::Fred, _)))
            || (known_kind.is_none() && self.facts.imports_fred);
        if fred_ok {
            match (name.as_str(), argc) {
                ("pipeline", 0) => {
                    return Value::Pipe(self.new_pipe(Api::Fred, span, false, false))
                }
                ("multi", 0) => return Value::Pipe(self.new_pipe(Api::Fred, span, true, true)),
                ("custom" | "custom_raw", 2) => {
                    self.fred_custom(recv, m, span);
                    return Value::Unknown;
                }
                _ => {}
            }
        }
        let weak = AMBIGUOUS_METHODS.contains(&name.as_str()) && !connection_like(&m.receiver);
        let apis: Vec<Api> = match known_kind {
            Some((lib, kind)) if kind.runs_commands() => vec![lib.api()],
            Some(_) => Vec::new(),
            // Names std and other crates use too (`map.get(k)`, `row.get("id")`):
            // on a receiver nothing is known about, only a connection-like
            // name makes them Redis.
            None if recv == Recv::Unknown && weak => Vec::new(),
            None => {
                let mut apis = Vec::new();
                if self.facts.imports_redis_traits || !self.facts.imports_fred {
                    apis.push(Api::RedisRs);
                }
                if self.facts.imports_fred || !self.facts.imports_redis_traits {
                    apis.push(Api::Fred);
                }
                apis
            }
        };
        let mut found = false;
        let binding = plain_ident(&m.receiver);
        for api in apis {
            let before = self.facts.calls.len();
            if self.command_method(api, recv.clone(), m, None) {
                if let Some(c) = self.facts.calls.get_mut(before) {
                    c.alt = found;
                    c.weak_receiver = weak;
                    c.conn_binding = binding.clone();
                }
                found = true;
            }
        }
        if found {
            return Value::Unknown;
        }
        // Not a command: maybe a crate-local helper taking a key.
        if matches!(
            recv,
            Recv::Path {
                root: Root::Type { is_self: true, .. },
                ..
            }
        ) && argc > 0
        {
            let args = m.args.iter().map(|a| self.key_of(a)).collect();
            let (func, in_test) = (self.func(), self.in_test());
            self.facts.helper_calls.push(RawHelperCall {
                func,
                name: name.clone(),
                args,
                in_test,
            });
        }
        self.eval_args(m);
        match recv {
            Recv::Path { .. } => Value::Conn(push_op(recv, Op::Call(name))),
            _ => Value::Unknown,
        }
    }

    pub(super) fn create(
        &mut self,
        kind: CreationKind,
        makes: (Lib, ConnKind),
        what: &str,
        span: Span,
        recv: Recv,
    ) -> Value {
        let (lib, made) = makes;
        let seq = self.next_seq();
        let (func, in_test, in_loop) = (self.func(), self.in_test(), self.in_loop());
        let cx = self.fns.last().expect("a fn context is always open");
        let (in_init, in_handler_closure) = (cx.init_depth > 0, cx.handler_depth > 0);
        self.facts.creations.push(RawCreation {
            kind,
            makes: made,
            lib,
            what: what.to_string(),
            span,
            func,
            seq,
            in_loop,
            in_test,
            in_init,
            in_handler_closure,
            binding: None,
            recv,
            response_timeout: ConnTimeout::LibraryDefault,
        });
        Value::Conn(local(lib, made))
    }

    /// Records the timeout of the creation just made.
    pub(super) fn set_creation_timeout(&mut self, timeout: ConnTimeout) {
        if let Some(c) = self.facts.creations.last_mut() {
            c.response_timeout = timeout;
        }
    }

    /// `set_response_timeout(..)` / `set_read_timeout(..)` argument: `None`
    /// disables, `Some(d)` (1.x, sync) or a bare `d` (0.x) sets it.
    pub(super) fn conn_timeout_of(&mut self, e: &Expr) -> ConnTimeout {
        if is_none(e) {
            return ConnTimeout::Disabled;
        }
        match e {
            Expr::Call(c) if text(&c.func) == "Some" && c.args.len() == 1 => {
                self.duration_of(&c.args[0])
            }
            _ => self.duration_of(e),
        }
    }

    /// A `std::time::Duration` expression, in milliseconds where it can be
    /// read: `Duration::from_secs(5)`, `from_millis(TIMEOUT_MS)`, a const.
    pub(super) fn duration_of(&mut self, e: &Expr) -> ConnTimeout {
        match e {
            Expr::Reference(r) => self.duration_of(&r.expr),
            Expr::Paren(p) => self.duration_of(&p.expr),
            Expr::Call(c) => {
                let Expr::Path(p) = &*c.func else {
                    return ConnTimeout::Unknown;
                };
                let ctor = p.path.segments.last().map(|s| s.ident.to_string());
                let unit_ms = match ctor.as_deref() {
                    Some("from_secs" | "from_secs_f64" | "from_secs_f32") => 1000.0,
                    Some("from_millis") => 1.0,
                    Some("from_micros") => 0.001,
                    _ => return ConnTimeout::Unknown,
                };
                let Some(arg) = c.args.first() else {
                    return ConnTimeout::Unknown;
                };
                if let Some(n) = lit_num(arg) {
                    return ConnTimeout::Millis(n * unit_ms);
                }
                match arg {
                    Expr::Path(ap) => {
                        let name = ap.path.segments.last().map(|s| s.ident.to_string());
                        let Some(name) = name else {
                            return ConnTimeout::Unknown;
                        };
                        match self.lookup(&name) {
                            Some(Value::Num(n)) => ConnTimeout::Millis(n * unit_ms),
                            Some(_) => ConnTimeout::Unknown,
                            None if is_upper(&name) => ConnTimeout::Named {
                                name,
                                unit_ms: Some(unit_ms),
                            },
                            None => ConnTimeout::Unknown,
                        }
                    }
                    _ => ConnTimeout::Unknown,
                }
            }
            Expr::Path(p) => match p.path.segments.last().map(|s| s.ident.to_string()) {
                Some(name) if is_upper(&name) && self.lookup(&name).is_none() => {
                    ConnTimeout::Named {
                        name,
                        unit_ms: None,
                    }
                }
                _ => ConnTimeout::Unknown,
            },
            _ => ConnTimeout::Unknown,
        }
    }

    /// `con.set_read_timeout(Some(..))`: the fn bounds reads on `con`
    /// (conn-missing-timeout reads this by binding name).
    pub(super) fn note_read_timeout(&mut self, m: &ExprMethodCall) {
        if is_none(&m.args[0]) {
            return;
        }
        if let Expr::Path(p) = flatten(&m.receiver).0 {
            if let Some(id) = p.path.get_ident() {
                let id = id.to_string();
                self.info().sets_read_timeout.push(id);
            }
        }
    }

    pub(super) fn new_pipe(
        &mut self,
        api: Api,
        span: Span,
        atomic: bool,
        transaction: bool,
    ) -> u32 {
        self.facts.pipes.push(PipeInfo {
            api,
            atomic,
            transaction,
            exec: None,
            span,
        });
        (self.facts.pipes.len() - 1) as u32
    }
}
