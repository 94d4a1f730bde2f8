//! The language server tests' fixture: a copy of
//! `fixtures/crates/editor_sessions` in a temporary folder, so that what
//! the editor does there (saving, caching) never touches the repository.

use std::path::{Path, PathBuf};

/// The copied crate; removed when dropped.
pub struct Crate {
    pub dir: tempfile::TempDir,
}

impl Crate {
    pub fn copy() -> Crate {
        let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/crates/editor_sessions");
        let dir = tempfile::tempdir().expect("a temporary folder");
        copy_dir(&from, dir.path());
        Crate { dir }
    }

    pub fn root(&self) -> PathBuf {
        // Canonical, as editors give paths (`/tmp` may be a link).
        self.dir.path().canonicalize().expect("the copy exists")
    }

    pub fn file(&self, rel: &str) -> PathBuf {
        self.root().join(rel)
    }
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).expect("the fixture crate is readable") {
        let entry = entry.expect("a folder entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("a file type").is_dir() {
            std::fs::create_dir_all(&target).expect("a folder in the copy");
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("a file in the copy");
        }
    }
}
