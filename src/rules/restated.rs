//! One finding per problem across rules: a code rule's finding that a
//! keyspace rule's finding restates, site for site, is left out. The
//! keyspace rule sees the whole workspace and says more: a plain SET of a
//! key that another site writes with an expiry is `key-ttl-dropped` (it
//! removes the TTL that site gives), not `key-missing-ttl` (it never gets
//! one), though the crate alone may not show the expiring site.

use std::collections::BTreeSet;

use crate::diagnostic::Finding;
use crate::source::{FileId, Span};

/// (rule whose finding is left out, rule whose finding restates it).
const RESTATED: &[(&str, &str)] = &[("key-missing-ttl", "key-ttl-dropped")];

fn sites(f: &Finding) -> BTreeSet<(FileId, Span)> {
    std::iter::once((f.file, f.span))
        .chain(f.related.iter().map(|r| (r.file, r.span)))
        .collect()
}

/// Drops every finding whose sites (its own and its related ones) are all
/// sites of one finding of the rule that restates it.
pub fn drop_restated(findings: &mut Vec<Finding>) {
    let covered: Vec<(&str, BTreeSet<(FileId, Span)>)> = findings
        .iter()
        .filter_map(|f| {
            let (left_out, _) = RESTATED.iter().find(|(_, by)| *by == f.rule.id)?;
            Some((*left_out, sites(f)))
        })
        .collect();
    if covered.is_empty() {
        return;
    }
    findings.retain(|f| {
        let own = sites(f);
        !covered
            .iter()
            .any(|(rule, by)| *rule == f.rule.id && own.is_subset(by))
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{Level, Related};
    use crate::source::Pos;

    fn at(line: u32) -> Span {
        let pos = Pos { line, col: 4 };
        Span {
            start: pos,
            end: pos,
        }
    }

    fn finding(rule: &str, line: u32, related: &[u32]) -> Finding {
        Finding {
            rule: &crate::rules::find(rule).expect("a rule").meta,
            file: 0,
            span: at(line),
            message: String::new(),
            help: String::new(),
            fix: None,
            level: Level::Deny,
            related: related
                .iter()
                .map(|&l| Related {
                    file: 0,
                    span: at(l),
                    message: String::new(),
                })
                .collect(),
        }
    }

    fn left(findings: &[Finding]) -> Vec<(&str, u32)> {
        findings
            .iter()
            .map(|f| (f.rule.id, f.span.start.line))
            .collect()
    }

    #[test]
    fn a_finding_restated_site_for_site_is_left_out() {
        let mut findings = vec![
            finding("key-missing-ttl", 10, &[20]),
            finding("key-ttl-dropped", 10, &[30, 20]),
        ];
        drop_restated(&mut findings);
        assert_eq!(left(&findings), [("key-ttl-dropped", 10)]);
    }

    #[test]
    fn a_site_the_other_finding_does_not_cover_keeps_it() {
        // Line 40 writes the key without replacing it (HSET): no dropped
        // TTL there, so the missing one is still news.
        let mut findings = vec![
            finding("key-missing-ttl", 10, &[40]),
            finding("key-ttl-dropped", 10, &[30]),
            finding("key-missing-ttl", 50, &[]),
        ];
        drop_restated(&mut findings);
        assert_eq!(
            left(&findings),
            [
                ("key-missing-ttl", 10),
                ("key-ttl-dropped", 10),
                ("key-missing-ttl", 50)
            ]
        );
    }
}
