//! Calls through a path: client entry points, timeouts, spawns, lazy
//! statics, route registration and crate-local fns.

use syn::spanned::Spanned;
use syn::visit::{self};
use syn::Expr;

use super::commands::CallSpec;
use super::exprs::ClosureKind;
use super::facts::{RawHelperCall, RawKey, RawPart, Recv, Root};
use super::names::ROUTE_FNS;
use super::syntax::{is_fn_path, is_none, lit_str};
use super::types::{self};
use super::value::{config_timeout, Value};
use super::{clients::methods, flow, Walker};
use crate::model::Api;
use crate::model::ConnTimeout;
use crate::model::{ConnKind, CreationKind, Form, FredTimeout, Lib, Opts, Span};

impl Walker {
    pub(super) fn call(&mut self, c: &syn::ExprCall) -> Value {
        let Expr::Path(fp) = &*c.func else {
            visit::visit_expr_call(self, c);
            return Value::Unknown;
        };
        let segs = types::path_segments(&fp.path);
        segs.iter().for_each(|s| self.mark(s));
        let full = types::strip_reexport(&self.uses.expand(&segs)).to_vec();
        let span = Span::join(c.func.span(), c.paren_token.span.close());
        let name_span = fp
            .path
            .segments
            .last()
            .map_or_else(|| c.func.span(), |s| s.ident.span());
        let last = segs.last().cloned().unwrap_or_default();
        let full_str: Vec<&str> = full.iter().map(String::as_str).collect();
        let krate = full_str.first().copied().unwrap_or("");
        let args: Vec<&Expr> = c.args.iter().collect();
        // `serde_json::from_str(&raw)`: the decoded value's own uses count,
        // not this one.
        if flow::DECODERS.contains(&last.as_str()) && krate != "redis" {
            self.looking_into += 1;
            args.iter().for_each(|a| {
                self.eval(a);
            });
            self.looking_into -= 1;
            return Value::Unknown;
        }
        let type_seg = full_str
            .len()
            .checked_sub(2)
            .map(|i| full_str[i])
            .unwrap_or("");

        // redis-rs entry points proven by their path.
        if krate == "redis" {
            match (type_seg, last.as_str()) {
                (_, "cmd") if args.len() == 1 => {
                    return match self.raw_cmd(args[0], span, Api::RedisRs) {
                        Some(idx) => Value::RawCmd(idx),
                        None => Value::Unknown,
                    };
                }
                ("Cmd", "new") => {
                    self.emit(CallSpec {
                        command: String::new(),
                        form: Form::RawUnnamed,
                        keys: Vec::new(),
                        args: Vec::new(),
                        inputs: Vec::new(),
                        opts: Opts::default(),
                        recv: Recv::Unknown,
                        api: Api::RedisRs,
                        span,
                        pipe: None,
                    });
                    return Value::RawCmd(self.facts.calls.len() - 1);
                }
                ("Cmd", method) => {
                    if let Some(spec) = methods::lookup(Api::RedisRs, method, args.len()) {
                        self.method_call(Api::RedisRs, spec, Recv::Unknown, &args, span, None);
                        self.name_last_call(name_span);
                        return Value::Unknown;
                    }
                }
                (_, "pipe" | "cluster_pipe")
                | ("Pipeline" | "ClusterPipeline", "new" | "with_capacity") => {
                    args.iter().for_each(|a| {
                        self.eval(a);
                    });
                    return Value::Pipe(self.new_pipe(Api::RedisRs, span, false, false));
                }
                (_, "transaction" | "transaction_async") if args.len() == 3 => {
                    let recv = self.eval(args[0]).recv();
                    self.eval(args[1]);
                    let id = self.new_pipe(Api::RedisRs, span, true, true);
                    self.facts.pipes[id as usize].exec = Some(recv.clone());
                    if let Expr::Closure(cl) = args[2] {
                        self.closure(cl, Some(vec![Value::Conn(recv), Value::Pipe(id)]));
                    } else {
                        self.eval(args[2]);
                    }
                    return Value::Unknown;
                }
                ("Script", "new") if args.len() == 1 => {
                    self.note_script(args[0]);
                    self.eval(args[0]);
                    return Value::Script(Vec::new());
                }
                ("Client", "open" | "build_with_tls") => {
                    args.iter().for_each(|a| {
                        self.eval(a);
                    });
                    return self.create(
                        CreationKind::Client,
                        (Lib::RedisRs, ConnKind::Client),
                        "Client::open",
                        span,
                        Recv::Unknown,
                    );
                }
                ("ClusterClient", "new") => {
                    self.facts.uses_cluster = true;
                    args.iter().for_each(|a| {
                        self.eval(a);
                    });
                    return self.create(
                        CreationKind::Client,
                        (Lib::RedisRs, ConnKind::ClusterClient),
                        "ClusterClient::new",
                        span,
                        Recv::Unknown,
                    );
                }
                ("ClusterClient", "builder") | ("ClusterClientBuilder", "new") => {
                    self.facts.uses_cluster = true;
                    args.iter().for_each(|a| {
                        self.eval(a);
                    });
                    return Value::ClusterBuilder;
                }
                ("ConnectionManager", ctor) if ctor.starts_with("new") => {
                    let values: Vec<Value> = args.iter().map(|a| self.eval(a)).collect();
                    let with_config = ctor.contains("config");
                    let what = format!("ConnectionManager::{ctor}");
                    let created = self.create(
                        CreationKind::AsyncConnection { with_config },
                        (Lib::RedisRs, ConnKind::Manager),
                        &what,
                        span,
                        Recv::Unknown,
                    );
                    if with_config {
                        self.set_creation_timeout(config_timeout(values.get(1)));
                    }
                    return created;
                }
                ("AsyncConnectionConfig" | "ConnectionManagerConfig", "new" | "default") => {
                    return Value::RedisConfig(ConnTimeout::LibraryDefault);
                }
                ("SetOptions" | "StreamReadOptions", "default" | "new") => {
                    return Value::Options {
                        opts: Opts::default(),
                        group: false,
                    };
                }
                (t, method) if types::REDIS_TRAITS.contains(&t) && !args.is_empty() => {
                    let recv = self.eval(args[0]).recv();
                    if let Some(spec) = methods::lookup(Api::RedisRs, method, args.len() - 1) {
                        self.method_call(Api::RedisRs, spec, recv, &args[1..], span, None);
                        self.name_last_call(name_span);
                        return Value::Unknown;
                    }
                }
                _ => {}
            }
        }
        if krate == "fred" {
            match (type_seg, last.as_str()) {
                ("Builder", "from_config" | "default_centralized" | "default_clustered") => {
                    if last == "default_clustered" {
                        self.note_fred_cluster_config(span);
                    }
                    args.iter().for_each(|a| {
                        self.eval(a);
                    });
                    return Value::FredBuilder;
                }
                ("Client" | "RedisClient" | "Pool" | "RedisPool", "new") if args.len() >= 2 => {
                    args.iter().for_each(|a| {
                        self.eval(a);
                    });
                    let command_timeout = if is_none(args[1]) {
                        FredTimeout::Missing
                    } else {
                        FredTimeout::Set
                    };
                    let pool = type_seg.ends_with("Pool");
                    let what = format!("{type_seg}::new");
                    let kind = if pool {
                        ConnKind::FredPool
                    } else {
                        ConnKind::FredClient
                    };
                    let reconnect = args.get(3).is_some_and(|a| !is_none(a));
                    let creation = CreationKind::FredClient {
                        command_timeout,
                        reconnect,
                    };
                    return self.create(creation, (Lib::Fred, kind), &what, span, Recv::Unknown);
                }
                ("Client" | "RedisClient", "default") => {
                    let missing = CreationKind::FredClient {
                        command_timeout: FredTimeout::Missing,
                        reconnect: false,
                    };
                    return self.create(
                        missing,
                        (Lib::Fred, ConnKind::FredClient),
                        "Client::default",
                        span,
                        Recv::Unknown,
                    );
                }
                ("Config" | "RedisConfig", "from_url" | "from_url_clustered")
                    if last == "from_url_clustered"
                        || args
                            .first()
                            .and_then(|a| lit_str(a))
                            .is_some_and(|u| u.contains("-cluster://")) =>
                {
                    self.facts.uses_cluster = true;
                    self.note_fred_cluster_config(span);
                }
                ("ServerConfig", "default_clustered" | "new_clustered") => {
                    self.note_fred_cluster_config(span);
                }
                (t, method)
                    if (t.ends_with("Interface") || t == "ClientLike") && !args.is_empty() =>
                {
                    let recv = self.eval(args[0]).recv();
                    if let Some(spec) = methods::lookup(Api::Fred, method, args.len() - 1) {
                        self.method_call(Api::Fred, spec, recv, &args[1..], span, None);
                        self.name_last_call(name_span);
                        return Value::Unknown;
                    }
                }
                _ => {}
            }
        }
        // `tokio::time::timeout(d, fut)`: `fut` is dropped when time runs out.
        let is_timeout = matches!(
            (krate, last.as_str()),
            ("tokio", "timeout" | "timeout_at") | ("async_std", "timeout")
        );
        if is_timeout && args.len() == 2 {
            self.eval(args[0]);
            self.eval_cancellable(args[1]);
            return Value::Unknown;
        }
        // A spawned task or thread runs to completion even when the future
        // holding its handle is dropped.
        let spawns = matches!(
            (krate, last.as_str()),
            ("tokio" | "async_std" | "std", "spawn" | "spawn_blocking")
        );
        if spawns && self.cancel_depth > 0 {
            let saved = std::mem::take(&mut self.cancel_depth);
            args.iter().for_each(|a| {
                self.eval(a);
            });
            self.cancel_depth = saved;
            return Value::Unknown;
        }
        // A deadpool manager with its own `AsyncConnectionConfig`: its pool's
        // response timeout is not the library default.
        if krate == "deadpool_redis" && type_seg == "Manager" && last == "new_with_config" {
            self.facts.deadpool_manager_config = true;
        }
        if krate == "deadpool_redis" && type_seg == "Config" {
            args.iter().for_each(|a| {
                self.eval(a);
            });
            let cluster = full.iter().any(|s| s == "cluster");
            self.facts.uses_cluster |= cluster;
            return Value::DeadpoolConfig { cluster };
        }
        if (krate == "bb8" || krate == "r2d2") && type_seg == "Pool" {
            let lib = if krate == "bb8" { Lib::Bb8 } else { Lib::R2d2 };
            let redis_pool = self.mentions_redis || self.uses.imports_crate("bb8_redis");
            if last == "builder" && redis_pool {
                return Value::PoolBuilder(lib);
            }
            if last == "new" && redis_pool && args.len() == 1 {
                self.eval(args[0]);
                return self.create(
                    CreationKind::Pool,
                    (lib, ConnKind::Pool { cluster: false }),
                    "Pool::new",
                    span,
                    Recv::Unknown,
                );
            }
        }
        // Lazy statics: their initialiser runs once.
        if matches!(type_seg, "Lazy" | "LazyLock" | "LazyCell") && last == "new" {
            self.walk_closure_args(&c.args, ClosureKind::Init);
            return Value::Unknown;
        }
        // Router registration: `get(handler)`, `routing::post(h)`, `web::get()`.
        if ROUTE_FNS.contains(&last.as_str())
            && (segs.len() == 1
                || matches!(segs[0].as_str(), "routing" | "axum" | "web" | "actix_web"))
            && args.len() <= 2
        {
            self.route_args(&c.args);
            return Value::Router;
        }
        for a in &args {
            self.eval(a);
        }
        // A call to a plain fn: maybe a helper that takes a key, maybe a fn
        // that returns a connection.
        if is_fn_path(&segs) {
            let keys: Vec<RawKey> = args.iter().map(|a| self.key_of(a)).collect();
            let as_key = RawKey(vec![RawPart::Call {
                name: last.clone(),
                args: keys.clone(),
            }]);
            if !args.is_empty() {
                let (func, in_test) = (self.func(), self.in_test());
                self.facts.helper_calls.push(RawHelperCall {
                    func,
                    name: last.clone(),
                    args: keys,
                    in_test,
                });
            }
            return Value::FnResult(
                Recv::Path {
                    root: Root::FnReturn(last),
                    ops: Vec::new(),
                },
                as_key,
            );
        }
        if last == "new" || last == "default" || last == "with_capacity" || last == "from" {
            return Value::NotRedis;
        }
        Value::Unknown
    }
}
