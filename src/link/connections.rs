//! Connections: client and pool creations (with their timeouts, consts
//! substituted), connections held under locks or stored in structs,
//! pub/sub uses, disabled timeouts.

use std::collections::HashMap;

use super::symbols::Symbols;
use super::FileLink;
use crate::extract::facts::{Op, RawCreation, Recv, Root};
use crate::model::{
    ConnTimeout, CrateModel, Creation, CreationKind, DisabledTimeout, FnInfo, FredTimeout, Lib,
    LockedConnection, PubSubUse, StoredConnection, Timeout,
};

impl Symbols {
    /// A connection timeout with its consts substituted: `Millis` when they
    /// are known, `Unknown` when not.
    pub(super) fn conn_timeout(&self, t: &ConnTimeout) -> ConnTimeout {
        match t {
            ConnTimeout::Named {
                name,
                unit_ms: Some(unit),
            } => self
                .num_consts
                .get(name)
                .map_or(ConnTimeout::Unknown, |n| ConnTimeout::Millis(n * unit)),
            ConnTimeout::Named {
                name,
                unit_ms: None,
            } => self
                .duration_consts
                .get(name)
                .map_or(ConnTimeout::Unknown, |ms| ConnTimeout::Millis(*ms)),
            other => other.clone(),
        }
    }

    /// A command timeout with its const substituted, when known.
    pub(super) fn timeout(&self, t: &Timeout) -> Timeout {
        match t {
            Timeout::Named(name) => match self.num_consts.get(name) {
                Some(n) => Timeout::Value(*n),
                None => t.clone(),
            },
            v => v.clone(),
        }
    }
}

impl FileLink<'_> {
    /// Adds the file's client and pool creations; marks the fns creating
    /// them as setup or handler code; records which struct fields hold them.
    pub(super) fn creations(&self, model: &mut CrateModel) {
        // Raw creation index in this file → index in `model.creations`.
        let mut creation_ids: HashMap<usize, usize> = HashMap::new();
        for (raw_idx, raw) in self.facts.creations.iter().enumerate() {
            if self.skipped(raw.in_test) {
                continue;
            }
            // `get_connection()` on something that is not a redis Client.
            match self.symbols.recv(&raw.recv, self.id) {
                Err(_) => continue,
                Ok(Some(c)) if c.lib != raw.lib && c.lib != Lib::RedisRs => continue,
                // `Client::new(..)` through a prelude whose `Client` proves
                // to be redis-rs's: not a fred client.
                Ok(Some(c)) if c.lib != raw.lib && raw.lib == Lib::Fred => continue,
                _ => {}
            }
            let func = self.fn_base + raw.func;
            let info = &mut model.fns[func as usize];
            let kind = fred_settings(raw.kind, info);
            let response_timeout = self.response_timeout(raw, kind);
            if raw.in_init {
                info.is_setup = true;
            }
            if raw.in_handler_closure {
                info.is_handler = true;
                info.is_setup = false;
            }
            model.creations.push(Creation {
                kind,
                makes: raw.makes,
                lib: raw.lib,
                what: raw.what.clone(),
                span: raw.span,
                file: self.id,
                func,
                seq: raw.seq,
                in_loop: raw.in_loop,
                binding: raw.binding.clone(),
                on_field: on_field(&raw.recv),
                response_timeout,
                via: None,
            });
            creation_ids.insert(raw_idx, model.creations.len() - 1);
        }
        for (owner, field, raw_idx) in &self.facts.field_creations {
            if let Some(&id) = creation_ids.get(raw_idx) {
                model
                    .field_creations
                    .entry((owner.clone(), field.clone()))
                    .or_default()
                    .push(id);
            }
        }
    }

    /// The creation's response timeout. The fred command timeout is
    /// written in a closure or a `PerformanceConfig` literal of the same
    /// fn: one value there is this client's; none or several, unknown.
    fn response_timeout(&self, raw: &RawCreation, kind: CreationKind) -> ConnTimeout {
        let CreationKind::FredClient {
            command_timeout: FredTimeout::Set,
            ..
        } = kind
        else {
            return self.symbols.conn_timeout(&raw.response_timeout);
        };
        let mut written = self
            .facts
            .fred_command_timeouts
            .iter()
            .filter(|(f, _)| *f == raw.func)
            .map(|(_, t)| self.symbols.conn_timeout(t));
        match (written.next(), written.next()) {
            (Some(t), None) => t,
            _ => ConnTimeout::Unknown,
        }
    }

    /// Adds the connections held under locks and stored in structs, the
    /// pub/sub uses and the disabled timeouts.
    pub(super) fn held_connections(&self, model: &mut CrateModel) {
        let facts = self.facts;
        for l in &facts.locked_connections {
            if !self.skipped(l.in_test) {
                model.locked_connections.push(LockedConnection {
                    file: self.id,
                    span: l.span,
                    lock: l.lock.clone(),
                    kind: l.kind,
                    field: l.field.clone(),
                    lazy: l.lazy,
                });
            }
        }
        for p in &facts.pubsub_uses {
            if self.skipped(p.in_test) {
                continue;
            }
            if let Ok(Some(conn)) = self.symbols.recv(&p.recv, self.id) {
                model.pubsub_uses.push(PubSubUse {
                    file: self.id,
                    span: p.span,
                    func: self.fn_base + p.func,
                    method: p.method.clone(),
                    conn,
                    in_handler: p.in_handler_closure,
                });
            }
        }
        for s in &facts.stored_connections {
            // A pool validates and replaces the values it hands out.
            let owner = s.owner.split(['.', ':']).next().unwrap_or_default();
            if !self.skipped(s.in_test) && !self.symbols.pool_managed.contains(owner) {
                model.stored_connections.push(StoredConnection {
                    file: self.id,
                    span: s.span,
                    owner: s.owner.clone(),
                    kind: s.kind,
                });
            }
        }
        for (span, in_test) in &facts.disabled_timeouts {
            if !self.skipped(*in_test) {
                model.disabled_timeouts.push(DisabledTimeout {
                    span: *span,
                    file: self.id,
                });
            }
        }
    }
}

/// A fred client's command timeout and reconnect policy may be set
/// elsewhere in the fn that creates it.
fn fred_settings(kind: CreationKind, info: &FnInfo) -> CreationKind {
    let CreationKind::FredClient {
        command_timeout,
        reconnect,
    } = kind
    else {
        return kind;
    };
    let command_timeout = match command_timeout {
        FredTimeout::Missing if info.sets_fred_command_timeout => FredTimeout::Set,
        t => t,
    };
    CreationKind::FredClient {
        command_timeout,
        reconnect: reconnect || info.sets_reconnect_policy,
    }
}

/// The struct field a constructor is called on: `self.client` in
/// `self.client.get_connection()`.
fn on_field(recv: &Recv) -> Option<(String, String)> {
    match recv {
        Recv::Path {
            root: Root::Type { name, .. },
            ops,
        } => match ops.first() {
            Some(Op::Field(field)) => Some((name.clone(), field.clone())),
            _ => None,
        },
        _ => None,
    }
}
