//! Message snapshots: what each rule says on the fixtures (position,
//! message, help) is locked in `tests/snapshots/messages__<rule-id>.snap`,
//! one file per rule, so a wording change shows up in review instead of
//! passing silently. After an intended change: `cargo insta review` (or
//! `INSTA_UPDATE=always cargo test --test messages`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use redis_lint::engine::{self, ConfigSource, Options, Settings};
use redis_lint::rules::REGISTRY;

#[test]
fn each_rule_says_what_its_snapshot_says() {
    let crate_root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::env::set_current_dir(crate_root).unwrap();
    // Every rule, opt-in ones too: each has fixtures. The fixtures' own
    // configuration applies (fixtures/src's `keyspace-programs`).
    let options = Options {
        settings: Settings::Configured {
            source: ConfigSource::Discovered,
            select: vec!["all".to_string()],
            ignore: Vec::new(),
            extend_select: Vec::new(),
        },
        ..Options::new(
            vec![PathBuf::from("fixtures")],
            REGISTRY.iter().copied().collect(),
        )
    };
    let outcome = engine::run(&options).unwrap().outcome;
    let mut by_rule: BTreeMap<&str, String> = BTreeMap::new();
    for f in &outcome.findings {
        let start = f.span.start;
        by_rule.entry(f.rule.id).or_default().push_str(&format!(
            "{}:{}:{} {}\n  {}\n  help: {}\n",
            outcome.file(f.file).display,
            start.line,
            start.col + 1,
            f.rule.id,
            f.message,
            f.help
        ));
        for r in &f.related {
            by_rule.entry(f.rule.id).or_default().push_str(&format!(
                "  related: {}:{}:{} {}\n",
                outcome.file(r.file).display,
                r.span.start.line,
                r.span.start.col + 1,
                r.message
            ));
        }
    }
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(true);
    settings.set_omit_expression(true);
    settings.bind(|| {
        for rule in REGISTRY.iter() {
            let said = by_rule.remove(rule.meta.id).unwrap_or_default();
            assert!(!said.is_empty(), "{} fires on no fixture", rule.meta.id);
            insta::assert_snapshot!(rule.meta.id, said);
        }
    });
    assert!(
        by_rule.is_empty(),
        "findings of unregistered rules: {:?}",
        by_rule.keys()
    );
}
