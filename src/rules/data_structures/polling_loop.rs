//! `ds-polling-loop`: a loop that pops or reads without blocking and sleeps
//! between rounds.

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::model::{Call, LoopKind};
use crate::rules::{Check, Rule, RuleContext, Sink};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "ds-polling-loop",
        section: "1.3",
        impact: Impact::High,
        default: Activation::On,
        summary: "a loop that pops or reads without blocking and sleeps between rounds",
        doc: include_str!("../../../rules/ds-polling-loop.md"),
        hides_source: false,
        examples: InExamples::Quiet,
        fixable: Fixable::No,
    },
    check: Check::Code(polling_loop),
    options: None,
    guide_also: &[],
};

/// Non-blocking pops and reads that have a blocking twin.
fn blocking_twin(call: &Call) -> Option<&'static str> {
    Some(match call.command.as_str() {
        "LPOP" => "BLPOP",
        "RPOP" => "BRPOP",
        "LMPOP" => "BLMPOP",
        "LMOVE" | "RPOPLPUSH" => "BLMOVE",
        "ZPOPMIN" => "BZPOPMIN",
        "ZPOPMAX" => "BZPOPMAX",
        "ZMPOP" => "BZMPOP",
        "XREAD" | "XREADGROUP" if call.opts.timeout.is_none() => {
            if call.is("XREAD") {
                "XREAD BLOCK"
            } else {
                "XREADGROUP BLOCK"
            }
        }
        _ => return None,
    })
}

fn polling_loop(ctx: &RuleContext, sink: &mut Sink) {
    let model = ctx.model;
    for call in &model.calls {
        let Some(twin) = blocking_twin(call) else {
            continue;
        };
        // The loop that both repeats the read and sleeps.
        let sleeping = call.loops.iter().any(|&id| {
            model
                .flow
                .loop_fact(call.file, id)
                .is_some_and(|l| l.sleeps && matches!(l.kind, LoopKind::Loop | LoopKind::While))
        });
        if !sleeping || call.pipe.is_some() {
            continue;
        }
        let key = call
            .keys
            .first()
            .map(|k| format!(" on `{k}`"))
            .unwrap_or_default();
        sink.report(
            call.file,
            call.span,
            format!(
                "{}{key} polls in a loop that sleeps between rounds: new items wait up to a full sleep, and an \
                 idle worker still spends a round trip per round",
                call.command
            ),
            format!(
                "block on the server instead: {twin} with a timeout returns as soon as an item arrives and \
                 costs nothing while idle"
            ),
        );
    }
}
