//! The fixtures are the spec: every `//~ rule-id` annotation in `fixtures/`
//! must be reported on its line, every `//~ +rule-id` must be a related site
//! of a finding of that rule, and nothing else may be. Lua scripts kept in
//! `.lua` files carry the same annotations in Lua comments (`--~ rule-id`).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use redis_lint::engine::{self, ConfigSource, Options, Prefilter, Settings};
use redis_lint::rules::REGISTRY;

type Expected = BTreeSet<(String, u32, String)>;

/// What the annotations expect: findings, and related sites of findings.
#[derive(Default)]
struct Annotations {
    findings: Expected,
    related: Expected,
}

/// The fixture folders linted as one would lint a crate; `parse_errors/` is
/// exercised by the CLI tests. `crates/` holds small crates with their own
/// `Cargo.toml` (other client versions): each is linted as its own crate and
/// never built.
const LINTED: &[&str] = &["src", "examples", "benches", "crates"];

/// How a file's annotations are written: `//~` in Rust, `--~` in Lua.
fn comment_of(path: &Path) -> Option<&'static str> {
    match path.extension()?.to_str()? {
        "rs" => Some("//"),
        "lua" => Some("--"),
        _ => None,
    }
}

fn annotated_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            annotated_files(&path, out);
        } else if comment_of(&path).is_some() {
            out.push(path);
        }
    }
}

/// Parses `//~ rule-a rule-b +rule-c`: at the end of a code line it names
/// that line; on a line of its own, the code line above. `+rule-c` says the
/// line is a related site of a `rule-c` finding reported elsewhere.
fn annotations(root: &Path) -> Annotations {
    let mut files = Vec::new();
    for dir in LINTED {
        annotated_files(&root.join(dir), &mut files);
    }
    let mut expected = Annotations::default();
    for file in files {
        let comment = comment_of(&file).unwrap();
        let marker = format!("{comment}~");
        let text = std::fs::read_to_string(&file).unwrap();
        let rel = file
            .strip_prefix(root.parent().unwrap())
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        // The last code line seen: an annotation on a line of its own
        // (where rustfmt moves a comment that followed an opening paren)
        // belongs to it.
        let mut last_code = 0;
        for (i, line) in text.lines().enumerate() {
            let trimmed = line.trim_start();
            let own_line = trimmed.starts_with(&marker);
            if !own_line && (trimmed.is_empty() || trimmed.starts_with(comment)) {
                continue;
            }
            let target = if own_line { last_code } else { i as u32 + 1 };
            if !own_line {
                last_code = i as u32 + 1;
            }
            let Some(at) = line.find(&marker) else {
                continue;
            };
            let ids: Vec<&str> = line[at + 3..].split_whitespace().collect();
            assert!(!ids.is_empty(), "{rel}:{}: empty annotation", i + 1);
            for token in ids {
                let (id, set) = match token.strip_prefix('+') {
                    Some(id) => (id, &mut expected.related),
                    None => (token, &mut expected.findings),
                };
                assert!(
                    REGISTRY.iter().any(|r| r.meta.id == id),
                    "{rel}:{}: annotation names unknown rule `{id}`",
                    i + 1
                );
                set.insert((rel.clone(), target, id.to_string()));
            }
        }
    }
    expected
}

fn options(prefilter: Prefilter) -> Options {
    let paths = LINTED
        .iter()
        .map(|d| PathBuf::from("fixtures").join(d))
        .filter(|p| p.exists())
        .collect();
    Options {
        prefilter,
        // Every rule, opt-in ones too: their fixtures are annotated like
        // the others', and their traps must hold when a user selects them.
        // The fixtures' own configuration applies (fixtures/src's
        // `keyspace-programs`), as it does when the CLI lints them.
        settings: Settings::Configured {
            source: ConfigSource::Discovered,
            select: vec!["all".to_string()],
            ignore: Vec::new(),
            extend_select: Vec::new(),
        },
        ..Options::new(paths, REGISTRY.iter().copied().collect())
    }
}

fn findings(outcome: &redis_lint::diagnostic::Outcome) -> Vec<String> {
    outcome
        .findings
        .iter()
        .map(|f| {
            format!(
                "{}:{:?} {} {}",
                outcome.file(f.file).display,
                f.span,
                f.rule.id,
                f.message
            )
        })
        .collect()
}

/// Skipping the parse of files that cannot matter changes no finding.
#[test]
fn prefilter_changes_nothing() {
    std::env::set_current_dir(Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap();
    let with = engine::run(&options(Prefilter::SkipUnrelated))
        .unwrap()
        .outcome;
    let without = engine::run(&options(Prefilter::ParseAll)).unwrap().outcome;
    assert!(!with.findings.is_empty());
    assert_eq!(findings(&with), findings(&without));
    assert_eq!(with.files_with_redis, without.files_with_redis);
}

#[test]
fn fixtures_report_exactly_their_annotations() {
    let crate_root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::env::set_current_dir(crate_root).unwrap();
    let expected = annotations(&crate_root.join("fixtures"));
    let outcome = engine::run(&options(Prefilter::SkipUnrelated))
        .unwrap()
        .outcome;
    assert!(
        outcome.problems.is_empty(),
        "fixture files failed to lint: {:?}",
        outcome.problems
    );
    let got: Expected = outcome
        .findings
        .iter()
        .map(|f| {
            (
                outcome.file(f.file).display.clone(),
                f.span.start.line,
                f.rule.id.to_string(),
            )
        })
        .collect();
    let got_related: Expected = outcome
        .findings
        .iter()
        .flat_map(|f| {
            f.related.iter().map(|r| {
                (
                    outcome.file(r.file).display.clone(),
                    r.span.start.line,
                    f.rule.id.to_string(),
                )
            })
        })
        .collect();
    let mut report = String::new();
    for (file, line, rule) in expected.findings.difference(&got) {
        report.push_str(&format!("missing    {file}:{line} {rule}\n"));
    }
    for (file, line, rule) in got.difference(&expected.findings) {
        let msg = outcome
            .findings
            .iter()
            .find(|f| {
                outcome.file(f.file).display == *file
                    && f.span.start.line == *line
                    && f.rule.id == rule
            })
            .map(|f| f.message.as_str())
            .unwrap_or("");
        report.push_str(&format!("unexpected {file}:{line} {rule}: {msg}\n"));
    }
    for (file, line, rule) in expected.related.difference(&got_related) {
        report.push_str(&format!(
            "missing    {file}:{line} +{rule} (related site)\n"
        ));
    }
    for (file, line, rule) in got_related.difference(&expected.related) {
        report.push_str(&format!(
            "unexpected {file}:{line} +{rule} (related site)\n"
        ));
    }
    assert!(
        report.is_empty(),
        "fixtures disagree with the linter:\n{report}"
    );
    // Every registered rule is exercised by at least one fixture (the
    // configuration-file rules by fixtures/conf, see tests/conf.rs).
    for rule in REGISTRY
        .iter()
        .filter(|r| !matches!(r.check, redis_lint::rules::Check::Conf(_)))
    {
        assert!(
            expected.findings.iter().any(|(_, _, r)| r == rule.meta.id),
            "rule {} has no firing fixture",
            rule.meta.id
        );
    }
}
