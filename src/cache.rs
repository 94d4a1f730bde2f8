//! The on-disk cache: what a run learned about each Rust file (its size,
//! modification time and content hash, whether it mentions a Redis client,
//! whether it was parsed) and the facts extracted from it. A file whose size
//! and modification time are unchanged is not read again (one whose stamp
//! is too close to the cache's own write time is hashed, as its content may
//! have changed within the same clock tick); when every file is unchanged,
//! the parsed files are those of the last run and nothing is parsed. Rules
//! still run on every lint, so crate-wide facts stay exact.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::extract::facts::FileFacts;
use crate::extract::CrateInputs;

/// One line per entry, after a first line naming the build that wrote
/// them (see [`Cache::save`]).
const FILE_NAME: &str = "facts-v2.txt";

/// A cache file larger than this is not read (nor trusted).
const MAX_CACHE_BYTES: u64 = 1 << 30;

/// Bumped whenever extraction records something new or differently, or the
/// entries change shape: a cache written by a build with the same version
/// number but older extraction (a development build) must not be trusted.
const SCHEMA: u32 = 18;

/// A file modified less than this before the cache was written may have
/// changed again without its modification time moving (coarse clocks).
const RACY: Duration = Duration::from_secs(2);

/// The tool version and facts schema a cache entry was made by.
fn made_by() -> String {
    format!("{}+facts{SCHEMA}", env!("CARGO_PKG_VERSION"))
}

/// The cache key of a file's facts; `inputs`: [`inputs_hash`] of its
/// crate's inputs.
pub fn key(text: &str, is_test_file: bool, inputs: u64) -> u64 {
    let mut h = DefaultHasher::new();
    made_by().hash(&mut h);
    is_test_file.hash(&mut h);
    inputs.hash(&mut h);
    text.hash(&mut h);
    h.finish()
}

/// What a crate gives the extraction of each of its files, hashed: a file's
/// facts hold only while it is the same.
pub fn inputs_hash(inputs: &CrateInputs) -> u64 {
    let mut h = DefaultHasher::new();
    inputs.hash(&mut h);
    h.finish()
}

/// A modification time, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mtime {
    secs: u64,
    nanos: u32,
}

impl Mtime {
    /// `None` for a time before 1970 or one the platform does not give.
    pub fn of(meta: &std::fs::Metadata) -> Option<Mtime> {
        let since = meta.modified().ok()?.duration_since(SystemTime::UNIX_EPOCH);
        since.ok().map(|d| Mtime {
            secs: d.as_secs(),
            nanos: d.subsec_nanos(),
        })
    }

    fn time(self) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::new(self.secs, self.nanos)
    }
}

/// What one run learned about one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    pub size: u64,
    pub mtime: Mtime,
    /// [`key`] of the content, for the file's test-ness.
    pub key: u64,
    pub is_test: bool,
    /// [`inputs_hash`] of its crate's inputs.
    pub inputs: u64,
    /// Whether the prefilter's markers occur in it.
    pub marker: bool,
    /// Whether the run parsed it (or took its facts from the cache).
    pub parsed: bool,
}

/// A cache entry: a file's stamp, and its facts when it was parsed
/// without a problem.
#[derive(Debug, Deserialize)]
struct Entry {
    path: PathBuf,
    stamp: Stamp,
    facts: Option<FileFacts>,
}

/// An entry to write, borrowing this run's facts (the same JSON as
/// [`Entry`]): saving the cache copies nothing.
#[derive(Debug, Serialize)]
pub struct EntryRef<'a> {
    pub path: &'a Path,
    pub stamp: &'a Stamp,
    pub facts: Option<&'a FileFacts>,
}

/// How a file compares with its stamp.
pub enum Seen<'a> {
    /// Same size and modification time, long enough before the cache was
    /// written.
    Unchanged(&'a Stamp),
    /// Same size, but the time differs or is too recent: only the content
    /// can tell.
    InDoubt(&'a Stamp),
    /// Not in the cache, or changed.
    New,
}

pub struct Cache {
    dir: PathBuf,
    /// When the cache file was last written.
    written: Option<SystemTime>,
    stamps: HashMap<PathBuf, Stamp>,
    /// Keys of the entries with facts.
    with_facts: HashSet<u64>,
    /// The facts not taken yet: each is moved out to the file that needs
    /// it, so a warm run holds one copy.
    facts: Mutex<HashMap<u64, FileFacts>>,
}

/// The checksum of an entry as written, so that an edited, truncated or
/// swapped entry does not verify.
fn checksum(entry: &str) -> u64 {
    let mut h = DefaultHasher::new();
    "entry".hash(&mut h);
    entry.hash(&mut h);
    h.finish()
}

/// An entry line: `CHECKSUM ENTRY-JSON` (hexadecimal checksum). `None`
/// when it does not verify or does not parse: the file is then read and
/// parsed again, and this run's entry replaces it.
fn entry(line: &str) -> Option<Entry> {
    let (sum, json) = line.split_once(' ')?;
    if u64::from_str_radix(sum, 16).ok()? != checksum(json) {
        return None;
    }
    serde_json::from_str(json).ok()
}

impl Cache {
    /// Opens the cache in `dir`; a missing, unreadable or outdated cache is
    /// an empty one, and each entry that does not verify is left out (one
    /// bad entry, e.g. facts nested too deeply to read back, costs that
    /// file's parse, not the whole cache).
    pub fn open(dir: &Path) -> Cache {
        let path = dir.join(FILE_NAME);
        let text = crate::source::read_capped(&path, MAX_CACHE_BYTES)
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .unwrap_or_default();
        let mut lines = text.lines();
        let entries: Vec<Entry> = match lines.next() {
            Some(tool) if tool == made_by() => lines
                .collect::<Vec<&str>>()
                .par_iter()
                .filter_map(|line| entry(line))
                .collect(),
            _ => Vec::new(),
        };
        let mut cache = Cache {
            dir: dir.to_path_buf(),
            written: std::fs::metadata(&path).and_then(|m| m.modified()).ok(),
            stamps: HashMap::with_capacity(entries.len()),
            with_facts: HashSet::new(),
            facts: Mutex::default(),
        };
        let facts = cache
            .facts
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner);
        for e in entries {
            if let Some(f) = e.facts {
                cache.with_facts.insert(e.stamp.key);
                facts.insert(e.stamp.key, f);
            }
            cache.stamps.insert(e.path, e.stamp);
        }
        cache
    }

    /// The cached facts of the content with this key, moved out: a second
    /// file of the same content is parsed again.
    pub fn take(&self, key: u64) -> Option<FileFacts> {
        let mut facts = self.facts.lock().unwrap_or_else(PoisonError::into_inner);
        facts.remove(&key)
    }

    /// How `path` (of test code or not, of a crate with inputs hashed to
    /// `inputs`, with metadata `meta`) compares with its stamp.
    pub fn seen(
        &self,
        path: &Path,
        meta: &std::fs::Metadata,
        is_test: bool,
        inputs: u64,
    ) -> Seen<'_> {
        let Some(stamp) = self.stamps.get(path) else {
            return Seen::New;
        };
        if stamp.size != meta.len() || stamp.is_test != is_test || stamp.inputs != inputs {
            return Seen::New;
        }
        let settled = self.written.is_some_and(|w| stamp.mtime.time() + RACY <= w);
        match Mtime::of(meta) {
            Some(mtime) if mtime == stamp.mtime && settled => Seen::Unchanged(stamp),
            _ => Seen::InDoubt(stamp),
        }
    }

    /// Whether the last run linted exactly `files` (nothing added or
    /// removed since).
    pub fn covers_exactly(&self, files: &[PathBuf]) -> bool {
        self.stamps.len() == files.len() && files.iter().all(|f| self.stamps.contains_key(f))
    }

    /// Replaces the stored entries with this run's (so entries of deleted or
    /// changed files do not pile up); nothing is written when they are the
    /// stored ones. Written to a temporary file and renamed, so a crash
    /// never leaves a torn cache.
    pub fn save(&self, entries: Vec<EntryRef>) -> std::io::Result<()> {
        if self.holds_exactly(&entries) {
            return Ok(());
        }
        if !self.dir.exists() {
            std::fs::create_dir_all(&self.dir)?;
            // Like cargo's `target/`: the cache never belongs in version
            // control, and users need not add it to their `.gitignore`.
            std::fs::write(self.dir.join(".gitignore"), "*\n")?;
        }
        let mut text = made_by();
        text.push('\n');
        for e in &entries {
            // Compact JSON escapes line breaks: one entry per line. A path
            // JSON cannot spell (not UTF-8) is left out of the cache.
            let Ok(json) = serde_json::to_string(e) else {
                continue;
            };
            let _ = writeln!(text, "{:x} {json}", checksum(&json));
        }
        let tmp = self
            .dir
            .join(format!("{FILE_NAME}.{}.tmp", std::process::id()));
        std::fs::write(&tmp, text)?;
        std::fs::rename(&tmp, self.dir.join(FILE_NAME))
    }

    /// Whether `entries` are those read from the cache file.
    fn holds_exactly(&self, entries: &[EntryRef]) -> bool {
        entries.len() == self.stamps.len()
            && entries.iter().all(|e| {
                self.stamps.get(e.path) == Some(e.stamp)
                    && e.facts.is_some() == self.with_facts.contains(&e.stamp.key)
            })
    }
}
