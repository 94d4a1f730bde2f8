//! `mod-bloom-no-reserve`: BF.ADD to a Bloom filter the crate never sizes with
//! BF.RESERVE.

use std::collections::HashSet;

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::model::key::Key;
use crate::model::redis_modules;
use crate::rules::queries::shapes_of;
use crate::rules::{Check, Rule, RuleContext, Sink};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "mod-bloom-no-reserve",
        section: "5.1",
        impact: Impact::High,
        default: Activation::On,
        summary: "BF.ADD to a Bloom filter the crate never sizes with BF.RESERVE",
        doc: include_str!("../../../rules/mod-bloom-no-reserve.md"),
        hides_source: false,
        examples: InExamples::Quiet,
        fixable: Fixable::No,
    },
    check: Check::Code(bloom_no_reserve),
    options: None,
    guide_also: &[],
};

fn bloom_no_reserve(ctx: &RuleContext, sink: &mut Sink) {
    let model = ctx.model;
    let (reserved, unseen) = shapes_of(model, &["BF.RESERVE", "BF.INSERT"], |c| {
        c.is("BF.RESERVE") || redis_modules::bf_insert_has_capacity(&c.module_args)
    });
    // A reservation on a key the linter cannot read may be any filter.
    if unseen {
        return;
    }
    let mut reported = HashSet::new();
    for call in model
        .calls
        .iter()
        .filter(|c| c.is("BF.ADD") || c.is("BF.MADD"))
    {
        let Some(key @ Key::Template(_)) = call.keys.first() else {
            continue;
        };
        let shape = key.shape();
        if reserved.contains(&shape) || !reported.insert((call.func, shape)) {
            continue;
        }
        sink.report(
            call.file,
            call.span,
            format!(
                "{} auto-creates the Bloom filter `{key}` with the module defaults (capacity 100, error rate \
                 1%), and nothing in the crate reserves it: once more items arrive it stacks sub-filters, \
                 using more memory and answering slower with a worse false-positive rate",
                call.command
            ),
            format!(
                "create it once at startup with `BF.RESERVE {key} <error_rate> <capacity>` sized for the \
                 expected items (or BF.INSERT with CAPACITY/ERROR)"
            ),
        );
    }
}
