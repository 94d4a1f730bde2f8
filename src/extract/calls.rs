//! Calls through a path: client entry points (handed to the client
//! adapters), timeouts, spawns, lazy statics, route registration and
//! crate-local fns.

use syn::spanned::Spanned;
use syn::visit;
use syn::Expr;

use super::clients::{fred, pools, redis_rs, reexported};
use super::exprs::ClosureKind;
use super::facts::{Callee, RawKey, RawPart, Recv, Root};
use super::names::ROUTE_FNS;
use super::syntax::is_fn_path;
use super::types;
use super::value::Value;
use super::{flow, Walker};
use crate::model::Span;

/// A call through a path, with the path resolved through the file's `use`
/// items: what the client adapters recognise their entry points by.
pub(super) struct PathCall<'a> {
    /// The path as written.
    pub(super) segs: Vec<String>,
    /// The path with `use` aliases and re-exports expanded.
    pub(super) full: Vec<String>,
    /// The expanded path's segment before the last (`Client` in
    /// `redis::Client::open`), or "".
    pub(super) type_seg: String,
    /// The last segment as written.
    pub(super) last: String,
    pub(super) args: Vec<&'a Expr>,
    /// From the path to the closing parenthesis.
    pub(super) span: Span,
    /// Where the fn's own name is written.
    pub(super) name_span: proc_macro2::Span,
}

impl PathCall<'_> {
    /// The crate the expanded path starts with.
    pub(super) fn krate(&self) -> &str {
        self.full.first().map_or("", String::as_str)
    }
}

/// A redis-rs pipeline made through a crate's own re-export of `redis`
/// (`common::redis::pipe()`, `crate::db::redis::Pipeline::new()`). Only the
/// pipeline constructors are taken: a local module named `redis` may hold
/// fns of its own under other names.
fn reexported_pipe(pc: &PathCall) -> bool {
    let through_redis = pc.full.iter().skip(1).any(|s| s == "redis");
    let constructor = matches!(pc.last.as_str(), "pipe" | "cluster_pipe")
        || (matches!(pc.type_seg.as_str(), "Pipeline" | "ClusterPipeline")
            && matches!(pc.last.as_str(), "new" | "with_capacity"));
    through_redis && constructor
}

impl Walker {
    pub(super) fn call(&mut self, c: &syn::ExprCall) -> Value {
        let Expr::Path(fp) = &*c.func else {
            visit::visit_expr_call(self, c);
            return Value::Unknown;
        };
        let pc = self.path_call(c, &fp.path);
        // `serde_json::from_str(&raw)`: the decoded value's own uses count,
        // not this one.
        if flow::DECODERS.contains(&pc.last.as_str()) && pc.krate() != "redis" {
            self.looking_into += 1;
            self.eval_all(&pc.args);
            self.looking_into -= 1;
            return Value::Unknown;
        }
        let client = match pc.krate() {
            "redis" => redis_rs::path_call(self, &pc),
            "fred" => fred::path_call(self, &pc),
            "deadpool_redis" | "bb8" | "r2d2" => pools::path_call(self, &pc),
            _ if reexported_pipe(&pc) => redis_rs::path_call(self, &pc),
            _ => reexported::path_call(self, &pc),
        };
        if let Some(value) = client.or_else(|| self.task_call(&pc)) {
            return value;
        }
        self.plain_call(c, pc)
    }

    /// Resolves a call's path (and marks its segments).
    fn path_call<'a>(&mut self, c: &'a syn::ExprCall, path: &syn::Path) -> PathCall<'a> {
        let segs = types::path_segments(path);
        segs.iter().for_each(|s| self.mark(s));
        let full = types::strip_reexport(&self.uses.expand(&segs)).to_vec();
        let type_seg = full
            .len()
            .checked_sub(2)
            .map(|i| full[i].clone())
            .unwrap_or_default();
        PathCall {
            last: segs.last().cloned().unwrap_or_default(),
            type_seg,
            segs,
            full,
            args: c.args.iter().collect(),
            span: Span::join(c.func.span(), c.paren_token.span.close()),
            name_span: path
                .segments
                .last()
                .map_or_else(|| c.func.span(), |s| s.ident.span()),
        }
    }

    /// Evaluates each of a call's arguments.
    pub(super) fn eval_all(&mut self, args: &[&Expr]) {
        for a in args {
            self.eval(a);
        }
    }

    /// `tokio::time::timeout(d, fut)` and spawns: whether a future may be
    /// dropped before it completes.
    fn task_call(&mut self, pc: &PathCall) -> Option<Value> {
        let (krate, last, args) = (pc.krate(), pc.last.as_str(), &pc.args);
        // `tokio::time::timeout(d, fut)`: `fut` is dropped when time runs out.
        let is_timeout = matches!(
            (krate, last),
            ("tokio", "timeout" | "timeout_at") | ("async_std", "timeout")
        );
        if is_timeout && args.len() == 2 {
            self.eval(args[0]);
            self.eval_cancellable(args[1]);
            return Some(Value::Unknown);
        }
        // A spawned task or thread runs to completion even when the future
        // holding its handle is dropped.
        let spawns = matches!(
            (krate, last),
            ("tokio" | "async_std" | "std", "spawn" | "spawn_blocking")
        );
        if spawns && self.cancel_depth > 0 {
            let saved = std::mem::take(&mut self.cancel_depth);
            self.eval_all(args);
            self.cancel_depth = saved;
            return Some(Value::Unknown);
        }
        None
    }

    /// A call no client claims: a lazy static, a route registration, a
    /// crate-local fn (a key helper or a fn returning a connection), or a
    /// constructor of something else.
    fn plain_call(&mut self, c: &syn::ExprCall, pc: PathCall) -> Value {
        let PathCall {
            segs,
            full,
            type_seg,
            last,
            args,
            span,
            ..
        } = pc;
        // Lazy statics: their initialiser runs once.
        if matches!(type_seg.as_str(), "Lazy" | "LazyLock" | "LazyCell") && last == "new" {
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
        // A warp filter (`warp::path("x")`, `warp::any()`): its handlers
        // come in through `.and_then(h)`.
        if full.first().is_some_and(|f| f == "warp") {
            args.iter().for_each(|a| {
                self.eval(a);
            });
            return Value::Router;
        }
        for a in &args {
            self.eval(a);
        }
        self.note_path_fn_call(&full, span);
        // A call to a plain fn: maybe a helper that takes a key, maybe a fn
        // that returns a connection.
        if is_fn_path(&segs) {
            let keys: Vec<RawKey> = args.iter().map(|a| self.key_of(a)).collect();
            let as_key = self.bounded(RawKey(vec![RawPart::Call {
                name: last.clone(),
                args: keys.clone(),
            }]));
            if !args.is_empty() {
                let callee = match full.as_slice() {
                    [krate, _, ..] if krate != "crate" && krate != "self" && krate != "super" => {
                        Callee::InCrate(krate.clone())
                    }
                    _ => Callee::Local,
                };
                self.note_helper_call(last.clone(), callee, (&args, keys), span);
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
