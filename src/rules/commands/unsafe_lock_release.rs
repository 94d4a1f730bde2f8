//! `cmd-unsafe-lock-release`: a lock released with a plain DEL instead of a
//! compare-and-delete script.

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::rules::queries::is_lock_key;
use crate::rules::{Check, Rule, RuleContext, Sink};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "cmd-unsafe-lock-release",
        section: "4.3",
        impact: Impact::High,
        default: Activation::On,
        summary: "a lock released with a plain DEL instead of a compare-and-delete script",
        doc: include_str!("../../../rules/cmd-unsafe-lock-release.md"),
        hides_source: false,
        examples: InExamples::Reported,
        fixable: Fixable::No,
    },
    check: Check::Code(unsafe_lock_release),
    options: None,
    guide_also: &[],
};

fn unsafe_lock_release(ctx: &RuleContext, sink: &mut Sink) {
    let model = ctx.model;
    for call in &model.calls {
        if !(call.is("DEL") || call.is("UNLINK")) || call.in_transaction {
            continue;
        }
        let Some(key) = call.keys.iter().find(|k| is_lock_key(k)) else {
            continue;
        };
        sink.report(
            call.file,
            call.span,
            format!(
                "{} of lock `{key}` does not check who holds it: if this holder's lock already expired and \
                 another process took it, this call releases their lock",
                call.command
            ),
            "release with a Lua script that deletes the key only if it still holds your token \
             (`redis::Script` / fred `eval`: `if redis.call('get', KEYS[1]) == ARGV[1] then return \
             redis.call('del', KEYS[1]) end`)"
                .to_string(),
        );
    }
}
