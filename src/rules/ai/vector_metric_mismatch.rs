//! `ai-vector-metric-mismatch`: OpenAI-sized embeddings (DIM 1536/3072) indexed
//! with L2 or IP instead of COSINE.

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::rules::queries::indexes;
use crate::rules::{Check, Rule, RuleContext, Sink};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "ai-vector-metric-mismatch",
        section: "6.1",
        impact: Impact::High,
        default: Activation::OptIn,
        summary: "OpenAI-sized embeddings (DIM 1536/3072) indexed with L2 or IP instead of COSINE",
        doc: include_str!("../../../rules/ai-vector-metric-mismatch.md"),
        hides_source: false,
        examples: InExamples::Reported,
        fixable: Fixable::No,
    },
    check: Check::Code(vector_metric_mismatch),
    options: None,
    guide_also: &[],
};

/// Dimensions of the common OpenAI text embeddings (ada-002, 3-small, 3-large).
const OPENAI_DIMS: [u64; 2] = [1536, 3072];

fn vector_metric_mismatch(ctx: &RuleContext, sink: &mut Sink) {
    let model = ctx.model;
    for (index, created) in indexes(model) {
        for (def, call) in created {
            for field in &def.fields {
                let Some(v) = &field.vector else { continue };
                let (Some(dim), Some(metric)) = (v.dim, v.metric.as_deref()) else {
                    continue;
                };
                if !OPENAI_DIMS.contains(&dim) || !matches!(metric, "L2" | "IP") {
                    continue;
                }
                sink.report(
                    call.file,
                    call.span,
                    format!(
                        "FT.CREATE `{index}` indexes `{}` (DIM {dim}, the size of OpenAI text embeddings) with \
                         DISTANCE_METRIC {metric}: those models are trained for cosine similarity, and {metric} \
                         ranks differently unless every vector is normalised",
                        field.name
                    ),
                    "use DISTANCE_METRIC COSINE for text embeddings (or normalise vectors before storing \
                     and querying them)"
                        .to_string(),
                );
            }
        }
    }
}
