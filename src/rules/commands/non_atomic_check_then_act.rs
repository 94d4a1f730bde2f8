//! `cmd-non-atomic-check-then-act`: a write decided by an earlier EXISTS/GET of
//! the same key, with no atomicity between them.

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::model::Call;
use crate::model::key::Key;
use crate::rules::queries::is_lock_key;
use crate::rules::{GroupKey, SiteRole, queries, Check, Rule, RuleContext, Sink};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "cmd-non-atomic-check-then-act",
        section: "4.5",
        impact: Impact::High,
        default: Activation::On,
        summary:
            "a write decided by an earlier EXISTS/GET of the same key, with no atomicity between them",
        doc: include_str!("../../../rules/cmd-non-atomic-check-then-act.md"),
        hides_source: false,
        examples: InExamples::Reported,
        fixable: Fixable::No,
    },
    check: Check::Code(non_atomic_check_then_act),
    options: None,
    guide_also: &["4.6"],
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

fn non_atomic_check_then_act(ctx: &RuleContext, sink: &mut Sink) {
    let model = ctx.model;
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
        if queries::decoded_read_of_same_key(model, write).is_some() {
            continue;
        }
        sink.report_in(
            GroupKey::CheckedKey {
                file: write.file,
                key: key.shape(),
            },
            SiteRole::Use,
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
