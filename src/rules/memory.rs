//! Guide section 7: memory management. Rules over the code (how large
//! values are freed) and over Redis configuration files (redis.conf,
//! `redis-server` command lines).

use std::collections::HashMap;

use super::commands::is_lock_key;
use super::{Check, Rule, Sink};
use crate::diagnostic::{Activation, Edit, Fix, Impact, RuleMeta};
use crate::model::key::Key;
use crate::model::{Call, CrateModel, Form};
use crate::server_conf::{show_memory, ConfFile, ConfKind, Directive};

/// The rules of this section, in guide order.
pub static RULES: &[&Rule] = &[
    &CONF_EVICTION_POLICY,
    &CONF_VOLATILE_POLICY,
    &CONF_NO_MAXMEMORY,
    &NUMBERS_AS_STRINGS,
    &DEL_LARGE_KEY,
    &RENAME_OVERWRITE,
    &CONF_LAZYFREE_OFF,
];

/// Commands that create or grow a collection at their first key, with the
/// type they build.
const COLLECTION_WRITES: &[(&str, &str)] = &[
    ("SADD", "set"),
    ("SMOVE", "set"),
    ("SINTERSTORE", "set"),
    ("SUNIONSTORE", "set"),
    ("SDIFFSTORE", "set"),
    ("ZADD", "sorted set"),
    ("ZINCRBY", "sorted set"),
    ("ZUNIONSTORE", "sorted set"),
    ("ZINTERSTORE", "sorted set"),
    ("ZDIFFSTORE", "sorted set"),
    ("ZRANGESTORE", "sorted set"),
    ("GEOADD", "sorted set"),
    ("LPUSH", "list"),
    ("RPUSH", "list"),
    ("LPUSHX", "list"),
    ("RPUSHX", "list"),
    ("LINSERT", "list"),
    ("HSET", "hash"),
    ("HMSET", "hash"),
    ("HSETNX", "hash"),
    ("HINCRBY", "hash"),
    ("HINCRBYFLOAT", "hash"),
    ("XADD", "stream"),
];

/// Key templates (by shape) the crate writes as collections anywhere, in
/// any file: directly, or through a crate-local helper that runs the write
/// on its key parameter. Maps each shape to the type built there.
fn collection_keys(model: &CrateModel) -> HashMap<String, &'static str> {
    let kind = |command: &str| {
        COLLECTION_WRITES
            .iter()
            .find(|(c, _)| *c == command)
            .map(|(_, k)| *k)
    };
    let mut out = HashMap::new();
    for call in &model.calls {
        // The collection is the first key (the destination for *STORE).
        if let (Some(k), Some(key)) = (kind(&call.command), call.keys.first()) {
            if matches!(key, Key::Template(_)) {
                out.insert(key.shape(), k);
            }
        }
    }
    for h in &model.helper_calls {
        for (i, command) in model.param_commands.get(&h.name).into_iter().flatten() {
            if let (Some(k), Some(key)) = (kind(command), h.args.get(*i)) {
                if matches!(key, Key::Template(_)) {
                    out.insert(key.shape(), k);
                }
            }
        }
    }
    out
}

pub static NUMBERS_AS_STRINGS: Rule = Rule {
    meta: RuleMeta {
        id: "memory-numbers-as-strings",
        section: "7.4",
        impact: Impact::MediumHigh,
        default: Activation::OptIn,
        summary:
            "an integer written zero-padded or signed, which Redis cannot store or count as an integer",
        doc: include_str!("../../rules/memory-numbers-as-strings.md"),
        hides_source: false,
    },
    check: Check::Code(numbers_as_strings),
};

fn numbers_as_strings(model: &CrateModel, sink: &mut Sink) {
    for call in &model.calls {
        let Some(value) = call.padded_int_value else {
            continue;
        };
        let key = call
            .keys
            .first()
            .map_or_else(String::new, |k| format!(" to `{k}`"));
        sink.report(
            call.file,
            value,
            format!(
                "{}{key} writes an integer formatted with padding or a sign (`00042`, `+7`): Redis keeps only \
                 canonical decimals as integers, so this value is stored as text (several times the memory of \
                 an int-encoded value, and no intset / compact listpack integers), and INCR / HINCRBY on it fail \
                 with \"value is not an integer\"",
                call.command
            ),
            "write the integer itself (or `n.to_string()`, which sends the same canonical digits) and pad it \
             where it is displayed"
                .to_string(),
        );
    }
}

pub static DEL_LARGE_KEY: Rule = Rule {
    meta: RuleMeta {
        id: "memory-del-large-key",
        section: "7.5",
        impact: Impact::Medium,
        default: Activation::On,
        summary:
            "DEL of a collection key or of scanned keys: UNLINK frees the memory without blocking",
        doc: include_str!("../../rules/memory-del-large-key.md"),
        hides_source: false,
    },
    check: Check::Code(del_large_key),
};

/// Why a DEL may free a large value.
enum LargeDel<'a> {
    /// One of its keys is written as a collection somewhere in the crate.
    Collection(&'a Key, &'static str),
    /// It deletes keys found by a SCAN loop in the same fn: any type, any size.
    Scanned,
}

fn del_large_key(model: &CrateModel, sink: &mut Sink) {
    let collections = collection_keys(model);
    for call in model.calls.iter().filter(|c| c.is("DEL")) {
        // A lock's DEL is cmd-unsafe-lock-release's finding, for another reason.
        if call.keys.iter().any(is_lock_key) {
            continue;
        }
        let collection = call
            .keys
            .iter()
            .find_map(|k| collections.get(&k.shape()).map(|kind| (k, *kind)));
        let why = match collection {
            Some((key, kind)) => LargeDel::Collection(key, kind),
            None if call.in_loop.is_some() && scans_keys(model, call) => LargeDel::Scanned,
            None => continue,
        };
        let message = match why {
            LargeDel::Collection(key, kind) => format!(
                "DEL of `{key}`, which the crate fills as a {kind}: DEL frees every element before it returns, \
                 so deleting a large {kind} blocks the server (and every client) for as long as that takes"
            ),
            LargeDel::Scanned => "DEL of keys found by the SCAN loop in this fn: their types and sizes are \
                 unknown, and DEL frees each value before it returns, so one large collection among them blocks \
                 the server for every client"
                .to_string(),
        };
        sink.report_with_fix(
            call.file,
            call.span,
            message,
            "use UNLINK: it removes the keys at once and frees their memory in a background thread \
                 (`unlink`, `cmd(\"UNLINK\")`)"
                .to_string(),
            unlink_fix(call),
        );
    }
}

/// Whether the call's fn runs a SCAN (a `scan_match` iterator, a `cmd("SCAN")`
/// cursor loop, fred's `scan` stream), so a DEL in a loop there deletes
/// scanned keys.
fn scans_keys(model: &CrateModel, del: &Call) -> bool {
    model
        .calls
        .iter()
        .any(|c| c.func == del.func && c.file == del.file && c.is("SCAN"))
}

/// `del` → `unlink` (redis-rs and fred have it with the same arguments and
/// generics), `cmd("DEL")` → `cmd("UNLINK")`.
fn unlink_fix(call: &Call) -> Option<Fix> {
    let name = call.name_span?;
    let content = match call.form {
        Form::Method => "unlink",
        Form::Raw => "\"UNLINK\"",
        Form::RawUnnamed | Form::Script => return None,
    };
    Some(Fix {
        description: "free the memory in the background: UNLINK".to_string(),
        edits: vec![Edit::replace(name, content)],
    })
}

pub static RENAME_OVERWRITE: Rule = Rule {
    meta: RuleMeta {
        id: "memory-rename-overwrite",
        section: "7.5",
        impact: Impact::Medium,
        default: Activation::OptIn,
        summary: "RENAME onto a key the crate writes as a collection: the old value is freed while the server blocks",
        doc: include_str!("../../rules/memory-rename-overwrite.md"),
        hides_source: false,
    },
    check: Check::Code(rename_overwrite),
};

fn rename_overwrite(model: &CrateModel, sink: &mut Sink) {
    let collections = collection_keys(model);
    for call in model.calls.iter().filter(|c| c.is("RENAME")) {
        let Some(dst) = call.keys.get(1) else {
            continue;
        };
        let Some(kind) = collections.get(&dst.shape()) else {
            continue;
        };
        sink.report(
            call.file,
            call.span,
            format!(
                "RENAME onto `{dst}`, which the crate fills as a {kind}: when the destination exists, RENAME \
                 deletes its old value first, synchronously, so replacing a large {kind} blocks the server"
            ),
            format!(
                "UNLINK `{dst}` first (in the same MULTI/EXEC if readers must never see it missing), or enable \
                 `lazyfree-lazy-server-del yes` so implicit deletes happen in the background"
            ),
        );
    }
}

pub static CONF_NO_MAXMEMORY: Rule = Rule {
    meta: RuleMeta {
        id: "conf-no-maxmemory",
        section: "7.2",
        impact: Impact::Critical,
        default: Activation::On,
        summary: "a Redis configuration without a memory limit",
        doc: include_str!("../../rules/conf-no-maxmemory.md"),
        hides_source: false,
    },
    check: Check::Conf(no_maxmemory),
};

const MAXMEMORY_HELP: &str = "set `maxmemory` to about 75% of the memory the host or container gives Redis \
     (`maxmemory 6gb` on an 8 GB machine), leaving room for the fork of BGSAVE / AOF rewrites, and pick a \
     `maxmemory-policy` for what happens at the limit";

fn no_maxmemory(conf: &ConfFile, sink: &mut Sink) {
    if conf.kind == ConfKind::Sentinel {
        return;
    }
    match conf.get("maxmemory") {
        Some(d) if d.memory() == Some(0) => sink.report(
            d.file,
            d.full_span(),
            "`maxmemory 0` means no limit: Redis grows until the kernel's OOM killer ends it, losing every write \
             since the last save and failing every client at once"
                .to_string(),
            MAXMEMORY_HELP.to_string(),
        ),
        Some(_) => {}
        None if conf.reports_missing() => sink.report(
            conf.file,
            conf.origin,
            "this Redis configuration sets no `maxmemory`: Redis grows without limit until the kernel's OOM killer \
             ends it, losing every write since the last save and failing every client at once"
                .to_string(),
            MAXMEMORY_HELP.to_string(),
        ),
        None => {}
    }
}

pub static CONF_EVICTION_POLICY: Rule = Rule {
    meta: RuleMeta {
        id: "conf-eviction-policy",
        section: "7.1",
        impact: Impact::Critical,
        default: Activation::On,
        summary: "an eviction policy that makes writes fail when memory is full",
        doc: include_str!("../../rules/conf-eviction-policy.md"),
        hides_source: false,
    },
    check: Check::Conf(eviction_policy),
};

/// `save ""` and no AOF: nothing here survives a restart, so the data is
/// meant to be recomputed, i.e. a cache.
fn pure_cache(conf: &ConfFile) -> bool {
    conf.persistence_off()
}

fn eviction_policy(conf: &ConfFile, sink: &mut Sink) {
    if conf.kind == ConfKind::Sentinel {
        return;
    }
    let policy = conf.get("maxmemory-policy");
    let Some(policy) = policy else {
        // A limit with the default policy (`noeviction`): only when nothing
        // else (an included or named config file) may set the policy.
        if !conf.complete {
            return;
        }
        if let Some(max) = conf.get("maxmemory") {
            if let Some(bytes) = max.memory().filter(|b| *b > 0) {
                sink.report(
                    max.file,
                    max.full_span(),
                    format!(
                        "`maxmemory` is {} but no `maxmemory-policy` is set: the default `noeviction` makes every \
                         write fail with an OOM error once the limit is reached, instead of evicting keys",
                        show_memory(bytes)
                    ),
                    "choose the policy for the data explicitly: `allkeys-lru` or `allkeys-lfu` for a cache, \
                     `volatile-lru` / `volatile-ttl` when only keys with a TTL may be evicted, or `noeviction` for \
                     data that must never be dropped (and handle OOM errors in the application)"
                        .to_string(),
                );
            }
        }
        return;
    };
    let Some(value) = policy.arg(0).map(str::to_ascii_lowercase) else {
        return;
    };
    if !pure_cache(conf) {
        return;
    }
    if value == "noeviction" {
        sink.report(
            policy.file,
            policy.full_span(),
            "`noeviction` on an instance without persistence (`save \"\"`, no AOF): if it is a cache, writes fail \
             with OOM errors when memory fills up instead of dropping entries that could be recomputed; if its \
             data must be kept, a restart loses all of it"
                .to_string(),
            "for a cache, use `maxmemory-policy allkeys-lru` (or `allkeys-lfu` when a few keys are much hotter than \
             the rest); for data that must be kept, enable the AOF (`appendonly yes`, `appendfsync everysec`)"
                .to_string(),
        );
    } else if value.starts_with("volatile-") {
        sink.report(
            policy.file,
            policy.full_span(),
            format!(
                "`{value}` on an instance without persistence (`save \"\"`, no AOF): the policy evicts only keys \
                 that have a TTL, so it keeps the others as if they mattered, yet a restart loses them; once they \
                 fill memory, writes fail as with `noeviction`"
            ),
            "for a cache, use `allkeys-lru` or `allkeys-lfu`; for an instance that mixes expiring cache keys with \
             data that must stay, enable the AOF (`appendonly yes`) so that data survives restarts"
                .to_string(),
        );
    }
}

pub static CONF_VOLATILE_POLICY: Rule = Rule {
    meta: RuleMeta {
        id: "conf-volatile-policy",
        section: "7.1",
        impact: Impact::Critical,
        default: Activation::OptIn,
        summary: "a volatile-* eviction policy, which only works when keys have TTLs",
        doc: include_str!("../../rules/conf-volatile-policy.md"),
        hides_source: false,
    },
    check: Check::Conf(volatile_policy),
};

fn volatile_policy(conf: &ConfFile, sink: &mut Sink) {
    if conf.kind == ConfKind::Sentinel {
        return;
    }
    let Some(policy) = conf.get("maxmemory-policy") else {
        return;
    };
    let Some(value) = policy.arg(0).map(str::to_ascii_lowercase) else {
        return;
    };
    // On a pure cache `conf-eviction-policy` reports the same directive.
    if !value.starts_with("volatile-") || pure_cache(conf) {
        return;
    }
    sink.report(
        policy.file,
        policy.full_span(),
        format!(
            "`{value}` evicts only keys that have a TTL: if the application writes keys without one, Redis \
             cannot make room and writes fail with OOM errors as under `noeviction`"
        ),
        "check that every key that may be dropped is written with an expiry (SET … EX, EXPIRE); if all keys \
         are disposable, `allkeys-lru` / `allkeys-lfu` needs no TTLs"
            .to_string(),
    );
}

pub static CONF_LAZYFREE_OFF: Rule = Rule {
    meta: RuleMeta {
        id: "conf-lazyfree-off",
        section: "7.5",
        impact: Impact::Medium,
        default: Activation::On,
        summary: "lazy freeing switched off: large deletions block the server",
        doc: include_str!("../../rules/conf-lazyfree-off.md"),
        hides_source: false,
    },
    check: Check::Conf(lazyfree_off),
};

/// The lazy-freeing switches the guide asks for, with what each covers.
const LAZYFREE: [(&str, &str); 4] = [
    ("lazyfree-lazy-eviction", "eviction"),
    ("lazyfree-lazy-expire", "expiry"),
    (
        "lazyfree-lazy-server-del",
        "implicit deletes (RENAME, SET over a key)",
    ),
    ("lazyfree-lazy-user-del", "DEL"),
];

fn lazyfree_off(conf: &ConfFile, sink: &mut Sink) {
    if conf.kind == ConfKind::Sentinel {
        return;
    }
    let mut off: Vec<&str> = Vec::new();
    // The switch written as `no` that Redis reads first.
    let mut first_explicit: Option<(usize, &Directive)> = None;
    for (name, what) in LAZYFREE {
        match conf.get(name) {
            Some(d) if d.flag() == Some(false) => {
                off.push(what);
                let at = conf
                    .directives
                    .iter()
                    .position(|x| std::ptr::eq(x, d))
                    .unwrap_or(usize::MAX);
                if first_explicit.is_none_or(|(first, _)| at < first) {
                    first_explicit = Some((at, d));
                }
            }
            None if conf.reports_missing() => off.push(what),
            _ => {}
        }
    }
    if off.is_empty() {
        return;
    }
    let (file, span) = match first_explicit {
        Some((_, d)) => (d.file, d.full_span()),
        None => (conf.file, conf.origin),
    };
    sink.report(
        file,
        span,
        format!(
            "lazy freeing is off for {}: freeing a large key (a set or hash with millions of elements) then \
             runs on the main thread and blocks every client until it is done",
            off.join(", ")
        ),
        "set `lazyfree-lazy-eviction yes`, `lazyfree-lazy-expire yes`, `lazyfree-lazy-server-del yes` and \
         `lazyfree-lazy-user-del yes` (Redis 6.0+): memory is then reclaimed by a background thread"
            .to_string(),
    );
}
