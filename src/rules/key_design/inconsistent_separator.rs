//! `key-inconsistent-separator`: a key template that joins its variable parts
//! with `_`, `-`, `.` or `/` instead of `:`.

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::model::key::{Key, Part};
use crate::rules::{GroupKey, Check, Rule, RuleContext, Sink};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "key-inconsistent-separator",
        section: "2.5",
        impact: Impact::Critical,
        default: Activation::On,
        summary:
            "a key template that joins its variable parts with `_`, `-`, `.` or `/` instead of `:`",
        doc: include_str!("../../../rules/key-inconsistent-separator.md"),
        hides_source: false,
        examples: InExamples::Quiet,
        fixable: Fixable::No,
    },
    check: Check::Code(inconsistent_separator),
    options: None,
    guide_also: &[],
};

/// The separator glued to a placeholder, if it is not `:`.
fn odd_separator(parts: &[Part]) -> Option<char> {
    const ODD: [char; 4] = ['_', '-', '.', '/'];
    for (i, part) in parts.iter().enumerate() {
        if !matches!(part, Part::Hole(_)) {
            continue;
        }
        let before = i.checked_sub(1).and_then(|j| match &parts[j] {
            Part::Lit(s) => s.chars().last(),
            Part::Hole(_) => None,
        });
        let after = match parts.get(i + 1) {
            Some(Part::Lit(s)) => s.chars().next(),
            _ => None,
        };
        if let Some(c) = before
            .filter(|c| ODD.contains(c))
            .or(after.filter(|c| ODD.contains(c)))
        {
            return Some(c);
        }
    }
    None
}

fn inconsistent_separator(ctx: &RuleContext, sink: &mut Sink) {
    let model = ctx.model;
    for call in model.calls.iter().filter(|c| !c.key_designed_in_helper()) {
        let found = call.keys.iter().find_map(|k| match k {
            Key::Template(parts) => odd_separator(parts).map(|c| (k, c)),
            Key::Opaque(_) => None,
        });
        if let Some((key, sep)) = found {
            sink.report_on_key(
                GroupKey::name(key),
                call,
                format!(
                    "key `{key}` separates its parts with `{sep}`: keys that do not follow one `type:id:field` \
                     scheme cannot be scanned, counted or reasoned about as a group"
                ),
                "separate every part with `:` (underscores are fine inside a part: `user:{id}:last_login`)"
                    .to_string(),
            );
        }
    }
}
