//! `ai-vector-flat-index`: a VECTOR field indexed with FLAT (brute force)
//! instead of HNSW.

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::rules::queries::indexes;
use crate::rules::{Check, Rule, RuleContext, Sink};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "ai-vector-flat-index",
        section: "6.1",
        impact: Impact::High,
        default: Activation::On,
        summary: "a VECTOR field indexed with FLAT (brute force) instead of HNSW",
        doc: include_str!("../../../rules/ai-vector-flat-index.md"),
        hides_source: false,
        examples: InExamples::Quiet,
        fixable: Fixable::No,
    },
    check: Check::Code(vector_flat_index),
    options: None,
    guide_also: &[],
};

fn vector_flat_index(ctx: &RuleContext, sink: &mut Sink) {
    let model = ctx.model;
    for (index, created) in indexes(model) {
        for (def, call) in created {
            for field in &def.fields {
                let Some(v) = &field.vector else { continue };
                if v.algorithm.as_deref() != Some("FLAT") {
                    continue;
                }
                sink.report(
                    call.file,
                    call.span,
                    format!(
                        "FT.CREATE `{index}` indexes the vector field `{}` with FLAT: every KNN query compares \
                         the query vector with every stored vector, so latency grows linearly with the data",
                        field.name
                    ),
                    "use HNSW (approximate, sub-linear) unless the index stays under about 10k vectors or \
                     exact results are required"
                        .to_string(),
                );
            }
        }
    }
}
