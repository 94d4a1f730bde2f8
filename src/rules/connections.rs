//! Guide section 3: connection management.

use std::collections::BTreeMap;

use super::{Check, Default, Impact, Rule, Sink};
use crate::model::{
    ConnKind, CrateModel, Creation, CreationKind, FredTimeout, Lib, LoopKind, Swallow,
};

/// The rules of this section, in guide order.
pub static RULES: &[&Rule] = &[
    &CLIENT_PER_REQUEST,
    &COMMAND_IN_LOOP,
    &MISSING_TIMEOUT,
    &LOCKED_CONNECTION,
    &SWALLOWED_ERROR,
    &NO_RECONNECT,
    &STORED_CONNECTION,
];

pub static CLIENT_PER_REQUEST: Rule = Rule {
    id: "conn-client-per-request",
    section: "3.4",
    impact: Impact::Critical,
    default: Default::On,
    summary: "a client, connection or pool created per request, per loop iteration or per call",
    doc: include_str!("../../rules/conn-client-per-request.md"),
    check: Check::Code(client_per_request),
};

fn client_per_request(model: &CrateModel, sink: &mut Sink) {
    let mut by_fn: BTreeMap<u32, Vec<&Creation>> = BTreeMap::new();
    for c in &model.creations {
        by_fn.entry(c.func).or_default().push(c);
    }
    for (func, creations) in by_fn {
        let info = model.func(func);
        if info.is_main || info.is_setup {
            continue;
        }
        let first = creations[0];
        let calls_in_fn = || model.calls.iter().filter(move |c| c.func == func);
        let (site, why) = if let Some(c) = creations.iter().find(|c| c.in_loop) {
            (*c, "on every iteration of a loop".to_string())
        } else if info.is_handler {
            (
                first,
                format!(
                    "in request handler `{}`, so every request pays for it",
                    info.name
                ),
            )
        } else if takes_request_input(&info.params)
            && calls_in_fn().next().is_some()
            && calls_in_fn().all(|c| c.in_loop.is_none())
        {
            (
                first,
                format!(
                    "each time `{}` runs, only to issue a few commands",
                    info.name
                ),
            )
        } else {
            continue;
        };
        sink.report(
            site.file,
            site.span,
            format!(
                "`{}` opens a new {} {why}: a TCP (and TLS/AUTH) handshake per use adds latency and can exhaust \
                 the server's connection limit",
                site.what,
                made(site)
            ),
            "create the client or pool once at startup and share it (app state, a struct field, a `OnceLock`); \
             `MultiplexedConnection`, `ConnectionManager` and fred clients are cheap to clone"
                .to_string(),
        );
    }
}

/// A fn that takes per-call input (an id, a key, a payload) is run per
/// request or per item; one that only takes its connection settings is not.
fn takes_request_input(params: &[String]) -> bool {
    const SETTINGS: &[&str] = &[
        "url", "uri", "addr", "address", "host", "config", "cfg", "conf", "settings", "opts",
        "options", "dsn",
    ];
    params.iter().any(|p| {
        let lower = p.to_ascii_lowercase();
        !lower.split('_').any(|w| SETTINGS.contains(&w))
    })
}

fn made(c: &Creation) -> &'static str {
    match c.kind {
        CreationKind::Pool => "pool",
        CreationKind::Client | CreationKind::FredClient { .. } => "client",
        _ => "connection",
    }
}

pub static COMMAND_IN_LOOP: Rule = Rule {
    id: "conn-command-in-loop",
    section: "3.5",
    impact: Impact::High,
    default: Default::On,
    summary: "one round trip per loop item where a pipeline or a multi-key command would do",
    doc: include_str!("../../rules/conn-command-in-loop.md"),
    check: Check::Code(command_in_loop),
};

fn batch_hint(command: &str) -> &'static str {
    match command {
        "GET" => "one MGET",
        "SET" => "one MSET (or a pipeline when each key needs its own expiry)",
        "HGET" | "HGETALL" => "a pipeline, or HMGET for several fields of one hash",
        "SADD" | "RPUSH" | "LPUSH" | "ZADD" | "DEL" | "UNLINK" | "SREM" | "HDEL" => {
            "one variadic call with all items, or a pipeline"
        }
        _ => "a pipeline (`redis::pipe()`, fred `pipeline()`) sent once after the loop",
    }
}

fn command_in_loop(model: &CrateModel, sink: &mut Sink) {
    for call in &model.calls {
        let Some(ctx) = call.in_loop else { continue };
        let iterating = matches!(ctx.kind, LoopKind::For | LoopKind::IterClosure);
        if !iterating
            || !ctx.key_from_item
            || call.pipe.is_some()
            || call.is_blocking()
            || call.is("SCAN")
        {
            continue;
        }
        sink.report(
            call.file,
            call.span,
            format!(
                "{} runs once per loop item: N items cost N network round trips, and latency, not Redis, \
                 becomes the bottleneck",
                call.command
            ),
            format!("collect the keys and send {}", batch_hint(&call.command)),
        );
    }
}

pub static MISSING_TIMEOUT: Rule = Rule {
    id: "conn-missing-timeout",
    section: "3.1",
    impact: Impact::High,
    default: Default::On,
    summary:
        "a connection, client or pool that can wait forever on a stuck server or an empty pool",
    doc: include_str!("../../rules/conn-missing-timeout.md"),
    check: Check::Code(missing_timeout),
};

fn missing_timeout(model: &CrateModel, sink: &mut Sink) {
    let redis_major = model.manifest.client("redis").and_then(|d| d.major());
    for c in &model.creations {
        let info = model.func(c.func);
        let problem = match c.kind {
            CreationKind::SyncConnection { with_connect_timeout } if c.makes == ConnKind::Sync => {
                let set = match &c.binding {
                    Some(b) => info.sets_read_timeout.contains(b),
                    None => !info.sets_read_timeout.is_empty(),
                };
                (!set).then(|| {
                    let bound = if with_connect_timeout { " (the timeout given bounds only connecting)" } else { "" };
                    (
                        format!("a sync connection from `{}` has no read timeout{bound}: one stuck reply hangs this thread forever", c.what),
                        "call `con.set_read_timeout(Some(Duration::from_secs(..)))` and `set_write_timeout` right after connecting".to_string(),
                    )
                })
            }
            CreationKind::AsyncConnection { with_config } if c.lib == Lib::RedisRs && redis_major == Some(0) => {
                (!with_config || !info.sets_response_timeout).then(|| {
                    (
                        format!(
                            "`{}` on redis-rs 0.x has no response timeout: a command waits forever if the server stops answering",
                            c.what
                        ),
                        "pass a config with `set_response_timeout` and `set_connection_timeout` (or upgrade to redis-rs 1.x, whose defaults are 500 ms / 1 s)".to_string(),
                    )
                })
            }
            CreationKind::Pool if c.lib == Lib::Deadpool && !info.sets_pool_wait_timeout => Some((
                "this deadpool-redis pool has no wait timeout: when every connection is busy, `pool.get()` waits forever".to_string(),
                "set `PoolConfig { timeouts: Timeouts { wait: Some(..), .. }, .. }` or `.wait_timeout(Some(..))` on the builder".to_string(),
            )),
            CreationKind::FredClient { command_timeout: FredTimeout::Missing, .. } => Some((
                format!("fred client from `{}` has no `default_command_timeout`: a command waits forever on a stalled connection", c.what),
                "build it with `.with_performance_config(|p| p.default_command_timeout = Duration::from_secs(..))`".to_string(),
            )),
            _ => None,
        };
        if let Some((message, help)) = problem {
            sink.report(c.file, c.span, message, help);
        }
    }
    for d in &model.disabled_timeouts {
        sink.report(
            d.file,
            d.span,
            "the response timeout is switched off: a command on this connection can wait forever".to_string(),
            "keep a bounded response timeout; for blocking commands use a dedicated connection whose timeout is \
             longer than the blocking timeout"
                .to_string(),
        );
    }
}

pub static LOCKED_CONNECTION: Rule = Rule {
    id: "conn-mutex-wrapped-connection",
    section: "3.4",
    impact: Impact::Critical,
    default: Default::On,
    summary: "a connection behind a Mutex/RwLock: every request waits for one socket",
    doc: include_str!("../../rules/conn-mutex-wrapped-connection.md"),
    check: Check::Code(locked_connection),
};

fn locked_connection(model: &CrateModel, sink: &mut Sink) {
    for l in &model.locked_connections {
        let help = match l.kind {
            ConnKind::Sync => "use a pool (r2d2, or deadpool/bb8 for async) so each caller gets its own connection",
            _ => "drop the lock: MultiplexedConnection, ConnectionManager and fred clients are cheap to clone and \
                  safe to share; clone one per task",
        };
        sink.report(
            l.file,
            l.span,
            format!(
                "a {} behind a `{}`: every caller queues for the lock, so the app talks to Redis one request at \
                 a time, and a slow command holds everyone",
                l.kind.describe(),
                l.lock
            ),
            help.to_string(),
        );
    }
}

pub static SWALLOWED_ERROR: Rule = Rule {
    id: "conn-swallowed-error",
    section: "3.3",
    impact: Impact::High,
    default: Default::On,
    summary: "a Redis command whose error is thrown away",
    doc: include_str!("../../rules/conn-swallowed-error.md"),
    check: Check::Code(swallowed_error),
};

fn swallowed_error(model: &CrateModel, sink: &mut Sink) {
    // Queued pipeline commands return the pipeline, not a reply.
    for call in model.calls.iter().filter(|c| c.pipe.is_none()) {
        let Some(how) = call.swallowed else { continue };
        let how = match how {
            Swallow::LetUnderscore => "`let _ =` drops its result",
            Swallow::OkStatement => "`.ok();` drops its result",
            Swallow::UnwrapOrDefault => {
                "`.unwrap_or_default()` turns its error into an empty value"
            }
        };
        sink.report(
            call.file,
            call.span,
            format!(
                "{} fails silently: {how}, so timeouts, lost connections and cluster redirections go unnoticed",
                call.command
            ),
            "propagate the error with `?`, or handle it: log it, count it, retry with backoff".to_string(),
        );
    }
}

pub static NO_RECONNECT: Rule = Rule {
    id: "conn-no-reconnect",
    section: "3.3",
    impact: Impact::High,
    default: Default::On,
    summary: "a fred client built without a ReconnectPolicy never reconnects",
    doc: include_str!("../../rules/conn-no-reconnect.md"),
    check: Check::Code(no_reconnect),
};

fn no_reconnect(model: &CrateModel, sink: &mut Sink) {
    for c in &model.creations {
        if let CreationKind::FredClient {
            reconnect: false, ..
        } = c.kind
        {
            sink.report(
                c.file,
                c.span,
                format!(
                    "fred client from `{}` has no reconnect policy: after the first dropped connection every \
                     command fails until the process restarts",
                    c.what
                ),
                "set one: `Builder::...set_policy(ReconnectPolicy::new_exponential(0, 100, 30_000, 2))`, or pass \
                 `Some(policy)` to `Client::new`"
                    .to_string(),
            );
        }
    }
}

pub static STORED_CONNECTION: Rule = Rule {
    id: "conn-stored-connection-no-reconnect",
    section: "3.3",
    impact: Impact::High,
    default: Default::OptIn,
    summary: "a struct field or static keeps a redis-rs connection that never reconnects",
    doc: include_str!("../../rules/conn-stored-connection-no-reconnect.md"),
    check: Check::Code(stored_connection),
};

fn stored_connection(model: &CrateModel, sink: &mut Sink) {
    for s in &model.stored_connections {
        let (what, help) = match s.kind {
            ConnKind::Sync => (
                "a sync `redis::Connection`",
                "keep an r2d2 pool (`r2d2::Pool<redis::Client>`) and check a connection out per use: the pool \
                 replaces broken connections",
            ),
            _ => (
                "a `MultiplexedConnection`",
                "keep a `redis::aio::ConnectionManager` (same API, reconnects in the background) or a \
                 deadpool/bb8 pool",
            ),
        };
        sink.report(
            s.file,
            s.span,
            format!(
                "`{}` keeps {what} for the life of the program, and it never reconnects: after a server \
                 restart, failover or dropped socket every command through it fails until the process restarts",
                s.owner
            ),
            help.to_string(),
        );
    }
}
