//! `ai-vector-only-query`: a KNN query with no pre-filter on an index that has
//! TAG/TEXT fields to filter by.

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::model::redis_modules::{self, FieldKind};
use crate::rules::queries::{index_name, indexes, searches};
use crate::rules::{Check, Rule, RuleContext, Sink};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "ai-vector-only-query",
        section: "6.3",
        impact: Impact::High,
        default: Activation::OptIn,
        summary: "a KNN query with no pre-filter on an index that has TAG/TEXT fields to filter by",
        doc: include_str!("../../../rules/ai-vector-only-query.md"),
        hides_source: false,
        examples: InExamples::Quiet,
        fixable: Fixable::No,
    },
    check: Check::Code(vector_only_query),
    options: None,
    guide_also: &[],
};

fn vector_only_query(ctx: &RuleContext, sink: &mut Sink) {
    let model = ctx.model;
    let defs = indexes(model);
    for (call, search) in searches(model) {
        let (Some(index), Some(query)) = (index_name(call), search.query.as_deref()) else {
            continue;
        };
        // A semantic cache matches on the vector alone by design.
        if index.to_ascii_lowercase().contains("cache")
            || !redis_modules::parse_query(query).knn_without_filter
        {
            continue;
        }
        let Some(created) = defs.get(index) else {
            continue;
        };
        let filters: Vec<&str> = created
            .iter()
            .flat_map(|(def, _)| def.fields.iter())
            .filter(|f| matches!(f.kind, FieldKind::Tag | FieldKind::Text))
            .map(|f| f.name.as_str())
            .collect();
        if filters.is_empty() {
            continue;
        }
        sink.report(
            call.file,
            call.span,
            format!(
                "{} on `{index}` runs KNN over every vector (`*=>[KNN …]`) though the index has fields to \
                 narrow it ({}): results from other tenants, categories or languages crowd out relevant ones",
                call.command,
                filters.iter().map(|f| format!("`@{f}`")).collect::<Vec<_>>().join(", ")
            ),
            "pre-filter the candidates in the same query: `(@field:{value})=>[KNN k @vec $blob]`".to_string(),
        );
    }
}
