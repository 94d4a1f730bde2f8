//! The SARIF output validates against the official SARIF 2.1.0 JSON schema.
//!
//! The schema is not vendored (its licence is not ours to re-publish):
//! `.ci/run` fetches it from the npm package `@microsoft/jest-sarif` and
//! points `REDIS_LINT_SARIF_SCHEMA` at it. Without that variable this test
//! says so and checks nothing more than `tests/formats.rs` already does.

use std::path::{Path, PathBuf};

use redis_lint::engine::{self, Options};
use redis_lint::rules::REGISTRY;

#[test]
fn sarif_output_validates_against_the_official_schema() {
    let Some(schema_path) = std::env::var_os("REDIS_LINT_SARIF_SCHEMA") else {
        eprintln!(
            "REDIS_LINT_SARIF_SCHEMA is not set: schema validation skipped (.ci/run sets it)"
        );
        return;
    };
    let mut schema: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&schema_path).unwrap()).unwrap();
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
    let log: serde_json::Value =
        serde_json::from_str(&redis_lint::report::sarif(&outcome)).unwrap();
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
