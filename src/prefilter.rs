//! Skipping the parse of files that cannot matter.
//!
//! Parsing dominates a run, and most files of most crates never touch Redis.
//! A file is parsed when its bytes mention a client (`redis`, `fred`, a
//! command trait), or when it may define a name that a parsed file refers
//! to: a const or key-builder fn used in a key, a struct or static a
//! receiver goes through, a fn that may be registered as a handler, a module
//! declared `#[cfg(test)]`, a crate prelude re-exporting the client traits.
//! A definition always spells its name, so a word search over the remaining
//! files finds every file that could change the result; those are parsed
//! too, until nothing new is wanted. The findings are the same as parsing
//! everything (a test checks it).

use std::collections::BTreeSet;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use crate::extract::facts::{FileFacts, RawKey, RawPart, Recv, Root};
use crate::extract::types::TypeClass;

/// Words whose presence makes a file a Redis candidate.
pub struct Markers {
    any_case: AhoCorasick,
    exact: AhoCorasick,
}

impl Markers {
    pub fn new() -> Markers {
        Markers {
            any_case: AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .build(["redis", "fred::", "valkey"])
                .expect("static patterns build"),
            exact: AhoCorasick::new(["Commands", "Interface", "ConnectionLike"])
                .expect("static patterns build"),
        }
    }

    pub fn may_use_redis(&self, text: &str) -> bool {
        self.any_case.is_match(text) || self.exact.is_match(text)
    }
}

impl Default for Markers {
    fn default() -> Self {
        Markers::new()
    }
}

/// Names the parsed files refer to but do not define.
pub fn wanted_names<'a>(
    parsed: impl IntoIterator<Item = &'a FileFacts> + Clone,
) -> BTreeSet<String> {
    let mut wanted = BTreeSet::new();
    let mut defined = BTreeSet::new();
    let parsed_again = parsed.clone();
    for f in parsed.clone() {
        defined.extend(f.consts.iter().map(|(n, _)| n.clone()));
        defined.extend(f.num_consts.iter().map(|(n, _)| n.clone()));
        defined.extend(f.builders.iter().map(|b| b.name.clone()));
        defined.extend(f.structs.iter().map(|(s, _, _)| s.clone()));
        defined.extend(f.statics.iter().map(|(n, _)| n.clone()));
        defined.extend(f.fn_returns.iter().map(|(n, _)| n.clone()));
    }
    for f in parsed {
        let mut refs = Vec::new();
        for call in &f.calls {
            call.keys.iter().for_each(|k| key_names(k, &mut refs));
            call.args.iter().for_each(|a| key_names(&a.key, &mut refs));
            recv_names(&call.recv, &mut refs);
        }
        for c in &f.creations {
            recv_names(&c.recv, &mut refs);
        }
        for p in &f.pipes {
            if let Some(r) = &p.exec {
                recv_names(r, &mut refs);
            }
        }
        // Helpers that run commands on their key parameters hold Redis code
        // themselves (so they are parsed already); only the keys passed in
        // may name consts or builders defined elsewhere.
        for h in &f.helper_calls {
            h.args.iter().for_each(|k| key_names(k, &mut refs));
        }
        for (_, key) in &f.consts {
            key_names(key, &mut refs);
        }
        for b in &f.builders {
            key_names(&b.key, &mut refs);
        }
        for (_, _, class) in &f.structs {
            if let TypeClass::Struct(s) = class {
                refs.push(s.clone());
            }
        }
        wanted.extend(refs.into_iter().filter(|n| !defined.contains(n)));
    }
    // Wrappers that send commands on the keys they are given: a call of
    // one in a file that does not name the client is still a command
    // (except names so common that they would select most files).
    for f in parsed_again {
        for call in &f.calls {
            let info = &f.fns[call.func as usize].info;
            let mut words = Vec::new();
            call.keys.iter().for_each(|k| k.mentions(&mut words));
            call.args.iter().for_each(|a| a.key.mentions(&mut words));
            let on_params = words.iter().any(|w| info.params.contains(w));
            if on_params && info.name.len() > 3 && !COMMON_METHODS.contains(&info.name.as_str()) {
                wanted.insert(info.name.clone());
            }
        }
    }
    wanted.retain(|n| {
        n.len() > 1 && !n.starts_with('<') && n.chars().all(|c| c.is_alphanumeric() || c == '_')
    });
    wanted
}

/// Method names of std types and common traits: a wrapper of that name
/// would make nearly every file a candidate.
const COMMON_METHODS: &[&str] = &[
    "insert", "remove", "clear", "contains", "extend", "push", "update", "send", "call", "with",
    "read", "write", "flush", "next", "poll", "drop", "from", "into", "handle", "build",
];

fn key_names(key: &RawKey, out: &mut Vec<String>) {
    for part in &key.0 {
        match part {
            RawPart::Const(n) => out.push(n.clone()),
            RawPart::Call { name, args } => {
                out.push(name.clone());
                args.iter().for_each(|a| key_names(a, out));
            }
            RawPart::Lit(_) | RawPart::Hole(_) | RawPart::TooComplex(_) => {}
        }
    }
}

fn recv_names(recv: &Recv, out: &mut Vec<String>) {
    // Methods on the way (`self.conn()`) that return a Redis type name it,
    // so they sit in files the markers already select.
    if let Recv::Path { root, .. } = recv {
        out.push(match root {
            Root::Type { name, .. } | Root::Static(name) | Root::FnReturn(name) => name.clone(),
        });
    }
}

/// Finds whole-word occurrences of any of a set of names.
pub struct NameSearch {
    matcher: Option<AhoCorasick>,
}

impl NameSearch {
    pub fn new(names: &BTreeSet<String>) -> NameSearch {
        let matcher = (!names.is_empty()).then(|| {
            AhoCorasickBuilder::new()
                .match_kind(MatchKind::Standard)
                .build(names)
                .expect("identifier patterns build")
        });
        NameSearch { matcher }
    }

    /// Whether no name is searched for (nothing can be found).
    pub fn is_empty(&self) -> bool {
        self.matcher.is_none()
    }

    pub fn found_in(&self, text: &str) -> bool {
        let Some(m) = &self.matcher else { return false };
        let bytes = text.as_bytes();
        let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
        m.find_overlapping_iter(text).any(|hit| {
            let before = hit.start().checked_sub(1).map(|i| bytes[i]);
            let after = bytes.get(hit.end()).copied();
            !before.is_some_and(ident) && !after.is_some_and(ident)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_find_clients_in_any_case() {
        let m = Markers::new();
        assert!(m.may_use_redis("use redis::AsyncCommands;"));
        assert!(m.may_use_redis("let pool: deadpool_redis::Pool"));
        assert!(m.may_use_redis("use crate::prelude::AsyncCommands;"));
        assert!(m.may_use_redis("fn f(c: &RedisPool)"));
        assert!(!m.may_use_redis("fn add(a: u32, b: u32) -> u32 { a + b }"));
    }

    #[test]
    fn names_match_whole_words_only() {
        let names: BTreeSet<String> = ["USER_PREFIX".to_string(), "key_for".to_string()].into();
        let s = NameSearch::new(&names);
        assert!(s.found_in("pub const USER_PREFIX: &str = \"user:\";"));
        assert!(s.found_in("fn key_for(id: u64) -> String"));
        assert!(!s.found_in("const OLD_USER_PREFIX_2: &str = \"\";"));
        assert!(!s.found_in("fn key_for_all()"));
        assert!(!NameSearch::new(&BTreeSet::new()).found_in("anything"));
    }
}
