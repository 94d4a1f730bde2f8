//! Nesting written one level per line, at random depths on both sides of
//! the parse guard's limits (`src/parse/prescan.rs`): closures, prefix
//! operators, `return`, `a +=` chains, brackets, blocks, `let a = {`,
//! calls, `vec![`, method chains in expressions; references, raw pointers,
//! `fn() ->`, `Box<`, `Vec<`, tuples and slices in types; references,
//! tuples and slices in `let` patterns. Layers of several kinds stack, one
//! inside the other.
//!
//! Each input is linted by the binary (one thread), from a folder, from
//! standard input or with `--diff` (which parses the fixed file again).
//! It must not die, hang or use more than [`run::MEMORY_LIMIT_KIB`], and
//! the deep file is either linted whole (its own `keys` finding is there)
//! or refused with a "too deeply nested" problem; its neighbour is linted
//! either way.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use proptest::sample::select;
use serde_json::Value;

use super::run;
use crate::{Checked, Input};

#[derive(Debug, Clone, Copy, PartialEq)]
enum ExprLayer {
    Closure,
    Not,
    Neg,
    Deref,
    Borrow,
    Return,
    AddAssign,
    Paren,
    Block,
    LetBlock,
    Call,
    VecMacro,
    Method,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum TypeLayer {
    Ref,
    ConstPtr,
    FnReturn,
    Boxed,
    Vec,
    Tuple,
    Slice,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum PatLayer {
    Ref,
    Tuple,
    Slice,
}

/// Where the nesting is: layers from the outside in, each repeated.
#[derive(Debug, Clone)]
enum Nest {
    Expr(Vec<(ExprLayer, usize)>),
    Type(Vec<(TypeLayer, usize)>),
    Pat(Vec<(PatLayer, usize)>),
}

/// How the deep file is linted.
#[derive(Debug, Clone, Copy)]
enum Mode {
    Folder,
    Stdin,
    Diff,
}

#[derive(Debug, Clone)]
pub struct Deep {
    nest: Nest,
    mode: Mode,
}

impl ExprLayer {
    fn parts(self) -> (&'static str, &'static str) {
        match self {
            ExprLayer::Closure => ("|x|\n", ""),
            ExprLayer::Not => ("!\n", ""),
            ExprLayer::Neg => ("-\n", ""),
            ExprLayer::Deref => ("*\n", ""),
            ExprLayer::Borrow => ("&\n", ""),
            ExprLayer::Return => ("return\n", ""),
            ExprLayer::AddAssign => ("a +=\n", ""),
            ExprLayer::Paren => ("(\n", ")\n"),
            ExprLayer::Block => ("{\n", "}\n"),
            ExprLayer::LetBlock => ("{ let a =\n", "; a }\n"),
            ExprLayer::Call => ("g(\n", ")\n"),
            ExprLayer::VecMacro => ("vec![\n", "]\n"),
            ExprLayer::Method => ("", "\n.f()"),
        }
    }
}

impl TypeLayer {
    fn parts(self) -> (&'static str, &'static str) {
        match self {
            TypeLayer::Ref => ("&\n", ""),
            TypeLayer::ConstPtr => ("*const\n", ""),
            TypeLayer::FnReturn => ("fn() ->\n", ""),
            TypeLayer::Boxed => ("Box<\n", ">\n"),
            TypeLayer::Vec => ("Vec<\n", ">\n"),
            TypeLayer::Tuple => ("(\n", ",)\n"),
            TypeLayer::Slice => ("[\n", "]\n"),
        }
    }
}

impl PatLayer {
    fn parts(self) -> (&'static str, &'static str) {
        match self {
            PatLayer::Ref => ("&\n", ""),
            PatLayer::Tuple => ("(\n", ",)\n"),
            PatLayer::Slice => ("[\n", "]\n"),
        }
    }
}

/// `leaf` inside every layer, the first outermost.
fn wrap(layers: &[((&str, &str), usize)], leaf: &str) -> String {
    let mut text = String::new();
    for ((open, _), n) in layers {
        text.push_str(&open.repeat(*n));
    }
    text.push_str(leaf);
    for ((_, close), n) in layers.iter().rev() {
        text.push_str(&close.repeat(*n));
    }
    text
}

impl Nest {
    /// The statement that holds the nesting.
    fn statement(&self) -> String {
        match self {
            Nest::Expr(l) => {
                let parts: Vec<_> = l.iter().map(|(k, n)| (k.parts(), *n)).collect();
                format!("let _ = {};", wrap(&parts, "x"))
            }
            Nest::Type(l) => {
                let parts: Vec<_> = l.iter().map(|(k, n)| (k.parts(), *n)).collect();
                format!("let _: {} = panic!();", wrap(&parts, "u8"))
            }
            Nest::Pat(l) => {
                let parts: Vec<_> = l.iter().map(|(k, n)| (k.parts(), *n)).collect();
                format!("let {} = panic!();", wrap(&parts, "y"))
            }
        }
    }
}

/// A Redis fn holding `code`, with one `keys` finding of its own and one
/// fixable finding (for `--diff`).
fn body(code: &str) -> String {
    format!(
        "use redis::Commands;\n\npub fn deep(con: &mut redis::Connection, x: i64) \
         -> redis::RedisResult<Vec<String>> {{\n    let mut a = 0;\n    {code}\n    \
         con.keys(\"user:*\")\n}}\n\n\
         pub fn wipe(con: &mut redis::Connection) -> redis::RedisResult<()> {{\n    \
         redis::cmd(\"FLUSHALL\").query(con)\n}}\n"
    )
}

const GOOD: &str = "use redis::Commands;\n\
pub fn f(con: &mut redis::Connection) -> redis::RedisResult<Vec<String>> { con.keys(\"user:*\") }\n";

const MANIFEST: &str = "[package]\nname = \"deep\"\nversion = \"0.1.0\"\n\n\
[dependencies]\nredis = \"0.27\"\n";

/// Levels of one layer: mostly around the guard's limits (4,000 prefix
/// levels, 8,000 brackets, 16,000 method calls), sometimes shallow.
fn depth() -> impl Strategy<Value = usize> {
    prop_oneof![
        1 => 0usize..200,
        2 => 200usize..3_000,
        3 => 3_000usize..9_000,
        1 => 9_000usize..20_000,
    ]
}

pub fn strategy() -> impl Strategy<Value = Deep> {
    use ExprLayer as E;
    use PatLayer as P;
    use TypeLayer as T;
    let expr = select(
        &[
            E::Closure,
            E::Not,
            E::Neg,
            E::Deref,
            E::Borrow,
            E::Return,
            E::AddAssign,
            E::Paren,
            E::Block,
            E::LetBlock,
            E::Call,
            E::VecMacro,
            E::Method,
        ][..],
    );
    let ty = select(
        &[
            T::Ref,
            T::ConstPtr,
            T::FnReturn,
            T::Boxed,
            T::Vec,
            T::Tuple,
            T::Slice,
        ][..],
    );
    let pat = select(&[P::Ref, P::Tuple, P::Slice][..]);
    let nest = prop_oneof![
        3 => prop::collection::vec((expr, depth()), 1..4).prop_map(Nest::Expr),
        2 => prop::collection::vec((ty, depth()), 1..4).prop_map(Nest::Type),
        1 => prop::collection::vec((pat, depth()), 1..3).prop_map(Nest::Pat),
    ];
    let mode = prop_oneof![4 => Just(Mode::Folder), 1 => Just(Mode::Stdin), 1 => Just(Mode::Diff)];
    (nest, mode).prop_map(|(nest, mode)| Deep { nest, mode })
}

fn diagnostics<'a>(doc: &'a Value, file: &str) -> Vec<&'a Value> {
    doc["diagnostics"]
        .as_array()
        .map(|all| {
            all.iter()
                .filter(|d| d["file"].as_str().is_some_and(|f| f.ends_with(file)))
                .collect()
        })
        .unwrap_or_default()
}

/// Whether the deep file was refused (true) or linted whole (false);
/// anything else is a failure.
fn judge(doc: &Value, file: &str) -> Result<bool, String> {
    let of_file = diagnostics(doc, file);
    let problems: Vec<&&Value> = of_file.iter().filter(|d| d["section"].is_null()).collect();
    if let Some(p) = problems.first() {
        let message = p["message"].as_str().unwrap_or("");
        return match message.contains("too deeply nested") && problems.len() == 1 {
            true => Ok(true),
            false => Err(format!("{file}: unexpected problem(s): {problems:?}")),
        };
    }
    match of_file.iter().any(|d| d["rule"] == "key-keys-command") {
        true => Ok(false),
        false => Err(format!(
            "{file}: neither refused nor linted whole: {of_file:?}"
        )),
    }
}

impl Input for Deep {
    const REACHED: [&'static str; 4] = ["linted whole", "refused", "from stdin", "diffed"];

    fn check(&self, dir: &Path) -> Result<Checked, String> {
        let _ = std::fs::remove_dir_all(dir);
        std::fs::create_dir_all(dir.join("src")).map_err(|e| e.to_string())?;
        let write = |rel: &str, text: &str| {
            std::fs::write(dir.join(rel), text).map_err(|e| format!("{rel}: {e}"))
        };
        write("Cargo.toml", MANIFEST)?;
        // Both files are modules of the crate: a file no `mod` reaches is
        // not reported on when it does not parse.
        write("src/lib.rs", "pub mod deep;\npub mod good;\n")?;
        write("src/good.rs", GOOD)?;
        let text = body(&self.nest.statement());
        let ran = match self.mode {
            Mode::Folder => {
                write("src/deep.rs", &text)?;
                run::lint(dir, &["--format", "json", "."], None, &[])?
            }
            Mode::Stdin => run::lint(
                dir,
                &["--format", "json", "--stdin-filename", "src/deep.rs"],
                Some(text.as_bytes()),
                &[],
            )?,
            Mode::Diff => {
                write("src/deep.rs", &text)?;
                run::lint(dir, &["--diff", "src/deep.rs"], None, &[])?
            }
        };
        let ran = ran.bounded(&format!("{:?}", self.mode))?;
        let refused = match self.mode {
            Mode::Diff => ran.stdout.is_empty(),
            Mode::Folder | Mode::Stdin => {
                let doc: Value = serde_json::from_str(&ran.stdout)
                    .map_err(|e| format!("JSON does not parse ({e}): {}", ran.stdout))?;
                if let Mode::Folder = self.mode {
                    judge(&doc, "good.rs")?;
                }
                judge(&doc, "deep.rs")?
            }
        };
        Ok(Checked {
            reached: [
                !refused,
                refused,
                matches!(self.mode, Mode::Stdin),
                matches!(self.mode, Mode::Diff),
            ],
            took: ran.took,
            peak_kib: Some(ran.peak_kib),
        })
    }

    fn describe(&self) -> String {
        format!("{:?} {:?}", self.mode, self.nest)
    }

    fn save(&self) -> Vec<PathBuf> {
        // The shape above is the regression (megabytes of generated text
        // are not kept): it goes into tests/robustness_limits.rs.
        Vec::new()
    }
}
