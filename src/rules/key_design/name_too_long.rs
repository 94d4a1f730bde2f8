//! `key-name-too-long`: a key whose fixed text is over 64 characters or padded
//! with filler words.

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::model::key::Key;
use crate::rules::options::{OptionError, RuleOptions};
use crate::rules::{GroupKey, Check, Rule, RuleContext, Sink};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "key-name-too-long",
        section: "2.3",
        impact: Impact::Medium,
        default: Activation::On,
        summary: "a key whose fixed text is over 64 characters or padded with filler words",
        doc: include_str!("../../../rules/key-name-too-long.md"),
        hides_source: false,
        examples: InExamples::Quiet,
        fixable: Fixable::No,
    },
    check: Check::Code(name_too_long),
    options: Some(|| Box::<Options>::default()),
    guide_also: &[],
};

/// `max-length`: the longest fixed text a key may have.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    pub max_length: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options { max_length: 64 }
    }
}

impl RuleOptions for Options {
    fn set(&mut self, key: &str, value: &toml::Value) -> Result<(), OptionError> {
        match key {
            "max-length" => {
                let n = value
                    .as_integer()
                    .filter(|n| *n > 0)
                    .ok_or(OptionError::Invalid("`max-length` is a positive integer"))?;
                self.max_length = n as usize;
                Ok(())
            }
            _ => Err(OptionError::Unknown),
        }
    }

    fn show(&self) -> String {
        format!("max-length = {}", self.max_length)
    }
}

fn name_too_long(ctx: &RuleContext, sink: &mut Sink) {
    let model = ctx.model;
    for call in model.calls.iter().filter(|c| !c.key_designed_in_helper()) {
        for key in call.keys.iter().filter(|k| matches!(k, Key::Template(_))) {
            let text = key.literal_text();
            let lower = text.to_ascii_lowercase();
            let filler = lower.split(':').any(|seg| seg == "redis")
                || ["cache_key_for", "_information_", "key_for_the"]
                    .iter()
                    .any(|w| lower.contains(w));
            let problem = if text.chars().count() > ctx.options::<Options>().max_length {
                format!(
                    "key `{key}` has {} characters of fixed text",
                    text.chars().count()
                )
            } else if filler {
                format!("key `{key}` spends characters on filler words")
            } else {
                continue;
            };
            sink.report_on_key(
                GroupKey::name(key),
                call,
                format!("{problem}: every key name is stored in memory and sent on every command that names it"),
                "keep names short and meaningful: `u:{id}:prof` or `user:{id}:profile`, not prose".to_string(),
            );
            break;
        }
    }
}
