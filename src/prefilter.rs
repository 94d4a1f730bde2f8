//! Skipping the parse of files that cannot matter.
//!
//! Parsing dominates a run, and most files of most crates never touch Redis.
//! A file is parsed when its bytes mention a client (`redis`, `fred::`, a
//! command trait), and then, round by round, when it may change what the
//! parsed files mean:
//!
//! - it *defines* a name the parsed files read: a const or key-builder fn
//!   used in a key, a static or fn a receiver starts from, a struct, alias
//!   or newtype a receiver goes through (followed from struct to field
//!   type), a module declared `#[cfg(test)]`. A definition spells its name
//!   after a keyword (`struct Name`, `const NAME`, `fn name`, `impl .. for
//!   Name`, `type Name`), so only those places count: a file that merely
//!   uses `Config` is not parsed because `Config` is wanted;
//! - it *names* a Redis value the parsed files define under a name without
//!   "redis" in it: an alias (`type Pool = deadpool_redis::Pool`), a struct
//!   holding a connection, a static or fn handing one out. Such a file may
//!   call commands through it.
//!
//! A definition matters only in the parsed file's own crate or in a crate
//! a path names (`common::AppState`): other crates' files are searched for
//! the Redis values only. Each file not parsed is read once; its words are
//! remembered ([`Words`]), and a later round reads it again only when it
//! may hold a name searched for.
//!
//! The findings are the same as parsing everything (tests check it).

use std::collections::{BTreeMap, BTreeSet};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};

use crate::extract::facts::{FileFacts, Op, RawKey, RawPart, Recv, Root};
use crate::extract::types::TypeClass;

mod markers;
mod words;

pub use markers::Markers;
pub use words::Words;

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// What the next round of the name search looks for.
#[derive(Debug, Default, Clone, PartialEq, Eq, Hash)]
pub struct Wanted {
    /// Names the parsed files read but do not define: a file defining one
    /// is parsed.
    pub definitions: BTreeSet<String>,
    /// Of `definitions`, the consts keys are built from: any crate may
    /// define one, whether it can reach a Redis client or not.
    pub key_consts: BTreeSet<String>,
    /// Fns a key is built with: a file defining one that builds a key
    /// (its body a `format!`, `concat!` or literal) is parsed.
    pub key_fns: BTreeSet<String>,
    /// Redis values the parsed files define: a file naming one is parsed.
    pub uses: BTreeSet<String>,
    /// Newtypes the parsed files deref (`impl Deref for Name`): their own
    /// methods (`impl Name { .. }`) count as definitions too.
    pub derefs: BTreeSet<String>,
    /// The first segments of the paths the wanted types and values were
    /// named by (`common` of `common::AppState`): linking looks a name up
    /// in the parsed file's own crate, or in the crate of the run that a
    /// path's first segment names, so only those crates can hold a
    /// definition that matters.
    pub crates: BTreeSet<String>,
    /// Likewise for the key consts and key fns (`keys` of
    /// `keys::user_key`).
    pub key_crates: BTreeSet<String>,
}

impl Wanted {
    /// Everything either wants.
    pub fn union(mut self, other: Wanted) -> Wanted {
        self.definitions.extend(other.definitions);
        self.key_consts.extend(other.key_consts);
        self.key_fns.extend(other.key_fns);
        self.uses.extend(other.uses);
        self.derefs.extend(other.derefs);
        self.crates.extend(other.crates);
        self.key_crates.extend(other.key_crates);
        self
    }

    /// Whether a file can hold any of these names.
    pub fn has_names(&self) -> bool {
        !(self.definitions.is_empty() && self.key_fns.is_empty() && self.uses.is_empty())
    }

    /// What is left to search for after `searched`: the files not parsed
    /// were searched for those names already (a newtype newly seen to
    /// deref is searched again, for its own methods).
    pub fn after(mut self, searched: &Wanted) -> Wanted {
        let derefed: Vec<String> = self
            .derefs
            .difference(&searched.derefs)
            .filter(|n| self.definitions.contains(*n))
            .cloned()
            .collect();
        self.definitions
            .retain(|n| !searched.definitions.contains(n));
        self.key_consts
            .retain(|n| !searched.definitions.contains(n));
        self.definitions.extend(derefed);
        self.key_fns.retain(|n| !searched.key_fns.contains(n));
        self.uses.retain(|n| !searched.uses.contains(n));
        self
    }
}

/// The parsed files' symbol tables, as far as the search needs them.
#[derive(Default)]
struct Tables<'a> {
    defined: BTreeSet<&'a str>,
    /// (struct, field) → the types the field may be.
    fields: BTreeMap<(&'a str, &'a str), Vec<&'a str>>,
    /// Alias or newtype → the type it stands for.
    renames: BTreeMap<&'a str, Vec<&'a str>>,
    /// Static or fn → the type of its value.
    values: BTreeMap<&'a str, Vec<&'a str>>,
    /// Struct, alias, newtype, static or fn → every type its value may be
    /// (all field types, for a struct).
    leads_to: BTreeMap<&'a str, Vec<&'a str>>,
    /// Names whose value is a Redis client, connection or pool (or holds
    /// one, for a struct).
    redis: BTreeSet<&'a str>,
    /// Fns of `impl` blocks: called as methods, not by their bare name.
    methods: BTreeSet<&'a str>,
    /// Newtypes with a deref.
    derefs: BTreeSet<&'a str>,
}

impl<'a> Tables<'a> {
    fn add(&mut self, f: &'a FileFacts) {
        self.defined
            .extend(f.consts.iter().map(|(n, _)| n.as_str()));
        self.defined
            .extend(f.num_consts.iter().map(|(n, _)| n.as_str()));
        self.defined
            .extend(f.builders.iter().map(|b| b.name.as_str()));
        self.defined
            .extend(f.structs.iter().map(|(s, _, _)| s.as_str()));
        self.defined
            .extend(f.statics.iter().map(|(n, _)| n.as_str()));
        self.defined
            .extend(f.fn_returns.iter().map(|(n, _)| n.as_str()));
        self.methods
            .extend(f.impl_fns.iter().map(|(_, m)| m.as_str()));
        for (st, field, class) in &f.structs {
            self.note(st, class);
            if let TypeClass::Struct(to) = class {
                self.fields.entry((st, field)).or_default().push(to);
            }
        }
        self.derefs.extend(f.derefs.iter().map(|(n, _)| n.as_str()));
        for (name, class) in f.aliases.iter().chain(&f.derefs) {
            self.note(name, class);
            if let TypeClass::Struct(to) = class {
                self.renames.entry(name).or_default().push(to);
            }
        }
        for (name, class) in f.statics.iter().chain(&f.fn_returns) {
            self.note(name, class);
            if let TypeClass::Struct(to) = class {
                self.values.entry(name).or_default().push(to);
            }
        }
    }

    fn note(&mut self, name: &'a str, class: &'a TypeClass) {
        match class {
            TypeClass::Redis(..) => {
                self.redis.insert(name);
            }
            TypeClass::Struct(to) => self.leads_to.entry(name).or_default().push(to),
            // An unbounded type parameter reads as an unknown receiver
            // whether or not its struct's file is parsed.
            TypeClass::Other | TypeClass::Param => {}
        }
    }

    /// The names whose definitions decide what a receiver is: its root,
    /// and each struct, alias or newtype on its way as far as the parsed
    /// files tell (the next round goes on from a definition found).
    fn path(&self, root: &'a Root, ops: &'a [Op], out: &mut Vec<&'a str>) {
        let mut at = match root {
            Root::Type { name, .. } => vec![name.as_str()],
            Root::Static(name) | Root::FnReturn(name) => {
                out.push(name);
                self.values.get(name.as_str()).cloned().unwrap_or_default()
            }
        };
        for op in ops {
            at = self.unaliased(at);
            out.extend(&at);
            match op {
                Op::Field(f) => {
                    at = at
                        .iter()
                        .filter_map(|s| self.fields.get(&(short(s), f.as_str())))
                        .flatten()
                        .copied()
                        .collect();
                }
                // Only a Redis result goes on, and that is in a marked file.
                Op::Call(_) => return,
                Op::Get | Op::Clone => {}
            }
        }
        out.extend(self.unaliased(at));
    }

    /// `names` with the aliases and newtypes among them followed.
    fn unaliased(&self, names: Vec<&'a str>) -> Vec<&'a str> {
        let mut seen: Vec<&str> = Vec::new();
        let mut todo = names;
        while let Some(n) = todo.pop() {
            if !seen.contains(&n) {
                seen.push(n);
                todo.extend(self.renames.get(short(n)).into_iter().flatten());
            }
        }
        seen
    }

    /// The names whose values are or hold Redis values.
    fn redis_values(&self) -> BTreeSet<&'a str> {
        let mut redis = self.redis.clone();
        loop {
            let more: Vec<&str> = self
                .leads_to
                .iter()
                .filter(|(n, to)| !redis.contains(*n) && to.iter().any(|t| redis.contains(t)))
                .map(|(n, _)| *n)
                .collect();
            if more.is_empty() {
                return redis;
            }
            redis.extend(more);
        }
    }
}

/// The name a path's last segment: `common::AppState` is declared as
/// `AppState` in `common`.
fn short(name: &str) -> &str {
    name.rsplit("::").next().unwrap_or(name)
}

/// What the parsed files refer to but do not define, and the Redis values
/// they define.
pub fn wanted_names<'a>(parsed: impl IntoIterator<Item = &'a FileFacts> + Clone) -> Wanted {
    let mut tables = Tables::default();
    parsed.clone().into_iter().for_each(|f| tables.add(f));
    let mut keys = KeyNames::default();
    let mut on_paths = Vec::new();
    let mut path = |recv: &'a Recv| {
        if let Recv::Path { root, ops } = recv {
            tables.path(root, ops, &mut on_paths);
        }
    };
    for f in parsed {
        for call in &f.calls {
            call.keys.iter().for_each(|k| keys.add(k));
            call.args.iter().for_each(|a| keys.add(&a.key));
            path(&call.recv);
        }
        f.creations.iter().for_each(|c| path(&c.recv));
        f.pipes
            .iter()
            .filter_map(|p| p.exec.as_ref())
            .for_each(&mut path);
        f.pubsub_uses.iter().for_each(|p| path(&p.recv));
        // Helpers that run commands on their key parameters hold Redis code
        // themselves (so they are parsed already); only the keys passed in
        // may name consts or builders defined elsewhere.
        for h in &f.helper_calls {
            h.args.iter().for_each(|k| keys.add(k));
        }
        f.consts.iter().for_each(|(_, key)| keys.add(key));
        f.builders.iter().for_each(|b| keys.add(&b.key));
    }
    let (mut crates, mut key_crates) = (BTreeSet::new(), BTreeSet::new());
    let wanted = |names: Vec<&str>, crates: &mut BTreeSet<String>| -> BTreeSet<String> {
        crates.extend(
            names
                .iter()
                .filter_map(|n| n.split_once("::"))
                .map(|(first, _)| first.to_string()),
        );
        names
            .into_iter()
            .flat_map(|n| [n, short(n)])
            .filter(|n| !tables.defined.contains(n) && is_plain_name(n))
            .map(str::to_string)
            .collect()
    };
    let key_consts = wanted(keys.consts, &mut key_crates);
    let mut definitions = wanted(on_paths, &mut crates);
    definitions.extend(key_consts.iter().cloned());
    // A builder called by a path (`common::user_key`) may be another
    // crate's even when a local fn has its name: its name is wanted anyway.
    // Only a path through a crate or module counts (`common::user_key`);
    // `Uuid::new_v4` or `std::…` names no builder of the run.
    let through_crate = |n: &str| {
        n.split_once("::").is_some_and(|(first, _)| {
            first.starts_with(|c: char| c.is_ascii_lowercase())
                && !matches!(first, "std" | "core" | "alloc")
        })
    };
    let (qualified, plain): (Vec<&str>, Vec<&str>) =
        keys.fns.into_iter().partition(|n| n.contains("::"));
    let qualified: Vec<&str> = qualified.into_iter().filter(|n| through_crate(n)).collect();
    let mut key_fns = wanted(plain, &mut key_crates);
    key_crates.extend(
        qualified
            .iter()
            .filter_map(|n| n.split_once("::"))
            .map(|(first, _)| first.to_string()),
    );
    key_fns.extend(
        qualified
            .into_iter()
            .map(short)
            .filter(|n| is_plain_name(n))
            .map(str::to_string),
    );
    // A name spelling "redis" is found by the markers already. A method
    // returning a struct that holds a connection (`fn new() -> Self`) is
    // reached through its type's name; one returning a connection itself
    // is named by its callers.
    let uses = tables
        .redis_values()
        .into_iter()
        .filter(|n| !tables.methods.contains(n) || tables.redis.contains(n))
        .filter(|n| is_plain_name(n) && !n.to_ascii_lowercase().contains("redis"))
        .map(str::to_string)
        .collect();
    Wanted {
        definitions,
        key_consts,
        key_fns,
        uses,
        derefs: tables.derefs.iter().map(|n| n.to_string()).collect(),
        crates,
        key_crates,
    }
}

/// The names keys are built from.
#[derive(Default)]
struct KeyNames<'a> {
    consts: Vec<&'a str>,
    fns: Vec<&'a str>,
}

impl<'a> KeyNames<'a> {
    fn add(&mut self, key: &'a RawKey) {
        for part in &key.0 {
            match part {
                RawPart::Const(n) => self.consts.push(n),
                RawPart::Call { name, args } => {
                    self.fns.push(name);
                    args.iter().for_each(|a| self.add(a));
                }
                RawPart::Lit(_) | RawPart::Hole(_) | RawPart::TooComplex(_) => {}
            }
        }
    }
}

/// An identifier (not a path, not a pseudo-field like `<TypeMapKey::Value>`).
fn is_plain_name(n: &str) -> bool {
    n.len() > 1 && n.bytes().all(is_ident)
}

/// How a searched name must occur.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Occurs {
    /// Where a fn of that name builds a key.
    KeyFn,
    /// Where an item defines it.
    Defined,
    /// Anywhere, as a whole word.
    Named,
}

/// Finds the wanted names in a file's text.
pub struct NameSearch {
    matcher: Option<AhoCorasick>,
    /// Per pattern of `matcher`.
    occurs: Vec<Occurs>,
    /// Patterns naming newtypes with a deref.
    derefs: BTreeSet<usize>,
    /// The [`words::hash`] of each pattern.
    hashes: Vec<u64>,
}

impl NameSearch {
    pub fn new(wanted: &Wanted) -> NameSearch {
        let mut patterns: BTreeMap<&str, Occurs> = BTreeMap::new();
        for (n, occurs) in wanted
            .definitions
            .iter()
            .map(|n| (n, Occurs::Defined))
            .chain(wanted.key_fns.iter().map(|n| (n, Occurs::KeyFn)))
            .chain(wanted.uses.iter().map(|n| (n, Occurs::Named)))
        {
            let slot = patterns.entry(n).or_insert(occurs);
            *slot = (*slot).max(occurs);
        }
        let matcher = (!patterns.is_empty()).then(|| {
            AhoCorasickBuilder::new()
                .match_kind(MatchKind::Standard)
                .kind(Some(AhoCorasickKind::DFA))
                .build(patterns.keys())
                .expect("identifier patterns build")
        });
        let derefs = patterns
            .keys()
            .enumerate()
            .filter(|(_, n)| wanted.derefs.contains(**n))
            .map(|(i, _)| i)
            .collect();
        NameSearch {
            matcher,
            hashes: patterns.keys().map(|n| words::hash(n.as_bytes())).collect(),
            occurs: patterns.into_values().collect(),
            derefs,
        }
    }

    /// Whether a file with these words may hold a name searched for: if
    /// not, [`NameSearch::found_in`] its text is false.
    pub fn may_be_in(&self, words: &Words) -> bool {
        self.hashes
            .iter()
            .zip(&self.occurs)
            .any(|(h, occurs)| match occurs {
                Occurs::Named => words.all.may_hold(*h),
                Occurs::Defined | Occurs::KeyFn => words.defined.may_hold(*h),
            })
    }

    /// Whether no name is searched for (nothing can be found).
    pub fn is_empty(&self) -> bool {
        self.matcher.is_none()
    }

    pub fn found_in(&self, text: &str) -> bool {
        let Some(m) = &self.matcher else { return false };
        let bytes = text.as_bytes();
        m.find_overlapping_iter(text).any(|hit| {
            let before = hit.start().checked_sub(1).map(|i| bytes[i]);
            let after = bytes.get(hit.end()).copied();
            let word = !before.is_some_and(is_ident) && !after.is_some_and(is_ident);
            word && match self.occurs[hit.pattern().as_usize()] {
                Occurs::Named => true,
                Occurs::Defined => {
                    let methods = if self.derefs.contains(&hit.pattern().as_usize()) {
                        Methods::Matter
                    } else {
                        Methods::DoNotMatter
                    };
                    defines_at(text, hit.start(), hit.end(), methods)
                }
                Occurs::KeyFn => builds_key_at(text, hit.start(), hit.end()),
            }
        })
    }
}

/// Whether the name at `start..end` is a fn whose body may build a key:
/// `fn name(..) -> String { format!(..) }`, a `concat!` or a literal, alone
/// (perhaps after `return`). In doubt (a comment first), it may.
fn builds_key_at(text: &str, start: usize, end: usize) -> bool {
    let prev = text[..start].trim_end();
    if !prev.ends_with("fn") || prev[..prev.len() - 2].bytes().last().is_some_and(is_ident) {
        return false;
    }
    let Some(open) = text[end..].find(['{', ';']).map(|i| end + i) else {
        return false;
    };
    if text.as_bytes()[open] == b';' {
        return false;
    }
    let body = text[open + 1..].trim_start();
    let body = body.strip_prefix("return").map_or(body, str::trim_start);
    let literal = [
        "\"", "'", "r\"", "r#", "b\"", "b'", "br", "c\"", "true", "false",
    ];
    let opening = ["format", "concat", "//", "/*", "#"];
    literal.iter().chain(&opening).any(|p| body.starts_with(p))
        || body.bytes().next().is_some_and(|b| b.is_ascii_digit())
}

/// Traits whose impls extraction reads: `impl Deref for Name`, `impl
/// TypeMapKey for Name`, pool managers.
const READ_TRAITS: &[&str] = &["Deref", "Key", "ManageConnection", "Manager"];

/// Whether a type's own methods (its inherent `impl` blocks) matter: only
/// for a newtype that derefs to another type, whose methods it does not
/// define are the target's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Methods {
    Matter,
    DoNotMatter,
}

/// Whether the name at `at..end` is being defined: it follows a defining
/// keyword, is the type of an `impl` header line (`impl Deref for
/// crate::Name`; `impl<T> Name<T>` when its `methods` matter), or what a
/// pool manager hands out (`type Connection = Name`).
fn defines_at(text: &str, at: usize, end: usize, methods: Methods) -> bool {
    let before = &text[..at];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let head = item_head(&before[line_start..]);
    if head.starts_with("impl") {
        let after = &text[end..];
        let after = &after[..after.find('\n').unwrap_or(after.len())];
        // An inherent impl (the type's own methods, which a newtype does
        // not pass on), or one of the traits extraction reads.
        return match head.split_once(" for ") {
            Some((tr, _)) => READ_TRAITS.iter().any(|t| tr.contains(t)),
            None => methods == Methods::Matter && !after.contains(" for "),
        };
    }
    if ["type Connection", "type Type"]
        .iter()
        .any(|t| head.starts_with(t))
    {
        return true;
    }
    match last_word(before) {
        ("mut", rest) => last_word(rest).0 == "static",
        (word, _) => words::is_defining(word.as_bytes()),
    }
}

/// The last word of `text` (after trailing blanks), and the text before it.
fn last_word(text: &str) -> (&str, &str) {
    let text = text.trim_end();
    let start = text
        .bytes()
        .rposition(|b| !is_ident(b))
        .map_or(0, |i| i + 1);
    (&text[start..], &text[..start])
}

/// A line with its indentation and `pub`, `pub(..)`, `unsafe`, `default`
/// left out.
fn item_head(line: &str) -> &str {
    let mut head = line.trim_start();
    loop {
        let rest = if let Some(r) = head.strip_prefix("pub(") {
            r.split_once(')').map_or("", |(_, r)| r)
        } else if let Some(r) = ["pub ", "unsafe ", "default "]
            .iter()
            .find_map(|p| head.strip_prefix(p))
        {
            r
        } else {
            return head;
        };
        head = rest.trim_start();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_whole_words_only() {
        let wanted = Wanted {
            uses: ["USER_PREFIX".to_string(), "key_for".to_string()].into(),
            ..Wanted::default()
        };
        let s = NameSearch::new(&wanted);
        assert!(s.found_in("pub const USER_PREFIX: &str = \"user:\";"));
        assert!(s.found_in("fn key_for(id: u64) -> String"));
        assert!(s.found_in("let k = key_for(7);"));
        assert!(!s.found_in("const OLD_USER_PREFIX_2: &str = \"\";"));
        assert!(!s.found_in("fn key_for_all()"));
        assert!(!NameSearch::new(&Wanted::default()).found_in("anything"));
    }

    #[test]
    fn wanted_definitions_are_found_where_defined_only() {
        let wanted = Wanted {
            definitions: ["Config", "PREFIX", "Pooled"].map(String::from).into(),
            ..Wanted::default()
        };
        let s = NameSearch::new(&wanted);
        for defines in [
            "pub(crate) struct Config {",
            "enum Config<T> {",
            "pub const PREFIX: &str = \"p\";",
            "static mut PREFIX: &str = \"\";",
            "impl Deref for crate::state::Config {",
            "unsafe impl TypeMapKey for Config {",
            "    type Connection = Arc<Pooled>;",
            "type Config = Settings;",
            "    type Type = Pooled;",
            "pub async fn Config() {}",
        ] {
            assert!(s.found_in(defines), "{defines}");
        }
        for uses in [
            "fn f(c: &Config) -> Config {",
            "let k = format!(\"{}\", PREFIX);",
            "use crate::Config;",
            "let p: Pooled = pool.get();",
            "    type Item = Config;",
            "impl From<Config> for Settings {",
            "impl fmt::Display for Config {",
            "impl<T: Send> Config<T> {",
            "unsafe impl Send for Config {}",
            "impl From<Settings> for Config {",
            "fn f(c: &mut Config) {}",
            "pub trait Config {}",
        ] {
            assert!(!s.found_in(uses), "{uses}");
        }
    }

    #[test]
    fn a_newtype_s_own_methods_count_when_it_derefs() {
        let wanted = Wanted {
            definitions: ["Cache".to_string()].into(),
            derefs: ["Cache".to_string()].into(),
            ..Wanted::default()
        };
        let s = NameSearch::new(&wanted);
        assert!(s.found_in("impl<T: Send> Cache<T> {"));
        assert!(!s.found_in("impl From<Cache> for Other {"));
    }

    #[test]
    fn key_fns_are_found_where_their_body_builds_a_key() {
        let wanted = Wanted {
            key_fns: ["user_key".to_string()].into(),
            ..Wanted::default()
        };
        let s = NameSearch::new(&wanted);
        for builds in [
            "pub fn user_key(id: u64) -> String { format!(\"user:{id}\") }",
            "fn user_key() -> &'static str {\n    \"users\"\n}",
            "fn user_key<T>(t: T) -> String where T: Display { return concat!(\"a\", \"b\").into(); }",
            "fn user_key() -> u32 { 7 }",
            "fn user_key() -> String {\n    // the prefix\n    format!(\"u\")\n}",
        ] {
            assert!(s.found_in(builds), "{builds}");
        }
        for other in [
            "fn user_key(&self) -> String { self.prefix.clone() }",
            "fn user_key(&self) -> String;",
            "let k = user_key(7);",
            "struct user_key;",
        ] {
            assert!(!s.found_in(other), "{other}");
        }
    }
}
