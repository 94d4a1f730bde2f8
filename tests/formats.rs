//! The machine output formats of `report`: concise lines, JSON lines,
//! SARIF 2.1.0, GitHub Actions workflow commands and cargo's JSON messages,
//! checked on a real lint of a fixture (with findings and a fix) and of the
//! bad-file fixtures (with a parse error and a read error).

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use redis_lint::diagnostic::Outcome;
use redis_lint::engine::{self, Options};
use redis_lint::report;
use serde::Deserialize;
use serde_json::Value;

const FIXTURE: &str = "fixtures/src/commands/dangerous_command.rs";

fn lint(paths: Vec<PathBuf>) -> Outcome {
    std::env::set_current_dir(env!("CARGO_MANIFEST_DIR")).unwrap();
    engine::run(&Options {
        threads: Some(1),
        ..Options::new(paths, redis_lint::rules::REGISTRY.to_vec())
    })
    .unwrap()
    .outcome
}

/// The dangerous-command fixture and the bad-file fixtures.
fn outcome() -> Outcome {
    let outcome = lint(vec![FIXTURE.into(), "fixtures/parse_errors".into()]);
    assert!(outcome.findings.len() > 10, "{:?}", outcome.findings);
    assert!(outcome.findings.iter().any(|f| f.fix.is_some()));
    assert!(outcome.problems.len() >= 2, "{:?}", outcome.problems);
    outcome
}

fn parse(line: &str) -> Value {
    serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"))
}

/// The file as linted (paths are shown relative to the manifest directory).
fn read(path: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Byte offset of a 1-based line and 1-based char column, computed here
/// independently of the crate.
fn byte_at(text: &str, line: u64, col: u64) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line as usize - 1)
        .map(str::len)
        .sum();
    let rest = &text[start..];
    start
        + rest
            .char_indices()
            .nth(col as usize - 1)
            .map_or(rest.len(), |(i, _)| i)
}

// ---- concise ------------------------------------------------------------

#[test]
fn concise_is_one_errorformat_line_per_diagnostic_then_the_summary() {
    let outcome = outcome();
    let text = report::concise(&outcome);
    let lines: Vec<&str> = text.lines().collect();
    assert!(text.ends_with('\n'));
    assert_eq!(
        lines.len(),
        outcome.problems.len() + outcome.findings.len() + 1
    );
    let impacts = ["CRITICAL", "HIGH", "MEDIUM-HIGH", "MEDIUM", "LOW-MEDIUM"];
    for (i, line) in lines[..lines.len() - 1].iter().enumerate() {
        // %f:%l:%c: %m
        let mut parts = line.splitn(4, ':');
        let (file, l, c, rest) = (
            parts.next().unwrap(),
            parts.next().unwrap(),
            parts.next().unwrap(),
            parts.next().unwrap_or_else(|| panic!("{line}")),
        );
        assert!(!file.is_empty() && Path::new(file).exists(), "{line}");
        assert!(l.parse::<u32>().unwrap() >= 1, "{line}");
        assert!(c.parse::<u32>().unwrap() >= 1, "{line}");
        let rest = rest.strip_prefix(' ').unwrap_or_else(|| panic!("{line}"));
        let (level, rest) = rest.split_once(' ').unwrap();
        let (rule, message) = rest.split_once(": ").unwrap();
        assert!(!message.is_empty(), "{line}");
        if i < outcome.problems.len() {
            let p = &outcome.problems[i];
            assert_eq!((level, rule, file), ("ERROR", p.kind.id(), &*p.display));
        } else {
            let f = &outcome.findings[i - outcome.problems.len()];
            assert!(impacts.contains(&level), "{line}");
            assert_eq!((level, rule), (f.rule.impact.as_str(), f.rule.id));
            // A fixable finding is marked as ruff marks it.
            let marker = if f.fix.is_some() { "[*] " } else { "" };
            assert_eq!(message, format!("{marker}{}", f.message));
            assert_eq!(
                (l.parse::<u32>().unwrap(), c.parse::<u32>().unwrap()),
                (f.span.start.line, f.span.start.col + 1)
            );
        }
    }
    let parse_error = lines
        .iter()
        .find(|l| l.contains(" ERROR parse-error: "))
        .expect("the unclosed block is reported");
    assert!(parse_error.starts_with("fixtures/parse_errors/unclosed_block.rs:5:13: "));
    let summary = lines.last().unwrap();
    assert!(summary.starts_with("Scanned "), "{summary}");
    assert!(summary.contains("file problems"), "{summary}");
}

// ---- JSON lines ---------------------------------------------------------

#[test]
fn json_lines_hold_the_document_items_then_its_summary() {
    let outcome = outcome();
    let document = parse(&report::json(&outcome));
    let text = report::json_lines(&outcome);
    let lines: Vec<&str> = text.lines().collect();
    let items = document["diagnostics"].as_array().unwrap();
    assert_eq!(lines.len(), items.len() + 1);
    for (line, item) in lines.iter().zip(items) {
        assert!(!line.contains('\n') && line.starts_with('{'));
        assert_eq!(&parse(line), item);
    }
    let last = parse(lines.last().unwrap());
    assert_eq!(last.as_object().unwrap().len(), 1, "{last}");
    assert_eq!(last["summary"], document["summary"]);
}

// ---- SARIF --------------------------------------------------------------

fn sarif(outcome: &Outcome) -> Value {
    parse(&report::sarif(outcome))
}

fn region_is_valid(region: &Value) {
    let n = |k: &str| {
        region[k]
            .as_u64()
            .unwrap_or_else(|| panic!("{k}: {region}"))
    };
    assert!(n("startLine") >= 1 && n("startColumn") >= 1, "{region}");
    assert!(n("endLine") >= n("startLine"), "{region}");
    assert!(n("endColumn") >= 1, "{region}");
    if n("endLine") == n("startLine") {
        assert!(n("endColumn") >= n("startColumn"), "{region}");
    }
}

#[test]
fn sarif_has_what_the_2_1_0_schema_requires_and_what_code_scanning_reads() {
    let outcome = outcome();
    let log = sarif(&outcome);
    assert_eq!(log["version"], "2.1.0");
    assert_eq!(
        log["$schema"],
        "https://json.schemastore.org/sarif-2.1.0.json"
    );
    let runs = log["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "redis-lint");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    assert!(run["originalUriBaseIds"]["%SRCROOT%"].is_object());

    // Rules: the whole registry, unique ids, complete descriptors.
    let rules = driver["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids.iter().collect::<BTreeSet<_>>().len(), ids.len());
    for rule in redis_lint::rules::REGISTRY.iter() {
        assert!(ids.contains(&rule.meta.id), "{}", rule.meta.id);
    }
    for (r, rule) in rules.iter().zip(redis_lint::rules::REGISTRY.iter()) {
        assert_eq!(r["id"], rule.meta.id);
        let name = r["name"].as_str().unwrap();
        assert!(name.chars().next().unwrap().is_ascii_uppercase());
        assert!(name.chars().all(|c| c.is_ascii_alphanumeric()), "{name}");
        assert_eq!(r["shortDescription"]["text"], rule.meta.summary);
        assert!(!r["fullDescription"]["text"].as_str().unwrap().is_empty());
        assert_eq!(r["help"]["markdown"], redis_lint::rules::page(&rule.meta));
        assert!(!r["help"]["text"].as_str().unwrap().is_empty());
        assert!(r.get("helpUri").is_none(), "no invented URLs");
        let level = r["defaultConfiguration"]["level"].as_str().unwrap();
        assert!(["error", "warning", "note"].contains(&level));
        assert_eq!(r["properties"]["impact"], rule.meta.impact.as_str());
        assert_eq!(r["properties"]["section"], rule.meta.section);
        assert!(r["properties"]["tags"].as_array().unwrap().len() >= 2);
    }
    let camel: String = redis_lint::rules::REGISTRY[0]
        .meta
        .id
        .split('-')
        .map(|w| w[..1].to_ascii_uppercase() + &w[1..])
        .collect();
    assert_eq!(rules[0]["name"], camel.as_str());

    // Results: one per finding, in order.
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), outcome.findings.len());
    let mut fixes = 0;
    for (res, f) in results.iter().zip(&outcome.findings) {
        assert_eq!(res["ruleId"], f.rule.id);
        let index = res["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], f.rule.id);
        let text = res["message"]["text"].as_str().unwrap();
        assert!(text.starts_with(&f.message) && text.contains(&f.help));
        let level = res["level"].as_str().unwrap();
        assert!(["error", "warning", "note"].contains(&level));
        let physical = &res["locations"][0]["physicalLocation"];
        let artifact = &physical["artifactLocation"];
        assert_eq!(artifact["uriBaseId"], "%SRCROOT%");
        assert_eq!(artifact["uri"], outcome.files[f.file as usize].display);
        let region = &physical["region"];
        region_is_valid(region);
        assert_eq!(region["startLine"], f.span.start.line);
        assert_eq!(region["startColumn"], f.span.start.col + 1);
        assert!(res["partialFingerprints"]["redisLint/v1"].is_string());
        if let Some(list) = res.get("fixes") {
            fixes += 1;
            let fix = &list[0];
            assert!(!fix["description"]["text"].as_str().unwrap().is_empty());
            let change = &fix["artifactChanges"][0];
            assert_eq!(change["artifactLocation"], *artifact);
            let replacement = &change["replacements"][0];
            region_is_valid(&replacement["deletedRegion"]);
            assert_eq!(replacement["insertedContent"]["text"], ".arg(\"ASYNC\")");
        }
    }
    assert_eq!(
        fixes,
        outcome.findings.iter().filter(|f| f.fix.is_some()).count()
    );

    // File problems: notifications, and the run still succeeded.
    let invocation = &run["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], true);
    let notes = invocation["toolExecutionNotifications"].as_array().unwrap();
    assert_eq!(notes.len(), outcome.problems.len());
    for (n, p) in notes.iter().zip(&outcome.problems) {
        assert_eq!(n["level"], "error");
        assert_eq!(n["descriptor"]["id"], p.kind.id());
        assert!(n["message"]["text"].as_str().unwrap().contains(&p.message));
        let physical = &n["locations"][0]["physicalLocation"];
        assert_eq!(physical["artifactLocation"]["uri"], p.display);
        if let Some(region) = physical.get("region") {
            region_is_valid(region);
        }
    }
}

#[test]
fn sarif_root_resolves_srcroot_to_a_directory_uri() {
    let outcome = outcome();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let log = parse(&report::sarif_with_root(&outcome, Some(root)));
    let uri = log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap();
    assert!(uri.starts_with("file:///") && uri.ends_with('/'), "{uri}");
    let without = sarif(&outcome);
    assert!(without["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]
        .get("uri")
        .is_none());
}

fn fingerprints(log: &Value) -> Vec<(String, u64)> {
    log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["partialFingerprints"]["redisLint/v1"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                r["locations"][0]["physicalLocation"]["region"]["startLine"]
                    .as_u64()
                    .unwrap(),
            )
        })
        .collect()
}

#[test]
fn sarif_is_deterministic_and_fingerprints_ignore_line_numbers() {
    assert_eq!(report::sarif(&outcome()), report::sarif(&outcome()));

    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("dangerous_command.rs");
    let original = read(FIXTURE);
    std::fs::write(&copy, &original).unwrap();
    let before = fingerprints(&sarif(&lint(vec![copy.clone()])));
    assert!(before.len() > 10);
    let distinct: BTreeSet<&String> = before.iter().map(|(f, _)| f).collect();
    assert_eq!(distinct.len(), before.len(), "one fingerprint per finding");

    // Unrelated lines above the findings: a comment at the top and a blank
    // line inside the first flagged function.
    let first = before[0].1 as usize;
    let mut lines: Vec<&str> = original.lines().collect();
    lines.insert(first - 1, "");
    lines.insert(0, "// an unrelated comment");
    std::fs::write(&copy, lines.join("\n") + "\n").unwrap();
    let after = fingerprints(&sarif(&lint(vec![copy.clone()])));
    assert_eq!(after.len(), before.len());
    for ((fa, la), (fb, lb)) in after.iter().zip(&before) {
        assert_eq!(fa, fb, "fingerprint moved with the line");
        assert_eq!(*la, lb + 2, "the finding itself moved down two lines");
    }

    // Changing the flagged code changes its fingerprint, and only its own.
    let target = "redis::cmd(\"FLUSHALL\") //~ cmd-dangerous-command";
    let line = original.lines().position(|l| l.contains(target)).unwrap() as u64 + 1;
    let index = before.iter().position(|(_, l)| *l == line).unwrap();
    let edited = original.replacen(target, "redis::cmd(\"FLUSHDB\")", 1);
    std::fs::write(&copy, edited).unwrap();
    let changed = fingerprints(&sarif(&lint(vec![copy])));
    assert_eq!(changed.len(), before.len());
    for (i, (c, b)) in changed.iter().zip(&before).enumerate() {
        assert_eq!(c.0 == b.0, i != index, "finding {i}");
    }
}

// ---- GitHub Actions -----------------------------------------------------

/// `::name k=v,k=v::data`, with properties and data escaped.
fn check_command(line: &str) -> (String, HashMap<String, String>, String) {
    let rest = line.strip_prefix("::").unwrap_or_else(|| panic!("{line}"));
    let (head, data) = rest.split_once("::").unwrap_or_else(|| panic!("{line}"));
    let (name, props) = head.split_once(' ').unwrap_or_else(|| panic!("{line}"));
    assert!(["error", "warning", "notice"].contains(&name), "{line}");
    assert!(!data.contains(['\n', '\r']), "{line}");
    let mut map = HashMap::new();
    for prop in props.split(',') {
        let (k, v) = prop.split_once('=').unwrap_or_else(|| panic!("{line}"));
        assert!(
            ["file", "line", "col", "endLine", "endColumn", "title"].contains(&k),
            "{line}"
        );
        assert!(!v.contains([':', ',', '\n', '\r']), "{line}");
        assert!(map.insert(k.to_string(), unescape(v)).is_none(), "{line}");
    }
    (name.to_string(), map, unescape(data))
}

fn unescape(s: &str) -> String {
    s.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
}

#[test]
fn github_escaping_follows_the_workflow_command_rules() {
    let text = "50%: a, b\r\nc";
    assert_eq!(report::github_escape_data(text), "50%25: a, b%0D%0Ac");
    assert_eq!(
        report::github_escape_property(text),
        "50%25%3A a%2C b%0D%0Ac"
    );
    assert_eq!(unescape(&report::github_escape_property(text)), text);
    // `%` goes first: an escape sequence in the input is not taken for one.
    assert_eq!(report::github_escape_data("%0A"), "%250A");
    assert_eq!(report::github_escape_property("%2C"), "%252C");
}

#[test]
fn github_has_one_command_per_diagnostic() {
    let outcome = outcome();
    let text = report::github(&outcome);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), outcome.problems.len() + outcome.findings.len());
    for (line, p) in lines.iter().zip(&outcome.problems) {
        let (name, props, data) = check_command(line);
        assert_eq!(name, "error");
        assert_eq!(props["file"], p.display);
        assert_eq!(props["title"], p.kind.id());
        assert_eq!(data, p.message);
    }
    for (line, f) in lines[outcome.problems.len()..]
        .iter()
        .zip(&outcome.findings)
    {
        let (name, props, data) = check_command(line);
        let expected = match f.severity().as_str() {
            "info" => "notice",
            other => other,
        };
        assert_eq!(name, expected);
        assert_eq!(props["file"], outcome.files[f.file as usize].display);
        assert_eq!(props["line"], f.span.start.line.to_string());
        assert_eq!(props["endLine"], f.span.end.line.to_string());
        if f.span.start.line == f.span.end.line {
            assert_eq!(props["col"], (f.span.start.col + 1).to_string());
            assert_eq!(props["endColumn"], (f.span.end.col + 1).to_string());
        }
        assert_eq!(props["title"], format!("{} ({})", f.rule.id, f.rule.impact));
        assert_eq!(data, format!("{}\nhelp: {}", f.message, f.help));
    }
}

// ---- cargo --message-format=json ------------------------------------------

/// The shapes `cargo_metadata` (and so rust-analyzer's flycheck) reads,
/// with the same field types; unknown fields are ignored as there.
#[derive(Debug, Deserialize)]
#[serde(tag = "reason", rename_all = "kebab-case")]
enum Message {
    CompilerMessage(Box<CompilerMessage>),
    BuildFinished { success: bool },
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct CompilerMessage {
    package_id: String,
    target: Target,
    message: Diagnostic,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Target {
    name: String,
    kind: Vec<String>,
    #[serde(default)]
    crate_types: Vec<String>,
    src_path: PathBuf,
    edition: Edition,
}

#[derive(Debug, Deserialize)]
enum Edition {
    #[serde(rename = "2015")]
    E2015,
    #[serde(rename = "2018")]
    E2018,
    #[serde(rename = "2021")]
    E2021,
    #[serde(rename = "2024")]
    E2024,
}

#[derive(Debug, Deserialize)]
struct Diagnostic {
    message: String,
    code: Option<DiagnosticCode>,
    level: Level,
    spans: Vec<DiagnosticSpan>,
    children: Vec<Diagnostic>,
    rendered: Option<String>,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct DiagnosticCode {
    code: String,
    explanation: Option<String>,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(rename_all = "lowercase")]
enum Level {
    Error,
    Warning,
    Note,
    Help,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct DiagnosticSpan {
    file_name: String,
    byte_start: u32,
    byte_end: u32,
    line_start: usize,
    line_end: usize,
    column_start: usize,
    column_end: usize,
    is_primary: bool,
    text: Vec<SpanLine>,
    label: Option<String>,
    suggested_replacement: Option<String>,
    suggestion_applicability: Option<Applicability>,
    expansion: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct SpanLine {
    text: String,
    highlight_start: usize,
    highlight_end: usize,
}

#[derive(Debug, Deserialize, PartialEq)]
enum Applicability {
    MachineApplicable,
    HasPlaceholders,
    MaybeIncorrect,
    Unspecified,
}

/// The byte offsets slice exactly the text the lines and columns name.
fn check_span(span: &DiagnosticSpan) -> String {
    let text = read(&span.file_name);
    let (start, end) = (span.byte_start as usize, span.byte_end as usize);
    assert_eq!(
        start,
        byte_at(&text, span.line_start as u64, span.column_start as u64)
    );
    assert_eq!(
        end,
        byte_at(&text, span.line_end as u64, span.column_end as u64)
    );
    assert_eq!(span.text.len(), span.line_end - span.line_start + 1);
    let first = text.lines().nth(span.line_start - 1).unwrap();
    assert_eq!(span.text[0].text, first);
    assert_eq!(span.text[0].highlight_start, span.column_start);
    text[start..end].to_string()
}

#[test]
fn cargo_messages_deserialize_as_cargo_metadata_and_slice_the_flagged_text() {
    let outcome = outcome();
    let text = report::cargo_messages(&outcome);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines.len(),
        outcome.problems.len() + outcome.findings.len() + 1
    );
    let messages: Vec<Message> = lines
        .iter()
        .map(|l| {
            let raw = parse(l);
            if raw["reason"] == "compiler-message" {
                assert_eq!(raw["message"]["$message_type"], "diagnostic");
                assert!(raw.get("manifest_path").is_some());
            }
            serde_json::from_value(raw).unwrap_or_else(|e| panic!("{e}: {l}"))
        })
        .collect();
    let (last, diagnostics) = messages.split_last().unwrap();
    assert!(matches!(last, Message::BuildFinished { success: false }));

    let mut suggestions = 0;
    let mut flagged = Vec::new();
    for (i, m) in diagnostics.iter().enumerate() {
        let Message::CompilerMessage(m) = m else {
            panic!("{m:?}")
        };
        assert_eq!(m.package_id, "redis-lint");
        assert!(!m.target.name.is_empty() && !m.target.kind.is_empty());
        assert!(!m.target.src_path.as_os_str().is_empty());
        let d = &m.message;
        assert!(d.rendered.as_deref().is_some_and(|r| !r.is_empty()));
        if i < outcome.problems.len() {
            let p = &outcome.problems[i];
            assert_eq!(d.level, Level::Error);
            assert_eq!(d.code.as_ref().unwrap().code, p.kind.id());
            for span in &d.spans {
                check_span(span);
            }
            continue;
        }
        let f = &outcome.findings[i - outcome.problems.len()];
        assert_eq!(d.message, f.message);
        assert_eq!(d.code.as_ref().unwrap().code, f.rule.id);
        let level = match f.severity().as_str() {
            "error" => Level::Error,
            "warning" => Level::Warning,
            _ => Level::Note,
        };
        assert_eq!(d.level, level);
        assert_eq!(d.spans.len(), 1);
        let span = &d.spans[0];
        assert!(span.is_primary);
        assert_eq!(span.file_name, outcome.files[f.file as usize].display);
        assert_eq!(
            (span.line_start, span.column_start),
            (f.span.start.line as usize, f.span.start.col as usize + 1)
        );
        assert!(span.suggested_replacement.is_none());
        flagged.push(check_span(span));
        assert_eq!(d.children[0].level, Level::Help);
        assert_eq!(d.children[0].message, f.help);
        if let Some(fix) = &f.fix {
            suggestions += 1;
            let child = &d.children[1];
            assert_eq!(child.message, fix.description);
            for (s, edit) in child.spans.iter().zip(&fix.edits) {
                assert_eq!(
                    s.suggestion_applicability,
                    Some(Applicability::MachineApplicable)
                );
                assert_eq!(s.suggested_replacement.as_deref(), Some(&*edit.content));
                // The edit inserts right after the flagged call.
                assert_eq!(check_span(s), "");
                assert_eq!(s.byte_start, span.byte_end);
            }
        }
    }
    assert!(suggestions > 0);
    // What the fixture's first findings flag, by their byte offsets.
    assert!(
        flagged.contains(&"keys(\"user:*\")".to_string()),
        "{flagged:?}"
    );
    assert!(flagged.contains(&"flushdb()".to_string()), "{flagged:?}");
    assert!(
        flagged.contains(&"redis::cmd(\"FLUSHALL\")".to_string()),
        "{flagged:?}"
    );
}

#[test]
fn empty_outcome_prints_only_the_closing_lines() {
    let empty = Outcome::default();
    assert_eq!(
        report::concise(&empty),
        "Scanned 0 files (0 with Redis code): 0 findings\n"
    );
    assert_eq!(report::github(&empty), "");
    assert_eq!(
        report::cargo_messages(&empty),
        "{\"reason\":\"build-finished\",\"success\":true}\n"
    );
    let lines = report::json_lines(&empty);
    assert_eq!(lines.lines().count(), 1);
    assert_eq!(parse(&lines)["summary"]["findings"], 0);
    let log = sarif(&empty);
    assert_eq!(log["runs"][0]["results"], serde_json::json!([]));
    assert_eq!(
        log["runs"][0]["invocations"][0]["executionSuccessful"],
        true
    );
}

#[test]
fn columns_count_chars_and_byte_offsets_count_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("wide.rs");
    std::fs::write(
        &file,
        "use redis::Commands;\n\npub fn wipe(con: &mut redis::Connection) -> redis::RedisResult<()> {\n    let _ = \"ünï 日本\"; con.flushall()\n}\n",
    )
    .unwrap();
    let outcome = lint(vec![file.clone()]);
    assert_eq!(outcome.findings.len(), 1, "{:?}", outcome.findings);
    let f = &outcome.findings[0];
    // `    let _ = "ünï 日本"; con.` is 26 chars (32 bytes).
    assert_eq!((f.span.start.line, f.span.start.col), (4, 26));

    let text = report::cargo_messages(&outcome);
    let first = text.lines().next().unwrap();
    let Message::CompilerMessage(m) = serde_json::from_str(first).unwrap() else {
        panic!("{first}")
    };
    let span = &m.message.spans[0];
    assert_eq!(check_span(span), "flushall()");
    assert_eq!(
        span.byte_start as usize,
        read(&span.file_name).find("flushall").unwrap()
    );
    assert_eq!((span.column_start, span.column_end), (27, 37));

    let log = sarif(&outcome);
    let region = &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        (&region["startColumn"], &region["endColumn"]),
        (&27.into(), &37.into())
    );
    let uri = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
        ["uri"]
        .as_str()
        .unwrap();
    assert!(
        uri.starts_with("file:///") && uri.ends_with("/wide.rs"),
        "{uri}"
    );

    let concise = report::concise(&outcome);
    assert!(concise.starts_with(&format!(
        "{}:4:27: HIGH cmd-dangerous-command: ",
        outcome.files[0].display
    )));
}
