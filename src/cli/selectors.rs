//! `--select` / `--ignore` checked up front, with a suggestion for a
//! misspelt rule id ("did you mean").

use crate::rules::{self, REGISTRY};

/// Below this similarity (0 to 1) a rule id is not worth suggesting.
const SIMILAR_ENOUGH: f64 = 0.8;

/// An error naming every selector that matches nothing, each with the
/// nearest rule id when one is close.
pub(super) fn check(select: &[String], ignore: &[String]) -> Result<(), String> {
    if rules::select(select, ignore, None).is_ok() {
        return Ok(());
    }
    let unknown: Vec<String> = select
        .iter()
        .chain(ignore)
        .filter(|s| rules::select(std::slice::from_ref(*s), &[], None).is_err())
        .map(|s| match nearest(s) {
            Some(id) => format!(
                "`{s}` names no rule, prefix or guide section; did you mean `{id}`? (see `redis-lint rules`)"
            ),
            None => format!(
                "`{s}` names no rule, prefix or guide section (see `redis-lint rules`)"
            ),
        })
        .collect();
    Err(unknown.join("\n"))
}

/// The rule id most like `selector`, if any is close enough.
pub(super) fn nearest(selector: &str) -> Option<&'static str> {
    REGISTRY
        .iter()
        .map(|r| (strsim::jaro_winkler(selector, r.meta.id), r.meta.id))
        .filter(|(score, _)| *score >= SIMILAR_ENOUGH)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, id)| id)
}
