//! `cluster-crossslot`: a multi-key command, pipeline or transaction whose keys
//! live in different cluster slots.

use std::collections::BTreeMap;

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::model::command::flags;
use crate::model::key::{Key, SlotClass};
use crate::model::{Api, Call, CrateModel};
use crate::rules::{Check, Rule, RuleContext, Sink};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "cluster-crossslot",
        section: "9.3",
        impact: Impact::High,
        default: Activation::On,
        summary:
            "a multi-key command, pipeline or transaction whose keys live in different cluster slots",
        doc: include_str!("../../../rules/cluster-crossslot.md"),
        hides_source: false,
        examples: InExamples::Reported,
        fixable: Fixable::No,
    },
    check: Check::Code(crossslot),
    options: None,
    guide_also: &[],
};

/// Describes why the keys may live in different slots, or `None` when they
/// provably share one (or nothing is known about some of them).
fn slot_conflict<'a>(keys: impl IntoIterator<Item = &'a Key>) -> Option<String> {
    let mut classes: Vec<(&Key, SlotClass)> = Vec::new();
    for key in keys {
        let class = key.slot_class();
        if class == SlotClass::Unknown {
            return None;
        }
        if !classes.iter().any(|(k, _)| *k == key) {
            classes.push((key, class));
        }
    }
    let first = &classes.first()?.1;
    if classes.iter().all(|(_, c)| c == first) {
        return None;
    }
    let shown: Vec<String> = classes
        .iter()
        .map(|(k, c)| match c {
            SlotClass::Exact(slot) => format!("`{k}` (slot {slot})"),
            _ => format!("`{k}`"),
        })
        .collect();
    Some(shown.join(", "))
}

fn crossslot(ctx: &RuleContext, sink: &mut Sink) {
    let model = ctx.model;
    for call in &model.calls {
        if call.keys.len() < 2 || !call.has(flags::SAME_SLOT) || !model.on_cluster(call) {
            continue;
        }
        // redis-rs's cluster client splits these per slot and merges the replies.
        if call.api == Api::RedisRs && call.has(flags::SPLIT_BY_REDIS_RS_CLUSTER) {
            continue;
        }
        if let Some(keys) = slot_conflict(&call.keys) {
            sink.report(
                call.file,
                call.span,
                format!("{} on a cluster touches keys in different hash slots: {keys}; the server answers CROSSSLOT", call.command_named()),
                "put the keys that must be used together under one hash tag, e.g. `{user:42}:following` and \
                 `{user:42}:followers`"
                    .to_string(),
            );
        }
    }
    crossslot_pipelines(model, sink);
}

/// Pipelines run on redis-rs's async cluster (sent to one node as a whole)
/// and transactions anywhere on a cluster must keep all keys in one slot.
fn crossslot_pipelines(model: &CrateModel, sink: &mut Sink) {
    let mut pipes: BTreeMap<u32, Vec<&Call>> = BTreeMap::new();
    for call in &model.calls {
        if let Some(p) = call.pipe {
            pipes.entry(p).or_default().push(call);
        }
    }
    for (id, calls) in pipes {
        let Some(pipe) = model.pipes.get(&id) else {
            continue;
        };
        let on_cluster = match pipe.exec.and_then(|c| c.kind.is_cluster()) {
            Some(known) => known,
            None => {
                pipe.transaction
                    && calls.first().is_some_and(|c| c.api == Api::Fred)
                    && model.uses_cluster
            }
        };
        if !on_cluster {
            continue;
        }
        let mut keys: Vec<&Key> = Vec::new();
        for call in &calls {
            keys.extend(call.keys.iter());
            if let Some(conflict) = slot_conflict(keys.iter().copied()) {
                let what = if pipe.transaction || pipe.atomic {
                    "transaction"
                } else {
                    "pipeline"
                };
                sink.report(
                    call.file,
                    call.span,
                    format!("this {what} on a cluster mixes keys from different hash slots: {conflict}"),
                    "a cluster pipeline or transaction goes to one node: keep its keys under one hash tag, or \
                     split it per slot"
                        .to_string(),
                );
                break;
            }
        }
    }
}
