//! Which files name a Redis client at all: the first look of the
//! prefilter, run on every file's text.

use std::collections::BTreeSet;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use super::is_ident;
use crate::extract::types::{FRED_TRAITS, REDIS_BOUNDS, REDIS_TRAITS};

/// Words whose presence makes a file a Redis candidate.
pub struct Markers {
    any_case: AhoCorasick,
    /// The client traits extraction knows, as whole identifiers:
    /// `AsyncCommands`, `KeysInterface`, `ConnectionLike`, `ClientLike`; not
    /// `GetInterfaceInfo`, `ComInterface` or `UsbInterface`.
    traits: AhoCorasick,
    /// `kv::` for a client crate depended on as `kv`.
    renamed: Option<AhoCorasick>,
}

impl Markers {
    /// The markers, and the names under which crates of the run depend on
    /// a client crate (`kv = { package = "redis" }`).
    pub fn with_crate_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Markers {
        let paths: BTreeSet<String> = names.into_iter().map(|n| format!("{n}::")).collect();
        Markers {
            renamed: (!paths.is_empty())
                .then(|| AhoCorasick::new(paths).expect("crate names build")),
            ..Markers::new()
        }
    }

    pub fn new() -> Markers {
        Markers {
            renamed: None,
            any_case: AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .build(["redis", "fred::", "valkey"])
                .expect("static patterns build"),
            // A hit that may name a trait is a whole identifier, so it
            // never overlaps another such hit: the longest hit at each
            // start is enough (`AsyncCommands`, not its `Commands`).
            traits: AhoCorasickBuilder::new()
                .match_kind(MatchKind::LeftmostLongest)
                .build(REDIS_TRAITS.iter().chain(REDIS_BOUNDS).chain(FRED_TRAITS))
                .expect("static patterns build"),
        }
    }

    /// Whether the text may use a client. The searches need not report
    /// overlapping hits (which would cost them their fast prefilters):
    /// no two occurrences of the client words overlap.
    pub fn may_use_redis(&self, text: &str) -> bool {
        let bytes = text.as_bytes();
        self.any_case
            .find_iter(text)
            .any(|hit| names_a_client(bytes, hit.start(), hit.end()))
            || self.renamed.as_ref().is_some_and(|r| r.is_match(text))
            || self
                .traits
                .find_iter(text)
                .any(|hit| may_name_a_trait(bytes, hit.start(), hit.end()))
    }
}

/// Whether the hit at `start..end`, a client trait's name, is a whole
/// identifier that may name the trait: imported (`use ..::KeysInterface;`)
/// or as a bound (`C: ConnectionLike + Send`). Not inside a longer name
/// (`ComInterface`, `UsbInterface`: generated bindings hold thousands), and
/// not where a name is defined or is a field (`pub struct KeysInterface`,
/// `pub ClientLike: u16`, `vtable.Commands`), nor in a line comment.
fn may_name_a_trait(bytes: &[u8], start: usize, end: usize) -> bool {
    let whole = start.checked_sub(1).is_none_or(|i| !is_ident(bytes[i]))
        && !bytes.get(end).copied().is_some_and(is_ident);
    if !whole {
        return false;
    }
    let rest = skip_spaces(&bytes[end..]);
    let defined_or_field = match rest {
        // A turbofish: a generic fn's path (`EventInterface::<Identity>`);
        // no client trait takes type parameters.
        [b':', b':', b'<', ..] => true,
        [b':', b':', ..] => false,
        [b':' | b'(' | b'=', ..] => true,
        _ => false,
    };
    let before = bytes[..start].trim_ascii_end();
    // A field or method (`(*vtable).Commands)(..)`), or prose in a
    // comment ("/// * Commands must be executed").
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    if before.ends_with(b".") || before[line_start..].trim_ascii_start().starts_with(b"//") {
        return false;
    }
    let word_start = before
        .iter()
        .rposition(|&b| !is_ident(b))
        .map_or(0, |i| i + 1);
    let declares = matches!(
        &before[word_start..],
        b"const" | b"static" | b"fn" | b"type" | b"struct" | b"enum" | b"let" | b"mut"
    );
    !defined_or_field && !declares
}

fn skip_spaces(bytes: &[u8]) -> &[u8] {
    let n = bytes.iter().take_while(|b| b.is_ascii_whitespace()).count();
    &bytes[n..]
}

/// Whether the marker found at `start..end` starts a word that can name a
/// client: `redis`, `deadpool_redis`, `RedisPool`, `MyRedis`, `REDIS_URL`,
/// `rediss://`. Inside other words the letters are chance: `CredIsValid`,
/// `ShareDisposition`, `PREDISMOUNT`, `INVALID_REDIST`, `REDISCOVER`, and
/// "Redistribution" in license headers. Without this, generated tables
/// (megabytes of syn tree each) were parsed for such names.
fn names_a_client(bytes: &[u8], start: usize, end: usize) -> bool {
    let hit = &bytes[start..end];
    let before = start.checked_sub(1).map(|i| bytes[i]);
    let after = bytes.get(end).copied();
    // A word starts here, or a camel-case hump does (`MyRedis`, `bb8Redis`).
    let starts_word = match before {
        Some(b) if b.is_ascii_alphanumeric() => {
            hit[0].is_ascii_uppercase() && (b.is_ascii_lowercase() || b.is_ascii_digit())
        }
        _ => true,
    };
    // An all-caps hit running on into more capitals is part of a longer
    // word (`REDISCOVER`); `REDIS_URL` and `REDIS::` end where they should.
    let caps_run_on =
        hit.iter().all(u8::is_ascii_uppercase) && after.is_some_and(|b| b.is_ascii_uppercase());
    let redistributes = bytes
        .get(end..end + REDISTRIBUTE_TAIL.len())
        .is_some_and(|tail| tail.eq_ignore_ascii_case(REDISTRIBUTE_TAIL));
    starts_word && !caps_run_on && !redistributes
}

impl Default for Markers {
    fn default() -> Self {
        Markers::new()
    }
}

/// What follows "redis" in "redistribute", "redistribution".
const REDISTRIBUTE_TAIL: &[u8] = b"tribut";

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
        let license = "// Redistribution and use in source and binary forms are permitted";
        assert!(!m.may_use_redis(license));
        assert!(m.may_use_redis(&format!("{license}\nuse redis::Client;")));
    }

    #[test]
    fn markers_need_the_start_of_a_word() {
        let m = Markers::new();
        for named in [
            "let url = \"rediss://cache:6380\";",
            "const REDIS_URL: &str = \"\";",
            "struct MyRedisPool;",
            "type Pool = bb8_redis::RedisConnectionManager;",
            "let c = fred::prelude::Client::default();",
            "let v = valkey_url();",
        ] {
            assert!(m.may_use_redis(named), "{named}");
        }
        for chance in [
            "pub fn CredIsValid() {}",
            "pub ShareDisposition: u8,",
            "pub const CHANGER_PREDISMOUNT_ALWAYS: u32 = 1;",
            "pub const D3D12_ERROR_INVALID_REDIST: HRESULT = 0;",
            "pub const DS_FORCE_REDISCOVERY: u32 = 1;",
        ] {
            assert!(!m.may_use_redis(chance), "{chance}");
        }
    }

    #[test]
    fn trait_markers_need_a_use_or_a_bound() {
        let m = Markers::new();
        for named in [
            "use crate::prelude::AsyncCommands;",
            "use fred::interfaces::{KeysInterface, HashesInterface};",
            "fn f<C: ConnectionLike + Send>(c: &mut C) {}",
            "fn g<C>(c: &C) where C: KeysInterface {}",
            "fn h(c: &dyn ClientLike) {}",
        ] {
            assert!(m.may_use_redis(named), "{named}");
        }
        for own in [
            "pub const ClientInterface: CLIENT_TYPE = 6i32;",
            "pub struct Foo { pub ListInterface: u16 }",
            "pub fn KeysInterface(x: u32) -> u32;",
            "pub type ClientLike = u32;",
            "let AsyncCommands = 1;",
        ] {
            assert!(!m.may_use_redis(own), "{own}");
        }
    }

    #[test]
    fn trait_markers_are_whole_client_trait_names() {
        let m = Markers::new();
        assert!(m.may_use_redis("fn f<C: KeysInterface>(c: &C) {}"));
        assert!(m.may_use_redis("fn f<C: ClientLike>(c: &C) {}"));
        assert!(m.may_use_redis("use crate::prelude::AsyncCommands;"));
        for other in [
            "let n = GetInterfaceInfo(); let c = CommandsTable::new();",
            "iid == &<ITensor as ::windows::core::ComInterface>::IID",
            "impl windows_core::Interface for IStorage {}",
            "fn f<T: UsbInterface>(t: &T) {}",
            "(windows::core::Interface::vtable(self).EventInterface)(this)",
            "/// * Commands must be executed or queued",
            "EventInterface: EventInterface::<Identity, OFFSET>,",
            "fn g<C: MyKeysInterface>(c: &C) {}",
        ] {
            assert!(!m.may_use_redis(other), "{other}");
        }
    }

    /// The searches report no overlapping hits: a hit that fails must not
    /// hide one that would pass.
    #[test]
    fn a_failed_hit_hides_no_other() {
        let m = Markers::new();
        // `Commands` ends `AsyncCommands`; the longer hit is the one read.
        assert!(m.may_use_redis("fn f<C: AsyncCommands>(c: &C) {}"));
        assert!(m.may_use_redis("fn f<C: Commands>(c: &C) {}"));
        assert!(!m.may_use_redis("fn f<C: MyAsyncCommands>(c: &C) {}"));
        // A rejected `redis` inside a word, then a marker right after it.
        assert!(m.may_use_redis("let INVALID_REDIST = 1; use deadpool_redis::Pool;"));
        assert!(m.may_use_redis("credis redis::Client::open(url)"));
    }
}
