//! `conn-blocking-exceeds-timeout`: a blocking command waits longer than the
//! connection's response timeout allows.

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::model::{Call, Conn, ConnKind, ConnTimeout, CrateModel, Creation, CreationKind, FredTimeout, Lib, Origin, Timeout};
use crate::rules::{Check, Rule, RuleContext, Sink};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "conn-blocking-exceeds-timeout",
        // Also guide section 4.1 (blocking commands); the doc row says so.
        section: "3.1",
        impact: Impact::High,
        default: Activation::On,
        summary: "a blocking command waits longer than the connection's response timeout allows",
        doc: include_str!("../../../rules/conn-blocking-exceeds-timeout.md"),
        hides_source: false,
        examples: InExamples::Reported,
        fixable: Fixable::No,
    },
    check: Check::Code(blocking_exceeds_timeout),
    options: None,
    guide_also: &["4.1"],
};

/// The client-side limit a connection puts on one command.
#[derive(Debug, Clone, PartialEq)]
enum Limit {
    /// Gives up after this many milliseconds; the text says where it comes from.
    Millis(f64, String),
    /// Waits as long as the server takes.
    None,
    /// Set somewhere the linter cannot read, or a client version it does
    /// not know.
    Unknown,
}

fn blocking_exceeds_timeout(ctx: &RuleContext, sink: &mut Sink) {
    let model = ctx.model;
    for call in &model.calls {
        if !call.is_blocking() || call.pipe.is_some() {
            continue;
        }
        let Some(Timeout::Value(t)) = call.opts.timeout else {
            continue;
        };
        // Zero blocks forever: cmd-blocking-zero-timeout's finding.
        let Some(conn) = call.conn.filter(|_| t > 0.0) else {
            continue;
        };
        let stream = matches!(call.command.as_str(), "XREAD" | "XREADGROUP");
        let blocking_ms = if stream { t } else { t * 1000.0 };
        let Limit::Millis(limit_ms, source) = limit_for(model, call, conn) else {
            continue;
        };
        if blocking_ms < limit_ms {
            continue;
        }
        let on = match (&call.conn_binding, &call.conn_field) {
            (Some(b), _) => format!(" on `{b}`"),
            (None, Some((owner, field))) => format!(" on `{owner}.{field}`"),
            (None, None) => String::new(),
        };
        sink.report(
            call.file,
            call.span,
            format!(
                "{} blocks for up to {}{on}, but this {} gives up after {} ({source}): the client times out \
                 first, and an element the server pops after that is lost with the dropped reply",
                call.command,
                duration(blocking_ms),
                conn.kind.describe(),
                duration(limit_ms),
            ),
            "keep the blocking timeout below the response timeout, or run blocking commands on a dedicated \
             connection whose response timeout is longer (`AsyncConnectionConfig::new().set_response_timeout(..)`, \
             fred `default_command_timeout`, sync `set_read_timeout`)"
                .to_string(),
        );
    }
}

fn duration(ms: f64) -> String {
    if ms >= 1000.0 && ms % 1000.0 == 0.0 {
        format!("{} s", ms / 1000.0)
    } else {
        format!("{ms} ms")
    }
}

/// The limit in force for the connection a call runs on: the creation its
/// variable was bound to in the same fn, else the one limit the creations
/// put into its struct field agree on, else the one limit every creation of
/// that kind in the crate agrees on.
fn limit_for(model: &CrateModel, call: &Call, conn: Conn) -> Limit {
    if conn.origin == Origin::Local {
        let linked = model
            .creations
            .iter()
            .filter(|c| {
                // Same kind too: a later `let con = pool.get()` shadows it.
                c.func == call.func
                    && c.seq < call.seq
                    && c.makes == conn.kind
                    && c.binding.is_some()
                    && c.binding == call.conn_binding
            })
            .max_by_key(|c| c.seq);
        if let Some(c) = linked {
            return creation_limit(model, c);
        }
    }
    // `self.con`: the connections the crate's struct literals put in that field.
    if let Some(filled) = call
        .conn_field
        .as_ref()
        .and_then(|f| model.field_creations.get(f))
    {
        let limits = filled
            .iter()
            .map(|&i| &model.creations[i])
            .filter(|c| makes_same(c, conn))
            .map(|c| creation_limit(model, c));
        return agreed(limits);
    }
    agreed(
        model
            .creations
            .iter()
            .filter(|c| makes_same(c, conn))
            .map(|c| creation_limit(model, c)),
    )
}

/// The one limit all candidates share; `Unknown` when they differ or there
/// are none.
fn agreed(mut limits: impl Iterator<Item = Limit>) -> Limit {
    let Some(first) = limits.next() else {
        return Limit::Unknown;
    };
    if limits.all(|l| l == first) {
        first
    } else {
        Limit::Unknown
    }
}

/// Whether a creation makes connections like `conn` (for a pooled
/// connection: a pool of the same library).
fn makes_same(c: &Creation, conn: Conn) -> bool {
    match conn.kind {
        ConnKind::Pooled { .. } => c.kind == CreationKind::Pool && c.lib == conn.lib,
        ConnKind::Multiplexed | ConnKind::Manager | ConnKind::Sync => {
            c.lib == Lib::RedisRs && c.makes == conn.kind
        }
        ConnKind::FredClient | ConnKind::FredPool => c.lib == Lib::Fred && c.makes == conn.kind,
        _ => false,
    }
}

fn creation_limit(model: &CrateModel, c: &Creation) -> Limit {
    match &c.response_timeout {
        // fred reads a zero `default_command_timeout` as "no timeout".
        ConnTimeout::Millis(ms) if *ms <= 0.0 && c.lib == Lib::Fred => Limit::None,
        ConnTimeout::Millis(ms) if *ms <= 0.0 => Limit::Unknown,
        ConnTimeout::Millis(ms) => Limit::Millis(*ms, format!("set where `{}` makes it", c.what)),
        ConnTimeout::Disabled => Limit::None,
        ConnTimeout::Named { .. } | ConnTimeout::Unknown => Limit::Unknown,
        ConnTimeout::LibraryDefault => default_limit(model, c),
    }
}

/// What a connection made without a timeout setting gets from its library.
fn default_limit(model: &CrateModel, c: &Creation) -> Limit {
    // redis-rs 1.x: `DEFAULT_RESPONSE_TIMEOUT` (500 ms) for multiplexed
    // connections and ConnectionManager; 0.x had none.
    const REDIS_1X: f64 = 500.0;
    let version = |name: &str| model.manifest.client(name).and_then(|d| d.version());
    match (c.lib, c.kind, c.makes) {
        (
            Lib::RedisRs,
            CreationKind::AsyncConnection { .. },
            ConnKind::Multiplexed | ConnKind::Manager,
        ) => match version("redis") {
            Some((0, _)) => Limit::None,
            Some(_) => Limit::Millis(REDIS_1X, "the redis-rs 1.x default response timeout".into()),
            None => Limit::Unknown,
        },
        // Sync connections (and 0.x `aio::Connection`) wait without limit
        // unless `set_read_timeout` is called.
        (Lib::RedisRs, _, ConnKind::Sync) => Limit::None,
        // Both pools open plain multiplexed connections through redis-rs
        // 1.x from these versions on (deadpool-redis 0.23, bb8-redis 0.26).
        // A pool built from `Manager::new_with_config` is not a creation the
        // linter sees, so the defaults of the others prove nothing.
        (Lib::Deadpool, CreationKind::Pool, _) if model.deadpool_manager_config => Limit::Unknown,
        (Lib::Deadpool, CreationKind::Pool, _) => match version("deadpool-redis") {
            Some((0, minor)) if minor >= 23 => Limit::Millis(
                REDIS_1X,
                "the redis-rs 1.x default response timeout of deadpool-redis connections".into(),
            ),
            Some((major, _)) if major >= 1 => Limit::Millis(
                REDIS_1X,
                "the redis-rs 1.x default response timeout of deadpool-redis connections".into(),
            ),
            _ => Limit::Unknown,
        },
        (Lib::Bb8, CreationKind::Pool, _) => match version("bb8-redis") {
            Some((0, minor)) if minor >= 26 => Limit::Millis(
                REDIS_1X,
                "the redis-rs 1.x default response timeout of bb8-redis connections".into(),
            ),
            _ => Limit::Unknown,
        },
        (Lib::R2d2, CreationKind::Pool, _) => Limit::None,
        // fred: `default_command_timeout` is 0 (none) unless set.
        (
            Lib::Fred,
            CreationKind::FredClient {
                command_timeout: FredTimeout::Missing,
                ..
            },
            _,
        ) => Limit::None,
        _ => Limit::Unknown,
    }
}
