//! `memory-rename-overwrite`: RENAME onto a key the crate writes as a
//! collection: the old value is freed while the server blocks.

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::rules::queries::collection_keys;
use crate::rules::{Check, Rule, RuleContext, Sink};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "memory-rename-overwrite",
        section: "7.5",
        impact: Impact::Medium,
        default: Activation::OptIn,
        summary: "RENAME onto a key the crate writes as a collection: the old value is freed while the server blocks",
        doc: include_str!("../../../rules/memory-rename-overwrite.md"),
        hides_source: false,
        examples: InExamples::Quiet,
        fixable: Fixable::No,
    },
    check: Check::Code(rename_overwrite),
    options: None,
    guide_also: &[],
};

fn rename_overwrite(ctx: &RuleContext, sink: &mut Sink) {
    let model = ctx.model;
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
