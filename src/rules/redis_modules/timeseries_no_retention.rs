//! `mod-timeseries-no-retention`: a time series created without RETENTION (or
//! compaction rule) keeps every sample forever.

use std::collections::HashSet;

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::model::key::Key;
use crate::model::redis_modules;
use crate::rules::queries::shapes_of;
use crate::rules::{Check, Rule, RuleContext, Sink};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "mod-timeseries-no-retention",
        section: "5.7",
        impact: Impact::Critical,
        default: Activation::On,
        summary:
            "a time series created without RETENTION (or compaction rule) keeps every sample forever",
        doc: include_str!("../../../rules/mod-timeseries-no-retention.md"),
        hides_source: false,
        examples: InExamples::Quiet,
        fixable: Fixable::No,
    },
    check: Check::Code(timeseries_no_retention),
    options: None,
    guide_also: &[],
};

fn timeseries_no_retention(ctx: &RuleContext, sink: &mut Sink) {
    let model = ctx.model;
    // Series a compaction rule reads from or writes to are managed.
    let (ruled, ruled_unseen) = shapes_of(model, &["TS.CREATERULE"], |_| true);
    // Series created or altered explicitly: the TS.CREATE/ALTER is judged,
    // not the TS.ADDs that write to them.
    let (created, created_unseen) = shapes_of(model, &["TS.CREATE", "TS.ALTER"], |_| true);
    let (retained, _) = shapes_of(model, &["TS.ALTER"], |c| {
        redis_modules::ts_retention(&c.command, &c.module_args) == Some(true)
    });
    if ruled_unseen {
        return;
    }
    let mut reported = HashSet::new();
    for call in model
        .calls
        .iter()
        .filter(|c| c.is("TS.CREATE") || c.is("TS.ADD"))
    {
        let Some(key @ Key::Template(_)) = call.keys.first() else {
            continue;
        };
        let shape = key.shape();
        if ruled.contains(&shape) || retained.contains(&shape) {
            continue;
        }
        if call.is("TS.ADD") && (created.contains(&shape) || created_unseen) {
            continue;
        }
        if redis_modules::ts_retention(&call.command, &call.module_args) != Some(false)
            || !reported.insert(shape)
        {
            continue;
        }
        let how = if call.is("TS.ADD") {
            "TS.ADD auto-creates"
        } else {
            "TS.CREATE creates"
        };
        sink.report(
            call.file,
            call.span,
            format!(
                "{how} the series `{key}` without RETENTION and no compaction rule covers it: the default \
                 retention is 0, so every sample is kept forever and the series grows until memory runs out"
            ),
            "set `RETENTION <ms>` when creating the series (TS.CREATE, or on the TS.ADD that creates it), \
             and downsample older data with TS.CREATERULE into a series that has a longer retention"
                .to_string(),
        );
    }
}
