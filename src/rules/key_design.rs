//! Guide section 2: key design.

use std::collections::HashSet;

use super::{Check, Default, Impact, Rule, Sink};
use crate::model::command::flags;
use crate::model::key::{Key, Part};
use crate::model::{Api, Call, CrateModel};

/// The rules of this section, in guide order.
pub static RULES: &[&Rule] = &[&KEYS_COMMAND, &MISSING_TTL, &NO_NAMESPACE];

pub static KEYS_COMMAND: Rule = Rule {
    id: "key-keys-command",
    section: "2.6",
    impact: Impact::Critical,
    default: Default::On,
    summary: "KEYS walks the whole keyspace in one blocking call; iterate with SCAN",
    doc: include_str!("../../rules/key-keys-command.md"),
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
    id: "key-missing-ttl",
    section: "2.4",
    impact: Impact::Critical,
    default: Default::On,
    summary: "a write to a cache/session/token-like key that never gets an expiry",
    doc: include_str!("../../rules/key-missing-ttl.md"),
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
    id: "key-no-namespace",
    section: "2.5",
    impact: Impact::Critical,
    default: Default::On,
    summary: "a key without a `prefix:` namespace, or one that starts with a variable part",
    doc: include_str!("../../rules/key-no-namespace.md"),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ephemeral_prefixes() {
        let defaults = crate::config::Settings::default().ephemeral_prefixes;
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
