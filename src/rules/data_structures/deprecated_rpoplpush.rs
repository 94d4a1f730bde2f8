//! `ds-deprecated-rpoplpush`: RPOPLPUSH / BRPOPLPUSH are deprecated; use LMOVE
//! / BLMOVE.

use crate::diagnostic::{Activation, Edit, Fix, Impact, RuleMeta};
use crate::model::{Api, Call, Form};
use crate::rules::{Check, Rule, RuleContext, Sink};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "ds-deprecated-rpoplpush",
        section: "1.3",
        impact: Impact::High,
        default: Activation::On,
        summary: "RPOPLPUSH / BRPOPLPUSH are deprecated; use LMOVE / BLMOVE",
        doc: include_str!("../../../rules/ds-deprecated-rpoplpush.md"),
        hides_source: false,
    },
    check: Check::Code(deprecated_rpoplpush),
    options: None,
    guide_also: &[],
};

fn deprecated_rpoplpush(ctx: &RuleContext, sink: &mut Sink) {
    let model = ctx.model;
    for call in model
        .calls
        .iter()
        .filter(|c| c.is("RPOPLPUSH") || c.is("BRPOPLPUSH"))
    {
        let new = if call.is("RPOPLPUSH") {
            "LMOVE"
        } else {
            "BLMOVE"
        };
        sink.report_with_fix(
            call.file,
            call.span,
            format!("{} is deprecated since Redis 6.2 and may be removed", call.command),
            format!("use {new} src dst RIGHT LEFT, which does the same move and also lets you choose the ends"),
            lmove_fix(call),
        );
    }
}

/// `RPOPLPUSH src dst` is `LMOVE src dst RIGHT LEFT`; `BRPOPLPUSH src dst t`
/// is `BLMOVE src dst RIGHT LEFT t`. The directions go right after the
/// destination, so one rename and one insertion make the fix. Offered only
/// where every argument position is certain: a method call with exactly its
/// arguments, or a raw redis-rs command whose `.arg(..)` links are all in
/// one chain (not kept in a variable that gets arguments elsewhere).
fn lmove_fix(call: &Call) -> Option<Fix> {
    let name = call.name_span?;
    let blocking = call.is("BRPOPLPUSH");
    let arity = if blocking { 3 } else { 2 };
    if call.arg_spans.len() != arity {
        return None;
    }
    let dst = call.arg_spans[1];
    let (rename, directions) = match (call.form, call.api) {
        (Form::Method, Api::RedisRs) => (
            if blocking { "blmove" } else { "lmove" },
            ", redis::Direction::Right, redis::Direction::Left",
        ),
        (Form::Method, Api::Fred) => (
            if blocking { "blmove" } else { "lmove" },
            ", fred::types::lists::LMoveDirection::Right, fred::types::lists::LMoveDirection::Left",
        ),
        (Form::Raw, Api::RedisRs) if !call.bound => (
            if blocking { "\"BLMOVE\"" } else { "\"LMOVE\"" },
            ".arg(\"RIGHT\").arg(\"LEFT\")",
        ),
        // fred `custom` takes a vector whose element type the fix cannot
        // see; the other forms have no argument list to extend.
        _ => return None,
    };
    Some(Fix {
        description: format!(
            "use {} with RIGHT LEFT",
            if blocking { "BLMOVE" } else { "LMOVE" }
        ),
        edits: vec![
            Edit::replace(name, rename),
            Edit::insert_after(dst, directions),
        ],
    })
}
