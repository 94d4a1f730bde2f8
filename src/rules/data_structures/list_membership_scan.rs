//! `ds-list-membership-scan`: a whole list fetched with LRANGE 0 -1 to test
//! membership in the application.

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::model::flow::UseKind;
use crate::rules::{Check, Rule, RuleContext, Sink};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "ds-list-membership-scan",
        section: "1.4",
        impact: Impact::High,
        default: Activation::On,
        summary: "a whole list fetched with LRANGE 0 -1 to test membership in the application",
        doc: include_str!("../../../rules/ds-list-membership-scan.md"),
        hides_source: false,
        examples: InExamples::Quiet,
        fixable: Fixable::No,
    },
    check: Check::Code(list_membership_scan),
    options: None,
    guide_also: &[],
};

fn list_membership_scan(ctx: &RuleContext, sink: &mut Sink) {
    let model = ctx.model;
    for (file, u) in model
        .flow
        .uses
        .iter()
        .filter(|(_, u)| u.kind == UseKind::Search)
    {
        let Some(call) = model.call_at(*file, u.seq) else {
            continue;
        };
        if !(call.is("LRANGE") && call.opts.whole_list) {
            continue;
        }
        let key = call.keys.first().map(|k| k.to_string()).unwrap_or_default();
        sink.report(
            *file,
            u.span,
            format!(
                "the whole list `{key}` is fetched (LRANGE 0 -1, line {}) only to `{}` it: every check moves \
                 the entire list and costs O(N)",
                call.span.start.line, u.method
            ),
            "keep the members in a Set and ask the server: SISMEMBER (or SMISMEMBER for several) is O(1) \
             and returns one flag"
                .to_string(),
        );
    }
}
