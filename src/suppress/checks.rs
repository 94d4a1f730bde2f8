//! The findings about one suppression: a missing reason, rule ids that
//! are not rules, and (in [`super::unused`]) ids that silenced nothing.

use super::apply::meta;
use super::{unused, Suppression};
use crate::diagnostic::Finding;
use crate::rules;
use crate::rules::suppressions::suppression_without_reason::RULE as SUPPRESSION_WITHOUT_REASON;
use crate::rules::suppressions::unknown_rule_in_suppression::RULE as UNKNOWN_RULE_IN_SUPPRESSION;
use crate::rules::META_RULES;
use crate::source::FileId;

/// The findings about one suppression.
pub(super) fn report_one(
    out: &mut Vec<Finding>,
    file: FileId,
    s: &Suppression,
    used: &[bool],
    ran: &dyn Fn(&str) -> bool,
) {
    if s.reason.is_none() {
        let message = if s.stray {
            "the reason of this suppression must follow `--`"
        } else {
            "this suppression does not say why the finding is acceptable here"
        };
        out.push(meta(
            &SUPPRESSION_WITHOUT_REASON,
            file,
            s.span,
            message.into(),
            "add the reason after the list: `// redis-lint: allow(rule-id) -- why this is safe here`".into(),
        ));
    }
    for r in s.rules.iter().filter(|r| !is_known(&r.id)) {
        let message = if META_RULES.iter().any(|m| m.meta.id == r.id) {
            format!(
                "`{}` reports on suppressions themselves and cannot be suppressed with a comment",
                r.id
            )
        } else {
            match closest(&r.id) {
                Some(near) => format!(
                    "`{}` is not a redis-lint rule (did you mean `{near}`?)",
                    r.id
                ),
                None => format!("`{}` is not a redis-lint rule", r.id),
            }
        };
        out.push(meta(
            &UNKNOWN_RULE_IN_SUPPRESSION,
            file,
            r.span,
            message,
            "name rules by their exact id (`redis-lint rules` lists them), or write `all`".into(),
        ));
    }
    unused::report(out, file, s, used, ran);
}

/// Whether an id can be named in a suppression.
pub(super) fn is_known(id: &str) -> bool {
    id == "all" || rules::find(id).is_some()
}

/// The registered rule id closest to a misspelt one, if any is close.
fn closest(id: &str) -> Option<&'static str> {
    rules::REGISTRY
        .iter()
        .map(|r| (edit_distance(id, r.meta.id), r.meta.id))
        .filter(|&(d, known)| d <= 3.max(known.len() / 4) || known.ends_with(id))
        .min()
        .map(|(_, known)| known)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            let next = (row[j + 1] + 1).min(row[j] + 1).min(prev + cost);
            prev = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_ids() {
        assert_eq!(closest("key-keys-comand"), Some("key-keys-command"));
        assert_eq!(closest("keys-command"), Some("key-keys-command"));
        assert_eq!(closest("zzzzzzzzzzzzzzzzzz"), None);
    }
}
