//! `cmd-lock-without-expiry`: SETNX / SET NX without an expiry: a crashed
//! holder keeps the lock forever.

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::model::Api;
use crate::rules::{queries, Check, Rule, RuleContext, Sink};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "cmd-lock-without-expiry",
        section: "4.3",
        impact: Impact::High,
        default: Activation::On,
        summary: "SETNX / SET NX without an expiry: a crashed holder keeps the lock forever",
        doc: include_str!("../../../rules/cmd-lock-without-expiry.md"),
        hides_source: false,
        examples: InExamples::Reported,
        fixable: Fixable::No,
    },
    check: Check::Code(lock_without_expiry),
    options: None,
    guide_also: &[],
};

fn lock_without_expiry(ctx: &RuleContext, sink: &mut Sink) {
    let model = ctx.model;
    for call in &model.calls {
        let is_lock = call.is("SETNX") || (call.is("SET") && call.opts.nx && !call.opts.expiry);
        if !is_lock {
            continue;
        }
        let key = call.keys.first();
        let later_expire = model.calls.iter().find(|o| {
            o.func == call.func
                && o.seq > call.seq
                && matches!(
                    o.command.as_str(),
                    "EXPIRE" | "PEXPIRE" | "EXPIREAT" | "PEXPIREAT"
                )
                && o.keys
                    .first()
                    .zip(key)
                    .is_some_and(|(a, b)| queries::same_key(a, b))
        });
        let message = match later_expire {
            Some(e) => format!(
                "{} followed by a separate {}: if the process dies between the two, the lock never expires",
                call.command, e.command
            ),
            None => format!("{} takes a lock that never expires: if the holder crashes, nobody gets it again", call.command),
        };
        let help = match call.api {
            Api::RedisRs => "acquire with one command: `set_options(key, token, SetOptions::default()\
                             .conditional_set(ExistenceCheck::NX).with_expiration(SetExpiry::PX(ms)))`",
            Api::Fred => "acquire with one command: `set(key, token, Some(Expiration::PX(ms)), Some(SetOptions::NX), false)`",
        };
        sink.report(call.file, call.span, message, help.to_string());
    }
}
