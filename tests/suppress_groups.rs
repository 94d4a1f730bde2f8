//! Suppressions and baselines of grouped findings: the primary site decides
//! for the group; a suppression at another site only drops that site.

use std::path::Path;

use redis_lint::baseline::{self, Baseline, Entry};
use redis_lint::diagnostic::Outcome;
use redis_lint::engine::{self, Options};
use redis_lint::rules::REGISTRY;
use redis_lint::suppress::{self, RulesRun};

/// `{team}:score` is written on line 4 (ZINCRBY), then used on lines 8
/// (ZREM) and 12 (ZREVRANGE): one key-no-namespace finding, two related.
const TEMPLATE: &str = r#"use redis::Commands;

fn bump(con: &mut redis::Connection, team: &str, user: &str) -> redis::RedisResult<f64> {
    con.zincr(format!("{team}:score"), user, 1)
}

fn drop_player(con: &mut redis::Connection, team: &str, user: &str) -> redis::RedisResult<i64> {
    con.zrem(format!("{team}:score"), user)
}

fn top(con: &mut redis::Connection, team: &str) -> redis::RedisResult<Vec<String>> {
    con.zrevrange(format!("{team}:score"), 0, 9)
}
"#;

const RULE: &str = "key-no-namespace";

fn lint(dir: &Path) -> Outcome {
    engine::run(&Options {
        threads: Some(1),
        ..Options::new(vec![dir.to_path_buf()], REGISTRY.to_vec())
    })
    .expect("lint runs")
    .outcome
}

/// Lints `src` as a one-file folder and applies its suppressions.
fn run(src: &str) -> Outcome {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.rs"), src).unwrap();
    let mut outcome = lint(dir.path());
    let ran = RulesRun::everywhere(REGISTRY.iter().map(|r| r.meta.id).collect());
    suppress::apply(&mut outcome, &ran);
    outcome
}

/// (rule, line, related lines) of each finding.
fn found(outcome: &Outcome) -> Vec<(&'static str, u32, Vec<u32>)> {
    outcome
        .findings
        .iter()
        .map(|f| {
            (
                f.rule.id,
                f.span.start.line,
                f.related.iter().map(|r| r.span.start.line).collect(),
            )
        })
        .collect()
}

/// `TEMPLATE` with a suppression at the end of line `line`.
fn suppressed_on(line: usize) -> String {
    TEMPLATE
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i + 1 == line {
                format!(
                    "{l} // redis-lint: allow({RULE}) -- leaderboard keys are shared on purpose\n"
                )
            } else {
                format!("{l}\n")
            }
        })
        .collect()
}

#[test]
fn one_finding_with_its_other_sites() {
    assert_eq!(found(&run(TEMPLATE)), [(RULE, 4, vec![8, 12])]);
}

#[test]
fn suppressing_the_primary_site_silences_the_group() {
    // The other sites are not suppressed, and stay silent: the reason at
    // the primary site covers the one key template.
    assert_eq!(found(&run(&suppressed_on(4))), []);
}

#[test]
fn suppressing_another_site_drops_only_that_site_and_is_used() {
    let outcome = run(&suppressed_on(8));
    // Not reported as unused: it silenced its site.
    assert_eq!(found(&outcome), [(RULE, 4, vec![12])]);
}

#[test]
fn a_baselined_primary_covers_the_group_and_its_old_entries() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.rs"), TEMPLATE).unwrap();
    let outcome = lint(dir.path());
    // A baseline written before grouping: one entry per site.
    let mut old = baseline::from_outcome(&outcome);
    assert_eq!(old.entries.len(), 1);
    let entry = old.entries[0].clone();
    for (line, call) in [
        (8, "con.zrem(format!(\"{team}:score\"), user)"),
        (12, "con.zrevrange(format!(\"{team}:score\"), 0, 9)"),
    ] {
        let span = outcome.findings[0]
            .related
            .iter()
            .find(|r| r.span.start.line == line)
            .unwrap()
            .span;
        let source = &outcome.file(outcome.findings[0].file).source;
        assert!(source.contains(call));
        old.entries.push(Entry {
            fingerprint: baseline::fingerprint(RULE, &entry.file, source, span),
            ..entry.clone()
        });
    }
    let old = Baseline {
        version: old.version,
        entries: old.entries,
    };
    let mut again = lint(dir.path());
    let report = baseline::apply(&old, &mut again);
    assert!(again.findings.is_empty());
    assert_eq!(report.suppressed, 1);
    assert!(report.stale.is_empty(), "{:?}", report.stale);
}
