//! Connections: methods on a (possible) connection, client or pool,
//! creation sites and the timeouts set on them.

use syn::{Expr, ExprMethodCall};

use super::clients::{fred, pools, redis_rs};
use super::commands::CallSpec;
use super::facts::{Callee, Op, PipeInfo, RawCreation, RawPubSubUse, Recv, Root, TYPE_MAP_VALUE};
use super::names::{connection_like, AMBIGUOUS_METHODS, PASSTHROUGH};
use super::syntax::{flatten, is_none, is_upper, lit_num, plain_ident, text};
use super::types::{self, TypeClass};
use super::value::{local, push_op, Value};
use super::Walker;
use crate::model::{Api, ConnKind, ConnTimeout, CreationKind, Lib, Origin, Span};

/// A receiver of `.query(con)` that is a command or pipeline built out of
/// sight (`cmd: &mut Cmd`, `RedisPipe::Cluster(pipe)`: a variant's field,
/// whose type only linking knows), or of no known type; a crate type's own
/// `query` method stays a helper.
fn runs_a_command(recv: &Recv) -> bool {
    match recv {
        Recv::NotRedis | Recv::Unknown => true,
        Recv::Path {
            root: Root::Type { name, .. },
            ops,
        } => match ops.as_slice() {
            [] => matches!(
                name.rsplit("::").next(),
                Some("Cmd" | "Pipeline" | "ClusterPipeline")
            ),
            [Op::Field(field)] => field.contains('.'),
            _ => false,
        },
        _ => false,
    }
}

/// A method called on a (possible) connection, client or pool.
pub(super) struct ConnMethod<'a> {
    pub(super) m: &'a ExprMethodCall,
    pub(super) name: String,
    pub(super) argc: usize,
    pub(super) recv: Recv,
    /// The receiver's client and kind, when its type is known.
    pub(super) known: Option<(Lib, ConnKind)>,
    /// From the method's name to its closing parenthesis.
    pub(super) span: Span,
}

impl ConnMethod<'_> {
    /// Whether the receiver may belong to `lib`: it is known to, or nothing
    /// is known about it and the file uses that client.
    pub(super) fn may_be(&self, lib: Lib, file_uses_lib: bool) -> bool {
        match self.known {
            Some((known, _)) => known == lib,
            None => file_uses_lib,
        }
    }
}

impl Walker {
    /// `data.get::<KvClient>()` (a serenity `TypeMap`), `req.app_data::<Data<Pool>>()`,
    /// `extensions.get::<Pool>()`: a lookup by type says what it returns.
    /// A crate key type is read through its `TypeMapKey` value.
    fn typed_lookup(&self, name: &str, m: &ExprMethodCall) -> Option<Value> {
        if !matches!(name, "get" | "get_mut" | "app_data") || !m.args.is_empty() {
            return None;
        }
        let turbofish = m.turbofish.as_ref()?;
        let mut types = turbofish.args.iter().filter_map(|a| match a {
            syn::GenericArgument::Type(t) => Some(t),
            _ => None,
        });
        let (Some(ty), None) = (types.next(), types.next()) else {
            return None;
        };
        match types::classify(ty, &self.uses, &self.generics) {
            TypeClass::Redis(..) => Some(self.value_of_type(ty, Origin::Shared)),
            TypeClass::Struct(key) => Some(Value::Conn(Recv::Path {
                root: Root::Type {
                    name: key,
                    is_self: false,
                },
                ops: vec![Op::Field(TYPE_MAP_VALUE.to_string())],
            })),
            TypeClass::Other | TypeClass::Param => None,
        }
    }

    /// Methods on a (possible) connection, client or pool: the clients'
    /// constructors and pipelines first, then the command tables.
    pub(super) fn conn_method(&mut self, value: Value, m: &ExprMethodCall) -> Value {
        let name = m.method.to_string();
        if let Some(typed) = self.typed_lookup(&name, m) {
            self.eval_args(m);
            return typed;
        }
        let recv = value.recv();
        let span = Span::join(m.method.span(), m.paren_token.span.close());
        self.note_method_fn_call(&recv, &name, span);
        if matches!(name.as_str(), "query" | "exec") && m.args.len() == 1 && runs_a_command(&recv) {
            self.run_on_argument(m);
            return Value::Unknown;
        }
        if recv == Recv::NotRedis {
            self.eval_args(m);
            return Value::Unknown;
        }
        match (name.as_str(), m.args.len()) {
            ("clone", 0) => {
                self.note_cloned_field(&recv);
                return Value::Conn(push_op(recv, Op::Clone));
            }
            ("get", 0) => return Value::Conn(push_op(recv, Op::Get)),
            (p, _) if PASSTHROUGH.contains(&p) => {
                self.eval_args(m);
                return value;
            }
            _ => {}
        }
        let cm = ConnMethod {
            m,
            argc: m.args.len(),
            known: match &recv {
                Recv::Known { lib, kind, .. } => Some((*lib, *kind)),
                _ => None,
            },
            recv,
            span: Span::join(m.method.span(), m.paren_token.span.close()),
            name,
        };
        self.note_pubsub(&cm);
        let client = redis_rs::conn_method(self, &cm)
            .or_else(|| pools::conn_method(self, &cm))
            .or_else(|| fred::conn_method(self, &cm));
        if let Some(value) = client {
            return value;
        }
        if self.command_on_conn(&cm) {
            // On a crate type, a command's name may be the type's own
            // wrapper (`cache.set(k, v)`): linking tells which.
            self.note_typed_helper(&cm);
            return Value::Unknown;
        }
        self.not_a_command(cm)
    }

    /// A method with arguments called on a value of a crate type: maybe
    /// the type's wrapper of some commands.
    fn note_typed_helper(&mut self, cm: &ConnMethod) {
        let typed = matches!(
            cm.recv,
            Recv::Path {
                root: Root::Type { .. },
                ..
            }
        );
        if typed && cm.argc > 0 {
            let args: Vec<&syn::Expr> = cm.m.args.iter().collect();
            let keys = args.iter().map(|a| self.key_of(a)).collect();
            let callee = Callee::Method(cm.recv.clone());
            self.note_helper_call(cm.name.clone(), callee, (&args, keys), cm.span);
        }
    }

    /// A subscription (or a switch to pub/sub) on a Redis receiver.
    fn note_pubsub(&mut self, cm: &ConnMethod) {
        let pubsub = matches!(
            cm.name.as_str(),
            "subscribe" | "psubscribe" | "ssubscribe" | "as_pubsub" | "into_pubsub"
        );
        if !pubsub || cm.recv == Recv::Unknown {
            return;
        }
        let (func, in_test) = (self.func(), self.in_test());
        let in_handler_closure = self.fns.last().is_some_and(|f| f.handler_depth > 0);
        self.facts.pubsub_uses.push(RawPubSubUse {
            method: cm.name.clone(),
            recv: cm.recv.clone(),
            span: cm.span,
            func,
            in_test,
            in_handler_closure,
        });
    }

    /// Looks the method up in the command tables of the clients the
    /// receiver may belong to; records the call when found.
    fn command_on_conn(&mut self, cm: &ConnMethod) -> bool {
        let weak =
            AMBIGUOUS_METHODS.contains(&cm.name.as_str()) && !connection_like(&cm.m.receiver);
        let apis: Vec<Api> = match cm.known {
            Some((lib, kind)) if kind.runs_commands() => vec![lib.api()],
            Some(_) => Vec::new(),
            // Names std and other crates use too (`map.get(k)`, `row.get("id")`):
            // on a receiver nothing is known about, only a connection-like
            // name makes them Redis.
            None if cm.recv == Recv::Unknown && weak => Vec::new(),
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
        let binding = plain_ident(&cm.m.receiver);
        for api in apis {
            let before = self.facts.calls.len();
            if self.command_method(api, cm.recv.clone(), cm.m, None) {
                if let Some(c) = self.facts.calls.get_mut(before) {
                    c.alt = found;
                    c.weak_receiver = weak;
                    c.conn_binding = binding.clone();
                }
                found = true;
            }
        }
        found
    }

    /// `cmd.query(&mut con)` / `pipe.query(&mut con)` on a command or
    /// pipeline built where the walker cannot see (a parameter, an enum
    /// variant's field): a blocking round trip on `con`, command unknown.
    /// Counts only when `con` proves to be a Redis connection.
    fn run_on_argument(&mut self, m: &ExprMethodCall) {
        let on = self.eval(&m.args[0]).recv();
        if matches!(on, Recv::NotRedis | Recv::Unknown) {
            return;
        }
        let span = Span::join(m.method.span(), m.paren_token.span.close());
        self.emit(CallSpec::unnamed(on, span));
        if let Some(call) = self.facts.calls.last_mut() {
            call.weak_receiver = true;
            call.conn_binding = plain_ident(&m.args[0]);
        }
    }

    /// Not a command: maybe a crate-local helper taking a key (`self.f(k)`,
    /// `cache.store(key, v)` on a typed value), maybe a method whose result
    /// a type's signature tells.
    fn not_a_command(&mut self, cm: ConnMethod) -> Value {
        let m = cm.m;
        self.note_typed_helper(&cm);
        self.eval_args(m);
        match cm.recv {
            Recv::Path { .. } => Value::Conn(push_op(cm.recv, Op::Call(cm.name))),
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
            runs: Vec::new(),
            span,
            via: None,
        });
        (self.facts.pipes.len() - 1) as u32
    }
}
