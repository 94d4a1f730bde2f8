//! `key-missing-ttl`: a write to a cache/session/token-like key that never gets
//! an expiry.

use std::collections::HashSet;

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::model::command::flags;
use crate::model::key::{Key, Part};
use crate::model::{Api, Call, CrateModel};
use crate::rules::options::{toml_list, OptionError, RuleOptions};
use crate::rules::queries::same_key;
use crate::rules::{Check, GroupKey, Rule, RuleContext, Sink};

mod ephemeral;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "key-missing-ttl",
        section: "2.4",
        impact: Impact::Critical,
        default: Activation::On,
        summary: "a write to a cache/session/token-like key that never gets an expiry",
        doc: include_str!("../../../rules/key-missing-ttl.md"),
        hides_source: false,
        examples: InExamples::Quiet,
        fixable: Fixable::No,
    },
    check: Check::Code(missing_ttl),
    options: Some(|| Box::<Options>::default()),
    guide_also: &[],
};

/// `ephemeral-prefixes`: the first key segments that name temporary data.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    pub ephemeral_prefixes: Vec<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            ephemeral_prefixes: [
                "cache",
                "session",
                "sess",
                "tmp",
                "temp",
                "ratelimit",
                "rate_limit",
                "rl",
                "otp",
                "token",
                "nonce",
                "upload",
                "verify",
                "reset",
                "lock",
            ]
            .map(String::from)
            .to_vec(),
        }
    }
}

impl RuleOptions for Options {
    fn set(&mut self, key: &str, value: &toml::Value) -> Result<(), OptionError> {
        match key {
            "ephemeral-prefixes" => {
                self.ephemeral_prefixes = value
                    .as_array()
                    .and_then(|a| {
                        a.iter()
                            .map(|x| x.as_str().map(str::to_string))
                            .collect::<Option<Vec<_>>>()
                    })
                    .ok_or(OptionError::Invalid(
                        "`ephemeral-prefixes` is a list of strings",
                    ))?;
                Ok(())
            }
            _ => Err(OptionError::Unknown),
        }
    }

    fn show(&self) -> String {
        format!("ephemeral-prefixes = {}", toml_list(&self.ephemeral_prefixes))
    }
}

impl Options {
    /// The ephemeral prefix a key starts with, if any: its first segment,
    /// or that segment's first word (`cache_v2:` is a cache key).
    pub fn ephemeral_prefix(&self, key: &Key) -> Option<&str> {
        let prefix = key.static_prefix();
        let segment = prefix
            .split([':', '{', '/'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        let first_word = segment.split(['_', '-', '.']).next().unwrap_or("");
        self.ephemeral_prefixes
            .iter()
            .map(String::as_str)
            .find(|p| segment == *p || (first_word == *p && segment.len() > p.len()))
    }
}

/// Writes that leave data behind at their key. Every string write counts:
/// a fresh key made by SETRANGE, SETBIT or INCRBY lives as long as one made
/// by SET.
const TTL_WRITES: &[&str] = &[
    "SET",
    "MSET",
    "GETSET",
    "SETRANGE",
    "SETBIT",
    "BITFIELD",
    "APPEND",
    "INCR",
    "INCRBY",
    "INCRBYFLOAT",
    "DECR",
    "DECRBY",
    "HSET",
    "HMSET",
    "HSETNX",
    "HINCRBY",
    "SADD",
    "RPUSH",
    "LPUSH",
    "ZADD",
    "ZINCRBY",
    "PFADD",
];

fn sets_expiry(call: &Call) -> bool {
    call.has(flags::EXPIRY) || call.opts.expiry
}

/// The keys a write leaves data at: every key of MSET, the first of others.
fn written_keys(call: &Call) -> &[Key] {
    match call.command.as_str() {
        "MSET" => &call.keys,
        _ => call.keys.get(..1).unwrap_or(&[]),
    }
}

fn missing_ttl(ctx: &RuleContext, sink: &mut Sink) {
    let model = ctx.model;
    let options = ctx.options::<Options>();
    let mut reported: HashSet<(u32, String)> = HashSet::new();
    for call in &model.calls {
        // A helper's write on its own key text is reported at the helper.
        if !TTL_WRITES.contains(&call.command.as_str())
            || sets_expiry(call)
            || call.opts.nx
            || call.key_designed_in_helper()
        {
            continue;
        }
        for key in written_keys(call) {
            let why = ephemeral::why(options, model, key);
            // A key that is not temporary by its looks is still reported
            // when the code expires it only under an optional nobody sets.
            let maybe_optional = !model.unset_by_default.is_empty() && has_hole(key);
            if (why.is_none() && !maybe_optional) || live_gauge(model, call, key) {
                continue;
            }
            let (message, help) = match expiry_of(model, call, key) {
                Expiry::Set => continue,
                Expiry::OnlyWhenSet(field) if has_hole(key) => (
                    format!(
                        "{} to `{key}` expires only when `{field}` is set, and its default is \
                         None: nothing in the crate sets it, so these keys pile up until memory \
                         runs out",
                        call.command_named()
                    ),
                    format!(
                        "give `{field}` a default value, or expire the key when it is None too"
                    ),
                ),
                Expiry::OnlyWhenSet(_) | Expiry::Never => {
                    let Some(why) = why else {
                        continue;
                    };
                    let message = format!(
                        "{} to `{key}` never sets an expiry, yet {}",
                        call.command_named(),
                        why.reason()
                    );
                    (message, help(call, key))
                }
            };
            if !reported.insert((call.func, key.shape())) {
                continue;
            }
            sink.report_on_key(GroupKey::template(key), call, message, help);
        }
    }
}

/// A key template with a variable part: many keys, which can pile up.
fn has_hole(key: &Key) -> bool {
    matches!(key, Key::Template(parts) if parts.iter().any(|p| matches!(p, Part::Hole(_))))
}

/// Whether a write's key gets an expiry around it.
enum Expiry<'m> {
    Set,
    /// Only while this optional field holds a value, and nothing sets it.
    OnlyWhenSet(&'m str),
    Never,
}

/// An expiry set on the key in the same fn or pipeline, or by a helper
/// called there that expires the key it is given; one that runs only
/// while an optional field nobody sets holds a value does not count.
fn expiry_of<'m>(model: &'m CrateModel, call: &Call, key: &Key) -> Expiry<'m> {
    let mut only_when_set = None;
    for other in &model.calls {
        let nearby = sets_expiry(other)
            && other.keys.first().is_some_and(|k| same_key(k, key))
            && (other.func == call.func || (call.pipe.is_some() && other.pipe == call.pipe));
        if !nearby {
            continue;
        }
        match model.unset_by_default.get(&(other.file, other.seq)) {
            Some(field) => only_when_set = Some(field.as_str()),
            None => return Expiry::Set,
        }
    }
    let by_helper = model.helper_calls.iter().any(|h| {
        h.func == call.func
            && model.expiring_helpers.get(&h.name).is_some_and(|params| {
                params
                    .iter()
                    .any(|&i| h.args.get(i).is_some_and(|a| same_key(a, key)))
            })
    });
    match (by_helper, only_when_set) {
        (true, _) => Expiry::Set,
        (false, Some(field)) => Expiry::OnlyWhenSet(field),
        (false, None) => Expiry::Never,
    }
}

/// A counter the crate both raises and lowers (INCR on connect, DECR on
/// disconnect) counts something that is still live: an expiry would reset
/// it while the things it counts exist, so it is not missing one.
fn live_gauge(model: &CrateModel, call: &Call, key: &Key) -> bool {
    let direction = |command: &str| match command {
        "INCR" | "INCRBY" => Some(Gauge::Up),
        "DECR" | "DECRBY" => Some(Gauge::Down),
        _ => None,
    };
    let Some(this) = direction(&call.command) else {
        return false;
    };
    model.calls.iter().any(|other| {
        direction(&other.command).is_some_and(|d| d != this)
            && other.keys.first().is_some_and(|k| same_key(k, key))
    })
}

#[derive(PartialEq, Eq, Clone, Copy)]
enum Gauge {
    Up,
    Down,
}

fn help(call: &Call, key: &Key) -> String {
    match (call.command.as_str(), call.api) {
        ("SET", Api::RedisRs) => "write and expire in one command: `con.set_ex(key, value, seconds)` or \
                                  `set_options` with `SetExpiry::EX`"
            .to_string(),
        ("SET", Api::Fred) => {
            "pass an expiration: `client.set(key, value, Some(Expiration::EX(secs)), None, false)`"
                .to_string()
        }
        _ => format!(
            "add `EXPIRE {}` in the same pipeline (or transaction) right after the {}",
            key, call.command
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ephemeral_prefixes() {
        let defaults = Options::default();
        let key = |s: &str| Key::from_parts(vec![Part::Lit(s.into()), Part::Hole("id".into())]);
        assert_eq!(
            defaults.ephemeral_prefix(&key("session:")),
            Some("session")
        );
        assert_eq!(
            defaults.ephemeral_prefix(&key("rate_limit:")),
            Some("rate_limit")
        );
        assert_eq!(
            defaults.ephemeral_prefix(&key("cache_v2:user:")),
            Some("cache")
        );
        assert_eq!(defaults.ephemeral_prefix(&key("user:")), None);
        assert_eq!(defaults.ephemeral_prefix(&key("user_session:")), None);
        assert_eq!(defaults.ephemeral_prefix(&key("tokens_issued:")), None);
    }
}
