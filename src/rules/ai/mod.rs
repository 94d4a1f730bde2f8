//! Guide section 6: Redis for AI (vector search, chat memory, LLM caches).

section! {
    knn_without_dialect,
    vector_flat_index,
    vector_metric_mismatch,
    unbounded_history,
    vector_only_query,
    exact_match_llm_cache,
}
