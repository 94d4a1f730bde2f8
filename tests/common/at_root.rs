//! The binary run from the crate root, as the README's commands run it.
//! Included with `#[path = "common/at_root.rs"] mod at_root;` by the tests
//! that use it.

use std::path::Path;
use std::process::{Command, Output};

pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

pub fn lint(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_redis-lint"))
        .args(args)
        .current_dir(root())
        .output()
        .unwrap()
}
