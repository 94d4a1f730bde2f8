//! Inline suppressions, fixes and baselines, through the library.

use std::path::Path;

use redis_lint::diagnostic::Outcome;
use redis_lint::diagnostic::{Edit, Finding, Fix};
use redis_lint::engine::{self, Options};
use redis_lint::model::{Pos, Span};
use redis_lint::rules::{self, REGISTRY};
use redis_lint::suppress::RulesRun;
use redis_lint::{baseline, fix, suppress};

/// `con.keys` starts on line 4 (key-keys-command), `redis::cmd("FLUSHALL")`
/// on line 8 (cmd-dangerous-command, with a fix).
const BASE: &str = r#"use redis::Commands;

fn list(con: &mut redis::Connection) -> redis::RedisResult<Vec<String>> {
    con.keys("user:*")
}

fn wipe(con: &mut redis::Connection) -> redis::RedisResult<()> {
    redis::cmd("FLUSHALL").query(con)
}
"#;

fn lint_rules(dir: &Path, rules: Vec<&'static rules::Rule>) -> Outcome {
    engine::run(&Options {
        threads: Some(1),
        ..Options::new(vec![dir.to_path_buf()], rules)
    })
    .expect("lint runs")
    .outcome
}

fn lint(dir: &Path) -> Outcome {
    lint_rules(dir, REGISTRY.to_vec())
}

/// Every rule ran on every file, at its default level.
fn all_ran() -> RulesRun {
    RulesRun::everywhere(REGISTRY.iter().map(|r| r.meta.id).collect())
}

/// Writes `src` as the only file of a fresh folder, lints it and applies
/// the suppressions (all rules ran).
fn run(src: &str) -> (tempfile::TempDir, Outcome) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.rs"), src).unwrap();
    let mut outcome = lint(dir.path());
    suppress::apply(&mut outcome, &all_ran());
    (dir, outcome)
}

/// (rule, start line) of each finding.
fn found(outcome: &Outcome) -> Vec<(&'static str, u32)> {
    outcome
        .findings
        .iter()
        .map(|f| (f.rule.id, f.span.start.line))
        .collect()
}

fn with_line(src: &str, line: usize, new: &str) -> String {
    let mut lines: Vec<&str> = src.split('\n').collect();
    lines[line - 1] = new;
    lines.join("\n")
}

fn insert_line(src: &str, before: usize, new: &str) -> String {
    let mut lines: Vec<&str> = src.split('\n').collect();
    lines.insert(before - 1, new);
    lines.join("\n")
}

#[test]
fn the_fixture_has_both_findings() {
    let (_d, o) = run(BASE);
    assert_eq!(
        found(&o),
        [("key-keys-command", 4), ("cmd-dangerous-command", 8)]
    );
}

#[test]
fn end_of_line_suppression_silences_its_line() {
    let src = with_line(
        BASE,
        4,
        r#"    con.keys("user:*") // redis-lint: allow(key-keys-command) -- admin tool on a tiny db"#,
    );
    let (_d, o) = run(&src);
    assert_eq!(found(&o), [("cmd-dangerous-command", 8)]);
}

#[test]
fn suppression_on_the_line_above_silences_the_next_line() {
    let src = insert_line(
        BASE,
        8,
        "    // redis-lint: allow(cmd-dangerous-command) -- test reset of a throwaway db",
    );
    let (_d, o) = run(&src);
    assert_eq!(found(&o), [("key-keys-command", 4)]);
}

#[test]
fn stacked_suppressions_above_one_line_both_apply() {
    let src = insert_line(
        BASE,
        8,
        "    // redis-lint: allow(cmd-dangerous-command) -- throwaway db\n    // redis-lint: allow(all) -- also fine",
    );
    let (_d, o) = run(&src);
    assert_eq!(found(&o), [("key-keys-command", 4)]);
}

#[test]
fn suppression_only_reaches_the_finding_start_line() {
    // Above a blank line: the link is broken, the `fn` below is not covered.
    let src = insert_line(BASE, 6, "// redis-lint: allow(cmd-dangerous-command) -- x");
    let (_d, o) = run(&src);
    assert_eq!(
        found(&o),
        [
            ("key-keys-command", 4),
            ("unused-suppression", 6),
            ("cmd-dangerous-command", 9)
        ]
    );
}

#[test]
fn file_suppression_silences_the_whole_file() {
    let src = format!(
        "//! Maintenance script.\n// redis-lint: allow-file(key-keys-command, cmd-dangerous-command) -- one-off tool run by hand\n#![allow(dead_code)]\n{BASE}"
    );
    let (_d, o) = run(&src);
    assert_eq!(found(&o), []);

    let src = format!("// redis-lint: allow-file(all) -- generated code\n{BASE}");
    let (_d, o) = run(&src);
    assert_eq!(found(&o), []);
}

#[test]
fn file_suppression_after_the_first_item_is_reported() {
    let src = insert_line(BASE, 2, "// redis-lint: allow-file(all) -- too late");
    let (_d, o) = run(&src);
    assert_eq!(
        found(&o),
        [
            ("unused-suppression", 2),
            ("key-keys-command", 5),
            ("cmd-dangerous-command", 9)
        ]
    );
    assert!(o.findings[0].fix.is_none(), "the user wants to move it");
}

#[test]
fn suppression_without_reason_silences_and_is_reported() {
    for tail in ["", " --", " --   ", " because admin"] {
        let src = with_line(
            BASE,
            4,
            &format!(r#"    con.keys("user:*") // redis-lint: allow(key-keys-command){tail}"#),
        );
        let (_d, o) = run(&src);
        assert_eq!(
            found(&o),
            [
                ("suppression-without-reason", 4),
                ("cmd-dangerous-command", 8)
            ],
            "tail {tail:?}"
        );
    }
}

#[test]
fn unknown_rule_is_reported_and_silences_nothing() {
    let src = with_line(
        BASE,
        4,
        r#"    con.keys("user:*") // redis-lint: allow(keys-command) -- admin"#,
    );
    let (_d, o) = run(&src);
    assert_eq!(
        found(&o),
        [
            ("key-keys-command", 4),
            ("unknown-rule-in-suppression", 4),
            ("cmd-dangerous-command", 8)
        ]
    );
    let f = &o.findings[1];
    assert!(
        f.message.contains("did you mean `key-keys-command`"),
        "{}",
        f.message
    );
    // Points at the id.
    assert_eq!(f.span.start.col, 44);
    assert_eq!(f.span.end.col, 56);

    // Prefixes and sections are not rule ids.
    for id in ["key", "2.6", "unused-suppression"] {
        let src = with_line(
            BASE,
            4,
            &format!(r#"    con.keys("user:*") // redis-lint: allow({id}) -- admin"#),
        );
        let (_d, o) = run(&src);
        assert!(
            found(&o).contains(&("unknown-rule-in-suppression", 4)),
            "{id}: {:?}",
            found(&o)
        );
    }
}

#[test]
fn malformed_suppression_is_reported() {
    let src = with_line(
        BASE,
        4,
        r#"    con.keys("user:*") // redis-lint: alow(key-keys-command) -- admin"#,
    );
    let (_d, o) = run(&src);
    assert!(found(&o).contains(&("unknown-rule-in-suppression", 4)));
    assert!(found(&o).contains(&("key-keys-command", 4)));
}

#[test]
fn suppressions_inside_literals_and_doc_comments_do_not_count() {
    let src = with_line(
        BASE,
        4,
        r##"    let _n = ("// redis-lint: allow(key-keys-command) -- no", r#"// redis-lint: allow(key-keys-command) -- no"#, '"'); /* // redis-lint: allow(key-keys-command) -- no */ con.keys("user:*")"##,
    );
    let src = insert_line(
        &src,
        8,
        "    /// redis-lint: allow(cmd-dangerous-command) -- no",
    );
    let (_d, o) = run(&src);
    assert_eq!(
        found(&o),
        [("key-keys-command", 4), ("cmd-dangerous-command", 9)]
    );
}

/// Applies every fix of the outcome to its one file.
fn fixed_text(o: &Outcome) -> String {
    let changes = fix::fix_outcome(o).unwrap();
    assert_eq!(changes.len(), 1);
    assert!(changes[0].parses);
    changes[0].new.clone()
}

#[test]
fn unused_suppression_fix_deletes_exactly_the_comment() {
    // Alone on its line: the whole line goes, newline included.
    let src = insert_line(BASE, 7, "// redis-lint: allow(key-keys-command) -- stale");
    let (_d, o) = run(&src);
    assert_eq!(
        found(&o),
        [
            ("key-keys-command", 4),
            ("unused-suppression", 7),
            ("cmd-dangerous-command", 9)
        ]
    );
    let unused: Vec<&Finding> = o
        .findings
        .iter()
        .filter(|f| f.rule.id == "unused-suppression")
        .collect();
    let out = fix::fix_file(&src, &unused).unwrap();
    assert_eq!(out.text, BASE);
    assert_eq!((out.applied, out.skipped), (1, 0));

    // At the end of a line of code: the comment and the blanks before it.
    let src = with_line(
        BASE,
        5,
        "} \t // redis-lint: allow(cmd-dangerous-command) -- stale",
    );
    let (_d, o) = run(&src);
    let unused: Vec<&Finding> = o
        .findings
        .iter()
        .filter(|f| f.rule.id == "unused-suppression")
        .collect();
    assert_eq!(unused.len(), 1);
    assert_eq!(fix::fix_file(&src, &unused).unwrap().text, BASE);

    // The last line, with no newline after it.
    let src = format!("{BASE}// redis-lint: allow(all) -- stale");
    let (_d, o) = run(&src);
    let unused: Vec<&Finding> = o
        .findings
        .iter()
        .filter(|f| f.rule.id == "unused-suppression")
        .collect();
    assert_eq!(unused.len(), 1);
    assert_eq!(
        fix::fix_file(&src, &unused).unwrap().text,
        BASE.trim_end_matches('\n')
    );
}

#[test]
fn partly_unused_suppression_fix_keeps_the_used_ids() {
    let src = with_line(
        BASE,
        4,
        r#"    con.keys("user:*") // redis-lint: allow(cmd-dangerous-command, key-keys-command) -- admin"#,
    );
    let (_d, o) = run(&src);
    assert_eq!(
        found(&o),
        [("unused-suppression", 4), ("cmd-dangerous-command", 8)]
    );
    let f = &o.findings[0];
    assert!(
        f.message.contains("`cmd-dangerous-command`"),
        "{}",
        f.message
    );
    let out = fix::fix_file(&src, &[f]).unwrap();
    assert_eq!(
        out.text,
        with_line(
            BASE,
            4,
            r#"    con.keys("user:*") // redis-lint: allow(key-keys-command) -- admin"#
        )
    );
}

#[test]
fn suppression_for_a_rule_that_did_not_run_is_not_unused() {
    let src = with_line(
        BASE,
        4,
        r#"    con.keys("user:*") // redis-lint: allow(key-keys-command) -- admin"#,
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.rs"), &src).unwrap();
    let only = vec![rules::find("cmd-dangerous-command").unwrap()];
    let mut o = lint_rules(dir.path(), only);
    suppress::apply(&mut o, &RulesRun::everywhere(vec!["cmd-dangerous-command"]));
    assert_eq!(found(&o), [("cmd-dangerous-command", 8)]);

    // With the rule run, it is used: still no meta finding.
    let mut o = lint(dir.path());
    suppress::apply(&mut o, &all_ran());
    assert_eq!(found(&o), [("cmd-dangerous-command", 8)]);
}

#[test]
fn stale_suppression_in_a_file_without_redis_code_is_found() {
    // The engine keeps no text for files without Redis code; apply reads it.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.rs"), BASE).unwrap();
    let plain = "fn add(a: u32, b: u32) -> u32 {\n    a + b // redis-lint: allow(key-keys-command) -- was a KEYS call\n}\n";
    std::fs::write(dir.path().join("b.rs"), plain).unwrap();
    let mut o = lint(dir.path());
    suppress::apply(&mut o, &all_ran());
    let unused: Vec<&Finding> = o
        .findings
        .iter()
        .filter(|f| f.rule.id == "unused-suppression")
        .collect();
    assert_eq!(unused.len(), 1, "{:?}", found(&o));
    assert!(o.file(unused[0].file).display.ends_with("b.rs"));
}

#[test]
fn applying_all_fixes_parses_and_relint_is_clean() {
    let src = insert_line(BASE, 7, "// redis-lint: allow(key-keys-command) -- stale");
    let (dir, o) = run(&src);
    let new = fixed_text(&o);
    assert!(fix::still_parses(&new));
    assert!(new.contains(r#"redis::cmd("FLUSHALL").arg("ASYNC").query(con)"#));
    assert!(!new.contains("redis-lint:"));
    std::fs::write(dir.path().join("a.rs"), &new).unwrap();
    let mut again = lint(dir.path());
    suppress::apply(&mut again, &all_ran());
    assert_eq!(found(&again), [("key-keys-command", 4)]);
}

fn edit(a: (u32, u32), b: (u32, u32), content: &str) -> Edit {
    Edit {
        span: Span {
            start: Pos {
                line: a.0,
                col: a.1,
            },
            end: Pos {
                line: b.0,
                col: b.1,
            },
        },
        content: content.into(),
    }
}

#[test]
fn overlapping_edits_are_skipped_not_corrupted() {
    let e1 = edit((4, 4), (4, 22), "con.scan()");
    let e2 = edit((4, 8), (4, 12), "XXXX"); // inside e1
    let e3 = edit((8, 26), (8, 26), ".arg(\"ASYNC\")");
    let e4 = edit((8, 26), (8, 26), ".arg(\"SYNC\")"); // same point as e3
    let (text, applied) = fix::apply(BASE, &[&e3, &e2, &e4, &e1]).unwrap();
    assert_eq!(applied, 2);
    let expected = with_line(
        &with_line(BASE, 4, "    con.scan()"),
        8,
        r#"    redis::cmd("FLUSHALL").arg("ASYNC").query(con)"#,
    );
    assert_eq!(text, expected);

    // Whole fixes: a fix with one clashing edit is skipped entirely.
    let (_d, o) = run(BASE);
    let real = o
        .findings
        .iter()
        .find(|f| f.fix.is_some())
        .expect("FLUSHALL has a fix")
        .clone();
    let mut clash = real.clone();
    clash.fix = Some(Fix::safe(
        "two edits, one clashing",
        vec![edit((1, 0), (1, 3), "pub use"), e4.clone()],
    ));
    let out = fix::fix_file(BASE, &[&real, &clash]).unwrap();
    assert_eq!((out.applied, out.skipped), (1, 1));
    assert!(out.text.starts_with("use redis::Commands;"));
    assert!(out.text.contains(".arg(\"ASYNC\")"));

    // Positions outside the text are an error, not a guess.
    let bad = edit((40, 0), (40, 0), "x");
    assert!(fix::apply(BASE, &[&bad]).is_err());
}

/// Applies a unified diff to `old`, checking every count and context line.
fn patch(old: &str, diff: &str) -> String {
    let mut lines = diff.lines().peekable();
    assert!(lines.next().unwrap().starts_with("--- a/"));
    assert!(lines.next().unwrap().starts_with("+++ b/"));
    let old_lines: Vec<&str> = old.lines().collect();
    let mut out: Vec<String> = Vec::new();
    let mut at = 0usize;
    while let Some(header) = lines.next() {
        let body = header
            .strip_prefix("@@ -")
            .and_then(|h| h.strip_suffix(" @@"))
            .unwrap_or_else(|| panic!("bad hunk header {header:?}"));
        let (o, n) = body.split_once(" +").unwrap();
        let range = |r: &str| -> (usize, usize) {
            match r.split_once(',') {
                Some((s, l)) => (s.parse().unwrap(), l.parse().unwrap()),
                None => (r.parse().unwrap(), 1),
            }
        };
        let ((os, ol), (_ns, nl)) = (range(o), range(n));
        let start = if ol == 0 { os } else { os - 1 };
        assert!(start >= at, "hunks out of order");
        out.extend(old_lines[at..start].iter().map(|s| s.to_string()));
        at = start;
        let (mut seen_old, mut seen_new) = (0, 0);
        while seen_old < ol || seen_new < nl {
            let l = lines.next().expect("hunk shorter than its header says");
            let (tag, text) = l.split_at(1);
            match tag {
                " " => {
                    assert_eq!(old_lines[at], text, "context differs");
                    out.push(text.to_string());
                    at += 1;
                    seen_old += 1;
                    seen_new += 1;
                }
                "-" => {
                    assert_eq!(old_lines[at], text, "removed line differs");
                    at += 1;
                    seen_old += 1;
                }
                "+" => {
                    out.push(text.to_string());
                    seen_new += 1;
                }
                _ => panic!("bad hunk line {l:?}"),
            }
        }
        while lines.peek().is_some_and(|l| l.starts_with('\\')) {
            lines.next();
        }
    }
    out.extend(old_lines[at..].iter().map(|s| s.to_string()));
    out.join("\n") + "\n"
}

#[test]
fn diff_is_a_valid_unified_diff() {
    let src = insert_line(BASE, 7, "// redis-lint: allow(key-keys-command) -- stale");
    let long = format!("{src}{}", "// filler\n".repeat(20));
    let long = format!("{}{long}", "// header\n".repeat(20));
    let (_d, o) = run(&long);
    let new = fixed_text(&o);
    let d = fix::unified_diff("src/a.rs", &long, &new);
    assert!(d.starts_with("--- a/src/a.rs\n+++ b/src/a.rs\n@@ -"), "{d}");
    // Two changes 6 lines apart: one hunk with 3 lines of context each side.
    assert_eq!(d.matches("\n@@ ").count(), 1, "{d}");
    assert!(d.contains("-// redis-lint: allow(key-keys-command) -- stale\n"));
    assert!(d.contains("+    redis::cmd(\"FLUSHALL\").arg(\"ASYNC\").query(con)\n"));
    assert_eq!(patch(&long, &d), new);
    assert_eq!(fix::unified_diff("src/a.rs", &new, &new), "");
}

fn write_and_lint(dir: &Path, src: &str) -> Outcome {
    std::fs::write(dir.join("a.rs"), src).unwrap();
    lint(dir)
}

#[test]
fn baseline_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let file = tempfile::NamedTempFile::new().unwrap();
    let o = write_and_lint(dir.path(), BASE);
    assert_eq!(baseline::write(file.path(), &o).unwrap(), 2);
    let b = baseline::load(file.path()).unwrap();
    assert_eq!(b.version, 1);
    assert_eq!(b.entries.len(), 2);
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(file.path()).unwrap()).unwrap();
    let entry = &json["entries"][0];
    for field in ["rule", "file", "fingerprint", "count"] {
        assert!(entry.get(field).is_some(), "{field} missing: {json}");
    }

    // Same code: nothing left, nothing stale.
    let mut o = write_and_lint(dir.path(), BASE);
    let r = baseline::apply(&b, &mut o);
    assert_eq!((r.suppressed, r.stale.len()), (2, 0));
    assert!(o.findings.is_empty());

    // Lines moved and the call reformatted: still matched.
    let moved = insert_line(BASE, 3, "\n\n// a comment\n");
    let moved = moved.replace(
        "redis::cmd(\"FLUSHALL\").query(con)",
        "redis::cmd( \"FLUSHALL\" )\n        .query(con)",
    );
    let mut o = write_and_lint(dir.path(), &moved);
    assert_eq!(o.findings.len(), 2);
    let r = baseline::apply(&b, &mut o);
    assert_eq!((r.suppressed, r.stale.len()), (2, 0), "{:?}", found(&o));

    // The flagged call changed: reported again, and its old entry is stale.
    let changed = BASE.replace("user:*", "session:*");
    let mut o = write_and_lint(dir.path(), &changed);
    let r = baseline::apply(&b, &mut o);
    assert_eq!(found(&o), [("key-keys-command", 4)]);
    assert_eq!(r.suppressed, 1);
    assert_eq!(r.stale.len(), 1);
    assert_eq!(r.stale[0].rule, "key-keys-command");
    assert_eq!(r.stale[0].missing, 1);

    // The code deleted: its entry is stale.
    let deleted = BASE.split("fn wipe").next().unwrap();
    let mut o = write_and_lint(dir.path(), deleted);
    let r = baseline::apply(&b, &mut o);
    assert!(o.findings.is_empty());
    assert_eq!(r.suppressed, 1);
    assert_eq!(r.stale.len(), 1);
    assert_eq!(r.stale[0].rule, "cmd-dangerous-command");
    assert!(r.stale[0].file.ends_with("a.rs"));
}

#[test]
fn baseline_counts_identical_findings() {
    let three = BASE.replace(
        "    con.keys(\"user:*\")\n",
        "    let _: Vec<String> = con.keys(\"user:*\")?;\n    let _: Vec<String> = con.keys(\"user:*\")?;\n    con.keys(\"user:*\")\n",
    );
    let dir = tempfile::tempdir().unwrap();
    let file = tempfile::NamedTempFile::new().unwrap();
    let o = write_and_lint(dir.path(), &three);
    assert_eq!(o.findings.len(), 4);
    baseline::write(file.path(), &o).unwrap();
    let b = baseline::load(file.path()).unwrap();
    let keys = b
        .entries
        .iter()
        .find(|e| e.rule == "key-keys-command")
        .unwrap();
    assert_eq!(keys.count, 3);

    // One of three fixed: noticed as stale.
    let two = three.replacen("    let _: Vec<String> = con.keys(\"user:*\")?;\n", "", 1);
    let mut o = write_and_lint(dir.path(), &two);
    let r = baseline::apply(&b, &mut o);
    assert!(o.findings.is_empty());
    assert_eq!(r.stale.len(), 1);
    assert_eq!(r.stale[0].missing, 1);

    // A fourth copy: reported.
    let four = three.replacen(
        "    let _",
        "    let _: Vec<String> = con.keys(\"user:*\")?;\n    let _",
        1,
    );
    let mut o = write_and_lint(dir.path(), &four);
    let r = baseline::apply(&b, &mut o);
    assert_eq!(r.suppressed, 4);
    assert_eq!(found(&o).len(), 1);
    assert_eq!(o.findings[0].rule.id, "key-keys-command");
}

#[test]
fn broken_baseline_files_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("baseline.json");
    let err = baseline::load(&path).unwrap_err().to_string();
    assert!(err.contains("cannot read the baseline"), "{err}");

    std::fs::write(&path, "{ \"version\": 1, \"entries\": [ ").unwrap();
    let err = baseline::load(&path).unwrap_err().to_string();
    assert!(err.contains("not valid JSON (line 1"), "{err}");

    std::fs::write(&path, r#"{ "version": 2, "entries": [] }"#).unwrap();
    let err = baseline::load(&path).unwrap_err().to_string();
    assert!(err.contains("version 2"), "{err}");

    std::fs::write(&path, r#"{ "entries": [] }"#).unwrap();
    let err = baseline::load(&path).unwrap_err().to_string();
    assert!(err.contains("no \"version\""), "{err}");

    std::fs::write(&path, r#"{ "version": 1, "entries": [ { "rule": "x" } ] }"#).unwrap();
    let err = baseline::load(&path).unwrap_err().to_string();
    assert!(err.contains("not a redis-lint baseline"), "{err}");
}

#[test]
fn meta_rules_are_labelled_and_documented() {
    assert_eq!(redis_lint::rules::META_RULES.len(), 3);
    for rule in redis_lint::rules::META_RULES {
        assert!(
            rules::find(rule.meta.id).is_none(),
            "{} is not run by the engine",
            rule.meta.id
        );
        assert!(rule.meta.doc.starts_with(&format!("# {}\n", rule.meta.id)));
        for heading in [
            "## What it does",
            "## Why is this bad",
            "## Example",
            "## Use instead",
        ] {
            assert!(
                rule.meta.doc.contains(heading),
                "{}: {heading}",
                rule.meta.id
            );
        }
    }
}

/// Lints `files` (name, text) in a fresh folder and applies suppressions.
fn run_files(files: &[(&str, &str)]) -> (tempfile::TempDir, Outcome) {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let mut outcome = lint(dir.path());
    suppress::apply(&mut outcome, &all_ran());
    (dir, outcome)
}

#[test]
fn config_files_take_hash_suppressions() {
    // No maxmemory (reported on line 1) is silenced for the file from the
    // header; the quorum-1 finding is silenced from the line above it.
    let conf = "# redis-lint: allow-file(conf-no-maxmemory) -- sized by the container limit\n\
                # cache node for the image service\n\
                port 6379\n\
                # redis-lint: allow(conf-slowlog) -- load test box\n\
                slowlog-log-slower-than 500000\n\
                slowlog-max-len 1024\n";
    let (_dir, outcome) = run_files(&[("redis.conf", conf)]);
    let ids: Vec<&str> = outcome.findings.iter().map(|f| f.rule.id).collect();
    assert!(!ids.contains(&"conf-no-maxmemory"), "{ids:?}");
    assert!(!ids.contains(&"conf-slowlog"), "{ids:?}");
    assert!(!ids.contains(&"unused-suppression"), "{ids:?}");
    // Other conf findings still come through.
    assert!(ids.iter().any(|i| i.starts_with("conf-")), "{ids:?}");
}

#[test]
fn config_file_suppressions_are_checked_like_rust_ones() {
    let conf = "port 6379\n\
                maxmemory 1gb\n\
                maxmemory-policy allkeys-lru\n\
                # redis-lint: allow(conf-slowlog)\n\
                appendonly no\n\
                # redis-lint: allow(conf-no-such-rule) -- typo\n\
                save 900 1\n";
    let (_dir, outcome) = run_files(&[("redis.conf", conf)]);
    let meta: Vec<(&str, u32)> = found(&outcome)
        .into_iter()
        .filter(|(id, _)| !id.starts_with("conf-"))
        .collect();
    assert!(
        meta.contains(&("suppression-without-reason", 4)),
        "{meta:?}"
    );
    assert!(meta.contains(&("unused-suppression", 4)), "{meta:?}");
    assert!(
        meta.contains(&("unknown-rule-in-suppression", 6)),
        "{meta:?}"
    );
}

#[test]
fn compose_files_take_trailing_suppressions() {
    let compose = "services:\n  cache:\n    image: redis:7.2\n    command: redis-server --protected-mode no --maxmemory 1gb # redis-lint: allow(conf-no-auth) -- private network only\n";
    let (_dir, outcome) = run_files(&[("docker-compose.yml", compose)]);
    let ids: Vec<&str> = outcome.findings.iter().map(|f| f.rule.id).collect();
    assert!(!ids.contains(&"conf-no-auth"), "{ids:?}");
    assert!(!ids.contains(&"unused-suppression"), "{ids:?}");
    // A `#` inside quotes is not a comment.
    let quoted = "services:\n  cache:\n    image: redis:7.2\n    command: \"redis-server --protected-mode no # redis-lint: allow(conf-no-auth) -- x\"\n";
    let (_dir, outcome) = run_files(&[("docker-compose.yml", quoted)]);
    let ids: Vec<&str> = outcome.findings.iter().map(|f| f.rule.id).collect();
    assert!(ids.contains(&"conf-no-auth"), "{ids:?}");
}

/// Lints `dir` as the command line does: configuration discovered, with
/// `select` / `ignore`; suppressions applied with what ran on each file.
fn lint_configured(dir: &Path, select: &[&str], ignore: &[&str]) -> Outcome {
    let owned = |ids: &[&str]| ids.iter().map(|s| s.to_string()).collect();
    let linted = engine::run(&Options {
        threads: Some(1),
        settings: engine::Settings::Configured {
            source: engine::ConfigSource::Discovered,
            select: owned(select),
            ignore: owned(ignore),
            extend_select: Vec::new(),
        },
        ..Options::new(vec![dir.to_path_buf()], REGISTRY.to_vec())
    })
    .expect("lint runs");
    let mut outcome = linted.outcome;
    suppress::apply(&mut outcome, &linted.rules_run);
    outcome
}

/// BASE with a suppression of `key-keys-command` above its line.
fn base_with_keys_suppressed() -> (tempfile::TempDir, String) {
    let src = insert_line(
        BASE,
        4,
        "    // redis-lint: allow(key-keys-command) -- admin tool, ten keys",
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("redis-lint.toml"), "").unwrap();
    std::fs::write(dir.path().join("a.rs"), &src).unwrap();
    (dir, src)
}

#[test]
fn suppressions_of_rules_left_out_by_select_or_ignore_are_kept() {
    let (dir, _) = base_with_keys_suppressed();
    for (select, ignore) in [
        (&["cmd"][..], &[][..]),
        (&[][..], &["key-keys-command"][..]),
    ] {
        let o = lint_configured(dir.path(), select, ignore);
        let ids: Vec<&str> = o.findings.iter().map(|f| f.rule.id).collect();
        assert_eq!(ids, ["cmd-dangerous-command"], "{select:?} {ignore:?}");
        // `--fix` keeps the suppression, reason included.
        assert!(fixed_text(&o).contains("allow(key-keys-command) -- admin tool"));
    }
    // Run, the rule finds nothing there once the call is gone: unused.
    let (dir, src) = base_with_keys_suppressed();
    let gone = src.replace(r#"con.keys("user:*")"#, "Ok(Vec::new())");
    std::fs::write(dir.path().join("a.rs"), gone).unwrap();
    let o = lint_configured(dir.path(), &["key-keys-command"], &[]);
    assert_eq!(found(&o), [("unused-suppression", 4)]);
}

#[test]
fn suppressions_of_rules_a_configuration_allows_are_kept() {
    let (dir, _) = base_with_keys_suppressed();
    let toml = dir.path().join("redis-lint.toml");
    std::fs::write(&toml, "[rules]\nkey-keys-command = \"allow\"\n").unwrap();
    let o = lint_configured(dir.path(), &[], &[]);
    assert_eq!(found(&o), [("cmd-dangerous-command", 9)]);
    // Allowed only for other paths: it ran on a.rs, and silenced its finding.
    let other = "[[overrides]]\npaths = [\"src/**\"]\nignore = [\"key-keys-command\"]\n";
    std::fs::write(&toml, other).unwrap();
    let o = lint_configured(dir.path(), &[], &[]);
    assert_eq!(found(&o), [("cmd-dangerous-command", 9)]);
    // An `allow(all)` is unused only where some rule ran.
    let src = "// redis-lint: allow(all) -- generated\nfn f() {}\n";
    std::fs::write(dir.path().join("a.rs"), src).unwrap();
    std::fs::write(&toml, "select = [\"key-keys-command\"]\n").unwrap();
    let o = lint_configured(dir.path(), &[], &[]);
    assert_eq!(found(&o), [("unused-suppression", 1)]);
}

/// `con.keys` split by rustfmt: the finding starts on the `.keys` line.
const CHAIN: &str = r#"use redis::Commands;

fn list(con: &mut redis::Connection) -> redis::RedisResult<Vec<String>> {
    let keys: Vec<String> = con
        .keys("user:and:a:long:pattern:that:makes:rustfmt:break:the:chain:*")?;
    let more: Vec<String> = con.keys("order:*")?;
    Ok([keys, more].concat())
}
"#;

#[test]
fn suppression_above_a_multi_line_statement_covers_it() {
    let (_d, o) = run(CHAIN);
    assert_eq!(
        found(&o),
        [("key-keys-command", 5), ("key-keys-command", 6)]
    );
    let src = insert_line(
        CHAIN,
        4,
        "    // redis-lint: allow(key-keys-command) -- admin tool",
    );
    let (_d, o) = run(&src);
    // The next statement is not covered.
    assert_eq!(found(&o), [("key-keys-command", 7)]);
}

#[test]
fn suppression_above_a_fn_covers_its_body() {
    for head in ["", "#[allow(dead_code)]\n"] {
        let src = CHAIN.replace(
            "fn list",
            &format!("// redis-lint: allow(key-keys-command) -- admin tool\n{head}fn list"),
        );
        let (_d, o) = run(&src);
        assert_eq!(found(&o), [], "{src}");
    }
    // Stale: reported for the lines of the fn, and deleted by the fix.
    let src = BASE.replace(
        "fn wipe",
        "// redis-lint: allow(key-keys-command) -- admin tool\nfn wipe",
    );
    let (_d, o) = run(&src);
    let unused = o
        .findings
        .iter()
        .find(|f| f.rule.id == "unused-suppression");
    assert_eq!(
        unused.map(|f| f.message.as_str()),
        Some("this suppression silenced nothing: no `key-keys-command` finding on lines 8-10")
    );
}
