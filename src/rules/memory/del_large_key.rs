//! `memory-del-large-key`: DEL of a collection key or of scanned keys: UNLINK
//! frees the memory without blocking.

use crate::diagnostic::{Activation, Edit, Fix, Impact, InExamples, RuleMeta};
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
    },
    check: Check::Code(del_large_key),
    options: None,
    guide_also: &["7.3"],
};

/// Why a DEL may free a large value.
enum LargeDel<'a> {
    /// One of its keys is written as a collection somewhere in the crate.
    Collection(&'a Key, &'static str),
    /// It deletes keys found by a SCAN loop in the same fn: any type, any size.
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
    Some(Fix::safe(
        "free the memory in the background: UNLINK",
        vec![Edit::replace(name, content)],
    ))
}
