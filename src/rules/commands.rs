//! Guide section 4: commands and patterns.

use super::{Check, Rule, Sink};
use crate::diagnostic::{Activation, Edit, Fix, Impact, RuleMeta};
use crate::model::key::Key;
use crate::model::{Api, Call, ConnKind, CrateModel, Form, Lib, Origin, Timeout};

/// The rules of this section, in guide order.
pub static RULES: &[&Rule] = &[
    &BLOCKING_IN_HANDLER,
    &INLINE_EVAL,
    &WATCH_ON_SHARED_CONNECTION,
    &BLOCKING_ZERO_TIMEOUT,
    &BLOCKING_ON_SHARED_CONNECTION,
    &LOCK_WITHOUT_EXPIRY,
    &UNSAFE_LOCK_RELEASE,
    &NON_ATOMIC_CHECK_THEN_ACT,
    &DANGEROUS_COMMAND,
    &CANCEL_UNSAFE_CALL,
];

pub static NON_ATOMIC_CHECK_THEN_ACT: Rule = Rule {
    meta: RuleMeta {
        id: "cmd-non-atomic-check-then-act",
        section: "4.5",
        impact: Impact::High,
        default: Activation::On,
        summary:
            "a write decided by an earlier EXISTS/GET of the same key, with no atomicity between them",
        doc: include_str!("../../rules/cmd-non-atomic-check-then-act.md"),
        hides_source: false,
    },
    check: Check::Code(non_atomic_check_then_act),
};

/// Writes whose effect depends on what the key held when they run.
const GATED_WRITES: &[&str] = &[
    "SET",
    "SETEX",
    "PSETEX",
    "SETNX",
    "INCR",
    "INCRBY",
    "INCRBYFLOAT",
    "DECR",
    "DECRBY",
    "DEL",
    "UNLINK",
    "HSET",
    "GETSET",
    "APPEND",
];

fn non_atomic_check_then_act(model: &CrateModel, sink: &mut Sink) {
    for write in &model.calls {
        if !GATED_WRITES.contains(&write.command.as_str())
            || write.opts.nx
            || write.is("SETNX")
            || model.is_atomic(write)
        {
            continue;
        }
        let Some(key) = write.keys.first() else {
            continue;
        };
        let check = write.gates.iter().find_map(|&seq| {
            let check = model.call_at(write.file, seq)?;
            (matches!(check.command.as_str(), "EXISTS" | "GET")
                && check.func == write.func
                && check.keys.first() == Some(key)
                && !model.is_atomic(check)
                && !benign(check, write, key))
            .then_some(check)
        });
        let Some(check) = check else { continue };
        // A read-decode-write of the same key is reported once, as such.
        if crate::rules::data_structures::decoded_read_of_same_key(model, write).is_some() {
            continue;
        }
        sink.report(
            write.file,
            write.span,
            format!(
                "{} on `{key}` runs only after {} of the same key (line {}) said so: another client can \
                 change the key between the check and this write",
                write.command, check.command, check.span.start.line
            ),
            if check.is("GET") && (write.is("DEL") || write.is("UNLINK")) {
                "read and remove in one step with GETDEL (Redis 6.2+), or compare and delete in a Lua \
                 script"
                    .to_string()
            } else {
                "let Redis decide in one step: SET .. NX (create if absent), SET .. XX, INCR with a limit \
                 in a Lua script, or WATCH/MULTI (`redis::transaction`) around the check and the write"
                    .to_string()
            },
        );
    }
}

/// Check-then-act pairs whose race does no harm, or is another rule's.
fn benign(check: &Call, write: &Call, key: &Key) -> bool {
    // Cache-aside: a miss fills the cache with a TTL; two fills write the
    // same value.
    (check.is("GET") && (write.opts.expiry || write.has(crate::model::command::flags::EXPIRY)))
        // EXISTS then DEL: deleting a key that vanished meanwhile is a no-op.
        || (check.is("EXISTS") && (write.is("DEL") || write.is("UNLINK")))
        // Releasing a lock by GET-compare-DEL is cmd-unsafe-lock-release's.
        || ((write.is("DEL") || write.is("UNLINK")) && is_lock_key(key))
}

pub static BLOCKING_ZERO_TIMEOUT: Rule = Rule {
    meta: RuleMeta {
        id: "cmd-blocking-zero-timeout",
        section: "4.1",
        impact: Impact::MediumHigh,
        default: Activation::On,
        summary: "a blocking command with timeout 0 waits forever",
        doc: include_str!("../../rules/cmd-blocking-zero-timeout.md"),
        hides_source: false,
    },
    check: Check::Code(blocking_zero_timeout),
};

fn blocking_zero_timeout(model: &CrateModel, sink: &mut Sink) {
    for call in model.calls.iter().filter(|c| c.is_blocking()) {
        if call.opts.timeout != Some(Timeout::Value(0.0)) {
            continue;
        }
        let what = if call.is("XREAD") || call.is("XREADGROUP") {
            "BLOCK 0"
        } else {
            "timeout 0"
        };
        sink.report(
            call.file,
            call.span,
            format!(
                "{} with {what} never returns if nothing arrives: a dead producer or a lost wake-up leaves this \
                 task stuck with no chance to notice shutdown or reconnect",
                call.command
            ),
            "use a finite timeout (a few seconds) and loop; a timed-out call returns nil and the loop can check \
             for shutdown before waiting again"
                .to_string(),
        );
    }
}

pub static BLOCKING_ON_SHARED_CONNECTION: Rule = Rule {
    meta: RuleMeta {
        id: "cmd-blocking-on-shared-connection",
        section: "4.1",
        impact: Impact::High,
        default: Activation::On,
        summary: "a blocking command on a connection other tasks share",
        doc: include_str!("../../rules/cmd-blocking-on-shared-connection.md"),
        hides_source: false,
    },
    check: Check::Code(blocking_on_shared),
};

fn blocking_on_shared(model: &CrateModel, sink: &mut Sink) {
    for call in model.calls.iter().filter(|c| c.is_blocking()) {
        let Some(conn) = call.conn.filter(|c| c.is_shared()) else {
            continue;
        };
        let help = match call.api {
            Api::RedisRs => "give the blocking loop its own connection (`client.get_multiplexed_async_connection()` \
                             made for the worker, not a clone or a pooled one)",
            Api::Fred => "run blocking commands on a dedicated fred client, not the shared one",
        };
        sink.report(
            call.file,
            call.span,
            format!(
                "{} blocks a shared {}: every other command sent on it queues behind the blocking call until \
                 it returns",
                call.command,
                conn.kind.describe()
            ),
            help.to_string(),
        );
    }
}

pub static LOCK_WITHOUT_EXPIRY: Rule = Rule {
    meta: RuleMeta {
        id: "cmd-lock-without-expiry",
        section: "4.3",
        impact: Impact::High,
        default: Activation::On,
        summary: "SETNX / SET NX without an expiry: a crashed holder keeps the lock forever",
        doc: include_str!("../../rules/cmd-lock-without-expiry.md"),
        hides_source: false,
    },
    check: Check::Code(lock_without_expiry),
};

fn lock_without_expiry(model: &CrateModel, sink: &mut Sink) {
    for call in &model.calls {
        let is_lock = call.is("SETNX") || (call.is("SET") && call.opts.nx && !call.opts.expiry);
        if !is_lock {
            continue;
        }
        let key = call.keys.first();
        let later_expire = model.calls.iter().find(|o| {
            o.func == call.func
                && o.seq > call.seq
                && matches!(
                    o.command.as_str(),
                    "EXPIRE" | "PEXPIRE" | "EXPIREAT" | "PEXPIREAT"
                )
                && o.keys
                    .first()
                    .zip(key)
                    .is_some_and(|(a, b)| super::key_design::same_key(a, b))
        });
        let message = match later_expire {
            Some(e) => format!(
                "{} followed by a separate {}: if the process dies between the two, the lock never expires",
                call.command, e.command
            ),
            None => format!("{} takes a lock that never expires: if the holder crashes, nobody gets it again", call.command),
        };
        let help = match call.api {
            Api::RedisRs => "acquire with one command: `set_options(key, token, SetOptions::default()\
                             .conditional_set(ExistenceCheck::NX).with_expiration(SetExpiry::PX(ms)))`",
            Api::Fred => "acquire with one command: `set(key, token, Some(Expiration::PX(ms)), Some(SetOptions::NX), false)`",
        };
        sink.report(call.file, call.span, message, help.to_string());
    }
}

pub static UNSAFE_LOCK_RELEASE: Rule = Rule {
    meta: RuleMeta {
        id: "cmd-unsafe-lock-release",
        section: "4.3",
        impact: Impact::High,
        default: Activation::On,
        summary: "a lock released with a plain DEL instead of a compare-and-delete script",
        doc: include_str!("../../rules/cmd-unsafe-lock-release.md"),
        hides_source: false,
    },
    check: Check::Code(unsafe_lock_release),
};

/// A key whose words (split on separators) include `lock`/`locks`.
pub(super) fn is_lock_key(key: &Key) -> bool {
    let text = key.to_string().to_ascii_lowercase();
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .any(|w| w == "lock" || w == "locks")
}

fn unsafe_lock_release(model: &CrateModel, sink: &mut Sink) {
    for call in &model.calls {
        if !(call.is("DEL") || call.is("UNLINK")) || call.in_transaction {
            continue;
        }
        let Some(key) = call.keys.iter().find(|k| is_lock_key(k)) else {
            continue;
        };
        sink.report(
            call.file,
            call.span,
            format!(
                "{} of lock `{key}` does not check who holds it: if this holder's lock already expired and \
                 another process took it, this call releases their lock",
                call.command
            ),
            "release with a Lua script that deletes the key only if it still holds your token \
             (`redis::Script` / fred `eval`: `if redis.call('get', KEYS[1]) == ARGV[1] then return \
             redis.call('del', KEYS[1]) end`)"
                .to_string(),
        );
    }
}

pub static DANGEROUS_COMMAND: Rule = Rule {
    meta: RuleMeta {
        id: "cmd-dangerous-command",
        section: "4.2",
        impact: Impact::High,
        default: Activation::On,
        summary: "FLUSHALL/FLUSHDB without ASYNC, SAVE, MONITOR, DEBUG, SHUTDOWN, CONFIG SET/REWRITE, CLIENT KILL",
        doc: include_str!("../../rules/cmd-dangerous-command.md"),
        hides_source: false,
    },
    check: Check::Code(dangerous_command),
};

fn danger(call: &Call) -> Option<(&'static str, &'static str)> {
    let sub = call.opts.sub.as_deref();
    Some(match call.command.as_str() {
        "FLUSHALL" | "FLUSHDB" if !call.opts.asynchronous => (
            "deletes every key while the server blocks; on a large dataset that is seconds of downtime",
            "add ASYNC (`flushall_options(&FlushAllOptions { blocking: false })`, fred `flushall(true)`), and keep \
             flushes out of application code",
        ),
        "SAVE" => (
            "writes the snapshot in the server's main thread, blocking every client until it finishes",
            "use BGSAVE, which forks and saves in the background",
        ),
        "MONITOR" => (
            "streams every command the server runs, roughly halving its throughput while attached",
            "use SLOWLOG, LATENCY or keyspace notifications for production diagnostics",
        ),
        "DEBUG" => (
            "is a diagnostic command that can crash, stall or corrupt a server",
            "keep DEBUG out of application code",
        ),
        "SHUTDOWN" => ("stops the server from application code", "leave shutdown to operations tooling"),
        "CONFIG" if matches!(sub, Some("SET" | "REWRITE" | "RESETSTAT")) => (
            "changes server configuration at run time from application code, where it is invisible to operators",
            "manage configuration in redis.conf or your deployment tooling",
        ),
        "CLIENT" if sub == Some("KILL") => (
            "disconnects other clients from application code",
            "leave connection management to operations tooling",
        ),
        _ => return None,
    })
}

fn dangerous_command(model: &CrateModel, sink: &mut Sink) {
    for call in &model.calls {
        if let Some((why, help)) = danger(call) {
            let name = match (&call.opts.sub, call.command.as_str()) {
                (Some(sub), "CONFIG" | "CLIENT") => format!("{} {}", call.command, sub),
                _ => call.command.clone(),
            };
            sink.report_with_fix(
                call.file,
                call.span,
                format!("{name} {why}"),
                help.to_string(),
                async_flush_fix(call),
            );
        }
    }
}

/// `redis::cmd("FLUSHALL")` with no arguments, run in the same chain:
/// appending `.arg("ASYNC")` keeps the meaning and frees the server.
fn async_flush_fix(call: &Call) -> Option<Fix> {
    let flush = matches!(call.command.as_str(), "FLUSHALL" | "FLUSHDB");
    (flush
        && call.form == Form::Raw
        && call.api == Api::RedisRs
        && call.opts.sub.is_none()
        && !call.bound)
        .then(|| Fix {
            description: format!("flush asynchronously: {} ASYNC", call.command),
            edits: vec![Edit::insert_after(call.span, ".arg(\"ASYNC\")")],
        })
}

pub static BLOCKING_IN_HANDLER: Rule = Rule {
    meta: RuleMeta {
        id: "cmd-blocking-in-handler",
        section: "4.1",
        impact: Impact::MediumHigh,
        default: Activation::On,
        summary: "a blocking command inside a request handler",
        doc: include_str!("../../rules/cmd-blocking-in-handler.md"),
        hides_source: false,
    },
    check: Check::Code(blocking_in_handler),
};

fn blocking_in_handler(model: &CrateModel, sink: &mut Sink) {
    for call in model.calls.iter().filter(|c| c.is_blocking()) {
        let handler = model.func(call.func);
        if !(handler.is_handler || call.in_handler) {
            continue;
        }
        sink.report(
            call.file,
            call.span,
            format!(
                "{} in request handler `{}`: the request (and its connection) waits for up to the blocking \
                 timeout, and a burst of requests pins as many connections",
                call.command, handler.name
            ),
            "move the blocking read to a background worker and let the handler read its result (or use a \
             non-blocking command)"
                .to_string(),
        );
    }
}

pub static INLINE_EVAL: Rule = Rule {
    meta: RuleMeta {
        id: "cmd-inline-eval",
        section: "4.5",
        impact: Impact::Medium,
        default: Activation::On,
        summary: "EVAL with the script text inline instead of a cached Script (EVALSHA)",
        doc: include_str!("../../rules/cmd-inline-eval.md"),
        hides_source: false,
    },
    check: Check::Code(inline_eval),
};

fn inline_eval(model: &CrateModel, sink: &mut Sink) {
    for call in model.calls.iter().filter(|c| c.is("EVAL")) {
        let mut message = "EVAL sends and compiles the whole script on every call".to_string();
        if call.opts.formatted_script {
            message.push_str(
                ", and this script is built with format!: every distinct text fills the script cache, and \
                 values spliced into Lua can change what it does",
            );
        }
        let help = match call.api {
            Api::RedisRs => {
                "use `redis::Script::new(LUA)` with `.key(..)` / `.arg(..)`: it calls EVALSHA and \
                             loads the script only when the server does not have it"
            }
            Api::Fred => {
                "load the script once and call `evalsha` (fred's `Script` type does this), passing \
                          values as keys and arguments"
            }
        };
        sink.report(call.file, call.span, message, help.to_string());
    }
}

pub static WATCH_ON_SHARED_CONNECTION: Rule = Rule {
    meta: RuleMeta {
        id: "cmd-watch-on-shared-connection",
        section: "4.6",
        impact: Impact::High,
        default: Activation::On,
        summary: "WATCH/MULTI on a connection other tasks share",
        doc: include_str!("../../rules/cmd-watch-on-shared-connection.md"),
        hides_source: false,
    },
    check: Check::Code(watch_on_shared),
};

fn watch_on_shared(model: &CrateModel, sink: &mut Sink) {
    for call in model
        .calls
        .iter()
        .filter(|c| c.is("WATCH") || c.is("MULTI"))
    {
        // A multiplexed connection handed in may be shared; one made in
        // this fn for the transaction is not.
        let shared = |c: &crate::model::Conn| {
            c.is_shared() || (c.kind.is_multiplexed() && c.origin == Origin::Param)
        };
        let Some(conn) = call.conn.filter(shared) else {
            continue;
        };
        sink.report(
            call.file,
            call.span,
            format!(
                "{} on a shared {}: commands other tasks send on the same socket land inside this \
                 transaction, and their writes can trigger or break the WATCH",
                call.command,
                conn.kind.describe()
            ),
            "run WATCH/MULTI/EXEC on a dedicated connection, or make the update atomic with a Lua script or \
             an atomic pipeline"
                .to_string(),
        );
    }
}

pub static CANCEL_UNSAFE_CALL: Rule = Rule {
    meta: RuleMeta {
        id: "cmd-cancel-unsafe-call",
        section: "3.3",
        impact: Impact::High,
        default: Activation::OptIn,
        summary:
            "a command on a non-multiplexed connection inside `timeout(..)` or a `select!` branch",
        doc: include_str!("../../rules/cmd-cancel-unsafe-call.md"),
        hides_source: false,
    },
    check: Check::Code(cancel_unsafe_call),
};

fn cancel_unsafe_call(model: &CrateModel, sink: &mut Sink) {
    for call in model.calls.iter().filter(|c| c.cancellable) {
        let Some(conn) = call.conn else { continue };
        // Multiplexed connections (and the pools built on them, and fred)
        // match replies to requests themselves: a dropped future loses only
        // its own reply.
        let one_caller = matches!(conn.kind, ConnKind::Sync)
            || (matches!(conn.kind, ConnKind::Pooled { .. }) && conn.lib == Lib::R2d2);
        if !one_caller {
            continue;
        }
        let (message, help) = if call.awaited {
            (
                format!(
                    "{} runs on a non-multiplexed async connection inside a future that a timeout or `select!` \
                     can drop: when it is cancelled after sending, the reply stays on the socket and the next \
                     command on this connection reads it as its own, so every later reply is off by one",
                    call.command
                ),
                "use a `MultiplexedConnection` or `ConnectionManager` (cancellation-safe), or discard the \
                 connection after a timeout instead of reusing it",
            )
        } else {
            (
                format!(
                    "{} is a sync call inside a timeout or `select!` branch: the future cannot be cancelled while \
                     the call blocks, so the time limit is not enforced and the executor thread is stuck until \
                     the reply arrives",
                    call.command
                ),
                "bound sync commands with `set_read_timeout` on the connection, or use an async multiplexed \
                 connection when the call must be cancellable",
            )
        };
        sink.report(call.file, call.span, message, help.to_string());
    }
}
