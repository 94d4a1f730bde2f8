//! The abstract values the walker tracks through bindings, fields and
//! method chains.

use super::facts::{Op, RawKey, Recv, Root};
use crate::model::{ConnKind, ConnTimeout, Lib, Opts, Origin};

#[derive(Debug, Clone)]
pub(super) enum Value {
    /// A Redis value, or a path to a value whose type decides.
    Conn(Recv),
    Pipe(u32),
    /// A raw command under construction (index into `facts.calls`).
    RawCmd(usize),
    /// A raw command inside a pipeline.
    PipeCmd(u32, usize),
    Script(Vec<RawKey>),
    FredBuilder,
    ClusterBuilder,
    DeadpoolConfig {
        cluster: bool,
    },
    PoolBuilder(Lib),
    /// `SetOptions`, `StreamReadOptions`, `FlushAllOptions` built in code.
    Options {
        opts: Opts,
        group: bool,
    },
    Key(RawKey),
    Num(f64),
    /// An axum `MethodRouter` or actix route: `.post(h)` / `.to(h)` register h.
    Router,
    /// An UPPER_CASE path: a const (as a key) or a static (as a receiver).
    Global(String),
    /// The result of a crate-local fn: a connection or a key, resolution
    /// will tell.
    FnResult(Recv, RawKey),
    /// redis-rs `AsyncConnectionConfig` / `ConnectionManagerConfig`, with
    /// the response timeout set on it so far.
    RedisConfig(ConnTimeout),
    NotRedis,
    Unknown,
}

impl Value {
    pub(super) fn recv(&self) -> Recv {
        match self {
            Value::Conn(r) | Value::FnResult(r, _) => r.clone(),
            Value::Global(name) => Recv::Path {
                root: Root::Static(name.clone()),
                ops: Vec::new(),
            },
            Value::NotRedis
            | Value::Key(_)
            | Value::Num(_)
            | Value::Options { .. }
            | Value::Router => Recv::NotRedis,
            _ => Recv::Unknown,
        }
    }
}

/// What a method chain did with a command's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tail {
    /// Nothing (maybe `.await`): the `Result` is the chain's value.
    Nothing,
    /// `?`, `.unwrap()`, `.expect(..)`, a match on it…
    Handled,
    /// `.ok()`: an `Option` that drops the error.
    Ok,
}

pub(super) fn local(lib: Lib, kind: ConnKind) -> Recv {
    Recv::Known {
        lib,
        kind,
        origin: Origin::Local,
        cloned: false,
    }
}

/// Longest path of fields and methods a receiver is followed through
/// (real ones have a few: `self.pool.get().await`). Each binding holds its
/// own path, so `let b = a.clone();` repeated would grow them per line.
const MAX_PATH_OPS: usize = 32;

/// Applies a field access, `.get()` or `.clone()` to a receiver.
pub(super) fn push_op(recv: Recv, op: Op) -> Recv {
    match recv {
        Recv::Path { ops, .. } if ops.len() >= MAX_PATH_OPS => Recv::Unknown,
        Recv::Path { root, mut ops } => {
            ops.push(op);
            Recv::Path { root, ops }
        }
        Recv::Known {
            lib,
            kind,
            origin,
            cloned,
        } => match op {
            Op::Clone => Recv::Known {
                lib,
                kind,
                origin,
                cloned: true,
            },
            Op::Get => match kind {
                ConnKind::Pool { cluster } => Recv::Known {
                    lib,
                    kind: ConnKind::Pooled { cluster },
                    origin,
                    cloned,
                },
                _ => Recv::Known {
                    lib,
                    kind,
                    origin,
                    cloned,
                },
            },
            Op::Field(_) | Op::Call(_) => Recv::Unknown,
        },
        other => other,
    }
}

/// The response timeout a config argument carries; `Unknown` when the
/// argument is not a config built in this fn.
pub(super) fn config_timeout(value: Option<&Value>) -> ConnTimeout {
    match value {
        Some(Value::RedisConfig(t)) => t.clone(),
        _ => ConnTimeout::Unknown,
    }
}
