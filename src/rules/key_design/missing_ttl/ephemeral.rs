//! Whether a written key holds temporary data, judged by what the key
//! means: its configured prefix, a variable part that is unique per request,
//! a name that says temporary, or a crate that consumes the key once.

use crate::model::key::{Key, Part};
use crate::model::CrateModel;
use crate::rules::queries::same_key;

use super::Options;

/// Why a key's data is temporary.
pub(super) enum Ephemeral<'a> {
    /// Its first segment is one of the configured ephemeral prefixes.
    Prefix(&'a str),
    /// A variable part is made fresh for each request: a token, a request
    /// or session id, a timestamp. Every request writes a new key.
    UniquePart(&'a str),
    /// A word of its literal text says temporary (`tmp`, `pending`, a
    /// `state` record keyed by its value).
    NamedTemporary(&'static str),
    /// Every read of the key in the crate consumes it (GETDEL, or a read
    /// followed by a delete in the same fn): a one-shot value.
    ConsumedOnce,
}

impl Ephemeral<'_> {
    /// The second half of the message: why the missing expiry matters.
    pub(super) fn reason(&self) -> String {
        match self {
            Ephemeral::Prefix(prefix) => format!(
                "`{prefix}:` data is temporary: such keys pile up until memory runs out"
            ),
            Ephemeral::UniquePart(part) => format!(
                "its key carries a value made fresh for each request (`{part}`): every request writes a \
                 new key, and they pile up until memory runs out"
            ),
            Ephemeral::NamedTemporary(word) => format!(
                "its name says the data is temporary (`{word}`): such keys pile up until memory runs out"
            ),
            Ephemeral::ConsumedOnce => "the crate reads the key only to consume it (GETDEL, or a read and a \
                 DEL): every value never redeemed (an abandoned flow) stays forever"
                .to_string(),
        }
    }
}

pub(super) fn why<'k>(options: &'k Options, model: &CrateModel, key: &'k Key) -> Option<Ephemeral<'k>> {
    if let Some(prefix) = options.ephemeral_prefix(key) {
        return Some(Ephemeral::Prefix(prefix));
    }
    // A fully literal key is one key: it cannot pile up.
    let Key::Template(parts) = key else {
        return None;
    };
    if !parts.iter().any(|p| matches!(p, Part::Hole(_))) {
        return None;
    }
    if let Some(part) = unique_part(parts) {
        return Some(Ephemeral::UniquePart(part));
    }
    if let Some(word) = temporary_word(parts) {
        return Some(Ephemeral::NamedTemporary(word));
    }
    consumed_once(model, key).then_some(Ephemeral::ConsumedOnce)
}

/// Words that name a value made fresh for each request or flow.
const UNIQUE_WORDS: &[&str] = &[
    "uuid", "ulid", "nanoid", "token", "nonce", "csrf", "otp", "jti", "sid", "sessionid",
    "requestid", "timestamp", "ts", "now",
];

/// Word pairs that do the same (`session_id`, `req_id`).
const UNIQUE_PAIRS: &[(&str, &str)] = &[("session", "id"), ("request", "id"), ("req", "id")];

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect()
}

/// The expression of the first hole that is unique per request. A call
/// (`Uuid::new_v4()`, `Utc::now().timestamp()`) is judged by every name in
/// it; a field path by its last field only (`token.user_id` is a user id).
fn unique_part(parts: &[Part]) -> Option<&str> {
    parts.iter().find_map(|p| {
        let Part::Hole(expr) = p else { return None };
        let judged = if expr.contains('(') {
            expr.as_str()
        } else {
            expr.rsplit('.').next().unwrap_or(expr)
        };
        let words = words(judged);
        let unique = words.iter().any(|w| UNIQUE_WORDS.contains(&w.as_str()))
            || words
                .windows(2)
                .any(|w| UNIQUE_PAIRS.contains(&(w[0].as_str(), w[1].as_str())));
        unique.then_some(expr.as_str())
    })
}

/// Words of a key's literal text that say its data is temporary.
const TEMPORARY_WORDS: &[&str] = &["temp", "tmp", "pending", "nonce", "lock"];

/// A temporary word anywhere in the literal text, with any separator
/// (`tmp:`, `report_tmp:`, `-tmp-`); `state` only right before a variable
/// part, where it names a state record keyed by its value (`oauth-state-{}`)
/// rather than a field of an entity (`order:{}:state`).
fn temporary_word(parts: &[Part]) -> Option<&'static str> {
    parts.iter().enumerate().find_map(|(i, p)| {
        let Part::Lit(text) = p else { return None };
        let words = words(text);
        if let Some(w) = TEMPORARY_WORDS.iter().find(|t| words.iter().any(|w| w == *t)) {
            return Some(*w);
        }
        let before_hole = matches!(parts.get(i + 1), Some(Part::Hole(_)));
        (before_hole && words.last().is_some_and(|w| w == "state")).then_some("state")
    })
}

/// Reads that return a key's value.
const READS: &[&str] = &["GET", "GETEX", "HGET", "HGETALL", "HMGET", "LRANGE", "SMEMBERS"];

/// Every read of the key in the crate consumes it: a GETDEL, or a read
/// followed by a DEL/UNLINK of the key in the same fn. A key also read
/// without being deleted is a record the crate keeps (`user:{id}` read by
/// a profile page and by an account deletion).
fn consumed_once(model: &CrateModel, key: &Key) -> bool {
    let mut reads = model
        .calls
        .iter()
        .filter(|c| c.keys.first().is_some_and(|k| same_key(k, key)))
        .filter(|c| c.is("GETDEL") || READS.contains(&c.command.as_str()))
        .peekable();
    reads.peek().is_some()
        && reads.all(|read| {
            read.is("GETDEL")
                || model.calls.iter().any(|del| {
                    (del.is("DEL") || del.is("UNLINK"))
                        && del.file == read.file
                        && del.func == read.func
                        && del.seq > read.seq
                        && del.keys.iter().any(|k| same_key(k, key))
                })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(spec: &[(&str, bool)]) -> Vec<Part> {
        spec.iter()
            .map(|&(t, hole)| match hole {
                true => Part::Hole(t.into()),
                false => Part::Lit(t.into()),
            })
            .collect()
    }

    #[test]
    fn unique_parts_by_name() {
        let unique = |hole: &str| unique_part(&parts(&[("k:", false), (hole, true)])).is_some();
        assert!(unique("confirmation_token"));
        assert!(unique("request_id"));
        assert!(unique("Uuid::new_v4()"));
        assert!(unique("Utc::now().timestamp()"));
        assert!(unique("claims.jti"));
        assert!(!unique("token.user_id"));
        assert!(!unique("user_id"));
        assert!(!unique("tokens_issued"));
    }

    #[test]
    fn temporary_words_with_any_separator() {
        let word = |lit: &str| temporary_word(&parts(&[(lit, false), ("id", true)]));
        assert_eq!(word("report_tmp:"), Some("tmp"));
        assert_eq!(word("dedupe-tmp-"), Some("tmp"));
        assert_eq!(word("oauth:state:"), Some("state"));
        assert_eq!(word("template:"), None);
        assert_eq!(word("statement:"), None);
        let trailing = parts(&[("order:", false), ("id", true), (":state", false)]);
        assert_eq!(temporary_word(&trailing), None);
    }
}
