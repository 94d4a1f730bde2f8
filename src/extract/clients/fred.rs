//! fred: builders and client constructors (`Builder::from_config`,
//! `Client::new(config, perf, conn, policy)`), cluster configs, the
//! command timeout, pipelines and `multi()`, `custom(cmd!(..), args)`, the
//! options of its command methods, and interface methods called as fns.

use syn::spanned::Spanned;
use syn::{Expr, ExprMethodCall};

use crate::extract::calls::PathCall;
use crate::extract::clients::methods;
use crate::extract::commands::CallSpec;
use crate::extract::connections::ConnMethod;
use crate::extract::facts::Recv;
use crate::extract::syntax::{is_none, lit_str, macro_args, macro_name, text};
use crate::extract::types;
use crate::extract::value::Value;
use crate::extract::Walker;
use crate::model::flow::Source;
use crate::model::{command, Api, ConnKind, CreationKind, Form, FredTimeout, Lib, Opts, Span};

/// A call through a `fred::` path; `None` when it is none of the client's
/// entry points (cluster configs are noted and still walked as calls).
pub(in crate::extract) fn path_call(w: &mut Walker, pc: &PathCall) -> Option<Value> {
    let (type_seg, last, args) = (pc.type_seg.as_str(), pc.last.as_str(), &pc.args);
    match (type_seg, last) {
        ("Builder", "from_config" | "default_centralized" | "default_clustered") => {
            if last == "default_clustered" {
                note_cluster_config(w, pc.span);
            }
            w.eval_all(args);
            Some(Value::FredBuilder)
        }
        ("Client" | "RedisClient" | "Pool" | "RedisPool", "new") if args.len() >= 2 => {
            Some(new_client(w, pc))
        }
        ("Client" | "RedisClient", "default") => {
            let missing = CreationKind::FredClient {
                command_timeout: FredTimeout::Missing,
                reconnect: false,
            };
            Some(w.create(
                missing,
                (Lib::Fred, ConnKind::FredClient),
                "Client::default",
                pc.span,
                Recv::Unknown,
            ))
        }
        ("Config" | "RedisConfig", "from_url" | "from_url_clustered")
            if last == "from_url_clustered"
                || args
                    .first()
                    .and_then(|a| lit_str(a))
                    .is_some_and(|u| u.contains("-cluster://")) =>
        {
            w.facts.uses_cluster = true;
            note_cluster_config(w, pc.span);
            None
        }
        // `Script::from_lua(LUA)`: its `evalsha` runs the script.
        ("Script", "from_lua") if args.len() == 1 => {
            w.note_script(args[0]);
            w.eval_all(args);
            Some(Value::Unknown)
        }
        ("ServerConfig", "default_clustered" | "new_clustered") => {
            note_cluster_config(w, pc.span);
            None
        }
        (t, method) if types::is_fred_trait(t) && !args.is_empty() => {
            // `KeysInterface::get(&client, key)`: the client comes first.
            let recv = w.eval(args[0]).recv();
            let spec = methods::lookup(Api::Fred, method, args.len() - 1)?;
            w.method_call(Api::Fred, spec, recv, &args[1..], pc.span, None);
            w.name_last_call(pc.name_span);
            Some(Value::Unknown)
        }
        _ => None,
    }
}

/// `Client::new(config, perf, connection, policy)` / `Pool::new(..)`: a
/// `None` connection config leaves commands without a timeout.
fn new_client(w: &mut Walker, pc: &PathCall) -> Value {
    let args = &pc.args;
    w.eval_all(args);
    let command_timeout = if is_none(args[1]) {
        FredTimeout::Missing
    } else {
        FredTimeout::Set
    };
    let type_seg = pc.type_seg.as_str();
    let kind = if type_seg.ends_with("Pool") {
        ConnKind::FredPool
    } else {
        ConnKind::FredClient
    };
    let reconnect = args.get(3).is_some_and(|a| !is_none(a));
    let creation = CreationKind::FredClient {
        command_timeout,
        reconnect,
    };
    let what = format!("{type_seg}::new");
    w.create(creation, (Lib::Fred, kind), &what, pc.span, Recv::Unknown)
}

/// A clustered fred config, for the cluster rules.
pub(in crate::extract) fn note_cluster_config(w: &mut Walker, span: Span) {
    let (func, in_test) = (w.func(), w.in_test());
    w.facts.fred_cluster_configs.push((span, func, in_test));
}

/// `default_command_timeout` set on a connection config (by assignment or
/// in a struct literal).
pub(in crate::extract) fn note_command_timeout(w: &mut Walker, value: &Expr) {
    let timeout = w.duration_of(value);
    let func = w.func();
    w.facts.fred_command_timeouts.push((func, timeout));
}

/// A method on a fred `Builder`: the `build*` methods make the client.
pub(in crate::extract) fn builder_method(w: &mut Walker, m: &ExprMethodCall) -> Value {
    let name = m.method.to_string();
    let kind = match name.as_str() {
        "build" => ConnKind::FredClient,
        "build_pool" => ConnKind::FredPool,
        "build_subscriber_client" => ConnKind::FredSubscriber,
        _ => {
            w.eval_args(m);
            return Value::FredBuilder;
        }
    };
    w.eval_args(m);
    w.create(
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

/// Pipelines, transactions and custom commands on a (possible) fred
/// client; `None` when the method is none of these.
pub(in crate::extract) fn conn_method(w: &mut Walker, cm: &ConnMethod) -> Option<Value> {
    if !cm.may_be(Lib::Fred, w.facts.imports_fred) {
        return None;
    }
    match (cm.name.as_str(), cm.argc) {
        ("pipeline", 0) => Some(Value::Pipe(w.new_pipe(Api::Fred, cm.span, false, false))),
        ("multi", 0) => Some(Value::Pipe(w.new_pipe(Api::Fred, cm.span, true, true))),
        ("custom" | "custom_raw", 2) => {
            custom(w, cm.recv.clone(), cm.m, cm.span);
            Some(Value::Unknown)
        }
        _ => None,
    }
}

/// Options a command method's arguments carry (`set(k, v, expire, NX, ..)`,
/// `xadd(k, nomkstream, cap, ..)`, `eval(script, ..)`, ...).
pub(in crate::extract) fn method_opts(
    w: &mut Walker,
    method: &str,
    args: &[&Expr],
    opts: &mut Opts,
) {
    match method {
        "set" => {
            opts.expiry = !is_none(args[2]);
            opts.nx = text(args[3]).contains("NX");
        }
        "flushall" => opts.asynchronous = text(args[0]) != "false",
        "xreadgroup" | "xreadgroup_map" => opts.noack = text(args[4]) != "false",
        "xadd" => opts.trimmed = !is_none(args[2]),
        "eval" => {
            opts.formatted_script =
                matches!(args[0], Expr::Macro(m) if macro_name(&m.mac) == "format");
            w.note_script(args[0]);
        }
        "script_load" | "script_load_cluster" => {
            opts.sub = Some("LOAD".into());
            w.note_script(args[0]);
        }
        "scan" | "scan_buffered" => opts.pattern = lit_str(args[0]),
        "config_set" => opts.sub = Some("SET".into()),
        "config_rewrite" => opts.sub = Some("REWRITE".into()),
        "client_kill" => opts.sub = Some("KILL".into()),
        _ => {}
    }
}

/// `client.custom(cmd!("NAME"), vec![args])`: a raw command.
fn custom(w: &mut Walker, recv: Recv, m: &ExprMethodCall, span: Span) {
    let name_expr = match &m.args[0] {
        Expr::Macro(mac) if macro_name(&mac.mac) == "cmd" => {
            macro_args(&mac.mac.tokens).and_then(|a| a.into_iter().next())
        }
        Expr::Call(c) => c.args.first().cloned(),
        _ => None,
    };
    let name = name_expr.as_ref().and_then(lit_str);
    let Some(name) = name else {
        w.eval(&m.args[1]);
        return;
    };
    let items: Vec<Expr> = match &m.args[1] {
        Expr::Macro(mac) if macro_name(&mac.mac) == "vec" => {
            macro_args(&mac.mac.tokens).unwrap_or_default()
        }
        Expr::Array(a) => a.elems.iter().cloned().collect(),
        other => {
            w.eval(other);
            Vec::new()
        }
    };
    if matches!(command::canonical(&name).as_str(), "EVAL" | "EVAL_RO") {
        if let Some(script) = items.first() {
            w.note_script(script);
        }
    }
    let calls = w.facts.calls.len();
    let args = items.iter().map(|a| w.raw_arg(a)).collect();
    let mut inputs: Vec<Source> = Vec::new();
    for item in &items {
        inputs.extend(w.flow_of(item, calls, true));
    }
    inputs.sort();
    inputs.dedup();
    w.emit(CallSpec {
        command: command::canonical(&name),
        form: Form::Raw,
        keys: Vec::new(),
        args,
        inputs,
        opts: Opts::default(),
        recv,
        api: Api::Fred,
        span,
        pipe: None,
    });
    if let Some(call) = w.facts.calls.last_mut() {
        call.name_span = name_expr.map(|e| Span::of(e.span()));
        call.arg_spans = items.iter().map(|a| Span::of(a.span())).collect();
    }
}
