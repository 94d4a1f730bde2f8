//! `cmd-exists-then-get`: EXISTS on a key, then a read of the same key: two
//! round trips where the read alone answers both questions.

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::model::{Call, CrateModel};
use crate::rules::{Check, Rule, RuleContext, Sink};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "cmd-exists-then-get",
        section: "4.4",
        impact: Impact::High,
        default: Activation::On,
        summary: "EXISTS on a key followed by a read of the same key: the read alone says whether it exists",
        doc: include_str!("../../../rules/cmd-exists-then-get.md"),
        hides_source: false,
        examples: InExamples::Quiet,
        fixable: Fixable::No,
    },
    check: Check::Code(exists_then_get),
    options: None,
    guide_also: &["4.5"],
};

/// Reads whose reply is nil (or empty) for a missing key.
const READS: &[&str] = &[
    "GET", "GETEX", "HGET", "HGETALL", "HMGET", "SMEMBERS", "LRANGE", "ZRANGE", "JSON.GET",
];

fn exists_then_get(ctx: &RuleContext, sink: &mut Sink) {
    let model = ctx.model;
    for exists in model.calls.iter().filter(|c| c.is("EXISTS") && alone(c)) {
        // `EXISTS a b`: a count over several keys, not a presence check.
        let [key] = exists.keys.as_slice() else {
            continue;
        };
        let Some(read) = next_read(model, exists) else {
            continue;
        };
        sink.report(
            exists.file,
            exists.span,
            format!(
                "EXISTS on `{key}` is followed by {} of the same key (line {}): two round trips, \
                 and the key can expire or be deleted between them",
                read.command, read.span.start.line
            ),
            format!(
                "drop the EXISTS and read once: {} returns nil (an empty reply) for a missing \
                 key, so read into an `Option` and branch on it",
                read.command
            ),
        );
    }
}

/// Sent on its own: not queued on a pipeline or inside a transaction with
/// the read (then both travel in one round trip).
fn alone(call: &Call) -> bool {
    call.pipe.is_none() && !call.in_transaction
}

/// The first read of the EXISTS's key after it in the same fn.
fn next_read<'m>(model: &'m CrateModel, exists: &Call) -> Option<&'m Call> {
    model
        .calls
        .iter()
        .filter(|c| c.file == exists.file && c.func == exists.func && c.seq > exists.seq)
        .filter(|c| READS.contains(&c.command.as_str()) && alone(c))
        .find(|c| c.keys.first() == exists.keys.first())
}
