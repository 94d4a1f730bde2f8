//! `conn-panic-on-error`: a Redis error turned into a panic in a fn that
//! could return it.

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::model::flow::PanicHow;
use crate::model::{CreationKind, CrateModel, FileId};
use crate::rules::{Check, Rule, RuleContext, Sink};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "conn-panic-on-error",
        section: "3.3",
        impact: Impact::High,
        default: Activation::On,
        summary: "a Redis error turned into a panic (`.unwrap()`, `.expect(..)`, `panic!`) in a fn that returns a \
                  `Result`",
        doc: include_str!("../../../rules/conn-panic-on-error.md"),
        hides_source: false,
        examples: InExamples::Quiet,
        fixable: Fixable::No,
    },
    check: Check::Code(panic_on_error),
    options: None,
    guide_also: &[],
};

fn panic_on_error(ctx: &RuleContext, sink: &mut Sink) {
    let model = ctx.model;
    for (file, p) in &model.flow.panics {
        let Some(what) = failing(model, *file, p.seq) else {
            continue;
        };
        let how = match p.how {
            PanicHow::Unwrap => "`.unwrap()` turns",
            PanicHow::Expect => "`.expect(..)` turns",
            PanicHow::ErrBranch => "this branch turns",
        };
        sink.report(
            *file,
            p.span,
            format!(
                "{how} a failed {what} into a panic, although the fn returns a `Result`: when Redis restarts, \
                 fails over or stops answering, the task or thread crashes instead of reporting a failure its \
                 caller could handle"
            ),
            "return the error with `?` (map it into the fn's error type), and let the caller retry, degrade or \
             answer with an error"
                .to_string(),
        );
    }
}

/// The command or the connecting call whose error panics, as a message
/// names it. Opening a client only parses its URL: no Redis error there.
fn failing(model: &CrateModel, file: FileId, seq: u32) -> Option<String> {
    if let Some(call) = model.call_at(file, seq) {
        return match (call.pipe, call.command.is_empty()) {
            (Some(_), _) => None,
            (None, true) => Some("a Redis command".to_string()),
            (None, false) => Some(call.command_named()),
        };
    }
    let made = model
        .creations
        .iter()
        .find(|c| c.file == file && c.seq == seq)?;
    matches!(
        made.kind,
        CreationKind::SyncConnection { .. } | CreationKind::AsyncConnection { .. }
    )
    .then(|| format!("`{}`", made.what))
}
