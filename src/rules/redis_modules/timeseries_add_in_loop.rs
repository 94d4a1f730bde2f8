//! `mod-timeseries-add-in-loop`: TS.ADD once per loop item instead of one
//! TS.MADD or a pipeline.

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::rules::queries::is_ts_add_in_loop;
use crate::rules::{Check, Rule, RuleContext, Sink};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "mod-timeseries-add-in-loop",
        section: "5.6",
        impact: Impact::High,
        default: Activation::On,
        summary: "TS.ADD once per loop item instead of one TS.MADD or a pipeline",
        doc: include_str!("../../../rules/mod-timeseries-add-in-loop.md"),
        hides_source: false,
        examples: InExamples::Quiet,
        fixable: Fixable::No,
    },
    check: Check::Code(timeseries_add_in_loop),
    options: None,
    guide_also: &[],
};

fn timeseries_add_in_loop(ctx: &RuleContext, sink: &mut Sink) {
    let model = ctx.model;
    for call in model.calls.iter().filter(|c| is_ts_add_in_loop(c)) {
        let series = call
            .keys
            .first()
            .map_or("a series".to_string(), |k| format!("`{k}`"));
        sink.report(
            call.file,
            call.span,
            format!(
                "TS.ADD to {series} runs once per loop item: each sample costs a network round trip, so a \
                 batch of readings takes N round trips instead of one"
            ),
            "collect the samples and send one TS.MADD (key timestamp value …), or queue the TS.ADDs on a \
             pipeline"
                .to_string(),
        );
    }
}
