//! The on-disk cache: extracted facts per file, keyed by the file's content,
//! whether it is test code, the tool version and the facts' schema. An unchanged tree skips
//! parsing and extraction entirely; rules still run on every lint, so
//! crate-wide facts stay exact.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::extract::facts::FileFacts;

/// One line per entry, after a first line naming the build that wrote
/// them (see [`Cache::save`]).
const FILE_NAME: &str = "facts-v2.txt";

/// A cache file larger than this is not read (nor trusted).
const MAX_CACHE_BYTES: u64 = 1 << 30;

/// Bumped whenever extraction records something new or differently: a
/// cache written by a build with the same version number but older
/// extraction (a development build) must not be trusted.
const SCHEMA: u32 = 2;

/// The tool version and facts schema a cache entry was made by.
fn made_by() -> String {
    format!("{}+facts{SCHEMA}", env!("CARGO_PKG_VERSION"))
}

pub struct Cache {
    dir: PathBuf,
    entries: HashMap<u64, FileFacts>,
}

/// The cache key of a file's facts.
pub fn key(text: &str, is_test_file: bool) -> u64 {
    let mut h = DefaultHasher::new();
    made_by().hash(&mut h);
    is_test_file.hash(&mut h);
    text.hash(&mut h);
    h.finish()
}

/// The checksum of an entry: its key (which stands for the source text)
/// and its facts as written, so that an edited, truncated or swapped entry
/// does not verify.
fn checksum(key: u64, facts: &str) -> u64 {
    let mut h = DefaultHasher::new();
    "entry".hash(&mut h);
    key.hash(&mut h);
    facts.hash(&mut h);
    h.finish()
}

/// An entry line: `KEY CHECKSUM FACTS-JSON` (hexadecimal numbers). `None`
/// when it does not verify or does not parse: the file is then parsed
/// again, and this run's entry replaces it.
fn entry(line: &str) -> Option<(u64, FileFacts)> {
    let mut parts = line.splitn(3, ' ');
    let key = u64::from_str_radix(parts.next()?, 16).ok()?;
    let sum = u64::from_str_radix(parts.next()?, 16).ok()?;
    let facts = parts.next()?;
    if checksum(key, facts) != sum {
        return None;
    }
    Some((key, serde_json::from_str(facts).ok()?))
}

impl Cache {
    /// Opens the cache in `dir`; a missing, unreadable or outdated cache is
    /// an empty one, and each entry that does not verify is left out (one
    /// bad entry, e.g. facts nested too deeply to read back, costs that
    /// file's parse, not the whole cache).
    pub fn open(dir: &Path) -> Cache {
        let text = crate::source::read_capped(&dir.join(FILE_NAME), MAX_CACHE_BYTES)
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .unwrap_or_default();
        let mut lines = text.lines();
        let entries = match lines.next() {
            Some(tool) if tool == made_by() => lines
                .collect::<Vec<&str>>()
                .par_iter()
                .filter_map(|line| entry(line))
                .collect(),
            _ => HashMap::new(),
        };
        Cache {
            dir: dir.to_path_buf(),
            entries,
        }
    }

    pub fn get(&self, key: u64) -> Option<&FileFacts> {
        self.entries.get(&key)
    }

    /// Replaces the stored entries with this run's (so entries of deleted or
    /// changed files do not pile up). Written to a temporary file and
    /// renamed, so a crash never leaves a torn cache.
    pub fn save(&self, entries: Vec<(u64, FileFacts)>) -> std::io::Result<()> {
        if !self.dir.exists() {
            std::fs::create_dir_all(&self.dir)?;
            // Like cargo's `target/`: the cache never belongs in version
            // control, and users need not add it to their `.gitignore`.
            std::fs::write(self.dir.join(".gitignore"), "*\n")?;
        }
        let mut text = made_by();
        text.push('\n');
        for (key, facts) in &entries {
            // Compact JSON escapes line breaks: one entry per line.
            let facts = serde_json::to_string(facts).map_err(std::io::Error::other)?;
            let _ = writeln!(text, "{key:x} {:x} {facts}", checksum(*key, &facts));
        }
        let tmp = self
            .dir
            .join(format!("{FILE_NAME}.{}.tmp", std::process::id()));
        std::fs::write(&tmp, text)?;
        std::fs::rename(&tmp, self.dir.join(FILE_NAME))
    }
}
