//! Guide section 6: Redis for AI (vector search, chat memory, LLM caches).

use std::collections::HashSet;

use super::redis_modules::{index_name, indexes, searches};
use super::{Check, Rule, Sink};
use crate::diagnostic::{Activation, Impact, RuleMeta};
use crate::model::key::{Key, Part};
use crate::model::redis_modules::{self, FieldKind};
use crate::model::CrateModel;

/// The rules of this section, in guide order.
pub static RULES: &[&Rule] = &[
    &KNN_WITHOUT_DIALECT,
    &VECTOR_FLAT_INDEX,
    &VECTOR_METRIC_MISMATCH,
    &UNBOUNDED_HISTORY,
    &VECTOR_ONLY_QUERY,
    &EXACT_MATCH_LLM_CACHE,
];

pub static KNN_WITHOUT_DIALECT: Rule = Rule {
    meta: RuleMeta {
        id: "ai-knn-without-dialect",
        section: "6.1",
        impact: Impact::High,
        default: Activation::On,
        summary: "a KNN vector query sent without DIALECT 2 or higher",
        doc: include_str!("../../rules/ai-knn-without-dialect.md"),
        hides_source: false,
    },
    check: Check::Code(knn_without_dialect),
};

fn knn_without_dialect(model: &CrateModel, sink: &mut Sink) {
    for (call, search) in searches(model) {
        let Some(query) = search.query.as_deref() else {
            continue;
        };
        let dialect_ok = match search.dialect {
            Some(Some(n)) => n >= 2,
            // Given, but not as a literal: trust it.
            Some(None) => true,
            None => search.opaque,
        };
        if dialect_ok || !redis_modules::parse_query(query).knn {
            continue;
        }
        let index = index_name(call).map_or("the index".to_string(), |i| format!("`{i}`"));
        let given = match search.dialect {
            Some(Some(n)) => format!("DIALECT {n}"),
            _ => "no DIALECT".to_string(),
        };
        sink.report(
            call.file,
            call.span,
            format!(
                "{} on {index} has a `=>[KNN …]` vector clause with {given}: dialect 1 cannot parse KNN or \
                 `$` parameters, so the query fails with a syntax error (or matches the wrong thing)",
                call.command
            ),
            "add `DIALECT 2` to the command (fred: `dialect: Some(2)` in the options)".to_string(),
        );
    }
}

pub static VECTOR_FLAT_INDEX: Rule = Rule {
    meta: RuleMeta {
        id: "ai-vector-flat-index",
        section: "6.1",
        impact: Impact::High,
        default: Activation::On,
        summary: "a VECTOR field indexed with FLAT (brute force) instead of HNSW",
        doc: include_str!("../../rules/ai-vector-flat-index.md"),
        hides_source: false,
    },
    check: Check::Code(vector_flat_index),
};

fn vector_flat_index(model: &CrateModel, sink: &mut Sink) {
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

pub static VECTOR_METRIC_MISMATCH: Rule = Rule {
    meta: RuleMeta {
        id: "ai-vector-metric-mismatch",
        section: "6.1",
        impact: Impact::High,
        default: Activation::OptIn,
        summary: "OpenAI-sized embeddings (DIM 1536/3072) indexed with L2 or IP instead of COSINE",
        doc: include_str!("../../rules/ai-vector-metric-mismatch.md"),
        hides_source: false,
    },
    check: Check::Code(vector_metric_mismatch),
};

/// Dimensions of the common OpenAI text embeddings (ada-002, 3-small, 3-large).
const OPENAI_DIMS: [u64; 2] = [1536, 3072];

fn vector_metric_mismatch(model: &CrateModel, sink: &mut Sink) {
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

pub static UNBOUNDED_HISTORY: Rule = Rule {
    meta: RuleMeta {
        id: "ai-unbounded-history",
        section: "6.2",
        impact: Impact::High,
        default: Activation::On,
        summary: "chat history appended to a list that is never trimmed to a window",
        doc: include_str!("../../rules/ai-unbounded-history.md"),
        hides_source: false,
    },
    check: Check::Code(unbounded_history),
};

/// Words that name a conversation's memory in a key segment.
const HISTORY_WORDS: [&str; 7] = [
    "history",
    "hist",
    "chat",
    "conversation",
    "conversations",
    "messages",
    "memory",
];

/// Whether a key template names chat history (`chat:{}:history`,
/// `conversation:{}`): one of its literal segments is a history word.
pub fn is_history_key(key: &Key) -> bool {
    let Key::Template(parts) = key else {
        return false;
    };
    parts.iter().any(|p| match p {
        Part::Lit(s) => s
            .split(|c: char| !c.is_ascii_alphanumeric())
            .any(|w| HISTORY_WORDS.contains(&w.to_ascii_lowercase().as_str())),
        Part::Hole(_) => false,
    })
}

/// Pushes to a history list (and APPENDs to a history string) are this
/// rule's; key-unbounded-collection leaves history lists to it.
pub fn is_history_push(command: &str, key: &Key) -> bool {
    matches!(command, "RPUSH" | "LPUSH" | "APPEND") && is_history_key(key)
}

fn unbounded_history(model: &CrateModel, sink: &mut Sink) {
    // A list stays a window when something trims or pops it; a string
    // stays bounded when it is rewritten.
    let bounded = |commands: &[&str]| -> HashSet<String> {
        model
            .calls
            .iter()
            .filter(|c| commands.contains(&c.command.as_str()))
            .flat_map(|c| c.keys.iter().map(Key::shape))
            .collect()
    };
    let lists = bounded(&["LTRIM", "LPOP", "RPOP", "LMPOP", "EVAL", "EVALSHA", "FCALL"]);
    let strings = bounded(&["SET", "SETEX", "GETDEL", "GETSET"]);
    let mut reported = HashSet::new();
    for call in &model.calls {
        let Some(key) = call.keys.first() else {
            continue;
        };
        if !is_history_push(&call.command, key) {
            continue;
        }
        let shape = key.shape();
        let trimmed = if call.is("APPEND") { &strings } else { &lists };
        if trimmed.contains(&shape) || !reported.insert((call.func, shape)) {
            continue;
        }
        let fix = if call.is("APPEND") {
            "keep messages in a list (RPUSH) and trim it to the last N with LTRIM"
        } else {
            "trim it to a sliding window right after the push: `LTRIM key -N -1` in the same pipeline \
             (keep a summary of older turns if the model needs them)"
        };
        sink.report(
            call.file,
            call.span,
            format!(
                "{} appends to the chat history `{key}`, and nothing in the crate trims it: every turn makes \
                 the history longer, so memory grows and each prompt built from it gets slower and costlier",
                call.command
            ),
            fix.to_string(),
        );
    }
}

pub static VECTOR_ONLY_QUERY: Rule = Rule {
    meta: RuleMeta {
        id: "ai-vector-only-query",
        section: "6.3",
        impact: Impact::High,
        default: Activation::OptIn,
        summary: "a KNN query with no pre-filter on an index that has TAG/TEXT fields to filter by",
        doc: include_str!("../../rules/ai-vector-only-query.md"),
        hides_source: false,
    },
    check: Check::Code(vector_only_query),
};

fn vector_only_query(model: &CrateModel, sink: &mut Sink) {
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

pub static EXACT_MATCH_LLM_CACHE: Rule = Rule {
    meta: RuleMeta {
        id: "ai-exact-match-llm-cache",
        section: "6.4",
        impact: Impact::High,
        default: Activation::OptIn,
        summary: "an LLM response cache looked up by the exact prompt text",
        doc: include_str!("../../rules/ai-exact-match-llm-cache.md"),
        hides_source: false,
    },
    check: Check::Code(exact_match_llm_cache),
};

/// Words that name what a user asked the model, in a variable name
/// (`prompt`, `user_prompt`, `question.text`). `query` is left out: search
/// result caches are keyed by queries too.
const PROMPT_WORDS: [&str; 2] = ["prompt", "question"];

fn names_prompt(expr: &str) -> bool {
    expr.split(|c: char| !c.is_ascii_alphanumeric())
        .any(|w| PROMPT_WORDS.contains(&w.to_ascii_lowercase().as_str()))
}

/// The expression a key takes from a prompt-like variable: a hole of its
/// template, or the whole key (`con.exists(user_prompt)`).
fn prompt_hole(key: &Key) -> Option<&str> {
    match key {
        Key::Template(parts) => parts.iter().find_map(|p| match p {
            Part::Hole(h) => names_prompt(h).then_some(h.as_str()),
            Part::Lit(_) => None,
        }),
        Key::Opaque(text) => names_prompt(text).then_some(text.as_str()),
    }
}

fn exact_match_llm_cache(model: &CrateModel, sink: &mut Sink) {
    for call in model.calls.iter().filter(|c| c.is("GET") || c.is("EXISTS")) {
        let Some(key) = call.keys.first() else {
            continue;
        };
        let Some(hole) = prompt_hole(key) else {
            continue;
        };
        sink.report(
            call.file,
            call.span,
            format!(
                "{} looks up `{key}` by the exact prompt (`{hole}`): a rephrased question (\"What's the \
                 capital of France?\" vs \"capital of France?\") misses the cache and pays for another LLM call",
                call.command
            ),
            "use a semantic cache: store the prompt's embedding with the response in a vector index and \
             return a cached answer when a KNN match is within a distance threshold"
                .to_string(),
        );
    }
}
