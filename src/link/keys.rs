//! Keys and arguments: consts and key-builder fns substituted into key
//! templates; a raw command's keys and options read from its argument list.

use std::borrow::Cow;

use super::symbols::Symbols;
use crate::extract::facts::{KeySize, RawArg, RawKey, RawPart, KEY_BOUND};
use crate::model::key::{Key, Part};
use crate::model::{command, Opts, Timeout};

/// How deep consts and builders are substituted into each other (a
/// const naming itself must not loop).
const MAX_DEPTH: u32 = 8;

/// How many parts a key may have once consts and builders are
/// substituted: each substitution may multiply a key's size, so without a
/// bound a few consts naming each other twice make it exponential.
const MAX_PARTS: usize = 1024;

/// How large a key may grow once consts and builders are substituted:
/// [`MAX_PARTS`] parts, and 16 times the bytes a key template may grow to
/// while it is built (a key written as one long literal is not built, and
/// stays a key). Each file's templates are bounded on their own, but
/// consts from several files substituted into one key multiply: 1,024
/// parts of a 60 KB const were a 60 MB key, built again at every use.
const LINKED_BOUND: KeySize = KeySize {
    parts: MAX_PARTS,
    bytes: 16 * KEY_BOUND.bytes,
};

/// A key past [`LINKED_BOUND`]; nothing is known about it.
struct TooComplex;

/// Where a key template was written: too-complex markers are numbered per
/// file, so a marker substituted from a const or builder (maybe of another
/// file) is named after it, lest it equal a marker of the key's own file.
#[derive(Clone, Copy)]
enum Origin<'a> {
    Here,
    Named(&'a str),
}

/// A key being expanded and its size in bytes so far.
#[derive(Default)]
struct Expansion {
    parts: Vec<Part>,
    bytes: usize,
}

impl Expansion {
    fn push(&mut self, part: Part) -> Result<(), TooComplex> {
        self.bytes += match &part {
            Part::Lit(s) | Part::Hole(s) => s.len(),
        };
        self.parts.push(part);
        match self.bytes > LINKED_BOUND.bytes || self.parts.len() > LINKED_BOUND.parts {
            true => Err(TooComplex),
            false => Ok(()),
        }
    }
}

impl Symbols {
    pub(super) fn key(&self, raw: &RawKey) -> Key {
        let mut out = Expansion::default();
        match self.expand(raw, &mut out, Origin::Here, 0) {
            Ok(()) => Key::from_parts(out.parts),
            Err(TooComplex) => Key::Opaque(too_complex_text(raw)),
        }
    }

    /// The symbols whose builder a call names, and its name there:
    /// `common::profile_key` is crate `common`'s when `common` is a crate
    /// of the run; a path whose first segment names no such crate (a local
    /// module, `keys::session_key`) is the own crate's.
    fn builder_owner<'n>(&self, name: &'n str) -> (&Symbols, &'n str) {
        let short = name.rsplit("::").next().unwrap_or(name);
        match self.owner(name) {
            Some((krate, _)) => (krate, short),
            None => (self, short),
        }
    }

    fn expand(
        &self,
        raw: &RawKey,
        out: &mut Expansion,
        origin: Origin,
        depth: u32,
    ) -> Result<(), TooComplex> {
        for part in &raw.0 {
            match part {
                RawPart::Lit(s) => out.push(Part::Lit(s.to_string()))?,
                RawPart::Hole(h) => out.push(Part::Hole(h.to_string()))?,
                RawPart::TooComplex(n) => out.push(Part::Hole(match origin {
                    Origin::Here => format!("key too complex #{n}"),
                    Origin::Named(of) => format!("key too complex #{n} of {of}"),
                }))?,
                RawPart::Const(name) => match self.consts.get(name) {
                    Some(value) if depth < MAX_DEPTH => {
                        self.expand(value, out, Origin::Named(name), depth + 1)?
                    }
                    _ => out.push(Part::Hole(name.clone()))?,
                },
                RawPart::Call { name, args } => {
                    let (krate, short) = self.builder_owner(name);
                    match krate.builders.get(short) {
                        Some(Some((params, template))) if depth < MAX_DEPTH => {
                            // The caller's consts and builders in its
                            // arguments are the caller's crate's.
                            let args = match std::ptr::eq(krate, self) {
                                true => Cow::Borrowed(args),
                                false => Cow::Owned(self.resolved(args, origin, depth)?),
                            };
                            let substituted = substitute(template, params, &args)?;
                            // The template's own consts and builders are
                            // its crate's.
                            krate.expand(&substituted, out, Origin::Named(short), depth + 1)?;
                        }
                        _ => out.push(Part::Hole(format!("{short}(..)")))?,
                    }
                }
            }
        }
        Ok(())
    }
}

impl Symbols {
    /// Arguments with this crate's consts and builders substituted, as
    /// literal text and holes only.
    fn resolved(
        &self,
        args: &[RawKey],
        origin: Origin,
        depth: u32,
    ) -> Result<Vec<RawKey>, TooComplex> {
        let mut out = Vec::with_capacity(args.len());
        for arg in args {
            let mut expanded = Expansion::default();
            self.expand(arg, &mut expanded, origin, depth + 1)?;
            let parts = expanded.parts.into_iter().map(|p| match p {
                Part::Lit(s) => RawPart::Lit(s.into()),
                Part::Hole(h) => RawPart::Hole(h.into()),
            });
            out.push(RawKey(parts.collect()));
        }
        Ok(out)
    }
}

/// The text of a key that grew too complex once resolved: what it was
/// written as, as far as one level shows, so that different keys differ.
fn too_complex_text(raw: &RawKey) -> String {
    let written: Vec<String> = raw
        .0
        .iter()
        .map(|part| match part {
            RawPart::Lit(s) => s.to_string(),
            RawPart::Hole(h) => format!("{{{h}}}"),
            RawPart::Const(c) => c.clone(),
            RawPart::Call { name, .. } => {
                format!("{}(..)", name.rsplit("::").next().unwrap_or(name))
            }
            RawPart::TooComplex(n) => format!("#{n}"),
        })
        .collect();
    format!("key too complex: {}", written.concat())
}

/// Replaces a builder's parameter holes with the caller's arguments; too
/// complex when the result is past [`LINKED_BOUND`] (a template of 64
/// holes each given a 64-part argument).
fn substitute(template: &RawKey, params: &[String], args: &[RawKey]) -> Result<RawKey, TooComplex> {
    let mut out = Vec::new();
    for part in &template.0 {
        match part {
            RawPart::Hole(h) => {
                match params
                    .iter()
                    .position(|p| p.as_str() == &**h)
                    .and_then(|i| args.get(i))
                {
                    Some(arg) => out.extend(arg.0.iter().cloned()),
                    None => out.push(part.clone()),
                }
            }
            other => out.push(other.clone()),
        }
    }
    let out = RawKey(out);
    match out.size().exceeds(LINKED_BOUND) {
        true => Err(TooComplex),
        false => Ok(out),
    }
}

/// A module command's arguments, resolved (consts and key builders
/// substituted); other commands keep none.
pub(super) fn module_args(command: &str, args: &[RawArg], symbols: &Symbols) -> Vec<Key> {
    if !crate::model::redis_modules::is_module_command(command) {
        return Vec::new();
    }
    args.iter()
        .map(|a| match &a.lit {
            Some(l) => Key::literal(l.clone()),
            None => symbols.key(&a.key),
        })
        .collect()
}

/// Keys and options of a raw command from its argument list.
pub(super) fn raw_keys_and_opts(
    command: &str,
    args: &[RawArg],
    symbols: &Symbols,
) -> (Vec<Key>, Opts) {
    let lits: Vec<Option<&str>> = args.iter().map(|a| a.lit.as_deref()).collect();
    let upper: Vec<Option<String>> = lits
        .iter()
        .map(|l| l.map(str::to_ascii_uppercase))
        .collect();
    let spec = command::spec(command);
    let positions = spec
        .map(|s| command::raw_key_positions(s.keys, &lits))
        .unwrap_or_default();
    let keys = positions
        .iter()
        .map(|&i| symbols.key(&args[i].key))
        .collect();
    let has = |word: &str| {
        upper
            .iter()
            .enumerate()
            .any(|(i, u)| !positions.contains(&i) && u.as_deref() == Some(word))
    };
    let mut opts = Opts {
        expiry: ["EX", "PX", "EXAT", "PXAT", "KEEPTTL"]
            .iter()
            .any(|w| has(w)),
        nx: has("NX"),
        asynchronous: has("ASYNC"),
        sub: upper.first().cloned().flatten(),
        timeout: None,
        noack: has("NOACK"),
        trimmed: has("MAXLEN") || has("MINID"),
        // A script assembled at run time: literal parts around holes.
        formatted_script: command == "EVAL"
            && args.first().is_some_and(|a| {
                a.lit.is_none() && a.key.0.iter().any(|p| matches!(p, RawPart::Lit(_)))
            }),
        whole_list: command == "LRANGE"
            && lits.get(1..3).is_some_and(|r| r == [Some("0"), Some("-1")]),
        // SCAN cursor MATCH pattern.
        pattern: upper
            .iter()
            .position(|u| u.as_deref() == Some("MATCH"))
            .and_then(|i| lits.get(i + 1).copied().flatten())
            .map(str::to_string),
    };
    let timeout_at = |i: usize| -> Option<Timeout> {
        let arg = args.get(i)?;
        match &arg.lit {
            Some(l) => l.parse().ok().map(Timeout::Value),
            None => {
                Some(symbols.timeout(&Timeout::Named(arg.key.as_var().unwrap_or("?").to_string())))
            }
        }
    };
    if spec.is_some_and(|s| s.has(command::flags::BLOCKING)) {
        opts.timeout = match command {
            "BLMPOP" | "BZMPOP" => timeout_at(0),
            _ => args.len().checked_sub(1).and_then(timeout_at),
        };
    }
    if matches!(command, "XREAD" | "XREADGROUP") {
        if let Some(i) = upper.iter().position(|u| u.as_deref() == Some("BLOCK")) {
            opts.timeout = timeout_at(i + 1);
        }
    }
    (keys, opts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(s: &str) -> RawPart {
        RawPart::Lit(s.into())
    }

    fn named(name: &str) -> RawPart {
        RawPart::Const(name.into())
    }

    #[test]
    fn consts_of_several_files_stay_within_the_bound() {
        let mut symbols = Symbols::new(&[]);
        // Each file's template is within its own bound; together they are
        // 60 × 60 parts of 60 KB.
        let k0 = RawKey(vec![lit(&"x".repeat(60_000))]);
        let k1 = RawKey(vec![named("K0"); 60]);
        symbols.consts.insert("K0".into(), k0);
        symbols.consts.insert("K1".into(), k1);
        symbols
            .consts
            .insert("K2".into(), RawKey(vec![named("K1"); 60]));
        let key = symbols.key(&RawKey(vec![lit("p:"), named("K2")]));
        assert!(matches!(&key, Key::Opaque(t) if t.starts_with("key too complex")));
        // Within the bound, consts still resolve.
        let key = symbols.key(&RawKey(vec![lit("p:"), named("K0")]));
        assert!(matches!(&key, Key::Template(p) if p.len() == 1));
    }

    #[test]
    fn markers_from_a_const_differ_from_the_files_own() {
        let mut symbols = Symbols::new(&[]);
        let marker = RawKey(vec![lit("a:"), RawPart::TooComplex(1)]);
        symbols.consts.insert("OTHER".into(), marker.clone());
        let here = symbols.key(&marker);
        let there = symbols.key(&RawKey(vec![named("OTHER")]));
        assert_ne!(here, there);
    }
}
