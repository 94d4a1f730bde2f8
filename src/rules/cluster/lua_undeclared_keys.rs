//! `cluster-lua-undeclared-keys`: a Lua script that touches a key not passed in
//! KEYS.

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::model::{Span, lua};
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
    let model = ctx.model;
    for script in &model.scripts {
        let Some(decoded) = lua::decode_literal(&script.text.source) else {
            continue;
        };
        let chars: Vec<char> = decoded.iter().map(|d| d.0).collect();
        let start = script.text.span.start;
        for key in lua::undeclared_keys(&chars) {
            // Point at the key inside the literal, on its own source line.
            let span = Span {
                start: lua::source_pos(&decoded, key.start, start),
                end: {
                    let mut end = lua::source_pos(&decoded, key.end - 1, start);
                    end.col += 1;
                    end
                },
            };
            let what = match &key.via {
                Some(local) => format!("the local `{local}`, which is built from a string literal"),
                None => format!("`{}`", key.expr),
            };
            sink.report(
                script.file,
                span,
                format!(
                    "this script runs {} on {what}, a key it was not given in KEYS: Redis Cluster routes a \
                     script by its declared keys, so an undeclared key may live on another node (the call \
                     fails, or touches the wrong data), and servers, proxies and replication cannot see \
                     what the script accesses",
                    key.command
                ),
                "pass every key the script touches in KEYS (`Script::key(..)`, the keys of `EVAL`, fred's \
                 `eval(script, keys, args)`) and read it as `KEYS[n]`; on a cluster, give related keys one \
                 hash tag"
                    .to_string(),
            );
        }
    }
}
