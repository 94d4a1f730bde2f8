//! The `unused-suppression` findings: rule ids that silenced nothing in
//! this run, with a fix that removes them (or the whole comment), and an
//! `allow-file` placed where it cannot apply.

use super::apply::meta;
use super::checks::is_known;
use super::{RuleRef, Suppression, Target};
use crate::diagnostic::{Edit, Finding, Fix};
use crate::rules::suppressions::unused_suppression::RULE as UNUSED_SUPPRESSION;
use crate::source::FileId;

/// Reports `s` when it is misplaced or some of its known rules that ran
/// silenced nothing (`used` says, per id, whether it silenced a finding;
/// `ran`, whether a rule ran on this file at a level that reports).
pub(super) fn report(
    out: &mut Vec<Finding>,
    file: FileId,
    s: &Suppression,
    used: &[bool],
    ran: &dyn Fn(&str) -> bool,
) {
    if s.target == Target::Misplaced {
        out.push(meta(
            &UNUSED_SUPPRESSION,
            file,
            s.span,
            "`allow-file` after the first item of the file silences nothing".into(),
            "move it to the top of the file, before the first item (among the leading comments and attributes)".into(),
        ));
        return;
    }
    let unused: Vec<&RuleRef> = s
        .rules
        .iter()
        .zip(used)
        .filter(|(r, &used)| !used && is_known(&r.id) && ran(&r.id))
        .map(|(r, _)| r)
        .collect();
    let Some(first) = unused.first() else {
        return;
    };
    let names = unused
        .iter()
        .map(|r| format!("`{}`", r.id))
        .collect::<Vec<_>>()
        .join(", ");
    let place = match s.target {
        Target::Line(line) => format!("on line {line}"),
        Target::Lines { first, last } => format!("on lines {first}-{last}"),
        _ => "in this file".to_string(),
    };
    // Keep the ids that silenced something, did not run, or are unknown
    // (those are reported on their own).
    let kept: Vec<&str> = s
        .rules
        .iter()
        .filter(|r| !unused.iter().any(|u| std::ptr::eq(*u, *r)))
        .map(|r| r.id.as_str())
        .collect();
    let (span, message, fix) = if kept.iter().all(|id| !is_known(id)) {
        (
            s.span,
            format!("this suppression silenced nothing: no {names} finding {place}"),
            Fix::safe(
                "delete the unused suppression",
                vec![Edit::replace(s.removal, "")],
            ),
        )
    } else {
        (
            first.span,
            format!("{names} in this suppression silenced nothing {place}"),
            Fix::safe(
                format!("remove {names} from the suppression"),
                vec![Edit::replace(s.list, kept.join(", "))],
            ),
        )
    };
    let mut finding = meta(
        &UNUSED_SUPPRESSION,
        file,
        span,
        message,
        "delete it: a stale suppression would hide the next real finding here".into(),
    );
    finding.fix = Some(fix);
    out.push(finding);
}
