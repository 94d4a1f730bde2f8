//! `ds-serialized-read-modify-write`: a serialized object read, decoded,
//! changed and written back whole.

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::rules::queries::decoded_read_of_same_key;
use crate::rules::{Check, Rule, RuleContext, Sink};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "ds-serialized-read-modify-write",
        section: "1.1",
        impact: Impact::Critical,
        default: Activation::On,
        summary: "a serialized object read, decoded, changed and written back whole",
        doc: include_str!("../../../rules/ds-serialized-read-modify-write.md"),
        hides_source: false,
        examples: InExamples::Quiet,
        fixable: Fixable::No,
    },
    check: Check::Code(serialized_read_modify_write),
    options: None,
    guide_also: &[],
};

/// Writes that replace a whole string value.
const WHOLE_WRITES: &[&str] = &["SET", "SETEX", "PSETEX", "HSET"];

fn serialized_read_modify_write(ctx: &RuleContext, sink: &mut Sink) {
    let model = ctx.model;
    for write in model
        .calls
        .iter()
        .filter(|c| WHOLE_WRITES.contains(&c.command.as_str()) && !model.is_atomic(c))
    {
        let Some(read) = decoded_read_of_same_key(model, write) else {
            continue;
        };
        let key = &write.keys[0];
        sink.report(
            write.file,
            write.span,
            format!(
                "`{key}` is read with {} (line {}), deserialized, changed and written back whole with {}: two \
                 clients doing this at once lose one update, and every change moves the whole object",
                read.command, read.span.start.line, write.command
            ),
            "keep the object's fields in a Hash and change only what changed (HSET, HINCRBY), or use \
             RedisJSON paths; if it must stay one value, make the update atomic (WATCH/MULTI or a Lua script)"
                .to_string(),
        );
    }
}
