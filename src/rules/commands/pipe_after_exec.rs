//! `cmd-pipe-after-exec`: a command queued on a pipeline after its last
//! execution in the fn: it is never sent.

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::rules::{Check, Rule, RuleContext, Sink};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "cmd-pipe-after-exec",
        section: "4.6",
        impact: Impact::High,
        default: Activation::On,
        summary: "a command queued on a pipeline after the pipeline was executed, and never sent",
        doc: include_str!("../../../rules/cmd-pipe-after-exec.md"),
        hides_source: false,
        examples: InExamples::Reported,
        fixable: Fixable::No,
    },
    check: Check::Code(pipe_after_exec),
    options: None,
    guide_also: &["4.4"],
};

fn pipe_after_exec(ctx: &RuleContext, sink: &mut Sink) {
    let model = ctx.model;
    for call in &model.calls {
        let Some(pipe) = call.pipe.and_then(|p| model.pipes.get(&p)) else {
            continue;
        };
        // Queued after a run, and no run after it sends it.
        let before = pipe.runs.iter().rfind(|r| r.after_seq < call.seq);
        let after = pipe.runs.iter().any(|r| r.after_seq >= call.seq);
        let Some(run) = before.filter(|_| !after) else {
            continue;
        };
        sink.report(
            call.file,
            call.span,
            format!(
                "{} is queued on a pipeline that was already executed (line {}) and is not \
                 executed again: the command is never sent to Redis",
                call.command, run.span.start.line
            ),
            "queue every command before the pipeline runs, or execute it again after the \
             last one (`pipe.clear()` first, to avoid resending the earlier commands)"
                .to_string(),
        );
    }
}
