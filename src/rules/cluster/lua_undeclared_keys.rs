//! `cluster-lua-undeclared-keys`: a Lua script that touches a key not passed in
//! KEYS.

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, Related, RuleMeta};
use crate::model::lua::KeyOrigin;
use crate::rules::{Check, Rule, RuleContext, Sink};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "cluster-lua-undeclared-keys",
        section: "9.3",
        impact: Impact::High,
        default: Activation::On,
        summary: "a Lua script that touches a key not passed in KEYS",
        doc: include_str!("../../../rules/cluster-lua-undeclared-keys.md"),
        hides_source: false,
        examples: InExamples::Reported,
        fixable: Fixable::No,
    },
    check: Check::Code(lua_undeclared_keys),
    options: None,
    guide_also: &["4.5"],
};

fn lua_undeclared_keys(ctx: &RuleContext, sink: &mut Sink) {
    for script in &ctx.model.scripts {
        let Some(facts) = script.body.facts() else {
            continue;
        };
        for (call, key) in facts.undeclared_keys() {
            // Point at the key inside the script: its own line of the Rust
            // literal, or of the `.lua` file.
            let (file, span) = script.place(&key.range);
            let what = match (&key.via, key.origin) {
                (Some(local), KeyOrigin::Reply) => {
                    format!("the local `{local}`, which holds a key name read from a reply")
                }
                (Some(local), _) => {
                    format!("the local `{local}`, which is built from a string literal")
                }
                (None, KeyOrigin::Reply) => {
                    format!("`{}`, a key name read from a reply", key.text)
                }
                (None, _) => format!("`{}`", key.text),
            };
            let command = call.command.as_deref().unwrap_or_default();
            let message = format!(
                "this script runs {command} on {what}, a key it was not given in KEYS: Redis Cluster \
                 routes a script by its declared keys, so an undeclared key may live on another node \
                 (the call fails, or touches the wrong data), and servers, proxies and replication \
                 cannot see what the script accesses"
            );
            let help = "pass every key the script touches in KEYS (`Script::key(..)`, the keys of `EVAL`, \
                        fred's `eval(script, keys, args)`) and read it as `KEYS[n]`; on a cluster, give \
                        related keys one hash tag"
                .to_string();
            sink.report(file, span, message, help);
            if file != script.file {
                // In a `.lua` file: the Rust code that loads it is related.
                sink.relate(Related {
                    file: script.file,
                    span: script.site,
                    message: "the script is loaded here".into(),
                });
            }
        }
    }
}
