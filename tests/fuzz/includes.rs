//! Random `include` graphs of redis.conf files in a temporary folder: DAGs,
//! cycles, self-includes, globs, missing files, a file over the size cap,
//! `..` and absolute paths out of the linted folder, symlinks out of it,
//! to `/dev/zero` and to a FIFO, a FIFO itself, a folder and
//! `/proc/self/environ`.
//!
//! The root configuration is given by path, so every other file is reached
//! only through an `include`. Every line of an included file that no rule
//! can fire on carries a marker (`MK<file>_<line>`): a marker in the human
//! or cargo-JSON output must be on a line a diagnostic points to (a
//! finding's or a problem's own line, never a neighbour shown as context).
//! Text outside the folder, the environment, the oversized file and the
//! `requirepass` secrets must never be printed. Each run is bounded in
//! time and memory.

use std::path::{Path, PathBuf};
use std::process::Command;

use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::Value;

use super::run;
use crate::{Checked, Input};

/// Files of the web, in the linted folder (`proj/`); the first is the root.
const NAMES: &[&str] = &[
    "redis.conf",
    "a.conf",
    "b.conf",
    "conf.d/c.conf",
    "conf.d/d.conf",
    "e.inc",
    "redis-f.conf",
];

/// Never printed: outside the folder, in the environment, past the cap.
const OUTSIDE_CANARY: &str = "OUTSIDECANARY";
const ENV_CANARY: &str = "ENVCANARY";
const BIG_CANARY: &str = "BIGCANARY";
const SECRET: &str = "SEKRETPASS";

#[derive(Debug, Clone)]
enum Target {
    File(Index),
    Glob(&'static str),
    Missing,
    Big,
    OutsideRelative,
    OutsideAbsolute,
    LinkOut,
    LinkZero,
    LinkFifo,
    Fifo,
    Folder,
    Environ,
}

#[derive(Debug, Clone)]
enum Line {
    /// A directive some rule may fire on (unmarked).
    Directive(&'static str),
    /// A comment or an inert directive, marked.
    Marked(bool),
    Include(Target),
    /// A line Redis cannot read: a problem whose own line is shown.
    Broken,
}

#[derive(Debug, Clone)]
pub struct Web {
    files: Vec<Vec<Line>>,
}

const DIRECTIVES: &[&str] = &[
    "maxmemory 1gb",
    "maxmemory 0",
    "maxmemory-policy noeviction",
    "appendonly no",
    "appendonly yes",
    "save \"\"",
    "bind 0.0.0.0",
    "protected-mode no",
    "port 6379",
    "timeout 0",
    "tcp-keepalive 0",
    "rename-command FLUSHALL \"\"",
    "requirepass SEKRETPASS",
    "masterauth SEKRETPASS",
];

fn line() -> impl Strategy<Value = Line> {
    let target = prop_oneof![
        8 => any::<Index>().prop_map(Target::File),
        2 => prop::sample::select(&["*.conf", "conf.d/*.conf", "*", "../proj/*.conf", "[ab].conf", "*.inc"][..]).prop_map(Target::Glob),
        1 => Just(Target::Missing),
        1 => Just(Target::Big),
        1 => Just(Target::OutsideRelative),
        1 => Just(Target::OutsideAbsolute),
        1 => Just(Target::LinkOut),
        1 => Just(Target::LinkZero),
        1 => Just(Target::LinkFifo),
        1 => Just(Target::Fifo),
        1 => Just(Target::Folder),
        1 => Just(Target::Environ),
    ];
    prop_oneof![
        4 => prop::sample::select(DIRECTIVES).prop_map(Line::Directive),
        4 => any::<bool>().prop_map(Line::Marked),
        4 => target.prop_map(Line::Include),
        1 => Just(Line::Broken),
    ]
}

pub fn strategy() -> impl Strategy<Value = Web> {
    prop::collection::vec(prop::collection::vec(line(), 0..10), 1..=NAMES.len())
        .prop_map(|files| Web { files })
}

/// `to` as written in an include of the file `from` (both relative to
/// `proj/`): includes resolve from the including file's folder.
fn relative(from: &str, to: &str) -> String {
    match from.contains('/') {
        true => format!("../{to}"),
        false => to.to_string(),
    }
}

fn marker(file: usize, line: usize) -> String {
    format!("MK{file}_{line}")
}

impl Web {
    fn target(&self, from: &str, target: &Target, root: &Path) -> String {
        let proj = root.join("proj");
        match target {
            Target::File(i) => relative(from, NAMES[i.index(self.files.len())]),
            Target::Glob(g) => relative(from, g),
            Target::Missing => relative(from, "missing.conf"),
            Target::Big => relative(from, "big.conf"),
            Target::OutsideRelative => relative(from, "../outside/secret.conf"),
            Target::OutsideAbsolute => root.join("outside/secret.conf").display().to_string(),
            Target::LinkOut => relative(from, "link-out.conf"),
            Target::LinkZero => relative(from, "zero.conf"),
            Target::LinkFifo => relative(from, "link-fifo.conf"),
            Target::Fifo => relative(from, "fifo.conf"),
            Target::Folder => proj.join("conf.d").display().to_string(),
            Target::Environ => "/proc/self/environ".to_string(),
        }
    }

    fn text(&self, file: usize, root: &Path) -> String {
        let mut text = String::new();
        for (i, l) in self.files[file].iter().enumerate() {
            let n = i + 1;
            match l {
                Line::Directive(d) => text.push_str(d),
                Line::Marked(true) => text.push_str(&format!("# {}", marker(file, n))),
                Line::Marked(false) => {
                    text.push_str(&format!("logfile /tmp/{}.log", marker(file, n)))
                }
                Line::Include(t) => {
                    text.push_str("include ");
                    text.push_str(&self.target(NAMES[file], t, root));
                }
                Line::Broken => text.push_str(&format!("bad \"{}", marker(file, n))),
            }
            text.push('\n');
        }
        text
    }

    fn build(&self, root: &Path) -> Result<(), String> {
        let err = |e: std::io::Error| e.to_string();
        let _ = std::fs::remove_dir_all(root);
        let proj = root.join("proj");
        std::fs::create_dir_all(proj.join("conf.d")).map_err(err)?;
        std::fs::create_dir_all(root.join("outside")).map_err(err)?;
        std::fs::write(
            root.join("outside/secret.conf"),
            format!("# {OUTSIDE_CANARY}\nmaxmemory 1gb\nrequirepass {OUTSIDE_CANARY}\nbad \"{OUTSIDE_CANARY}\n"),
        )
        .map_err(err)?;
        for (file, name) in NAMES.iter().enumerate().take(self.files.len()) {
            std::fs::write(proj.join(name), self.text(file, root)).map_err(err)?;
        }
        let uses = |wanted: fn(&Target) -> bool| {
            self.files
                .iter()
                .flatten()
                .any(|l| matches!(l, Line::Include(t) if wanted(t)))
        };
        if uses(|t| matches!(t, Target::Big)) {
            // Just over the 4 MiB cap.
            let line = format!("# {BIG_CANARY}\n");
            std::fs::write(
                proj.join("big.conf"),
                line.repeat((4 << 20) / line.len() + 1),
            )
            .map_err(err)?;
        }
        let link = |to: &Path, name: &str| std::os::unix::fs::symlink(to, proj.join(name));
        link(&root.join("outside/secret.conf"), "link-out.conf").map_err(err)?;
        link(Path::new("/dev/zero"), "zero.conf").map_err(err)?;
        if uses(|t| matches!(t, Target::Fifo | Target::LinkFifo)) {
            let fifo = proj.join("fifo.conf");
            let made = Command::new("mkfifo").arg(&fifo).status().map_err(err)?;
            if !made.success() {
                return Err("mkfifo failed".into());
            }
            link(&fifo, "link-fifo.conf").map_err(err)?;
        }
        Ok(())
    }
}

/// (file name, line) of every diagnostic in a JSON document.
fn diagnostic_lines(doc: &Value) -> Vec<(String, u64)> {
    doc["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|d| {
            (
                d["file"].as_str().unwrap_or("").to_string(),
                d["line"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

/// Every marker printed in `out` is on a diagnostic's own line; nothing
/// that must stay unread is printed.
fn judge(web: &Web, out: &str, format: &str, lines: &[(String, u64)]) -> Result<(), String> {
    for canary in [OUTSIDE_CANARY, ENV_CANARY, BIG_CANARY, SECRET] {
        if out.contains(canary) {
            return Err(format!("{format} output prints {canary}:\n{out}"));
        }
    }
    for (file, text) in web.files.iter().enumerate().skip(1) {
        for n in 1..=text.len() {
            let mark = marker(file, n);
            if !out.contains(&mark) {
                continue;
            }
            let own = lines
                .iter()
                .any(|(f, l)| f.ends_with(NAMES[file]) && *l == n as u64);
            if !own {
                return Err(format!(
                    "{format} output prints line {n} of {} (no diagnostic there):\n{out}",
                    NAMES[file]
                ));
            }
        }
    }
    Ok(())
}

impl Input for Web {
    const REACHED: [&'static str; 4] = ["with findings", "with a problem", "cyclic", "globs"];

    fn check(&self, dir: &Path) -> Result<Checked, String> {
        self.build(dir)?;
        let proj = dir.join("proj");
        let env = [("REDIS_LINT_FUZZ_CANARY", ENV_CANARY)];
        let json =
            run::lint(&proj, &["--format", "json", "redis.conf"], None, &env)?.bounded("json")?;
        let doc: Value = serde_json::from_str(&json.stdout)
            .map_err(|e| format!("JSON does not parse ({e}): {}", json.stdout))?;
        let lines = diagnostic_lines(&doc);
        judge(self, &json.stdout, "json", &lines)?;
        let (mut took, mut peak) = (json.took, json.peak_kib);
        for (format, args) in [
            (
                "human",
                &["--format", "human", "--color", "never", "redis.conf"][..],
            ),
            ("cargo", &["--message-format", "json", "redis.conf"]),
        ] {
            let ran = run::lint(&proj, args, None, &env)?.bounded(format)?;
            judge(self, &ran.stdout, format, &lines)?;
            judge(self, &ran.stderr, format, &lines)?;
            took = took.max(ran.took);
            peak = peak.max(ran.peak_kib);
        }
        let problems = doc["summary"]["problems"].as_u64().unwrap_or(0);
        let findings = doc["summary"]["findings"].as_u64().unwrap_or(0);
        let includes = || self.files.iter().flatten();
        Ok(Checked {
            reached: [
                findings > 0,
                problems > 0,
                includes().any(|l| matches!(l, Line::Include(Target::File(i)) if i.index(self.files.len()) == 0)),
                includes().any(|l| matches!(l, Line::Include(Target::Glob(_)))),
            ],
            took,
            peak_kib: Some(peak),
        })
    }

    fn describe(&self) -> String {
        let root = Path::new("/tmp/fuzz-web");
        (0..self.files.len())
            .map(|f| format!("--- {} ---\n{}", NAMES[f], self.text(f, root)))
            .collect()
    }

    fn save(&self) -> Vec<PathBuf> {
        // The web above is the regression: it goes into
        // tests/robustness_io.rs.
        Vec::new()
    }
}
