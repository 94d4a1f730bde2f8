//! The registry, the rule docs and the fixtures stay in step: every rule
//! has a doc page whose metadata matches and a fixture file of its own with
//! traps; every doc page belongs to a rule.

use std::path::Path;

use redis_lint::diagnostic::Activation;
use redis_lint::rules::REGISTRY;

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
    root()
        .join("fixtures/src")
        .join(folder)
        .join(format!("{}.rs", rest.replace('-', "_")))
}

#[test]
fn every_rule_has_a_matching_doc_page() {
    for rule in REGISTRY.iter() {
        let path = root().join("rules").join(format!("{}.md", rule.meta.id));
        let doc = std::fs::read_to_string(&path)
            .unwrap_or_else(|_| panic!("{} has no doc page", rule.meta.id));
        assert!(
            doc.starts_with(&format!("# {}\n", rule.meta.id)),
            "{}: title must be the rule id",
            rule.meta.id
        );
        let row = doc
            .lines()
            .find(|l| l.starts_with("| ") && !l.starts_with("| section"))
            .unwrap_or("");
        let cells: Vec<&str> = row.trim_matches('|').split('|').map(str::trim).collect();
        assert!(
            cells.len() == 3
                && cells[0].split(" / ").next() == Some(rule.meta.section)
                && cells[1] == rule.meta.impact.as_str()
                && cells[2]
                    == if rule.meta.default == Activation::On {
                        "on"
                    } else {
                        "opt-in"
                    },
            "{}: doc metadata row {row:?} does not match the registry",
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
fn every_doc_page_has_a_rule() {
    for entry in std::fs::read_dir(root().join("rules")).unwrap() {
        let path = entry.unwrap().path();
        let id = path.file_stem().unwrap().to_string_lossy().to_string();
        assert!(
            REGISTRY.iter().any(|r| r.meta.id == id),
            "rules/{id}.md documents no registered rule"
        );
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

#[test]
fn every_rule_has_a_fixture_file_with_traps() {
    for rule in REGISTRY.iter() {
        let path = fixture_file(rule.meta.id);
        if rule.meta.id.starts_with("conf-") {
            check_conf_fixtures(rule.meta.id, &path);
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap_or_else(|_| {
            panic!("{} has no fixture file at {}", rule.meta.id, path.display())
        });
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

/// The README's rule table lists every rule, in registry order, with the
/// section of its doc page, its impact and its default.
#[test]
fn readme_rule_table_matches_the_registry() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let header = "| id | guide section | impact | default |\n|---|---|---|---|\n";
    let start = readme.find(header).expect("README has the rule table") + header.len();
    let table: Vec<&str> = readme[start..]
        .lines()
        .take_while(|l| l.starts_with("| "))
        .collect();
    let expected: Vec<String> = REGISTRY
        .iter()
        .map(|rule| {
            let doc =
                std::fs::read_to_string(root().join("rules").join(format!("{}.md", rule.meta.id)))
                    .unwrap();
            let row = doc
                .lines()
                .find(|l| l.starts_with("| ") && !l.starts_with("| section"))
                .unwrap();
            let section = row.trim_matches('|').split('|').next().unwrap().trim();
            let default = if rule.meta.default == Activation::On {
                "on"
            } else {
                "opt-in"
            };
            format!(
                "| [`{id}`](rules/{id}.md) | {section} | {} | {default} |",
                rule.meta.impact.as_str(),
                id = rule.meta.id
            )
        })
        .collect();
    assert_eq!(
        table, expected,
        "regenerate the README rule table from `redis-lint rules --format json` and the doc pages"
    );
}
