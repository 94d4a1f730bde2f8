//! The registry, the rule docs, the README and the fixtures stay in step:
//! every rule (meta-rules included) has a doc page of prose, every guide
//! rule a fixture file of its own with traps; every doc page belongs to a
//! rule; the README's rule table is the generated one.

use std::path::Path;

use redis_lint::diagnostic::ProblemKind;
use redis_lint::rules::{self, Rule, META_RULES, REGISTRY};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `key-keys-command` → `fixtures/src/key_design/keys_command.rs`;
/// `conf-no-maxmemory` → the folder `fixtures/conf/no-maxmemory/`.
fn fixture_file(id: &str) -> std::path::PathBuf {
    let (prefix, rest) = id.split_once('-').unwrap();
    if prefix == "conf" {
        return root().join("fixtures/conf").join(rest);
    }
    let folder = match prefix {
        "ds" => "data_structures",
        "key" => "key_design",
        "conn" => "connections",
        "cmd" => "commands",
        "mod" => "modules",
        "ai" => "ai",
        "memory" => "memory",
        "persist" => "persistence",
        "cluster" => "cluster",
        "perf" => "monitoring",
        "sec" => "security",
        other => panic!("unknown rule prefix {other}"),
    };
    let name = rest.replace('-', "_");
    // A rule about a whole crate cannot fire inside the fixtures crate (it
    // holds the counter-example too): its fixture is a crate of its own.
    let own_crate = root()
        .join("fixtures/crates")
        .join(&name)
        .join("src/lib.rs");
    if own_crate.is_file() {
        return own_crate;
    }
    root()
        .join("fixtures/src")
        .join(folder)
        .join(format!("{name}.rs"))
}

/// Every rule the registry module lists: the guide's rules and the
/// meta-rules that report on suppressions.
fn all_rules() -> impl Iterator<Item = &'static Rule> {
    REGISTRY.iter().copied().chain(META_RULES.iter().copied())
}

#[test]
fn every_rule_has_a_doc_page_of_prose() {
    for rule in all_rules() {
        let path = root().join("rules").join(format!("{}.md", rule.meta.id));
        let doc = std::fs::read_to_string(&path)
            .unwrap_or_else(|_| panic!("{} has no doc page", rule.meta.id));
        assert_eq!(
            doc, rule.meta.doc,
            "{}: the embedded page is stale",
            rule.meta.id
        );
        assert!(
            doc.starts_with(&format!("# {}\n", rule.meta.id)),
            "{}: title must be the rule id",
            rule.meta.id
        );
        // The metadata is written once, in the rule's Rust file; the page
        // header is generated from it (`rules::page`).
        assert!(
            !doc.lines().any(|l| l.starts_with("| section")),
            "{}: the doc page repeats the rule's metadata; drop its table",
            rule.meta.id
        );
        for heading in [
            "## What it does",
            "## Why is this bad",
            "## Example",
            "## Use instead",
        ] {
            assert!(
                doc.contains(heading),
                "{}: doc page lacks `{heading}`",
                rule.meta.id
            );
        }
    }
}

#[test]
fn explain_shows_the_metadata_of_guide_rules() {
    let page = rules::page(&rules::find("key-keys-command").unwrap().meta);
    assert!(
        page.starts_with(
            "# key-keys-command\n\n| section | impact | default |\n|---|---|---|\n| 2.6 / 4.2 | CRITICAL | on |\n\n## What it does"
        ),
        "{page}"
    );
    let meta = &META_RULES[0].meta;
    assert_eq!(
        rules::page(meta),
        meta.doc,
        "meta-rules have no guide section"
    );
}

#[test]
fn every_doc_page_has_a_rule() {
    for entry in std::fs::read_dir(root().join("rules")).unwrap() {
        let path = entry.unwrap().path();
        let id = path.file_stem().unwrap().to_string_lossy().to_string();
        assert!(
            rules::find_any(&id).is_some() || ProblemKind::ALL.iter().any(|k| k.id() == id),
            "rules/{id}.md documents no registered rule or problem kind"
        );
    }
}

/// Problems (`parse-error`, ...) are reported with an id like a rule's, so
/// they have a page too, which `explain` prints.
#[test]
fn every_problem_kind_has_a_doc_page() {
    for kind in ProblemKind::ALL {
        let path = root().join("rules").join(format!("{}.md", kind.id()));
        let doc = std::fs::read_to_string(&path)
            .unwrap_or_else(|_| panic!("{} has no doc page", kind.id()));
        assert_eq!(doc, kind.doc(), "{}: the embedded page is stale", kind.id());
        assert!(doc.starts_with(&format!("# {}\n", kind.id())));
    }
}

/// A conf rule's fixture folder: a file that expects it (`# expect: id`,
/// `# expect-file: id`) and a trap file (named `*trap*`) that does not.
fn check_conf_fixtures(id: &str, dir: &Path) {
    let files: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap_or_else(|_| panic!("{id} has no fixture folder at {}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect();
    let expects = |text: &str| {
        text.lines().any(|l| {
            let l = l.trim_start();
            (l.starts_with("# expect:") || l.starts_with("# expect-file:"))
                && l.split_whitespace().any(|w| w == id)
        })
    };
    assert!(
        files.iter().any(|(_, text)| expects(text)),
        "{id}: no file in its fixture folder expects it"
    );
    assert!(
        files
            .iter()
            .any(|(name, text)| name.contains("trap") && !expects(text)),
        "{id}: its fixture folder has no trap file"
    );
}

/// Every source file of the keyspace fixture workspace, one after another.
fn keyspace_fixture_text() -> String {
    ["common", "web", "worker"]
        .iter()
        .map(|c| {
            let path = root()
                .join("fixtures/crates/keyspace")
                .join(c)
                .join("src/lib.rs");
            std::fs::read_to_string(path).expect("the keyspace fixture crates")
        })
        .collect()
}

#[test]
fn every_rule_has_a_fixture_file_with_traps() {
    for rule in REGISTRY.iter() {
        let path = fixture_file(rule.meta.id);
        if rule.meta.id.starts_with("conf-") {
            check_conf_fixtures(rule.meta.id, &path);
            continue;
        }
        // A rule about a workspace's keyspace fires in the keyspace workspace.
        let text = if matches!(rule.check, redis_lint::rules::Check::Keyspace(_)) {
            keyspace_fixture_text()
        } else {
            std::fs::read_to_string(&path).unwrap_or_else(|_| {
                panic!("{} has no fixture file at {}", rule.meta.id, path.display())
            })
        };
        assert!(
            text.contains(&format!("//~ {}", rule.meta.id)),
            "{}: its fixture file never fires it",
            rule.meta.id
        );
        assert!(
            text.to_lowercase().contains("trap"),
            "{}: its fixture file has no trap cases",
            rule.meta.id
        );
    }
}

#[test]
fn rule_ids_are_unique_and_well_formed() {
    let mut ids: Vec<&str> = REGISTRY.iter().map(|r| r.meta.id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), REGISTRY.len(), "duplicate rule ids");
    for id in ids {
        assert!(
            id.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "bad id {id}"
        );
    }
}

/// The README's rule table is the one generated from the registry
/// (`rules::readme_table`): every rule, in registry order, with its guide
/// sections, impact and default. `REDIS_LINT_BLESS=1` writes the generated
/// table into the README instead of failing.
#[test]
fn readme_rule_table_matches_the_registry() {
    let path = root().join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let header = "| id | guide section | impact | default | in examples |\n";
    let start = readme.find(header).expect("README has the rule table");
    let end = readme[start..]
        .find("\n\n")
        .map_or(readme.len(), |n| start + n + 1);
    let expected = rules::readme_table();
    if readme[start..end] == expected {
        return;
    }
    if std::env::var_os("REDIS_LINT_BLESS").is_some() {
        let blessed = format!("{}{expected}{}", &readme[..start], &readme[end..]);
        std::fs::write(&path, blessed).unwrap();
        return;
    }
    panic!(
        "the README rule table is not the generated one: rerun with REDIS_LINT_BLESS=1, or paste:\n\n{expected}"
    );
}
