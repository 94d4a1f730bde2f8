//! Related locations in every output format: a problem found at several
//! sites (fixtures/src/grouping.rs) is one diagnostic that names the others.

use std::path::PathBuf;

use redis_lint::diagnostic::Outcome;
use redis_lint::engine::{self, Options};
use redis_lint::report;
use serde_json::Value;

const FIXTURE: &str = "fixtures/src/grouping.rs";

fn outcome() -> Outcome {
    std::env::set_current_dir(env!("CARGO_MANIFEST_DIR")).unwrap();
    engine::run(&Options {
        threads: Some(1),
        ..Options::new(
            vec![PathBuf::from(FIXTURE)],
            redis_lint::rules::REGISTRY.to_vec(),
        )
    })
    .unwrap()
    .outcome
}

/// The key template `{team}:standing`: written by ZINCRBY on line 16, used
/// by ZREM (24) and ZREVRANGE (28).
fn is_template_group(rule: &str, line: u64) -> bool {
    rule == "key-no-namespace" && line == 16
}

#[test]
fn json_reports_one_diagnostic_with_its_related_sites() {
    let doc: Value = serde_json::from_str(&report::json(&outcome())).unwrap();
    assert_eq!(doc["version"], 2);
    let diags = doc["diagnostics"].as_array().unwrap();
    let group: Vec<&Value> = diags
        .iter()
        .filter(|d| is_template_group(d["rule"].as_str().unwrap(), d["line"].as_u64().unwrap()))
        .collect();
    assert_eq!(group.len(), 1);
    let related = group[0]["related"].as_array().unwrap();
    let lines: Vec<u64> = related
        .iter()
        .map(|r| r["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [24, 28]);
    for r in related {
        assert_eq!(r["file"], FIXTURE);
        assert_eq!(r["message"], "the same key template, used here");
        assert!(r["column"].as_u64().unwrap() >= 1);
    }
    // No diagnostic of that rule is left at a related site.
    assert!(!diags.iter().any(
        |d| d["rule"] == "key-no-namespace" && [24, 28].contains(&d["line"].as_u64().unwrap())
    ));
    // Findings at one site carry an empty list.
    assert!(diags
        .iter()
        .any(|d| d["related"].as_array().unwrap().is_empty()));
}

#[test]
fn json_lines_carry_related_sites() {
    let text = report::json_lines(&outcome());
    let group: Value = text
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|d| d["rule"] == "key-no-namespace" && d["line"] == 16)
        .unwrap();
    assert_eq!(group["related"].as_array().unwrap().len(), 2);
}

#[test]
fn sarif_has_related_locations() {
    let log: Value = serde_json::from_str(&report::sarif(&outcome())).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap();
    let group = results
        .iter()
        .find(|r| {
            r["ruleId"] == "key-no-namespace"
                && r["locations"][0]["physicalLocation"]["region"]["startLine"] == 16
        })
        .unwrap();
    let related = group["relatedLocations"].as_array().unwrap();
    assert_eq!(related.len(), 2);
    assert_eq!(related[0]["id"], 0);
    assert_eq!(related[1]["physicalLocation"]["region"]["startLine"], 28);
    assert_eq!(
        related[0]["message"]["text"],
        "the same key template, used here"
    );
    // A finding at one site has none.
    assert!(results.iter().any(|r| r.get("relatedLocations").is_none()));
}

#[test]
fn human_labels_sites_in_the_same_file() {
    let text = report::human(&outcome(), false);
    // Two uses of `{team}:standing`, and the pasted invite consumer's write.
    assert_eq!(text.matches("the same key template, used here").count(), 3);
    assert_eq!(text.matches("connects the same way here").count(), 1);
    // The other branch of the `if`, and the pasted consumer.
    assert_eq!(
        text.matches("another write decided by the same check")
            .count(),
        2
    );
}

#[test]
fn concise_and_github_name_the_other_sites_in_one_line() {
    let outcome = outcome();
    let concise = report::concise(&outcome);
    let line = concise
        .lines()
        .find(|l| l.starts_with(&format!("{FIXTURE}:16:")) && l.contains("key-no-namespace"))
        .unwrap();
    assert!(
        line.ends_with(&format!(
            "(also at 2 other sites: {FIXTURE}:24:9, {FIXTURE}:28:9)"
        )),
        "{line}"
    );
    assert_eq!(concise.matches("key-no-namespace").count(), 2);
    let github = report::github(&outcome);
    let annotations: Vec<&str> = github
        .lines()
        .filter(|l| l.contains("title=key-no-namespace"))
        .collect();
    assert_eq!(annotations.len(), 2);
    assert!(annotations
        .iter()
        .any(|a| a.contains("%0Aalso at 2 other sites%3A")
            || a.contains("%0Aalso at 2 other sites:")));
}

#[test]
fn cargo_messages_point_notes_at_the_other_sites() {
    let text = report::cargo_messages(&outcome());
    let msg: Value = text
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|m| {
            m["message"]["code"]["code"] == "key-no-namespace"
                && m["message"]["spans"][0]["line_start"] == 16
        })
        .unwrap();
    let notes: Vec<&Value> = msg["message"]["children"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["level"] == "note")
        .collect();
    assert_eq!(notes.len(), 2);
    assert_eq!(notes[0]["spans"][0]["line_start"], 24);
    assert_eq!(notes[1]["spans"][0]["file_name"], FIXTURE);
    assert!(msg["message"]["rendered"]
        .as_str()
        .unwrap()
        .contains("also at 2 other sites"));
}
