//! `mod-search-sortby-not-sortable`: FT.SEARCH / FT.AGGREGATE sorts by a field
//! the index does not declare SORTABLE.

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::model::redis_modules::FieldKind;
use crate::rules::queries::{index_name, indexes, searches};
use crate::rules::{Check, Rule, RuleContext, Sink};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "mod-search-sortby-not-sortable",
        section: "5.4",
        impact: Impact::High,
        default: Activation::On,
        summary: "FT.SEARCH / FT.AGGREGATE sorts by a field the index does not declare SORTABLE",
        doc: include_str!("../../../rules/mod-search-sortby-not-sortable.md"),
        hides_source: false,
        examples: InExamples::Quiet,
        fixable: Fixable::No,
    },
    check: Check::Code(search_sortby_not_sortable),
    options: None,
    guide_also: &[],
};

fn search_sortby_not_sortable(ctx: &RuleContext, sink: &mut Sink) {
    let model = ctx.model;
    let defs = indexes(model);
    for (call, search) in searches(model) {
        let (Some(index), Some(field)) = (index_name(call), search.sortby.as_deref()) else {
            continue;
        };
        // After GROUPBY the sort key is a reducer's output, not the schema's.
        if search.grouped {
            continue;
        }
        let Some(created) = defs.get(index) else {
            continue;
        };
        // Every FT.CREATE of that index must declare the field unsortable.
        let unsortable = created.iter().all(|(def, _)| {
            def.field(field)
                .is_some_and(|f| !f.sortable && !f.uncertain && f.kind != FieldKind::Vector)
        });
        if !unsortable {
            continue;
        }
        let (_, create) = &created[0];
        sink.report(
            call.file,
            call.span,
            format!(
                "{} sorts `{index}` by `{field}`, which the FT.CREATE at line {} declares without SORTABLE: \
                 every query loads the field from each matching document to sort, slow on large result sets",
                call.command, create.span.start.line
            ),
            format!("add SORTABLE to `{field}` in the index schema (and re-create the index)"),
        );
    }
}
