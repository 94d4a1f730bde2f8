//! `--select` / `--ignore` checked up front, with a suggestion for a
//! misspelt rule id ("did you mean").

use crate::rules;

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
        .map(|s| match rules::nearest_id(s) {
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
