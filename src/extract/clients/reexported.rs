//! Client entry points reached through another crate's names: a prelude
//! or path of a crate of the workspace that re-exports a client's types
//! (`Client::open` with `use common::prelude::*`) or the client crate
//! itself (`common::redis_rs::cmd("GET")`). Extraction cannot see that
//! crate, so each is read as the client's, typed by (or marked with) the
//! path that linking must find to be the client's.

use crate::extract::calls::PathCall;
use crate::extract::facts::{Recv, Root};
use crate::extract::value::Value;
use crate::extract::Walker;
use crate::model::Api;

use super::{fred, redis_rs};

/// A client constructor, redis-rs raw command or pipeline that may come
/// through another crate's re-export (`Client::open` with `use
/// common::prelude::*`, `common::redis_rs::cmd("GET")`): read as the
/// client's, with the type or module path that linking must find to be
/// that client's. A client made is typed by that path, so what is called
/// on it is judged there too.
pub(in crate::extract) fn path_call(w: &mut Walker, pc: &PathCall) -> Option<Value> {
    let (_, written_type) = pc.segs.split_last()?;
    let (ty_seg, last) = (pc.type_seg.as_str(), pc.last.as_str());
    let client = match (ty_seg, last) {
        (_, "cmd") if pc.args.len() == 1 => {
            let via = w.uses.reexported_client_path(&pc.segs)?;
            let idx = w.raw_cmd(pc.args[0], pc.span, Api::RedisRs)?;
            w.facts.calls[idx].via = Some(via);
            return Some(Value::RawCmd(idx));
        }
        (_, "pipe") if pc.args.is_empty() => {
            let via = w.uses.reexported_client_path(&pc.segs)?;
            return pipe(w, pc, via);
        }
        ("Pipeline", "new" | "with_capacity") => {
            let via = w.uses.reexported_client_path(written_type)?;
            return pipe(w, pc, via);
        }
        ("Client", "open" | "build_with_tls") | ("ClusterClient", "new") => "redis",
        ("ConnectionManager", _) if last.starts_with("new") => "redis",
        // fred's `Client::new(config, perf, connection, policy)`.
        ("Client" | "Pool", "new") if pc.args.len() >= 2 => "fred",
        _ => return None,
    };
    let ty = w.uses.reexported_type(written_type)?;
    let before = w.facts.creations.len();
    match client {
        "fred" => fred::path_call(w, &as_client(pc, client))?,
        _ => redis_rs::path_call(w, &as_client(pc, client))?,
    };
    let typed = Recv::Path {
        root: Root::Type {
            name: ty,
            is_self: false,
        },
        ops: Vec::new(),
    };
    for c in &mut w.facts.creations[before..] {
        c.recv = typed.clone();
    }
    Some(Value::Conn(typed))
}

/// A redis-rs pipeline made through `via`, another crate's path
/// (`common::redis_rs::pipe()`), for linking to confirm.
fn pipe(w: &mut Walker, pc: &PathCall, via: String) -> Option<Value> {
    let value = redis_rs::path_call(w, &as_client(pc, "redis"))?;
    if let Value::Pipe(id) = value {
        w.facts.pipes[id as usize].via = Some(via);
    }
    Some(value)
}

/// The call as the client crate's own (`redis::Client::open`).
fn as_client<'a>(pc: &PathCall<'a>, client: &str) -> PathCall<'a> {
    PathCall {
        segs: pc.segs.clone(),
        full: vec![client.into(), pc.type_seg.clone(), pc.last.clone()],
        type_seg: pc.type_seg.clone(),
        last: pc.last.clone(),
        args: pc.args.clone(),
        span: pc.span,
        name_span: pc.name_span,
    }
}
