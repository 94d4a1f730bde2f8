//! Guide section 3: connection management.

use std::collections::BTreeMap;

use super::{Check, Rule, Sink};
use crate::diagnostic::{Activation, Impact, RuleMeta};
use crate::model::{
    Call, Conn, ConnKind, ConnTimeout, CrateModel, Creation, CreationKind, FredTimeout, Lib,
    LoopKind, Origin, Swallow, Timeout,
};

/// The rules of this section, in guide order.
pub static RULES: &[&Rule] = &[
    &CLIENT_PER_REQUEST,
    &COMMAND_IN_LOOP,
    &MISSING_TIMEOUT,
    &BLOCKING_EXCEEDS_TIMEOUT,
    &LOCKED_CONNECTION,
    &RETRY_WITHOUT_BACKOFF,
    &SWALLOWED_ERROR,
    &NO_RECONNECT,
    &SEQUENTIAL_BATCHABLE,
    &STORED_CONNECTION,
    &PUBSUB_ON_SHARED_CONNECTION,
];

pub static RETRY_WITHOUT_BACKOFF: Rule = Rule {
    meta: RuleMeta {
        id: "conn-retry-without-backoff",
        section: "3.3",
        impact: Impact::High,
        default: Activation::On,
        summary: "a loop that retries a failed Redis call or connection at once, with no delay",
        doc: include_str!("../../rules/conn-retry-without-backoff.md"),
        hides_source: false,
    },
    check: Check::Code(retry_without_backoff),
};

fn retry_without_backoff(model: &CrateModel, sink: &mut Sink) {
    let mut reported = std::collections::HashSet::new();
    for (file, retry) in &model.flow.retries {
        let Some(l) = model.flow.loop_fact(*file, retry.loop_id) else {
            continue;
        };
        // A counted `for` retries only when success leaves it; a `for` over
        // items handles each item's error and moves on.
        let retrying = match l.kind {
            LoopKind::Loop => true,
            LoopKind::While => !l.per_item,
            LoopKind::For => l.counted && retry.ok_exits,
            LoopKind::IterClosure => false,
        };
        if !retrying || l.sleeps || !reported.insert((*file, retry.loop_id)) {
            continue;
        }
        let (what, span) = if let Some(call) = model.call_at(*file, retry.seq) {
            (call.command.clone(), call.span)
        } else if let Some(c) = model
            .creations
            .iter()
            .find(|c| c.file == *file && c.seq == retry.seq)
        {
            (format!("`{}`", c.what), c.span)
        } else {
            continue;
        };
        sink.report(
            *file,
            span,
            format!(
                "when {what} fails, this loop tries again at once: while Redis is down or failing over it \
                 spins, floods the logs and hammers the server the moment it comes back"
            ),
            "wait before each retry, doubling the delay up to a cap and adding jitter (`tokio::time::sleep`, \
             the `backoff` crate), and give up after a bound; ConnectionManager and fred's ReconnectPolicy \
             already reconnect this way"
                .to_string(),
        );
    }
}

pub static SEQUENTIAL_BATCHABLE: Rule = Rule {
    meta: RuleMeta {
        id: "conn-sequential-batchable",
        section: "4.4",
        impact: Impact::High,
        default: Activation::On,
        summary: "back-to-back single-key commands that one multi-key or variadic command would do",
        doc: include_str!("../../rules/conn-sequential-batchable.md"),
        hides_source: false,
    },
    check: Check::Code(sequential_batchable),
};

/// What a run of the same command batches into: GETs of any keys, HGETs
/// and appends of one key.
fn batched_form(command: &str) -> Option<(&'static str, bool)> {
    Some(match command {
        "GET" => ("MGET", false),
        "EXISTS" => ("one EXISTS with all the keys", false),
        "HGET" => ("HMGET", true),
        "SADD" => ("one variadic SADD", true),
        "RPUSH" => ("one variadic RPUSH", true),
        "LPUSH" => ("one variadic LPUSH", true),
        "SREM" => ("one variadic SREM", true),
        "HDEL" => ("one variadic HDEL", true),
        _ => return None,
    })
}

fn sequential_batchable(model: &CrateModel, sink: &mut Sink) {
    let grouped = crate::rules::data_structures::field_group_calls(model);
    for calls in model.events_by_fn().values() {
        for pair in calls.windows(2) {
            let (first, second) = (pair[0], pair[1]);
            let Some((batch, same_key)) = batched_form(&second.command) else {
                continue;
            };
            let independent = !second
                .inputs
                .iter()
                .any(|s| s.reply_seq() == Some(first.seq));
            let together = first.command == second.command
                && first.block == second.block
                && first.conn == second.conn
                && first.keys.len() == 1
                && second.keys.len() == 1
                && (!same_key || first.keys == second.keys)
                // Reading one key twice wants the first reply kept, not MGET.
                && (same_key || first.keys != second.keys)
                && first.pipe.is_none()
                && second.pipe.is_none()
                && second.loops.is_empty()
                && independent;
            // Several fields of one object as separate keys is
            // ds-fields-as-separate-keys's finding; fred does not split a
            // cross-slot MGET.
            let other_rule = grouped.contains(&(second.file, second.seq))
                || (first.keys != second.keys
                    && model.on_cluster(second)
                    && second.api == crate::model::Api::Fred);
            if !together || other_rule {
                continue;
            }
            sink.report(
                second.file,
                second.span,
                format!(
                    "{} on `{}` right after {} on `{}` (line {}): two round trips where {batch} needs one",
                    second.command,
                    second.keys[0],
                    first.command,
                    first.keys[0],
                    first.span.start.line
                ),
                format!("send them as {batch} (or queue both on a pipeline)"),
            );
        }
    }
}

pub static CLIENT_PER_REQUEST: Rule = Rule {
    meta: RuleMeta {
        id: "conn-client-per-request",
        section: "3.4",
        impact: Impact::Critical,
        default: Activation::On,
        summary: "a client, connection or pool created per request, per loop iteration or per call",
        doc: include_str!("../../rules/conn-client-per-request.md"),
        hides_source: false,
    },
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
    meta: RuleMeta {
        id: "conn-command-in-loop",
        section: "3.5",
        impact: Impact::High,
        default: Activation::On,
        summary: "one round trip per loop item where a pipeline or a multi-key command would do",
        doc: include_str!("../../rules/conn-command-in-loop.md"),
        hides_source: false,
    },
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
            // One finding per problem: TS.ADD per item is
            // mod-timeseries-add-in-loop's (it names TS.MADD).
            || super::redis_modules::is_ts_add_in_loop(call)
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
    meta: RuleMeta {
        id: "conn-missing-timeout",
        section: "3.1",
        impact: Impact::High,
        default: Activation::On,
        summary:
            "a connection, client or pool that can wait forever on a stuck server or an empty pool",
        doc: include_str!("../../rules/conn-missing-timeout.md"),
        hides_source: false,
    },
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

pub static BLOCKING_EXCEEDS_TIMEOUT: Rule = Rule {
    meta: RuleMeta {
        id: "conn-blocking-exceeds-timeout",
        // Also guide section 4.1 (blocking commands); the doc row says so.
        section: "3.1",
        impact: Impact::High,
        default: Activation::On,
        summary: "a blocking command waits longer than the connection's response timeout allows",
        doc: include_str!("../../rules/conn-blocking-exceeds-timeout.md"),
        hides_source: false,
    },
    check: Check::Code(blocking_exceeds_timeout),
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

fn blocking_exceeds_timeout(model: &CrateModel, sink: &mut Sink) {
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
    let version = |name: &str| model.manifest.client(name).and_then(version_of);
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

/// (major, minor) of a dependency: from `Cargo.lock` when present, else
/// from the requirement (`"0.23"`, `"^1.2"`).
fn version_of(dep: &crate::manifest::ClientDep) -> Option<(u64, u64)> {
    let v = dep.locked.as_deref().or(dep.requirement.as_deref())?;
    let mut parts = v
        .trim_start_matches(|c: char| !c.is_ascii_digit())
        .split('.')
        .map(|p| {
            p.chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
        });
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next().and_then(|m| m.parse().ok()).unwrap_or(0);
    Some((major, minor))
}

pub static LOCKED_CONNECTION: Rule = Rule {
    meta: RuleMeta {
        id: "conn-mutex-wrapped-connection",
        section: "3.4",
        impact: Impact::Critical,
        default: Activation::On,
        summary: "a connection behind a Mutex/RwLock: every request waits for one socket",
        doc: include_str!("../../rules/conn-mutex-wrapped-connection.md"),
        hides_source: false,
    },
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
    meta: RuleMeta {
        id: "conn-swallowed-error",
        section: "3.3",
        impact: Impact::High,
        default: Activation::On,
        summary: "a Redis command whose error is thrown away",
        doc: include_str!("../../rules/conn-swallowed-error.md"),
        hides_source: false,
    },
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
    meta: RuleMeta {
        id: "conn-no-reconnect",
        section: "3.3",
        impact: Impact::High,
        default: Activation::On,
        summary: "a fred client built without a ReconnectPolicy never reconnects",
        doc: include_str!("../../rules/conn-no-reconnect.md"),
        hides_source: false,
    },
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
    meta: RuleMeta {
        id: "conn-stored-connection-no-reconnect",
        section: "3.3",
        impact: Impact::High,
        default: Activation::OptIn,
        summary: "a struct field or static keeps a redis-rs connection that never reconnects",
        doc: include_str!("../../rules/conn-stored-connection-no-reconnect.md"),
        hides_source: false,
    },
    check: Check::Code(stored_connection),
};

fn stored_connection(model: &CrateModel, sink: &mut Sink) {
    for s in &model.stored_connections {
        let (what, help) = match s.kind {
            ConnKind::Sync => (
                "a single-caller `Connection` (sync, or 0.x `aio::Connection`)",
                "sync code: keep an r2d2 pool (`r2d2::Pool<redis::Client>`) and check a connection out per use, \
                 the pool replaces broken connections; async code: keep a `ConnectionManager`",
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

pub static PUBSUB_ON_SHARED_CONNECTION: Rule = Rule {
    meta: RuleMeta {
        id: "conn-pubsub-on-shared-connection",
        section: "3.2",
        impact: Impact::MediumHigh,
        default: Activation::On,
        summary: "subscribing on a regular, multiplexed or pooled connection, or once per request",
        doc: include_str!("../../rules/conn-pubsub-on-shared-connection.md"),
        hides_source: false,
    },
    check: Check::Code(pubsub_on_shared_connection),
};

const SUBSCRIBE_COMMANDS: &[&str] = &["SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE"];

/// Connections that carry ordinary commands: a raw SUBSCRIBE switches them
/// into subscriber mode under everyone else's feet.
fn carries_commands(kind: ConnKind) -> bool {
    matches!(
        kind,
        ConnKind::Sync
            | ConnKind::Multiplexed
            | ConnKind::Manager
            | ConnKind::Cluster
            | ConnKind::Pooled { .. }
            | ConnKind::FredClient
            | ConnKind::FredPool
    )
}

fn pubsub_on_shared_connection(model: &CrateModel, sink: &mut Sink) {
    const PER_REQUEST_HELP: &str = "subscribe once at startup on a dedicated connection (`client.get_async_pubsub()`, \
         fred `SubscriberClient`) and fan messages out to requests through a `tokio::sync::broadcast` channel";
    let in_handler = |func, closure: bool| closure || model.func(func).is_handler;
    for call in &model.calls {
        if !SUBSCRIBE_COMMANDS.contains(&call.command.as_str()) {
            continue;
        }
        let Some(conn) = call.conn else { continue };
        if in_handler(call.func, call.in_handler) {
            sink.report(
                call.file,
                call.span,
                format!(
                    "{} in request handler `{}`: every request opens its own subscription, which holds a \
                     connection in subscriber mode for as long as it lives",
                    call.command,
                    model.func(call.func).name
                ),
                PER_REQUEST_HELP.to_string(),
            );
        } else if carries_commands(conn.kind) && matches!(call.form, crate::model::Form::Raw) {
            sink.report(
                call.file,
                call.span,
                format!(
                    "{} sent as a raw command on a {}: the connection switches to subscriber mode, where it \
                     accepts only (un)subscribe and PING, and the client reads the pushed messages as replies \
                     to later commands",
                    call.command,
                    conn.kind.describe()
                ),
                "subscribe through the client's pub/sub API on a connection made for it: \
                 `client.get_async_pubsub()`, sync `client.get_connection()?.as_pubsub()`, fred `SubscriberClient`"
                    .to_string(),
            );
        }
    }
    for p in &model.pubsub_uses {
        if in_handler(p.func, p.in_handler) && p.method != "as_pubsub" && p.method != "into_pubsub"
        {
            sink.report(
                p.file,
                p.span,
                format!(
                    "`{}` in request handler `{}`: every request opens its own subscription, which holds a \
                     connection in subscriber mode for as long as it lives",
                    p.method,
                    model.func(p.func).name
                ),
                PER_REQUEST_HELP.to_string(),
            );
        } else if matches!(p.conn.kind, ConnKind::Pooled { .. }) {
            sink.report(
                p.file,
                p.span,
                format!(
                    "`{}` on a connection checked out of a {} pool: it stays in subscriber mode, so it is lost \
                     to the pool while subscribed, and handed back to other callers in that state when released",
                    p.method,
                    p.conn.lib.name()
                ),
                "make a connection for pub/sub from the client (`client.get_connection()?.as_pubsub()`, \
                 `client.get_async_pubsub()`) and keep the pool for commands"
                    .to_string(),
            );
        }
    }
}
