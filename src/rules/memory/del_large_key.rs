//! `memory-del-large-key`: DEL of a collection key or of scanned keys: UNLINK
//! frees the memory without blocking.

use std::collections::HashMap;

use crate::diagnostic::{Activation, Edit, Fix, Fixable, Impact, InExamples, RuleMeta};
use crate::model::key::Key;
use crate::model::{Call, CrateModel, Form};
use crate::rules::queries::{collection_keys, is_lock_key};
use crate::rules::{Check, Rule, RuleContext, Sink};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "memory-del-large-key",
        section: "7.5",
        impact: Impact::Medium,
        default: Activation::On,
        summary:
            "DEL of a collection key or of scanned keys: UNLINK frees the memory without blocking",
        doc: include_str!("../../../rules/memory-del-large-key.md"),
        hides_source: false,
        examples: InExamples::Quiet,
        fixable: Fixable::Yes,
    },
    check: Check::Code(del_large_key),
    options: None,
    guide_also: &["7.3"],
};

/// Why a DEL may free a large value.
enum LargeDel<'a> {
    /// One of its keys is written as a collection somewhere in the crate.
    Collection(&'a Key, &'static str),
    /// It deletes keys found by a SCAN loop in the same fn, whose pattern
    /// covers a key template the crate writes as a collection.
    Scanned,
}

fn del_large_key(ctx: &RuleContext, sink: &mut Sink) {
    let model = ctx.model;
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
            None if call.in_loop.is_some() && scans_collections(model, call, &collections) => {
                LargeDel::Scanned
            }
            None => continue,
        };
        let message = match why {
            LargeDel::Collection(key, kind) => format!(
                "DEL of `{key}`, which the crate fills as a {kind}: DEL frees every element before it returns, \
                 so deleting a large {kind} blocks the server (and every client) for as long as that takes"
            ),
            LargeDel::Scanned => "DEL of keys found by the SCAN loop in this fn, which can match keys the \
                 crate fills as collections: DEL frees each value before it returns, so one large collection \
                 among them blocks the server for every client"
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
/// cursor loop, fred's `scan`) whose matched keys can be collections: the
/// crate writes a collection under a key template its MATCH pattern covers
/// (any collection, when there is no pattern or it is built at run time).
/// Keys the crate only writes as strings free a few bytes each.
fn scans_collections(
    model: &CrateModel,
    del: &Call,
    collections: &HashMap<String, &'static str>,
) -> bool {
    model
        .calls
        .iter()
        .filter(|c| c.func == del.func && c.file == del.file && c.is("SCAN"))
        .any(|scan| match &scan.opts.pattern {
            Some(pattern) => collections.keys().any(|shape| may_match(pattern, shape)),
            None => !collections.is_empty(),
        })
}

/// Whether some key of a template (`{}` holes) can match a SCAN glob: their
/// literal beginnings agree up to the first wildcard or hole, and their
/// literal ends agree after the last one.
fn may_match(pattern: &str, shape: &str) -> bool {
    const GLOB: [char; 4] = ['*', '?', '[', '\\'];
    let fixed = |text: &str, hole: &[char]| -> (String, String) {
        let head = text.find(hole).map_or(text, |i| &text[..i]);
        let tail = text.rfind(hole).map_or("", |i| &text[i + 1..]);
        (head.to_string(), tail.to_string())
    };
    let (p_head, p_tail) = fixed(pattern, &GLOB);
    let (s_head, s_tail) = fixed(shape, &['{', '}']);
    let whole = |t: &str, hole: &[char]| !t.contains(hole);
    if whole(pattern, &GLOB) && whole(shape, &['{', '}']) {
        return pattern == shape;
    }
    // A template that starts with a variable part (`{tenant}:cart`) is not
    // taken to fall under a pattern with a literal beginning.
    let heads = if s_head.is_empty() {
        p_head.is_empty()
    } else {
        p_head.starts_with(&s_head) || s_head.starts_with(&p_head)
    };
    let tails = p_tail.ends_with(&s_tail) || s_tail.ends_with(&p_tail);
    heads && tails
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
    Some(Fix::safe(
        "free the memory in the background: UNLINK",
        vec![Edit::replace(name, content)],
    ))
}

#[cfg(test)]
mod tests {
    use super::may_match;

    #[test]
    fn scan_patterns_against_templates() {
        assert!(may_match("sessions:user:*", "sessions:user:{}"));
        assert!(may_match("drafts:*", "drafts:{}"));
        assert!(may_match("*:players", "game:match:{}:players"));
        assert!(may_match("game:*", "game:events"));
        assert!(!may_match("game:code:*", "game:match:{}:players"));
        assert!(!may_match("game:code:*", "game:events"));
        assert!(!may_match("*:tmp", "game:match:{}:players"));
        assert!(!may_match("gamecode:*", "{}:cart"));
        assert!(may_match("*:cart", "{}:cart"));
        assert!(may_match("leaderboard", "leaderboard"));
        assert!(!may_match("leaderboard", "leaderboards"));
    }
}
