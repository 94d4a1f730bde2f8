//! `ds-sort-in-app`: a hash, set or list fetched whole and sorted by a computed
//! key in the application.

use std::collections::HashSet;

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::model::flow::UseKind;
use crate::rules::{Check, Rule, RuleContext, Sink};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "ds-sort-in-app",
        section: "1.5",
        impact: Impact::High,
        default: Activation::On,
        summary:
            "a hash, set or list fetched whole and sorted by a computed key in the application",
        doc: include_str!("../../../rules/ds-sort-in-app.md"),
        hides_source: false,
        examples: InExamples::Quiet,
        fixable: Fixable::No,
    },
    check: Check::Code(sort_in_app),
    options: None,
    guide_also: &[],
};

/// Replies that come back unordered (or in insertion order) and whole.
const UNORDERED_READS: &[&str] = &["HGETALL", "HVALS", "SMEMBERS", "SUNION", "SINTER", "LRANGE"];

fn sort_in_app(ctx: &RuleContext, sink: &mut Sink) {
    let model = ctx.model;
    let mut reported = HashSet::new();
    for (file, u) in model
        .flow
        .uses
        .iter()
        .filter(|(_, u)| u.kind == UseKind::SortBy)
    {
        let Some(call) = model.call_at(*file, u.seq) else {
            continue;
        };
        if !UNORDERED_READS.contains(&call.command.as_str()) || !reported.insert((*file, u.span)) {
            continue;
        }
        let key = call
            .keys
            .first()
            .map(|k| format!(" `{k}`"))
            .unwrap_or_default();
        sink.report(
            *file,
            u.span,
            format!(
                "the reply of {}{key} (line {}) is ranked in the application with `{}`: every request fetches \
                 and sorts the whole collection",
                call.command, call.span.start.line, u.method
            ),
            "keep the items in a Sorted Set scored by the sort key: ZADD on write, then ZRANGE (BYSCORE / \
             REV / LIMIT) returns them in order, a page at a time"
                .to_string(),
        );
    }
}
