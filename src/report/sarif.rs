//! SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.

use std::collections::{BTreeMap, HashMap};
use std::path::{Component, Path};

use serde_sarif::sarif::{
    self, ArtifactChange, ArtifactContent, ArtifactLocation, Invocation, Location, Message,
    MultiformatMessageString, Notification, PhysicalLocation, PropertyBag, Region, Replacement,
    ReportingConfiguration, ReportingDescriptor, ReportingDescriptorReference, ResultLevel, Run,
    Sarif, Tool, ToolComponent,
};

use super::{col1, display_of, source_of, span_text};
use crate::diagnostic::{Activation, Applicability, Finding, Fix, RuleMeta, Severity};
use crate::diagnostic::{Outcome, Problem};
use crate::rules;
use crate::source::Span;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const VERSION: &str = env!("CARGO_PKG_VERSION");
/// The uriBaseId every relative artifact location is relative to: the
/// directory redis-lint ran in.
const SRCROOT: &str = "%SRCROOT%";
/// The key of `fingerprint` in `partialFingerprints`.
const FINGERPRINT_KEY: &str = "redisLint/v1";

/// A SARIF 2.1.0 log with one run, with `%SRCROOT%` left unresolved (see
/// [`sarif_with_root`]) and the doc links of this build's repository (see
/// [`DocsBase::of_this_build`]); the output does not depend on the machine.
pub fn sarif(outcome: &Outcome) -> String {
    sarif_with_root(outcome, None)
}

/// Where the rules' doc pages are on the web, for each rule's `helpUri`
/// and the tool's `informationUri`. Without one, SARIF still carries every
/// page whole (`help.markdown`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocsBase {
    None,
    /// A GitHub-style repository URL holding `rules/<id>.md` on its `main`
    /// branch: a page is `<repository>/blob/main/rules/<id>.md`.
    Repository(String),
    /// The configuration's `docs-url`: a page is the URL with `{id}`
    /// replaced by the rule id, or, without `{id}`, `<docs-url>/<id>.md`.
    Url(String),
}

impl DocsBase {
    /// This build's own `[package] repository` (Cargo.toml), when it is an
    /// http(s) URL.
    pub fn of_this_build() -> DocsBase {
        Some(env!("CARGO_PKG_REPOSITORY"))
            .filter(|u| is_web_url(u))
            .map_or(DocsBase::None, |u| DocsBase::Repository(u.to_string()))
    }

    /// The configuration's `docs-url` when set, else this build's
    /// repository.
    pub fn configured(docs_url: Option<&str>) -> DocsBase {
        match docs_url {
            Some(url) => DocsBase::Url(url.to_string()),
            None => DocsBase::of_this_build(),
        }
    }

    fn help_uri(&self, id: &str) -> Option<String> {
        match self {
            DocsBase::None => None,
            DocsBase::Repository(repo) => Some(format!(
                "{}/blob/main/rules/{id}.md",
                repo.trim_end_matches('/')
            )),
            DocsBase::Url(url) if url.contains("{id}") => Some(url.replace("{id}", id)),
            DocsBase::Url(url) => Some(format!("{}/{id}.md", url.trim_end_matches('/'))),
        }
    }

    /// The tool's home: the package's homepage, else the repository, else
    /// the docs URL (without its `{id}` part).
    fn information_uri(&self) -> Option<String> {
        let homepage = env!("CARGO_PKG_HOMEPAGE");
        if is_web_url(homepage) {
            return Some(homepage.to_string());
        }
        match self {
            DocsBase::None => None,
            DocsBase::Repository(repo) => Some(repo.clone()),
            DocsBase::Url(url) => Some(
                url.split("{id}")
                    .next()
                    .unwrap_or(url)
                    .trim_end_matches('/')
                    .to_string(),
            ),
        }
    }
}

fn is_web_url(text: &str) -> bool {
    text.starts_with("https://") || text.starts_with("http://")
}

/// A SARIF 2.1.0 log with one run:
///
/// - `tool.driver.rules`: every rule of the registry (and any other rule a
///   finding names), with its doc page as `help.markdown`;
/// - `results`: the findings, in order, each with its level (from
///   [`Finding::severity`], so a rule configured to `warn` gives
///   warnings while its descriptor keeps its default level), location, a
///   `partialFingerprints` entry that survives edits elsewhere in the file
///   (see `fingerprint` in this module), and `fixes` when it has one;
/// - `invocations[0].toolExecutionNotifications`: the file problems
///   (unreadable or unparsable files, bad manifests, internal errors);
///   `executionSuccessful` is false only after an internal error.
///
/// Artifact URIs are the shown paths, relative to `%SRCROOT%`, the
/// directory redis-lint ran in (paths outside it are absolute `file:`
/// URIs). With `root` (that directory, absolute) `originalUriBaseIds`
/// resolves `%SRCROOT%` to it; without, it only describes it, which SARIF
/// allows and GitHub code scanning needs no more than. Columns count
/// Unicode code points (`columnKind`), the end column is exclusive.
pub fn sarif_with_root(outcome: &Outcome, root: Option<&Path>) -> String {
    sarif_with(outcome, root, &DocsBase::of_this_build())
}

/// [`sarif_with_root`] with the rules' doc links taken from `docs`.
pub fn sarif_with(outcome: &Outcome, root: Option<&Path>, docs: &DocsBase) -> String {
    super::redact::with_redacted(outcome, |safe| sarif_of(outcome, safe, root, docs))
}

/// The log of the redacted outcome `safe`; fingerprints hash the real text
/// of `outcome`, so that they do not change with what a report hides.
fn sarif_of(outcome: &Outcome, safe: &Outcome, root: Option<&Path>, docs: &DocsBase) -> String {
    let rules = rule_list(outcome);
    let descriptors: Vec<ReportingDescriptor> = rules
        .iter()
        .map(|r| ReportingDescriptor {
            help_uri: docs.help_uri(r.id),
            ..descriptor(r)
        })
        .collect();

    let mut seen: HashMap<(&str, u32, String), u32> = HashMap::new();
    let results: Vec<sarif::Result> = outcome
        .findings
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let text = normalise(span_text(source_of(outcome, f.file), f.span));
            let n = seen.entry((f.rule.id, f.file, text.clone())).or_insert(0);
            *n += 1;
            let print = fingerprint(f.rule.id, display_of(outcome, f.file), &text, *n);
            let index = rules.iter().position(|r| r.id == f.rule.id).unwrap_or(0);
            result(safe, &safe.findings[i], index, print)
        })
        .collect();
    let notifications: Vec<Notification> = safe.problems.iter().map(notification).collect();

    let mut driver = ToolComponent::builder()
        .name("redis-lint")
        .version(VERSION)
        .semantic_version(VERSION)
        .rules(descriptors)
        .build();
    driver.information_uri = docs.information_uri();
    let srcroot = ArtifactLocation {
        description: Some(message(
            "The directory redis-lint ran in; file paths are relative to it.",
        )),
        uri: root.and_then(directory_uri),
        ..Default::default()
    };
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .invocations(vec![Invocation::builder()
            .execution_successful(!outcome.has_internal_error())
            .tool_execution_notifications(notifications)
            .build()])
        .original_uri_base_ids(BTreeMap::from([(SRCROOT.to_string(), srcroot)]))
        .column_kind("unicodeCodePoints")
        .results(results)
        .build();
    let log = Sarif::builder()
        .schema(SCHEMA)
        .version("2.1.0")
        .runs(vec![run])
        .build();
    // Through a `Value`, whose object keys are sorted: the structs would
    // write a property bag's `tags` before its other properties.
    let mut s = serde_json::to_value(&log)
        .and_then(|v| serde_json::to_string_pretty(&v))
        .unwrap_or_default();
    s.push('\n');
    s
}

/// The registry, then any rule a finding names that it does not hold.
fn rule_list(outcome: &Outcome) -> Vec<&'static RuleMeta> {
    let mut list: Vec<&'static RuleMeta> = rules::REGISTRY.iter().map(|r| &r.meta).collect();
    for f in &outcome.findings {
        if !list.iter().any(|r| r.id == f.rule.id) {
            list.push(f.rule);
        }
    }
    list
}

fn descriptor(rule: &RuleMeta) -> ReportingDescriptor {
    ReportingDescriptor::builder()
        .id(rule.id)
        .name(camel_case(rule.id))
        .short_description(plain(rule.summary))
        .full_description(plain(full_description(rule)))
        .help(
            MultiformatMessageString::builder()
                .text(rules::page(rule))
                .markdown(rules::page(rule))
                .build(),
        )
        .default_configuration(ReportingConfiguration {
            level: Some(level(rule.impact.severity()).to_string().into()),
            enabled: Some(rule.default == Activation::On),
            ..Default::default()
        })
        .properties(PropertyBag {
            tags: Some(tags(rule)),
            additional_properties: BTreeMap::from([
                ("impact".to_string(), rule.impact.as_str().into()),
                ("section".to_string(), rule.section.into()),
            ]),
        })
        .build()
}

/// A message with only a text.
fn message(text: impl Into<String>) -> Message {
    Message {
        text: Some(text.into()),
        ..Default::default()
    }
}

/// A plain-text multiformat message.
fn plain(text: impl Into<String>) -> MultiformatMessageString {
    MultiformatMessageString::builder().text(text).build()
}

/// `key-keys-command` → `KeyKeysCommand`.
fn camel_case(id: &str) -> String {
    id.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut cs = w.chars();
            cs.next()
                .map(|c| c.to_ascii_uppercase().to_string() + cs.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// The "What it does" section of the rule's doc page, else its summary.
fn full_description(rule: &RuleMeta) -> String {
    let mut lines = rule
        .doc
        .lines()
        .skip_while(|l| l.trim() != "## What it does");
    if lines.next().is_none() {
        return rule.summary.to_string();
    }
    let body: Vec<&str> = lines.take_while(|l| !l.starts_with('#')).collect();
    let text = body.join("\n").trim().to_string();
    if text.is_empty() {
        rule.summary.to_string()
    } else {
        text
    }
}

/// `redis`, the rule's family (the id's prefix: `key`, `conn`, `cmd`,
/// `cluster`) and `guide-<section>` for each guide section.
fn tags(rule: &RuleMeta) -> Vec<String> {
    let mut tags = vec!["redis".to_string()];
    if let Some(family) = rule.id.split('-').next().filter(|f| !f.is_empty()) {
        tags.push(family.to_string());
    }
    for section in rule.section.split('/').map(str::trim) {
        if !section.is_empty() {
            tags.push(format!("guide-{section}"));
        }
    }
    tags
}

fn level(severity: Severity) -> ResultLevel {
    match severity {
        Severity::Error => ResultLevel::Error,
        Severity::Warning => ResultLevel::Warning,
        Severity::Info => ResultLevel::Note,
    }
}

fn result(outcome: &Outcome, f: &Finding, index: usize, fingerprint: String) -> sarif::Result {
    let location = artifact_location(display_of(outcome, f.file));
    let mut result = sarif::Result::builder()
        .rule_id(f.rule.id)
        .rule_index(index as i64)
        .level(level(f.severity()))
        .message(message(format!("{}\nhelp: {}", f.message, f.help)))
        .locations(vec![Location {
            physical_location: Some(PhysicalLocation {
                artifact_location: Some(location.clone()),
                region: Some(region(f.span)),
                ..Default::default()
            }),
            ..Default::default()
        }])
        .partial_fingerprints(BTreeMap::from([(FINGERPRINT_KEY.to_string(), fingerprint)]))
        .build();
    if !f.related.is_empty() {
        result.related_locations = Some(
            f.related
                .iter()
                .enumerate()
                .map(|(i, r)| Location {
                    id: Some(i as i64),
                    message: Some(message(r.message.clone())),
                    physical_location: Some(PhysicalLocation {
                        artifact_location: Some(artifact_location(display_of(outcome, r.file))),
                        region: Some(region(r.span)),
                        ..Default::default()
                    }),
                    ..Default::default()
                })
                .collect(),
        );
    }
    result.fixes = f
        .fix
        .as_ref()
        .and_then(|fix| sarif_fix(fix, location))
        .map(|fix| vec![fix]);
    result
}

/// A `fix` object; `None` for a fix without edits (SARIF wants at least one
/// replacement).
fn sarif_fix(fix: &Fix, location: ArtifactLocation) -> Option<sarif::Fix> {
    if fix.edits.is_empty() {
        return None;
    }
    let replacements = fix
        .edits
        .iter()
        .map(|e| {
            Replacement::builder()
                .deleted_region(region(e.span))
                .inserted_content(ArtifactContent {
                    text: Some(e.content.clone()),
                    ..Default::default()
                })
                .build()
        })
        .collect::<Vec<_>>();
    // SARIF has no applicability: an unsafe fix says so in its description.
    let description = match fix.applicability {
        Applicability::Safe => fix.description.clone(),
        Applicability::Unsafe => format!("unsafe fix, check before applying: {}", fix.description),
    };
    Some(
        sarif::Fix::builder()
            .description(message(description))
            .artifact_changes(vec![ArtifactChange::builder()
                .artifact_location(location)
                .replacements(replacements)
                .build()])
            .build(),
    )
}

/// A file problem as a tool execution notification.
fn notification(p: &Problem) -> Notification {
    Notification::builder()
        .level("error")
        .message(message(format!("{}: {}", p.display, p.message)))
        .descriptor(ReportingDescriptorReference {
            id: Some(p.kind.id().into()),
            ..Default::default()
        })
        .locations(vec![Location {
            physical_location: Some(PhysicalLocation {
                artifact_location: Some(artifact_location(&p.display)),
                region: p.span.map(region),
                ..Default::default()
            }),
            ..Default::default()
        }])
        .build()
}

/// 1-based lines and columns, the end column exclusive; never below 1 nor
/// ending before the start.
fn region(span: Span) -> Region {
    let start_line = span.start.line.max(1);
    let end_line = span.end.line.max(start_line);
    let start_column = col1(span.start.col);
    let mut end_column = col1(span.end.col);
    if end_line == start_line {
        end_column = end_column.max(start_column);
    }
    Region {
        start_line: Some(start_line.into()),
        start_column: Some(start_column.into()),
        end_line: Some(end_line.into()),
        end_column: Some(end_column.into()),
        ..Default::default()
    }
}

/// A shown path as an artifact location: relative to `%SRCROOT%`, or an
/// absolute `file:` URI for a path outside the working directory.
fn artifact_location(display: &str) -> ArtifactLocation {
    let (uri, base) = if display.starts_with('/') {
        (format!("file://{}", encode_path(display)), None)
    } else if is_drive_path(display) {
        let (drive, rest) = display.split_at(2);
        (format!("file:///{drive}{}", encode_path(rest)), None)
    } else {
        (encode_path(display), Some(SRCROOT.to_string()))
    };
    ArtifactLocation {
        uri: Some(uri),
        uri_base_id: base,
        ..Default::default()
    }
}

/// `C:/...` or `C:\...`.
fn is_drive_path(path: &str) -> bool {
    let b = path.as_bytes();
    b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && matches!(b[2], b'/' | b'\\')
}

/// Percent-encodes a path for a URI: everything but unreserved characters
/// and `/` (so a relative path never reads as a scheme); `\` becomes `/`.
fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for &b in path.as_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            b'\\' => out.push('/'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// An absolute directory as a `file:` URI ending in `/`.
fn directory_uri(dir: &Path) -> Option<String> {
    if !dir.is_absolute() {
        return None;
    }
    let mut path = String::new();
    for part in dir.components() {
        match part {
            Component::Prefix(p) => path.push_str(&p.as_os_str().to_string_lossy()),
            Component::RootDir => {}
            Component::CurDir => continue,
            Component::ParentDir => path.push_str("/.."),
            Component::Normal(name) => {
                path.push('/');
                path.push_str(&name.to_string_lossy());
            }
        }
    }
    path.push('/');
    let uri = if is_drive_path(&path) {
        let (drive, rest) = path.split_at(2);
        format!("file:///{drive}{}", encode_path(rest))
    } else {
        format!("file://{}", encode_path(&path))
    };
    Some(uri)
}

/// Whitespace runs become one space; leading and trailing ones go.
fn normalise(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `partialFingerprints["redisLint/v1"]`: 64-bit FNV-1a of the rule id,
/// the file's shown path and the flagged text with its whitespace
/// normalised, in hex, then `:` and which occurrence of that same text
/// (for that rule, in that file) this is, counting from 1. It does not
/// depend on line numbers, so inserting or deleting lines elsewhere keeps
/// it, and reformatting the flagged code does too; FNV is fixed by its
/// definition, so it is the same on every platform and Rust release.
fn fingerprint(rule: &str, file: &str, text: &str, occurrence: u32) -> String {
    // 0xFF never occurs in UTF-8: it separates the fields unambiguously.
    let hash = fnv1a(&[
        rule.as_bytes(),
        &[0xFF],
        file.as_bytes(),
        &[0xFF],
        text.as_bytes(),
    ]);
    format!("{hash:016x}:{occurrence}")
}

/// 64-bit FNV-1a over the concatenated parts.
fn fnv1a(parts: &[&[u8]]) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut hash = OFFSET;
    for &b in parts.iter().flat_map(|p| p.iter()) {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(PRIME);
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn value(v: impl serde::Serialize) -> Value {
        serde_json::to_value(v).unwrap()
    }

    #[test]
    fn doc_links_come_from_the_repository_or_the_docs_url() {
        let repo = DocsBase::Repository("https://github.com/o/redis-lint/".into());
        assert_eq!(
            repo.help_uri("key-keys-command").as_deref(),
            Some("https://github.com/o/redis-lint/blob/main/rules/key-keys-command.md")
        );
        let folder = DocsBase::Url("https://docs.example.com/redis-lint/rules".into());
        assert_eq!(
            folder.help_uri("parse-error").as_deref(),
            Some("https://docs.example.com/redis-lint/rules/parse-error.md")
        );
        let template = DocsBase::Url("https://docs.example.com/rules/{id}.html".into());
        assert_eq!(
            template.help_uri("conn-missing-timeout").as_deref(),
            Some("https://docs.example.com/rules/conn-missing-timeout.html")
        );
        assert_eq!(DocsBase::None.help_uri("x"), None);
        if env!("CARGO_PKG_HOMEPAGE").is_empty() {
            assert_eq!(
                template.information_uri().as_deref(),
                Some("https://docs.example.com/rules")
            );
        }
    }

    #[test]
    fn names_are_camel_case() {
        assert_eq!(camel_case("key-keys-command"), "KeyKeysCommand");
        assert_eq!(camel_case("cluster-crossslot"), "ClusterCrossslot");
    }

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(
            value(artifact_location("src/a b/ç.rs")),
            json!({"uri": "src/a%20b/%C3%A7.rs", "uriBaseId": "%SRCROOT%"})
        );
        assert_eq!(
            value(artifact_location("weird:name.rs"))["uri"],
            json!("weird%3Aname.rs")
        );
        assert_eq!(
            value(artifact_location("/tmp/x.rs")),
            json!({"uri": "file:///tmp/x.rs"})
        );
        assert_eq!(
            value(artifact_location("C:/src/x.rs")),
            json!({"uri": "file:///C:/src/x.rs"})
        );
        assert_eq!(
            directory_uri(Path::new("/work/my crate")).as_deref(),
            Some("file:///work/my%20crate/")
        );
        assert_eq!(directory_uri(Path::new("relative")), None);
    }

    #[test]
    fn fingerprints_are_fnv1a() {
        // Published FNV-1a 64 test vectors.
        assert_eq!(fnv1a(&[]), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(&[b"a"]), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(&[b"foo"]), 0xdcb2_7518_fed9_d577);
        assert_eq!(fnv1a(&[b"fo", b"o"]), 0xdcb2_7518_fed9_d577);
        assert_ne!(
            fingerprint("a", "b", "c", 1),
            fingerprint("a", "bc", "", 1),
            "fields are separated"
        );
    }

    #[test]
    fn empty_and_inverted_regions_stay_valid() {
        let span = Span {
            start: crate::model::Pos { line: 0, col: 5 },
            end: crate::model::Pos { line: 0, col: 2 },
        };
        assert_eq!(
            value(region(span)),
            json!({"startLine": 1, "startColumn": 6, "endLine": 1, "endColumn": 6})
        );
    }
}
