//! `mod-search-index-unused-field`: FT.CREATE indexes a field that no search in
//! the crate queries, sorts or returns.

use std::collections::{HashMap, HashSet};

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::model::redis_modules::{self, FieldKind};
use crate::rules::queries::{index_name, indexes, searches};
use crate::rules::{Check, Rule, RuleContext, Sink};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "mod-search-index-unused-field",
        section: "5.4",
        impact: Impact::High,
        default: Activation::OptIn,
        summary: "FT.CREATE indexes a field that no search in the crate queries, sorts or returns",
        doc: include_str!("../../../rules/mod-search-index-unused-field.md"),
        hides_source: false,
        examples: InExamples::Quiet,
        fixable: Fixable::No,
    },
    check: Check::Code(search_index_unused_field),
    options: None,
    guide_also: &[],
};

fn search_index_unused_field(ctx: &RuleContext, sink: &mut Sink) {
    let model = ctx.model;
    let mut used: HashMap<&str, (HashSet<String>, bool)> = HashMap::new();
    // Indexes some search reads in a way the linter cannot follow.
    let mut unreadable: HashSet<&str> = HashSet::new();
    for (call, search) in searches(model) {
        let Some(index) = index_name(call) else {
            // A search of an index named at run time may be any index.
            return;
        };
        let entry = used.entry(index).or_default();
        let Some(query) = search.query.as_deref() else {
            unreadable.insert(index);
            continue;
        };
        if search.opaque {
            unreadable.insert(index);
        }
        let facts = redis_modules::parse_query(query);
        entry.0.extend(facts.fields);
        entry.0.extend(search.fields);
        entry.1 |= facts.free_terms;
    }
    for (index, created) in indexes(model) {
        let Some((fields, free_terms)) = used.get(index) else {
            // No search here: the index serves code the linter cannot see.
            continue;
        };
        if unreadable.contains(index) {
            continue;
        }
        for (def, call) in created {
            let unused: Vec<&str> = def
                .fields
                .iter()
                .filter(|f| !(fields.contains(&f.name) || fields.contains(&f.path)))
                // Bare terms search every TEXT field.
                .filter(|f| !(*free_terms && f.kind == FieldKind::Text))
                .map(|f| f.name.as_str())
                .collect();
            if unused.is_empty() {
                continue;
            }
            sink.report(
                call.file,
                call.span,
                format!(
                    "FT.CREATE `{index}` indexes {} that no FT.SEARCH / FT.AGGREGATE in the crate queries, \
                     sorts or returns: every write to a matching key pays to index them, and they take memory",
                    unused.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", ")
                ),
                "drop unused fields from the schema (keep them in the document; RETURN can still load \
                 unindexed fields from a hash or JSON document)"
                    .to_string(),
            );
        }
    }
}
