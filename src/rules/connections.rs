//! Guide section 3: connection management.

use std::collections::BTreeMap;

use super::{Check, Default, Impact, Rule, Sink};
use crate::model::{ConnKind, CrateModel, Creation, CreationKind, FredTimeout, Lib, LoopKind};

/// The rules of this section, in guide order.
pub static RULES: &[&Rule] = &[&CLIENT_PER_REQUEST, &COMMAND_IN_LOOP, &MISSING_TIMEOUT];

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
            CreationKind::FredClient { command_timeout: FredTimeout::Missing } => Some((
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
