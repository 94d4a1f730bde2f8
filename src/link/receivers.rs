//! Receivers: which Redis connection (if any) a method is called on,
//! typed through the crate's struct fields, statics and fn return types.

use super::symbols::Symbols;
use crate::extract::facts::{Op, Recv, Root};
use crate::extract::types::TypeClass;
use crate::model::{Conn, ConnKind, FileId, Lib, Origin};

/// What a receiver turned out to be.
pub(super) type Resolved = Result<Option<Conn>, NotRedis>;

/// The receiver is proven not to be a Redis connection.
#[derive(Debug, Clone, Copy)]
pub(super) struct NotRedis;

impl Symbols {
    /// Resolves a receiver to a Redis connection, `Err(NotRedis)` when it
    /// is proven not Redis, `Ok(None)` when unknown.
    pub(super) fn recv(&self, recv: &Recv, file: FileId) -> Resolved {
        self.recv_calling(recv, file, None)
    }

    /// Like `recv`, for a call of `method`: a newtype that derefs to a
    /// connection passes the methods it does not define itself on.
    pub(super) fn recv_calling(&self, recv: &Recv, file: FileId, method: Option<&str>) -> Resolved {
        match recv {
            Recv::Known {
                lib,
                kind,
                origin,
                cloned,
            } => Ok(Some(Conn {
                lib: *lib,
                kind: *kind,
                origin: *origin,
                cloned: *cloned,
            })),
            Recv::NotRedis => Err(NotRedis),
            Recv::Unknown => Ok(None),
            Recv::Path { root, ops } => self.path(root, ops, file, method),
        }
    }

    /// A receiver reached from a root through fields, clones, pool gets and
    /// calls.
    fn path(&self, root: &Root, ops: &[Op], file: FileId, method: Option<&str>) -> Resolved {
        let (class, mut origin) = match root {
            Root::Type { name, .. } => (TypeClass::Struct(name.clone()), Origin::Param),
            Root::Static(name) => match self.statics.get(name) {
                Some(c) => (c.clone(), Origin::Shared),
                None => return Ok(None),
            },
            Root::FnReturn(name) => match self.fn_returns.get(name) {
                Some(c) => (c.clone(), Origin::Local),
                None => return Ok(None),
            },
        };
        let mut class = self.unalias(class);
        let mut cloned = false;
        for op in ops {
            class = self.unalias(class);
            match (op, &class) {
                (Op::Field(f), TypeClass::Struct(s)) => {
                    let Some((krate, s)) = self.owner(s) else {
                        return Ok(None);
                    };
                    match krate.field(s, f, file) {
                        Some(c) => {
                            // A pool hands its managed type to one user at
                            // a time: not shared.
                            origin = if krate.pool_managed.contains(s) {
                                Origin::Local
                            } else {
                                Origin::Shared
                            };
                            class = Symbols::qualified(krate, self, c);
                        }
                        // A crate struct without that Redis field.
                        None if krate.struct_known(s)
                            && !krate.fields.contains_key(&(s.to_string(), f.clone())) =>
                        {
                            return Err(NotRedis)
                        }
                        None => return Ok(None),
                    }
                }
                (Op::Field(_), _) => return Ok(None),
                (Op::Clone, _) => cloned = true,
                (Op::Get, TypeClass::Redis(lib, ConnKind::Pool { cluster })) => {
                    class = TypeClass::Redis(*lib, ConnKind::Pooled { cluster: *cluster });
                }
                (Op::Get, _) => {}
                (Op::Call(name), TypeClass::Struct(s)) => {
                    let Some((krate, s)) = self.owner(s) else {
                        return Ok(None);
                    };
                    match krate.fn_returns.get(name) {
                        Some(c @ TypeClass::Redis(..)) => class = c.clone(),
                        // A crate type's own method: the crate's wrapper.
                        _ if krate.struct_known(s) => return Err(NotRedis),
                        // Another crate's type may hand out a connection.
                        _ => return Ok(None),
                    }
                }
                (Op::Call(name), TypeClass::Redis(Lib::RedisRs, client)) => {
                    // A redis-rs client's connection constructor (on a
                    // client made through another crate's re-export).
                    let Some(kind) = client_connection(name, *client) else {
                        return Ok(None);
                    };
                    class = TypeClass::Redis(Lib::RedisRs, kind);
                    origin = Origin::Local;
                }
                (Op::Call(_), TypeClass::Redis(..)) => return Ok(None),
                (Op::Call(_), _) => return Err(NotRedis),
            }
        }
        let class = match self.unalias(class) {
            TypeClass::Struct(s) => self.through_deref(s, method),
            class => class,
        };
        match class {
            TypeClass::Redis(lib, kind) => Ok(Some(Conn {
                lib,
                kind,
                origin,
                cloned,
            })),
            // A type that is not a connection (a crate-local one's methods
            // are the crate's own: wrappers are linted where they call Redis).
            TypeClass::Struct(_) | TypeClass::Other => Err(NotRedis),
            // A struct's unbounded type parameter: anything, a connection too.
            TypeClass::Param => Ok(None),
        }
    }
}

impl Symbols {
    /// A newtype's class for a call of `method`: its deref target's unless
    /// the newtype defines that method (then it is the crate's wrapper).
    fn through_deref(&self, name: String, method: Option<&str>) -> TypeClass {
        let Some((krate, short)) = self.owner(&name) else {
            // Another crate's type that is not linted in this run.
            return TypeClass::Struct(name);
        };
        let own = |m: &str| krate.impl_fns.contains(&(short.to_string(), m.to_string()));
        match (krate.derefs.get(short), method) {
            (Some(target), Some(m)) if !own(m) => {
                self.unalias(Symbols::qualified(krate, self, target.clone()))
            }
            _ => TypeClass::Struct(name),
        }
    }
}

/// The connection a redis-rs client's method `name` makes, as extraction
/// reads the same constructors on a client it knows.
fn client_connection(name: &str, client: ConnKind) -> Option<ConnKind> {
    let sync = match client {
        ConnKind::Client => ConnKind::Sync,
        ConnKind::ClusterClient => ConnKind::ClusterSync,
        _ => return None,
    };
    match name {
        "get_connection"
        | "get_connection_with_timeout"
        | "get_async_connection"
        | "get_tokio_connection"
        | "get_async_std_connection" => Some(sync),
        _ if name.starts_with("get_multiplexed") => Some(ConnKind::Multiplexed),
        _ if name.contains("connection_manager") => Some(ConnKind::Manager),
        _ => None,
    }
}

/// `self.con`, `state.redis.clone()`: the one struct field a receiver is
/// read from.
pub(super) fn conn_field(recv: &Recv) -> Option<(String, String)> {
    let Recv::Path {
        root: Root::Type { name, .. },
        ops,
    } = recv
    else {
        return None;
    };
    let mut fields = ops.iter().filter(|op| !matches!(op, Op::Clone | Op::Get));
    match (fields.next(), fields.next()) {
        (Some(Op::Field(f)), None) => Some((name.clone(), f.clone())),
        _ => None,
    }
}
