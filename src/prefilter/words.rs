//! Which words a file may hold, remembered after one read: the name
//! search's later rounds ask it first and read again only the files that
//! may hold a name they look for.
//!
//! A word is a maximal run of ASCII letters, digits and `_`, as the name
//! search's whole-word rule has it, so a name found in a file's text is
//! always among its words. Common names (`Config`, `new`) are in most
//! files, but wanted only where an item defines them: those are also kept
//! apart, the words that may be defined where they stand (after a defining
//! keyword, or anywhere on a line with `impl` or `type`: a superset of
//! what the search accepts as a definition). Each set is a Bloom filter
//! (about two bytes per distinct word): it may answer "maybe" for a word
//! the file lacks, then the text is read and searched as before; it never
//! answers "no" for a word the file holds.

/// Bits per distinct word: with [`PROBES`] probes, about 0.5 % of absent
/// words answer "maybe".
const BITS_PER_WORD: usize = 16;
const PROBES: u64 = 3;

/// The words of one file: all of them, and those that may be defined
/// where they stand.
#[derive(Debug, Clone)]
pub struct Words {
    pub all: WordSet,
    pub defined: WordSet,
}

impl Words {
    pub fn of(text: &str) -> Words {
        let bytes = text.as_bytes();
        let mut all = Vec::with_capacity(bytes.len() / 8);
        let mut defined = Vec::new();
        // Where the current line's words start in `all`, and whether the
        // line has `impl` or `type` (then every word on it may be defined).
        let (mut line_start, mut whole_line) = (0, false);
        let (mut prev, mut before): (&[u8], &[u8]) = (b"", b"");
        let mut i = 0;
        // One pass, byte by byte: this runs on every file not parsed.
        while i < bytes.len() {
            if !super::is_ident(bytes[i]) {
                if bytes[i] == b'\n' {
                    if std::mem::take(&mut whole_line) {
                        defined.extend_from_slice(&all[line_start..]);
                    }
                    line_start = all.len();
                }
                i += 1;
                continue;
            }
            let start = i;
            while i < bytes.len() && super::is_ident(bytes[i]) {
                i += 1;
            }
            let word = &bytes[start..i];
            let h = hash(word);
            all.push(h);
            whole_line |= matches!(word, b"impl" | b"type");
            let after_keyword = match prev {
                b"mut" => before == b"static",
                p => is_defining(p),
            };
            // A word on a whole line is added with the line.
            if after_keyword && !whole_line {
                defined.push(h);
            }
            (before, prev) = (prev, word);
        }
        if whole_line {
            defined.extend_from_slice(&all[line_start..]);
        }
        Words {
            all: WordSet::of(all),
            defined: WordSet::of(defined),
        }
    }
}

/// One set of words.
#[derive(Debug, Clone)]
pub struct WordSet {
    bits: Box<[u64]>,
}

impl WordSet {
    /// The set of words with these [`hash`]es.
    fn of(mut hashes: Vec<u64>) -> WordSet {
        hashes.sort_unstable();
        hashes.dedup();
        // A power of two, so that a probe is a mask.
        let len = (hashes.len() * BITS_PER_WORD).next_power_of_two().max(64) / 64;
        let mut set = WordSet {
            bits: vec![0; len].into_boxed_slice(),
        };
        for h in hashes {
            for bit in set.probes(h) {
                set.bits[bit / 64] |= 1 << (bit % 64);
            }
        }
        set
    }

    /// Whether the file may hold `word` (whose [`hash`] is given).
    pub fn may_hold(&self, word: u64) -> bool {
        self.probes(word)
            .all(|bit| self.bits[bit / 64] & (1 << (bit % 64)) != 0)
    }

    fn probes(&self, h: u64) -> impl Iterator<Item = usize> {
        let mask = (self.bits.len() * 64 - 1) as u64;
        let step = h.rotate_left(32) | 1;
        (0..PROBES).map(move |i| (h.wrapping_add(i.wrapping_mul(step)) & mask) as usize)
    }
}

/// Whether a name is being defined after this keyword (`static mut NAME`
/// aside; the `for Name` of an `impl`). A `match`, as it runs for every
/// word of every file not parsed.
pub(super) fn is_defining(word: &[u8]) -> bool {
    matches!(
        word,
        b"struct" | b"enum" | b"union" | b"type" | b"fn" | b"const" | b"static" | b"for"
    )
}

/// A word's hash, for [`WordSet::may_hold`].
pub fn hash(word: &[u8]) -> u64 {
    // Eight bytes at a time (most words take one step), each step a
    // multiply; the length keeps `a` and `a\0` apart.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ word.len() as u64;
    for chunk in word.chunks(8) {
        let mut eight = [0u8; 8];
        eight[..chunk.len()].copy_from_slice(chunk);
        h = (h ^ u64::from_le_bytes(eight)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        h = h.rotate_left(29);
    }
    // Finish it, so that every bit of the result depends on every byte
    // (splitmix64's finaliser).
    h ^= h >> 30;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_of_a_text_is_held() {
        let text = "pub const USER_PREFIX: &str = \"user:\"; fn key_for(id: u64) -> String { é2x }";
        let words = Words::of(text);
        for w in [
            "pub",
            "const",
            "USER_PREFIX",
            "user",
            "key_for",
            "u64",
            "String",
            "2x",
        ] {
            assert!(words.all.may_hold(hash(w.as_bytes())), "{w}");
        }
    }

    #[test]
    fn defined_words_stand_after_a_keyword_or_on_an_impl_or_type_line() {
        let text =
            "pub struct\n  Config { pool: Pool }\nstatic mut COUNT: u32 = 0;\nlet mut local = 1;\n\
                    impl<T> Deref for Cache<T> {\n    type Connection = Pooled;\nfn user_key() {}";
        let words = Words::of(text);
        for w in [
            "Config",
            "COUNT",
            "Deref",
            "Cache",
            "Pooled",
            "Connection",
            "user_key",
        ] {
            assert!(words.defined.may_hold(hash(w.as_bytes())), "{w}");
        }
        for w in ["pool", "Pool", "local", "u32"] {
            assert!(!words.defined.may_hold(hash(w.as_bytes())), "{w}");
            assert!(words.all.may_hold(hash(w.as_bytes())), "{w}");
        }
    }

    #[test]
    fn absent_words_are_mostly_refused() {
        let text: String = (0..500).map(|i| format!("word{i} ")).collect();
        let set = Words::of(&text).all;
        let maybe = (500..10_500)
            .filter(|i| set.may_hold(hash(format!("word{i}").as_bytes())))
            .count();
        assert!(maybe < 200, "{maybe} of 10,000 absent words answered maybe");
        assert!(!Words::of("").all.may_hold(hash(b"anything")));
    }
}
