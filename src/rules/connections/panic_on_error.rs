//! `conn-panic-on-error`: a Redis error turned into a panic in a fn that
//! could return it.

use std::collections::BTreeMap;

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, Related, RuleMeta};
use crate::model::flow::{ErrorPanic, PanicHow};
use crate::model::{CreationKind, CrateModel, FileId, FnId};
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
    // One finding per fn: its error handling is one decision, fixed once
    // (the fn's other panicking calls are related sites).
    let mut by_fn: BTreeMap<FnId, Vec<(FileId, &ErrorPanic, Failing)>> = BTreeMap::new();
    for (file, p) in &model.flow.panics {
        if let Some(failing) = failing(model, *file, p.seq) {
            by_fn.entry(failing.func).or_default().push((*file, p, failing));
        }
    }
    for sites in by_fn.values() {
        let (file, first, what) = &sites[0];
        let how = match first.how {
            PanicHow::Unwrap => "`.unwrap()` turns",
            PanicHow::Expect => "`.expect(..)` turns",
            PanicHow::ErrBranch => "this branch turns",
        };
        let related = sites[1..]
            .iter()
            .map(|(file, p, what)| Related {
                file: *file,
                span: p.span,
                message: format!("the same fn turns a failed {} into a panic here", what.name),
            })
            .collect();
        sink.report_with_related(
            *file,
            first.span,
            format!(
                "{how} a failed {} into a panic, although the fn returns a `Result`: when Redis restarts, \
                 fails over or stops answering, the task or thread crashes instead of reporting a failure its \
                 caller could handle",
                what.name
            ),
            "return the error with `?` (map it into the fn's error type), and let the caller retry, degrade or \
             answer with an error"
                .to_string(),
            related,
        );
    }
}

/// A call or connecting call whose error can panic: what a message calls
/// it, and the fn it is in.
struct Failing {
    name: String,
    func: FnId,
}

/// The command or the connecting call whose error panics, as a message
/// names it. Opening a client only parses its URL: no Redis error there.
fn failing(model: &CrateModel, file: FileId, seq: u32) -> Option<Failing> {
    if let Some(call) = model.call_at(file, seq) {
        let name = match (call.pipe, call.command.is_empty()) {
            (Some(_), _) => return None,
            (None, true) => "a Redis command".to_string(),
            (None, false) => call.command_named(),
        };
        return Some(Failing {
            name,
            func: call.func,
        });
    }
    let made = model
        .creations
        .iter()
        .find(|c| c.file == file && c.seq == seq)?;
    matches!(
        made.kind,
        CreationKind::SyncConnection { .. } | CreationKind::AsyncConnection { .. }
    )
    .then(|| Failing {
        name: format!("`{}`", made.what),
        func: made.func,
    })
}
