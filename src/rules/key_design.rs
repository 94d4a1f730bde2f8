//! Guide section 2: key design.

use std::collections::HashSet;

use super::{Check, Rule, Sink};
use crate::diagnostic::{Activation, Impact, RuleMeta};
use crate::model::command::flags;
use crate::model::flow::Source;
use crate::model::key::{Key, Part};
use crate::model::{Api, Call, CrateModel};

/// The rules of this section, in guide order.
pub static RULES: &[&Rule] = &[
    &UNBOUNDED_COLLECTION,
    &LARGE_VALUE,
    &NAME_TOO_LONG,
    &MISSING_TTL,
    &NO_NAMESPACE,
    &INCONSISTENT_SEPARATOR,
    &KEYS_COMMAND,
];

pub static LARGE_VALUE: Rule = Rule {
    meta: RuleMeta {
        id: "key-large-value",
        section: "2.1",
        impact: Impact::Critical,
        default: Activation::On,
        summary: "a whole file's content stored as a Redis value",
        doc: include_str!("../../rules/key-large-value.md"),
        hides_source: false,
    },
    check: Check::Code(large_value),
};

fn large_value(model: &CrateModel, sink: &mut Sink) {
    for call in &model.calls {
        if !call.has(flags::WRITE) || !call.inputs.contains(&Source::FileData) {
            continue;
        }
        let key = call
            .keys
            .first()
            .map(|k| format!(" to `{k}`"))
            .unwrap_or_default();
        sink.report(
            call.file,
            call.span,
            format!(
                "{}{key} stores the whole content of a file: values of megabytes block the server while they \
                 are written, read, replicated and freed, and crowd out the hot small keys",
                call.command
            ),
            "keep the file in object or blob storage (or on disk) and store only its location, size and \
             metadata in Redis"
                .to_string(),
        );
    }
}

pub static KEYS_COMMAND: Rule = Rule {
    meta: RuleMeta {
        id: "key-keys-command",
        section: "2.6",
        impact: Impact::Critical,
        default: Activation::On,
        summary: "KEYS walks the whole keyspace in one blocking call; iterate with SCAN",
        doc: include_str!("../../rules/key-keys-command.md"),
        hides_source: false,
    },
    check: Check::Code(keys_command),
};

fn keys_command(model: &CrateModel, sink: &mut Sink) {
    for call in model.calls.iter().filter(|c| c.is("KEYS")) {
        let help = if call.result_len {
            "only the count is used: DBSIZE (or INFO keyspace) answers in O(1); for a count of matching keys, \
             iterate with SCAN MATCH and count as you go"
                .to_string()
        } else {
            match call.api {
                Api::RedisRs => "iterate with SCAN instead: `con.scan_match(pattern)` (or `scan_options` with a COUNT) \
                                 returns an iterator that fetches one small batch per round trip"
                    .to_string(),
                Api::Fred => "iterate with SCAN instead: `client.scan(pattern, Some(100), None)` streams pages of keys \
                              without blocking the server"
                    .to_string(),
            }
        };
        sink.report(
            call.file,
            call.span,
            "KEYS scans every key in the database while the server blocks all other clients; its cost grows with \
             the keyspace, not with the result"
                .to_string(),
            help,
        );
    }
}

pub static MISSING_TTL: Rule = Rule {
    meta: RuleMeta {
        id: "key-missing-ttl",
        section: "2.4",
        impact: Impact::Critical,
        default: Activation::On,
        summary: "a write to a cache/session/token-like key that never gets an expiry",
        doc: include_str!("../../rules/key-missing-ttl.md"),
        hides_source: false,
    },
    check: Check::Code(missing_ttl),
};

const TTL_WRITES: &[&str] = &[
    "SET",
    "HSET",
    "HMSET",
    "HSETNX",
    "SADD",
    "RPUSH",
    "LPUSH",
    "ZADD",
    "ZINCRBY",
    "INCR",
    "INCRBY",
    "INCRBYFLOAT",
    "DECR",
    "DECRBY",
    "HINCRBY",
    "APPEND",
    "PFADD",
];

/// The ephemeral prefix a key starts with, if any.
fn ephemeral_prefix<'a>(key: &Key, prefixes: &'a [String]) -> Option<&'a str> {
    let prefix = key.static_prefix();
    let segment = prefix
        .split([':', '{', '/'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    let first_word = segment.split(['_', '-', '.']).next().unwrap_or("");
    prefixes
        .iter()
        .map(String::as_str)
        .find(|p| segment == *p || (first_word == *p && segment.len() > p.len()))
}

/// Two keys that name the same data: identical, or the same template.
pub fn same_key(a: &Key, b: &Key) -> bool {
    a == b || (matches!((a, b), (Key::Template(_), Key::Template(_))) && a.shape() == b.shape())
}

fn sets_expiry(call: &Call) -> bool {
    call.has(flags::EXPIRY) || call.opts.expiry
}

fn missing_ttl(model: &CrateModel, sink: &mut Sink) {
    let mut reported: HashSet<(u32, String)> = HashSet::new();
    for call in &model.calls {
        if !TTL_WRITES.contains(&call.command.as_str()) || sets_expiry(call) || call.opts.nx {
            continue;
        }
        let Some(key) = call.keys.first() else {
            continue;
        };
        let Some(prefix) = ephemeral_prefix(key, &model.settings.ephemeral_prefixes) else {
            continue;
        };
        let expired_nearby = model.calls.iter().any(|other| {
            sets_expiry(other)
                && other.keys.first().is_some_and(|k| same_key(k, key))
                && (other.func == call.func || (call.pipe.is_some() && other.pipe == call.pipe))
        });
        let expired_by_helper = model.helper_calls.iter().any(|h| {
            h.func == call.func
                && model.expiring_helpers.get(&h.name).is_some_and(|params| {
                    params
                        .iter()
                        .any(|&i| h.args.get(i).is_some_and(|a| same_key(a, key)))
                })
        });
        if expired_nearby || expired_by_helper || !reported.insert((call.func, key.shape())) {
            continue;
        }
        let help = match (call.command.as_str(), call.api) {
            ("SET", Api::RedisRs) => "write and expire in one command: `con.set_ex(key, value, seconds)` or \
                                      `set_options` with `SetExpiry::EX`"
                .to_string(),
            ("SET", Api::Fred) => "pass an expiration: `client.set(key, value, Some(Expiration::EX(secs)), None, false)`"
                .to_string(),
            _ => format!(
                "add `EXPIRE {}` in the same pipeline (or transaction) right after the {}",
                key, call.command
            ),
        };
        sink.report(
            call.file,
            call.span,
            format!(
                "{} to `{}` never sets an expiry, yet `{}:` data is temporary: such keys pile up until memory runs out",
                call.command, key, prefix
            ),
            help,
        );
    }
}

pub static NO_NAMESPACE: Rule = Rule {
    meta: RuleMeta {
        id: "key-no-namespace",
        section: "2.5",
        impact: Impact::Critical,
        default: Activation::On,
        summary: "a key without a `prefix:` namespace, or one that starts with a variable part",
        doc: include_str!("../../rules/key-no-namespace.md"),
        hides_source: false,
    },
    check: Check::Code(no_namespace),
};

/// Holes that are themselves a namespace (`{prefix}:user:{id}`).
fn prefix_like(hole: &str) -> bool {
    let lower = hole.to_ascii_lowercase();
    [
        "prefix",
        "namespace",
        "ns",
        "app",
        "env",
        "tenant",
        "service",
        "scope",
        "root",
        "base",
    ]
    .iter()
    .any(|w| {
        lower
            .split(|c: char| !c.is_alphanumeric())
            .any(|part| part == *w)
            || lower.contains("prefix")
    }) || (hole.chars().any(|c| c.is_ascii_uppercase())
        && !hole.chars().any(|c| c.is_ascii_lowercase()))
}

fn no_namespace(model: &CrateModel, sink: &mut Sink) {
    for call in &model.calls {
        let mut seen = HashSet::new();
        for key in &call.keys {
            if !seen.insert(key.to_string()) {
                continue;
            }
            let problem = if let Some(lit) = key.as_literal() {
                (!lit.contains(':') && !lit.is_empty())
                    .then(|| format!("key `{lit}` has no `:` namespace"))
            } else if let (Some(hole), Key::Template(parts)) = (key.starts_with_hole(), key) {
                let has_colon = parts
                    .iter()
                    .any(|p| matches!(p, Part::Lit(s) if s.contains(':')));
                (has_colon && !prefix_like(hole)).then(|| {
                    format!(
                        "key `{key}` starts with its variable part instead of a fixed namespace"
                    )
                })
            } else {
                None
            };
            if let Some(problem) = problem {
                sink.report(
                    call.file,
                    call.span,
                    format!(
                        "{problem}: keys without a common prefix collide across features and cannot be scanned, \
                         counted or expired as a group"
                    ),
                    "name keys `object-type:id[:field]`, e.g. `user:42:profile`, fixed parts first".to_string(),
                );
            }
        }
    }
}

pub static UNBOUNDED_COLLECTION: Rule = Rule {
    meta: RuleMeta {
        id: "key-unbounded-collection",
        section: "2.1",
        impact: Impact::Critical,
        default: Activation::On,
        summary: "a list or sorted set that is pushed to but never trimmed, popped or expired",
        doc: include_str!("../../rules/key-unbounded-collection.md"),
        hides_source: false,
    },
    check: Check::Code(unbounded_collection),
};

fn unbounded_collection(model: &CrateModel, sink: &mut Sink) {
    let bounded = super::data_structures::bounded(model);
    let mut reported: HashSet<(u32, String)> = HashSet::new();
    for call in model
        .calls
        .iter()
        .filter(|c| c.is("LPUSH") || c.is("RPUSH") || c.is("ZADD"))
    {
        let Some(key @ Key::Template(_)) = call.keys.first() else {
            continue;
        };
        let shape = key.shape();
        // An ephemeral key without expiry is key-missing-ttl's finding.
        let ephemeral = ephemeral_prefix(key, &model.settings.ephemeral_prefixes).is_some();
        // One finding per problem: a pushed-to chat history is
        // ai-unbounded-history's (it asks for an LTRIM window).
        let history = super::ai::is_history_push(&call.command, key);
        if ephemeral || history || bounded.contains(key) || !reported.insert((call.func, shape)) {
            continue;
        }
        let (kind, fix) = if call.is("ZADD") {
            (
                "sorted set",
                "ZREMRANGEBYRANK key 0 -(N+1) after adding (or ZREMRANGEBYSCORE for a time window)",
            )
        } else {
            ("list", "LTRIM key 0 N-1 in the same pipeline as the push")
        };
        sink.report(
            call.file,
            call.span,
            format!(
                "{} grows the {kind} `{key}`, and nothing in the crate trims, pops or expires it: it grows until \
                 it is a multi-megabyte key that blocks Redis on every full read or delete",
                call.command
            ),
            format!("bound it: {fix}, or give it a TTL"),
        );
    }
}

pub static INCONSISTENT_SEPARATOR: Rule = Rule {
    meta: RuleMeta {
        id: "key-inconsistent-separator",
        section: "2.5",
        impact: Impact::Critical,
        default: Activation::On,
        summary:
            "a key template that joins its variable parts with `_`, `-`, `.` or `/` instead of `:`",
        doc: include_str!("../../rules/key-inconsistent-separator.md"),
        hides_source: false,
    },
    check: Check::Code(inconsistent_separator),
};

/// The separator glued to a placeholder, if it is not `:`.
fn odd_separator(parts: &[Part]) -> Option<char> {
    const ODD: [char; 4] = ['_', '-', '.', '/'];
    for (i, part) in parts.iter().enumerate() {
        if !matches!(part, Part::Hole(_)) {
            continue;
        }
        let before = i.checked_sub(1).and_then(|j| match &parts[j] {
            Part::Lit(s) => s.chars().last(),
            Part::Hole(_) => None,
        });
        let after = match parts.get(i + 1) {
            Some(Part::Lit(s)) => s.chars().next(),
            _ => None,
        };
        if let Some(c) = before
            .filter(|c| ODD.contains(c))
            .or(after.filter(|c| ODD.contains(c)))
        {
            return Some(c);
        }
    }
    None
}

fn inconsistent_separator(model: &CrateModel, sink: &mut Sink) {
    for call in &model.calls {
        let found = call.keys.iter().find_map(|k| match k {
            Key::Template(parts) => odd_separator(parts).map(|c| (k, c)),
            Key::Opaque(_) => None,
        });
        if let Some((key, sep)) = found {
            sink.report(
                call.file,
                call.span,
                format!(
                    "key `{key}` separates its parts with `{sep}`: keys that do not follow one `type:id:field` \
                     scheme cannot be scanned, counted or reasoned about as a group"
                ),
                "separate every part with `:` (underscores are fine inside a part: `user:{id}:last_login`)"
                    .to_string(),
            );
        }
    }
}

pub static NAME_TOO_LONG: Rule = Rule {
    meta: RuleMeta {
        id: "key-name-too-long",
        section: "2.3",
        impact: Impact::Medium,
        default: Activation::On,
        summary: "a key whose fixed text is over 64 characters or padded with filler words",
        doc: include_str!("../../rules/key-name-too-long.md"),
        hides_source: false,
    },
    check: Check::Code(name_too_long),
};

fn name_too_long(model: &CrateModel, sink: &mut Sink) {
    for call in &model.calls {
        for key in call.keys.iter().filter(|k| matches!(k, Key::Template(_))) {
            let text = key.literal_text();
            let lower = text.to_ascii_lowercase();
            let filler = lower.split(':').any(|seg| seg == "redis")
                || ["cache_key_for", "_information_", "key_for_the"]
                    .iter()
                    .any(|w| lower.contains(w));
            let problem = if text.chars().count() > model.settings.max_key_length {
                format!(
                    "key `{key}` has {} characters of fixed text",
                    text.chars().count()
                )
            } else if filler {
                format!("key `{key}` spends characters on filler words")
            } else {
                continue;
            };
            sink.report(
                call.file,
                call.span,
                format!("{problem}: every key name is stored in memory and sent on every command that names it"),
                "keep names short and meaningful: `u:{id}:prof` or `user:{id}:profile`, not prose".to_string(),
            );
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ephemeral_prefixes() {
        let defaults = crate::settings::Settings::default().ephemeral_prefixes;
        let key = |s: &str| Key::from_parts(vec![Part::Lit(s.into()), Part::Hole("id".into())]);
        assert_eq!(
            ephemeral_prefix(&key("session:"), &defaults),
            Some("session")
        );
        assert_eq!(
            ephemeral_prefix(&key("rate_limit:"), &defaults),
            Some("rate_limit")
        );
        assert_eq!(
            ephemeral_prefix(&key("cache_v2:user:"), &defaults),
            Some("cache")
        );
        assert_eq!(ephemeral_prefix(&key("user:"), &defaults), None);
        assert_eq!(ephemeral_prefix(&key("user_session:"), &defaults), None);
        assert_eq!(ephemeral_prefix(&key("tokens_issued:"), &defaults), None);
    }
}
