//! The SARIF output validates against the official SARIF 2.1.0 JSON schema.
//!
//! The schema is not vendored (its licence is not ours to re-publish):
//! `.ci/run` fetches it from the npm package `@microsoft/jest-sarif` and
//! points `REDIS_LINT_SARIF_SCHEMA` at it, and sets
//! `REDIS_LINT_REQUIRE_SARIF_SCHEMA` so that a missing schema fails the
//! test there (as it does under any CI that sets `CI`). Locally, without
//! the schema, the test says what it needs and checks nothing more than
//! `tests/formats.rs` already does.

use std::path::{Path, PathBuf};

use redis_lint::engine::{self, Options};
use redis_lint::report::DocsBase;
use redis_lint::rules::REGISTRY;

#[test]
fn sarif_output_validates_against_the_official_schema() {
    let required = ["REDIS_LINT_REQUIRE_SARIF_SCHEMA", "CI"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|x| !x.is_empty() && x != "0" && x != "false"));
    let Some(schema_path) = std::env::var_os("REDIS_LINT_SARIF_SCHEMA") else {
        assert!(
            !required,
            "REDIS_LINT_SARIF_SCHEMA is not set, and CI needs the schema validation \
             (.ci/run fetches the schema and sets it)"
        );
        eprintln!(
            "REDIS_LINT_SARIF_SCHEMA is not set: this test needs the SARIF 2.1.0 schema \
             to validate anything (.ci/run fetches it and sets the variable)"
        );
        return;
    };
    let schema_text = std::fs::read(&schema_path).unwrap_or_else(|e| {
        panic!(
            "REDIS_LINT_SARIF_SCHEMA={}: cannot read the schema: {e}",
            Path::new(&schema_path).display()
        )
    });
    let mut schema: serde_json::Value = serde_json::from_slice(&schema_text).unwrap();
    // The published file's `language` patterns are not valid regexes (an
    // unbalanced `]`); drop them, our output never sets `language`.
    for owner in ["run", "toolComponent"] {
        let path = format!("/definitions/{owner}/properties/language");
        if let Some(language) = schema.pointer_mut(&path).and_then(|v| v.as_object_mut()) {
            language.remove("pattern");
        }
    }
    let validator = jsonschema::validator_for(&schema).expect("the SARIF schema compiles");
    std::env::set_current_dir(Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap();
    let paths = vec![
        PathBuf::from("fixtures/src"),
        PathBuf::from("fixtures/parse_errors"),
    ];
    let opts = Options {
        threads: Some(2),
        ..Options::new(paths, REGISTRY.to_vec())
    };
    let outcome = engine::run(&opts).unwrap().outcome;
    assert!(!outcome.findings.is_empty() && !outcome.problems.is_empty());
    // With doc links, so that `helpUri` and `informationUri` are checked too.
    let docs = DocsBase::Url("https://docs.example.com/redis-lint/rules".to_string());
    let log: serde_json::Value =
        serde_json::from_str(&redis_lint::report::sarif_with(&outcome, None, &docs)).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF schema violations:\n{}",
        errors.join("\n")
    );
}
