//! `redis-lint keys`: the run's keyspace as a table, JSON (schema version
//! 1, see the README), a markdown document, or a picture of which fns use
//! which key templates (Mermaid, Graphviz dot).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use crate::diagnostic::Outcome;
use crate::model::keyspace::{KeyEntry, KeySite, Keyspace};

/// The inventory's schema version (`"version"` of the JSON output).
pub const KEYS_SCHEMA_VERSION: u32 = 1;

fn ttl(entry: &KeyEntry) -> &'static str {
    entry.ttl.map_or("-", |t| t.name())
}

fn db(entry: &KeyEntry) -> String {
    entry.db.map_or("?".to_string(), |d| d.to_string())
}

/// `crate::fn` (the crate alone at top level or in a script).
fn owner(site: &KeySite) -> String {
    if site.func.is_empty() {
        site.crate_name.clone()
    } else {
        format!("{}::{}", site.crate_name, site.func)
    }
}

fn location(outcome: &Outcome, site: &KeySite) -> String {
    format!(
        "{}:{}:{}",
        outcome.file(site.file).display,
        site.span.start.line,
        site.span.start.col + 1
    )
}

/// A table of templates, each followed by its sites.
pub fn human(keyspace: &Keyspace, outcome: &Outcome) -> String {
    let width = |f: &dyn Fn(&KeyEntry) -> usize, min: usize| {
        keyspace.entries.iter().map(f).max().unwrap_or(0).max(min)
    };
    let tw = width(&|e| e.template.chars().count(), 8);
    let yw = width(&|e| e.value_type.name().len(), 4);
    let mut out = format!(
        "{:tw$}  {:yw$}  {:5}  {:2}  CRATES\n",
        "TEMPLATE", "TYPE", "TTL", "DB"
    );
    for entry in &keyspace.entries {
        let _ = writeln!(
            out,
            "{:tw$}  {:yw$}  {:5}  {:2}  {}",
            entry.template,
            entry.value_type.name(),
            ttl(entry),
            db(entry),
            entry.crates.join(", ")
        );
        for site in keyspace.entry_sites(entry) {
            let _ = writeln!(
                out,
                "    {:6} {:12} {}  {}",
                site.op.name(),
                site.command,
                location(outcome, site),
                owner(site)
            );
        }
    }
    let _ = writeln!(out, "{} key templates", keyspace.entries.len());
    out
}

/// The JSON inventory (schema version [`KEYS_SCHEMA_VERSION`]).
pub fn json(keyspace: &Keyspace, outcome: &Outcome) -> String {
    let keys: Vec<serde_json::Value> = keyspace
        .entries
        .iter()
        .map(|entry| {
            let sites: Vec<serde_json::Value> = keyspace
                .entry_sites(entry)
                .map(|s| {
                    serde_json::json!({
                        "file": outcome.file(s.file).display,
                        "line": s.span.start.line,
                        "column": s.span.start.col + 1,
                        "command": s.command,
                        "op": s.op.name(),
                        "crate": s.crate_name,
                        "function": s.func,
                    })
                })
                .collect();
            serde_json::json!({
                "template": entry.template,
                "type": entry.value_type.name(),
                "ttl": entry.ttl.map(|t| t.name()),
                "db": entry.db,
                "crates": entry.crates,
                "sites": sites,
            })
        })
        .collect();
    let doc = serde_json::json!({ "version": KEYS_SCHEMA_VERSION, "keys": keys });
    let mut s = serde_json::to_string_pretty(&doc).expect("the inventory serialises");
    s.push('\n');
    s
}

/// Text for a markdown table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

/// A keyspace document a team can commit: a summary table, then each
/// template's sites.
pub fn markdown(keyspace: &Keyspace, outcome: &Outcome) -> String {
    let mut out = String::from("# Keyspace\n\n");
    out.push_str("| Template | Type | TTL | DB | Crates |\n|---|---|---|---|---|\n");
    for entry in &keyspace.entries {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | {} |",
            cell(&entry.template),
            cell(&entry.value_type.name()),
            ttl(entry),
            db(entry),
            cell(&entry.crates.join(", "))
        );
    }
    for entry in &keyspace.entries {
        let _ = match entry.db {
            Some(db) => writeln!(out, "\n## `{}` (db {db})\n", entry.template),
            None => writeln!(out, "\n## `{}`\n", entry.template),
        };
        for site in keyspace.entry_sites(entry) {
            let _ = writeln!(
                out,
                "- {} `{}` at `{}` in `{}`",
                site.op.name(),
                site.command,
                location(outcome, site),
                owner(site)
            );
        }
    }
    out
}

/// The picture's content: fns by crate, templates, and the ops of each
/// (fn, template) pair.
struct Graph {
    /// Crate → its fns (as `crate::fn`).
    crates: BTreeMap<String, BTreeSet<String>>,
    templates: Vec<String>,
    /// (fn, template index) → ops.
    edges: BTreeMap<(String, usize), BTreeSet<&'static str>>,
}

impl Graph {
    fn of(keyspace: &Keyspace) -> Graph {
        let mut graph = Graph {
            crates: BTreeMap::new(),
            templates: Vec::new(),
            edges: BTreeMap::new(),
        };
        for (i, entry) in keyspace.entries.iter().enumerate() {
            let label = match entry.db {
                Some(db) => format!("{} (db {db})", entry.template),
                None => entry.template.clone(),
            };
            graph.templates.push(label);
            for site in keyspace.entry_sites(entry) {
                let who = owner(site);
                graph
                    .crates
                    .entry(site.crate_name.clone())
                    .or_default()
                    .insert(who.clone());
                graph
                    .edges
                    .entry((who, i))
                    .or_default()
                    .insert(site.op.name());
            }
        }
        graph
    }

    /// Each fn's node id, in crate order.
    fn fn_ids(&self) -> BTreeMap<&str, String> {
        self.crates
            .values()
            .flatten()
            .enumerate()
            .map(|(i, f)| (f.as_str(), format!("f{i}")))
            .collect()
    }
}

/// A fn's name inside its crate's box (the crate's name for top-level
/// code and scripts).
fn fn_label<'a>(krate: &str, owner: &'a str) -> &'a str {
    owner
        .strip_prefix(krate)
        .and_then(|rest| rest.strip_prefix("::"))
        .unwrap_or(owner)
}

/// A Mermaid flowchart: fns (grouped by crate) on the left, templates on
/// the right, edges labelled with what the fn does to the key.
pub fn mermaid(keyspace: &Keyspace) -> String {
    let graph = Graph::of(keyspace);
    let ids = graph.fn_ids();
    let quote = |s: &str| s.replace('"', "#quot;");
    let mut out = String::from("flowchart LR\n");
    for (c, (krate, fns)) in graph.crates.iter().enumerate() {
        let _ = writeln!(out, "  subgraph c{c}[\"{}\"]", quote(krate));
        for f in fns {
            let label = fn_label(krate, f);
            let _ = writeln!(out, "    {}[\"{}\"]", ids[f.as_str()], quote(label));
        }
        out.push_str("  end\n");
    }
    for (i, t) in graph.templates.iter().enumerate() {
        let _ = writeln!(out, "  k{i}[(\"{}\")]", quote(t));
    }
    for ((f, k), ops) in &graph.edges {
        let label = ops.iter().copied().collect::<Vec<_>>().join("/");
        let _ = writeln!(out, "  {} -->|{label}| k{k}", ids[f.as_str()]);
    }
    out
}

/// The same picture for Graphviz (`dot -Tsvg`).
pub fn dot(keyspace: &Keyspace) -> String {
    let graph = Graph::of(keyspace);
    let ids = graph.fn_ids();
    let quote = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
    let mut out =
        String::from("digraph keyspace {\n  rankdir=LR;\n  node [fontname=\"monospace\"];\n");
    for (c, (krate, fns)) in graph.crates.iter().enumerate() {
        let _ = writeln!(
            out,
            "  subgraph cluster_{c} {{\n    label={};",
            quote(krate)
        );
        for f in fns {
            let _ = writeln!(
                out,
                "    {} [label={}, shape=ellipse];",
                ids[f.as_str()],
                quote(fn_label(krate, f))
            );
        }
        out.push_str("  }\n");
    }
    for (i, t) in graph.templates.iter().enumerate() {
        let _ = writeln!(out, "  k{i} [label={}, shape=box];", quote(t));
    }
    for ((f, k), ops) in &graph.edges {
        let label = ops.iter().copied().collect::<Vec<_>>().join("/");
        let _ = writeln!(
            out,
            "  {} -> k{k} [label={}];",
            ids[f.as_str()],
            quote(&label)
        );
    }
    out.push_str("}\n");
    out
}
