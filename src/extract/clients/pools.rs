//! Connection pools: deadpool-redis (`Config`, `create_pool`, its
//! `Manager`), bb8 and r2d2 (`Pool::new`, `Pool::builder().build(..)`).
//! `pool.get()` itself is an `Op::Get` on the receiver (see `push_op`).

use syn::ExprMethodCall;

use crate::extract::calls::PathCall;
use crate::extract::connections::ConnMethod;
use crate::extract::facts::Recv;
use crate::extract::value::Value;
use crate::extract::Walker;
use crate::model::{ConnKind, CreationKind, Lib, Span};

/// A call through a `deadpool_redis::`, `bb8::` or `r2d2::` path; `None`
/// when it is none of their entry points.
pub(in crate::extract) fn path_call(w: &mut Walker, pc: &PathCall) -> Option<Value> {
    let (krate, type_seg, last) = (pc.krate(), pc.type_seg.as_str(), pc.last.as_str());
    // A deadpool manager with its own `AsyncConnectionConfig`: its pool's
    // response timeout is not the library default.
    if krate == "deadpool_redis" && type_seg == "Manager" && last == "new_with_config" {
        w.facts.deadpool_manager_config = true;
    }
    if krate == "deadpool_redis" && type_seg == "Config" {
        w.eval_all(&pc.args);
        return Some(deadpool_config(w, &pc.full));
    }
    if (krate == "bb8" || krate == "r2d2") && type_seg == "Pool" {
        let lib = if krate == "bb8" { Lib::Bb8 } else { Lib::R2d2 };
        let redis_pool = w.mentions_redis || w.uses.imports_crate("bb8_redis");
        if last == "builder" && redis_pool {
            return Some(Value::PoolBuilder(lib));
        }
        if last == "new" && redis_pool && pc.args.len() == 1 {
            w.eval(pc.args[0]);
            return Some(w.create(
                CreationKind::Pool,
                (lib, ConnKind::Pool { cluster: false }),
                "Pool::new",
                pc.span,
                Recv::Unknown,
            ));
        }
    }
    None
}

/// A deadpool-redis `Config` (cluster or not, by its module path).
fn deadpool_config(w: &mut Walker, full: &[String]) -> Value {
    let cluster = full.iter().any(|s| s == "cluster");
    w.facts.uses_cluster |= cluster;
    Value::DeadpoolConfig { cluster }
}

/// `deadpool_redis::Config { .. }` written as a struct literal.
pub(in crate::extract) fn struct_literal(
    w: &mut Walker,
    full: &[String],
    last: &str,
) -> Option<Value> {
    let deadpool = full.first().is_some_and(|f| f == "deadpool_redis") && last == "Config";
    deadpool.then(|| deadpool_config(w, full))
}

/// A method on a deadpool `Config`: `create_pool` makes the pool.
pub(in crate::extract) fn deadpool_config_method(
    w: &mut Walker,
    cluster: bool,
    m: &ExprMethodCall,
) -> Value {
    w.eval_args(m);
    match m.method.to_string().as_str() {
        "create_pool" => {
            let span = Span::join(m.method.span(), m.paren_token.span.close());
            w.create(
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

/// A method on a pool builder: `build` makes the pool.
pub(in crate::extract) fn builder_method(w: &mut Walker, lib: Lib, m: &ExprMethodCall) -> Value {
    w.eval_args(m);
    let name = m.method.to_string();
    if !matches!(name.as_str(), "build" | "build_unchecked") {
        return Value::PoolBuilder(lib);
    }
    let span = Span::join(m.method.span(), m.paren_token.span.close());
    w.create(
        CreationKind::Pool,
        (lib, ConnKind::Pool { cluster: false }),
        &name,
        span,
        Recv::Unknown,
    )
}

/// `cfg.create_pool(runtime)` on a value of unknown type in a file that
/// uses deadpool-redis; `None` for other methods.
pub(in crate::extract) fn conn_method(w: &mut Walker, cm: &ConnMethod) -> Option<Value> {
    if cm.name != "create_pool" || cm.argc != 1 || !w.mentions_deadpool || cm.known.is_some() {
        return None;
    }
    w.eval_args(cm.m);
    Some(w.create(
        CreationKind::Pool,
        (Lib::Deadpool, ConnKind::Pool { cluster: false }),
        "create_pool",
        cm.span,
        cm.recv.clone(),
    ))
}
