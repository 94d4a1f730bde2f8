//! Helpers shared by the integration tests that lint scratch crates.

use std::path::PathBuf;

/// A fresh one-file crate (`Cargo.toml` + `src/lib.rs` holding `source`)
/// in the temp folder, named after the test binary (`tag`), the process
/// and `name`; returns the crate's folder.
pub fn scratch_crate(tag: &str, name: &str, source: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("redis-lint-{tag}-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        "[package]\nname = \"scratch\"\nversion = \"0.1.0\"\n",
    )
    .unwrap();
    std::fs::write(dir.join("src/lib.rs"), source).unwrap();
    dir
}
