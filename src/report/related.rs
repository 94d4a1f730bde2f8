//! The other sites of a grouped finding, as the text formats show them.

use super::{col1, display_of, one_line};
use crate::diagnostic::Outcome;
use crate::diagnostic::{Finding, Related};

/// How many sites a list in a message names before it says "and N more".
const LISTED: usize = 5;

/// `path:line:col` of a related site (1-based).
fn place(outcome: &Outcome, r: &Related) -> String {
    format!(
        "{}:{}:{}",
        one_line(display_of(outcome, r.file)),
        r.span.start.line.max(1),
        col1(r.span.start.col)
    )
}

/// `also at 2 other sites: a.rs:3:5, b.rs:7:1` for the given sites (the
/// first [`LISTED`] named), or `None` when there are none.
pub(super) fn also_at<'a>(
    outcome: &Outcome,
    sites: impl IntoIterator<Item = &'a Related>,
) -> Option<String> {
    let sites: Vec<&Related> = sites.into_iter().collect();
    if sites.is_empty() {
        return None;
    }
    let mut named: Vec<String> = sites
        .iter()
        .take(LISTED)
        .map(|r| place(outcome, r))
        .collect();
    if sites.len() > LISTED {
        named.push(format!("and {} more", sites.len() - LISTED));
    }
    let noun = if sites.len() == 1 { "site" } else { "sites" };
    Some(format!(
        "also at {} other {noun}: {}",
        sites.len(),
        named.join(", ")
    ))
}

/// [`also_at`] for every related site of `f`.
pub(super) fn all_sites(outcome: &Outcome, f: &Finding) -> Option<String> {
    also_at(outcome, &f.related)
}
