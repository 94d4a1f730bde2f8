//! redis-rs: entry points reached through a path (`redis::cmd`, `Cmd::*`,
//! pipelines, transactions, scripts, `Commands::get(&mut con, ..)`),
//! client and connection constructors, connection configs, option
//! builders (`SetOptions`, `StreamReadOptions`, `FlushAllOptions`), raw
//! commands built with `.arg(..)`, and the timeouts set on connections.

use syn::{Expr, ExprMethodCall};

use crate::extract::calls::PathCall;
use crate::extract::clients::methods;
use crate::extract::commands::CallSpec;
use crate::extract::connections::ConnMethod;
use crate::extract::facts::{Op, RawKey, Recv, Root};
use crate::extract::syntax::{is_none, lit_str, plain_ident, text};
use crate::extract::types;
use crate::extract::value::{config_timeout, local, push_op, Value};
use crate::extract::Walker;
use crate::model::{Api, ConnKind, ConnTimeout, CreationKind, Form, Lib, Opts, Span};

/// A call through a `redis::` path; `None` when it is none of the client's
/// entry points.
pub(in crate::extract) fn path_call(w: &mut Walker, pc: &PathCall) -> Option<Value> {
    command_path(w, pc).or_else(|| constructor_path(w, pc))
}

/// Paths that build or run commands: raw commands, `Cmd::<name>`,
/// pipelines, transactions, scripts and trait methods called as fns.
fn command_path(w: &mut Walker, pc: &PathCall) -> Option<Value> {
    let args = &pc.args;
    match (pc.type_seg.as_str(), pc.last.as_str()) {
        (_, "cmd") if args.len() == 1 => Some(match w.raw_cmd(args[0], pc.span, Api::RedisRs) {
            Some(idx) => Value::RawCmd(idx),
            None => Value::Unknown,
        }),
        ("Cmd", "new") => {
            w.emit(CallSpec::unnamed(Recv::Unknown, pc.span));
            Some(Value::RawCmd(w.facts.calls.len() - 1))
        }
        ("Cmd", method) => {
            let spec = methods::lookup(Api::RedisRs, method, args.len())?;
            w.method_call(Api::RedisRs, spec, Recv::Unknown, args, pc.span, None);
            w.name_last_call(pc.name_span);
            Some(Value::Unknown)
        }
        (_, "pipe" | "cluster_pipe")
        | ("Pipeline" | "ClusterPipeline", "new" | "with_capacity") => {
            w.eval_all(args);
            Some(Value::Pipe(w.new_pipe(Api::RedisRs, pc.span, false, false)))
        }
        (_, "transaction" | "transaction_async") if args.len() == 3 => {
            transaction(w, pc);
            Some(Value::Unknown)
        }
        ("Script", "new") if args.len() == 1 => {
            w.note_script(args[0]);
            w.eval(args[0]);
            Some(Value::Script(Vec::new()))
        }
        (t, method) if types::REDIS_TRAITS.contains(&t) && !args.is_empty() => {
            // `Commands::get(&mut con, key)`: the connection comes first.
            let recv = w.eval(args[0]).recv();
            let spec = methods::lookup(Api::RedisRs, method, args.len() - 1)?;
            w.method_call(Api::RedisRs, spec, recv, &args[1..], pc.span, None);
            w.name_last_call(pc.name_span);
            Some(Value::Unknown)
        }
        _ => None,
    }
}

/// `redis::transaction(&mut con, &[keys], |con, pipe| ..)`: the closure
/// gets the connection and an atomic pipeline run on it.
fn transaction(w: &mut Walker, pc: &PathCall) {
    let args = &pc.args;
    let recv = w.eval(args[0]).recv();
    w.eval(args[1]);
    let id = w.new_pipe(Api::RedisRs, pc.span, true, true);
    w.facts.pipes[id as usize].exec = Some(recv.clone());
    if let Expr::Closure(cl) = args[2] {
        w.closure(cl, Some(vec![Value::Conn(recv), Value::Pipe(id)]));
    } else {
        w.eval(args[2]);
    }
}

/// Client constructors, connection managers and option builders.
fn constructor_path(w: &mut Walker, pc: &PathCall) -> Option<Value> {
    let span = pc.span;
    match (pc.type_seg.as_str(), pc.last.as_str()) {
        ("Client", "open" | "build_with_tls") => {
            w.eval_all(&pc.args);
            Some(w.create(
                CreationKind::Client,
                (Lib::RedisRs, ConnKind::Client),
                "Client::open",
                span,
                Recv::Unknown,
            ))
        }
        ("ClusterClient", "new") => {
            w.facts.uses_cluster = true;
            w.eval_all(&pc.args);
            Some(w.create(
                CreationKind::Client,
                (Lib::RedisRs, ConnKind::ClusterClient),
                "ClusterClient::new",
                span,
                Recv::Unknown,
            ))
        }
        ("ClusterClient", "builder") | ("ClusterClientBuilder", "new") => {
            w.facts.uses_cluster = true;
            w.eval_all(&pc.args);
            Some(Value::ClusterBuilder)
        }
        ("ConnectionManager", ctor) if ctor.starts_with("new") => {
            let values: Vec<Value> = pc.args.iter().map(|a| w.eval(a)).collect();
            let with_config = ctor.contains("config") || ctor.ends_with("timeouts");
            let what = format!("ConnectionManager::{ctor}");
            let created = w.create(
                CreationKind::AsyncConnection { with_config },
                (Lib::RedisRs, ConnKind::Manager),
                &what,
                span,
                Recv::Unknown,
            );
            if ctor.ends_with("timeouts") {
                // `new_with_backoff_and_timeouts(client, base, factor,
                // retries, response, connect)` (0.2x).
                let timeout = pc.args.get(4).map(|a| w.duration_of(a));
                w.set_creation_timeout(timeout.unwrap_or(ConnTimeout::Unknown));
                w.info().sets_response_timeout = true;
            } else if with_config {
                w.set_creation_timeout(config_timeout(values.get(1)));
            }
            Some(created)
        }
        ("AsyncConnectionConfig" | "ConnectionManagerConfig", "new" | "default") => {
            Some(Value::RedisConfig(ConnTimeout::LibraryDefault))
        }
        ("SetOptions" | "StreamReadOptions", "default" | "new") => Some(Value::Options {
            opts: Opts::default(),
            group: false,
        }),
        _ => None,
    }
}

/// `FlushAllOptions { blocking: true }` / `FlushDbOptions { .. }`.
pub(in crate::extract) fn struct_literal(s: &syn::ExprStruct, last: &str) -> Option<Value> {
    if last != "FlushAllOptions" && last != "FlushDbOptions" {
        return None;
    }
    let blocking = s
        .fields
        .iter()
        .any(|f| text(&f.member) == "blocking" && text(&f.expr) == "true");
    let opts = Opts {
        asynchronous: !blocking,
        ..Opts::default()
    };
    Some(Value::Options { opts, group: false })
}

/// A method on an `AsyncConnectionConfig` / `ConnectionManagerConfig`:
/// only the response timeout matters.
pub(in crate::extract) fn config_method(
    w: &mut Walker,
    timeout: ConnTimeout,
    m: &ExprMethodCall,
) -> Value {
    let setter = m.method == "set_response_timeout" && m.args.len() == 1;
    if setter {
        if is_none(&m.args[0]) {
            let span = Span::join(m.method.span(), m.paren_token.span.close());
            let in_test = w.in_test();
            w.facts.disabled_timeouts.push((span, in_test));
        } else {
            w.info().sets_response_timeout = true;
        }
    }
    w.eval_args(m);
    if setter {
        return Value::RedisConfig(w.conn_timeout_of(&m.args[0]));
    }
    Value::RedisConfig(timeout)
}

/// `pipe.cmd("NAME")`: a raw command inside a pipeline.
pub(in crate::extract) fn pipe_cmd(w: &mut Walker, id: u32, m: &ExprMethodCall) -> Value {
    let span = Span::join(m.method.span(), m.paren_token.span.close());
    match w.raw_cmd(&m.args[0], span, Api::RedisRs) {
        Some(idx) => {
            w.facts.calls[idx].pipe = Some(id);
            Value::PipeCmd(id, idx)
        }
        None => Value::Pipe(id),
    }
}

/// `.arg(x)` on a raw command: one more argument.
pub(in crate::extract) fn push_arg(w: &mut Walker, idx: usize, m: &ExprMethodCall) {
    let link = Span::join(m.method.span(), m.paren_token.span.close());
    w.push_arg(idx, &m.args[0], link);
}

/// A method on a raw command (`redis::cmd(..)`): arguments, then the
/// connection it runs on.
pub(in crate::extract) fn raw_cmd_method(w: &mut Walker, idx: usize, m: &ExprMethodCall) -> Value {
    let argc = m.args.len();
    match m.method.to_string().as_str() {
        "arg" if argc == 1 => {
            push_arg(w, idx, m);
            Value::RawCmd(idx)
        }
        "query" | "query_async" | "exec" | "exec_async" | "iter" | "iter_async" if argc == 1 => {
            w.facts.calls[idx].recv = w.eval(&m.args[0]).recv();
            w.facts.calls[idx].conn_binding = plain_ident(&m.args[0]);
            Value::Unknown
        }
        "clone" | "take" | "cursor_arg" => Value::RawCmd(idx),
        _ => {
            w.eval_args(m);
            Value::Unknown
        }
    }
}

/// A method on a `redis::Script`: keys, then `invoke` runs EVALSHA.
pub(in crate::extract) fn script_method(
    w: &mut Walker,
    mut keys: Vec<RawKey>,
    m: &ExprMethodCall,
) -> Value {
    let argc = m.args.len();
    match m.method.to_string().as_str() {
        "key" if argc == 1 => {
            keys.extend(w.key_args(&m.args[0]));
            Value::Script(w.bounded_keys(keys))
        }
        "invoke" | "invoke_async" if argc == 1 => {
            let recv = w.eval(&m.args[0]).recv();
            let span = Span::join(m.method.span(), m.paren_token.span.close());
            w.emit(CallSpec::redis_rs(
                "EVALSHA".into(),
                Form::Script,
                keys,
                recv,
                span,
            ));
            Value::Unknown
        }
        _ => {
            w.eval_args(m);
            Value::Script(keys)
        }
    }
}

/// A method on a `ClusterClientBuilder`: `build()` makes the client.
pub(in crate::extract) fn cluster_builder_method(w: &mut Walker, m: &ExprMethodCall) -> Value {
    w.eval_args(m);
    if m.method == "response_timeout" || m.method == "read_timeout" {
        // The sync cluster connection has no response timeout otherwise.
        w.info().sets_response_timeout = true;
    }
    if m.method != "build" {
        return Value::ClusterBuilder;
    }
    let span = Span::join(m.method.span(), m.paren_token.span.close());
    w.create(
        CreationKind::Client,
        (Lib::RedisRs, ConnKind::ClusterClient),
        "ClusterClientBuilder::build",
        span,
        Recv::Unknown,
    )
}

/// A method on `SetOptions` / `StreamReadOptions` built in code.
pub(in crate::extract) fn options_method(
    w: &mut Walker,
    mut opts: Opts,
    mut group: bool,
    m: &ExprMethodCall,
) -> Value {
    match m.method.to_string().as_str() {
        "with_expiration" => opts.expiry = true,
        "conditional_set" => opts.nx |= text(&m.args).contains("NX"),
        "block" if m.args.len() == 1 => opts.timeout = w.timeout_of(&m.args[0]),
        "group" => group = true,
        "noack" => opts.noack = true,
        _ => {}
    }
    w.eval_args(m);
    Value::Options { opts, group }
}

/// Options passed as a value: built inline, bound earlier, or unknown
/// (then assumed to carry an expiry/async flag, so no rule fires on a
/// guess).
fn options_of(w: &mut Walker, e: &Expr, unknown_expiry: bool) -> (Opts, bool) {
    match w.eval(e) {
        Value::Options { opts, group } => (opts, group),
        _ => {
            let t = text(e);
            let opts = Opts {
                expiry: unknown_expiry || t.contains("with_expiration"),
                nx: t.contains("NX"),
                asynchronous: !t.contains("blocking:true"),
                noack: t.contains("noack"),
                ..Opts::default()
            };
            (opts, t.contains("group"))
        }
    }
}

/// Options a command method's arguments carry (`set_options`,
/// `xread_options` — which turns into XREADGROUP with a group —, ...).
pub(in crate::extract) fn method_opts(
    w: &mut Walker,
    method: &str,
    args: &[&Expr],
    opts: &mut Opts,
    command: &mut String,
) {
    match method {
        "set_options" => {
            let (o, _) = options_of(w, args[2], true);
            opts.expiry = o.expiry;
            opts.nx = o.nx;
        }
        "xread_options" => {
            let (o, group) = options_of(w, args[2], false);
            opts.timeout = o.timeout;
            opts.noack = o.noack;
            if group {
                *command = "XREADGROUP".into();
            }
        }
        "flushall_options" | "flushdb_options" => {
            opts.asynchronous = options_of(w, args[0], false).0.asynchronous;
        }
        "xadd_maxlen" | "xadd_options" => opts.trimmed = true,
        "scan_match" => opts.pattern = lit_str(args[0]),
        _ => {}
    }
}

/// Connection constructors on a client, pub/sub, and the timeouts set on
/// a connection; `None` when the method is none of these.
pub(in crate::extract) fn conn_method(w: &mut Walker, cm: &ConnMethod) -> Option<Value> {
    let redis_ok = cm.may_be(Lib::RedisRs, w.mentions_redis) || typed_elsewhere(&cm.recv);
    if let Some((creation, kind)) = connection_ctor(cm, redis_ok) {
        return Some(make_connection(w, cm, creation, kind));
    }
    match (cm.name.as_str(), cm.argc) {
        ("get_async_pubsub" | "as_pubsub" | "into_pubsub", 0) if redis_ok => {
            Some(Value::Conn(local(Lib::RedisRs, ConnKind::PubSub)))
        }
        // A timeout set on a connection after it was made (sync
        // `set_read_timeout`, async `MultiplexedConnection::set_response_timeout`)
        // is the one its commands run under.
        ("set_read_timeout" | "set_response_timeout", 1) if redis_ok => {
            set_conn_timeout(w, cm);
            Some(Value::Unknown)
        }
        ("set_read_timeout" | "set_write_timeout", 1) => {
            w.note_read_timeout(cm.m);
            w.eval_args(cm.m);
            Some(Value::Unknown)
        }
        _ => None,
    }
}

/// The connection a client method makes, if it is a constructor.
fn connection_ctor(cm: &ConnMethod, redis_ok: bool) -> Option<(CreationKind, ConnKind)> {
    let argc = cm.argc;
    let cluster = matches!(cm.known, Some((_, ConnKind::ClusterClient)));
    let sync_kind = if cluster {
        ConnKind::ClusterSync
    } else {
        ConnKind::Sync
    };
    match (cm.name.as_str(), argc) {
        ("get_connection", 0) | ("get_connection_with_timeout", 1) if redis_ok => {
            let creation = CreationKind::SyncConnection {
                with_connect_timeout: argc == 1,
            };
            Some((creation, sync_kind))
        }
        ("get_async_connection" | "get_tokio_connection" | "get_async_std_connection", 0)
            if redis_ok =>
        {
            Some((
                CreationKind::AsyncConnection { with_config: false },
                sync_kind,
            ))
        }
        (
            "get_multiplexed_async_connection"
            | "get_multiplexed_tokio_connection"
            | "get_multiplexed_async_connection_with_config"
            | "get_multiplexed_async_connection_with_timeouts"
            | "get_multiplexed_tokio_connection_with_response_timeouts"
            | "get_multiplexed_async_std_connection"
            | "get_multiplexed_async_std_connection_with_timeouts",
            _,
        ) => Some((
            CreationKind::AsyncConnection {
                with_config: argc > 0,
            },
            ConnKind::Multiplexed,
        )),
        // 0.2x names (`get_tokio_connection_manager*`) and the backoff
        // variants: only a `config` or `timeouts` one sets a timeout.
        (
            "get_connection_manager"
            | "get_connection_manager_with_config"
            | "get_connection_manager_with_backoff"
            | "get_connection_manager_with_backoff_and_timeouts"
            | "get_tokio_connection_manager"
            | "get_tokio_connection_manager_with_backoff"
            | "get_tokio_connection_manager_with_backoff_and_timeouts",
            _,
        ) => Some((
            CreationKind::AsyncConnection {
                with_config: cm.name.ends_with("config") || cm.name.ends_with("timeouts"),
            },
            ConnKind::Manager,
        )),
        _ => None,
    }
}

/// Records a connection made by a client method, with the response
/// timeout its arguments give it.
fn make_connection(
    w: &mut Walker,
    cm: &ConnMethod,
    creation: CreationKind,
    kind: ConnKind,
) -> Value {
    let name = cm.name.as_str();
    let values: Vec<Value> = cm.m.args.iter().map(|a| w.eval(a)).collect();
    let created = w.create(
        creation,
        (Lib::RedisRs, kind),
        name,
        cm.span,
        cm.recv.clone(),
    );
    // 0.x `*_with_timeouts(response, connect)` and
    // `*_with_backoff_and_timeouts(base, factor, retries, response, connect)`
    // take the Duration itself.
    let response_arg = if name.ends_with("and_timeouts") { 3 } else { 0 };
    let timed = name.contains("with_response_timeouts") || name.ends_with("timeouts");
    if let (true, Some(arg)) = (timed, cm.m.args.iter().nth(response_arg)) {
        let timeout = w.duration_of(arg);
        w.set_creation_timeout(timeout);
        // A response timeout given straight to the constructor.
        w.info().sets_response_timeout = true;
    } else if name.ends_with("with_config") {
        w.set_creation_timeout(config_timeout(values.first()));
    }
    if typed_elsewhere(&cm.recv) {
        // Linking tells whether the type is a client, and so this a connection.
        return Value::Conn(push_op(cm.recv.clone(), Op::Call(cm.name.clone())));
    }
    created
}

/// A receiver typed by another crate's type (`client` made by
/// `Client::open` through `common::prelude::*`): maybe a re-exported
/// client, which only linking can tell.
fn typed_elsewhere(recv: &Recv) -> bool {
    matches!(recv, Recv::Path { root: Root::Type { name, .. }, .. } if name.contains("::"))
}

/// `con.set_response_timeout(..)` / `con.set_read_timeout(..)`: the
/// creation bound to `con` in this fn runs under that timeout.
fn set_conn_timeout(w: &mut Walker, cm: &ConnMethod) {
    let m = cm.m;
    if let Some(id) = plain_ident(&m.receiver) {
        let timeout = w.conn_timeout_of(&m.args[0]);
        let func = w.func();
        if let Some(c) = w
            .facts
            .creations
            .iter_mut()
            .rev()
            .find(|c| c.func == func && c.binding.as_deref() == Some(id.as_str()))
        {
            c.response_timeout = timeout;
        }
    }
    if cm.name == "set_read_timeout" {
        w.note_read_timeout(m);
    }
    w.eval_args(m);
}
