//! The on-disk cache: extracted facts per file, keyed by the file's content,
//! whether it is test code, the tool version and the facts' schema. An unchanged tree skips
//! parsing and extraction entirely; rules still run on every lint, so
//! crate-wide facts stay exact.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::extract::facts::FileFacts;

const FILE_NAME: &str = "facts-v1.json";

/// Bumped whenever extraction records something new or differently: a
/// cache written by a build with the same version number but older
/// extraction (a development build) must not be trusted.
const SCHEMA: u32 = 2;

/// The tool version and facts schema a cache entry was made by.
fn made_by() -> String {
    format!("{}+facts{SCHEMA}", env!("CARGO_PKG_VERSION"))
}

#[derive(Serialize, Deserialize)]
struct Stored {
    tool: String,
    entries: Vec<(u64, FileFacts)>,
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

impl Cache {
    /// Opens the cache in `dir`; a missing, unreadable or outdated cache is
    /// an empty one.
    pub fn open(dir: &Path) -> Cache {
        let entries = std::fs::read(dir.join(FILE_NAME))
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Stored>(&bytes).ok())
            .filter(|s| s.tool == made_by())
            .map(|s| s.entries.into_iter().collect())
            .unwrap_or_default();
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
        std::fs::create_dir_all(&self.dir)?;
        let stored = Stored {
            tool: made_by(),
            entries,
        };
        let tmp = self
            .dir
            .join(format!("{FILE_NAME}.{}.tmp", std::process::id()));
        std::fs::write(
            &tmp,
            serde_json::to_vec(&stored).map_err(std::io::Error::other)?,
        )?;
        std::fs::rename(&tmp, self.dir.join(FILE_NAME))
    }
}
