//! `-p NAME`, `--workspace` and `--manifest-path PATH`, as in cargo: the
//! packages' folders, found with `cargo metadata`.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Which packages to lint.
pub(super) struct Packages<'a> {
    /// `-p`: these by name.
    pub names: &'a [String],
    /// `--workspace`: every member.
    pub workspace: bool,
    pub manifest_path: Option<&'a Path>,
}

/// Why the packages could not be found.
#[derive(Debug, thiserror::Error)]
pub(super) enum PackageError {
    #[error("cannot run `cargo metadata`: {0}")]
    Spawn(std::io::Error),
    #[error("`cargo metadata` failed: {0}")]
    Cargo(String),
    #[error("cannot read `cargo metadata`'s output: {0}")]
    Output(String),
    #[error("no package `{0}` in the workspace")]
    NoPackage(String),
}

impl Packages<'_> {
    pub fn asked(&self) -> bool {
        !self.names.is_empty() || self.workspace || self.manifest_path.is_some()
    }

    /// The folders to lint: the named packages', every member's with
    /// `--workspace`, else the manifest's folder.
    pub fn folders(&self) -> Result<Vec<PathBuf>, PackageError> {
        if self.names.is_empty() && !self.workspace {
            let manifest = self.manifest_path.unwrap_or(Path::new("Cargo.toml"));
            let dir = manifest.parent().unwrap_or(Path::new(""));
            return Ok(vec![if dir.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                dir.to_path_buf()
            }]);
        }
        let metadata = self.metadata()?;
        let members: Vec<&serde_json::Value> = metadata["workspace_members"]
            .as_array()
            .map(|m| m.iter().collect())
            .unwrap_or_default();
        let packages = metadata["packages"].as_array().cloned().unwrap_or_default();
        let folder = |p: &serde_json::Value| {
            p["manifest_path"]
                .as_str()
                .and_then(|m| Path::new(m).parent())
                .map(Path::to_path_buf)
        };
        if self.workspace {
            return Ok(packages
                .iter()
                .filter(|p| members.contains(&&p["id"]))
                .filter_map(folder)
                .collect());
        }
        self.names
            .iter()
            .map(|name| {
                packages
                    .iter()
                    .find(|p| p["name"].as_str() == Some(name))
                    .and_then(folder)
                    .ok_or_else(|| PackageError::NoPackage(name.clone()))
            })
            .collect()
    }

    /// `cargo metadata --format-version 1 --no-deps`, run with the `cargo`
    /// on the PATH.
    fn metadata(&self) -> Result<serde_json::Value, PackageError> {
        let mut cargo = Command::new("cargo");
        cargo.args(["metadata", "--format-version", "1", "--no-deps"]);
        if let Some(path) = self.manifest_path {
            cargo.arg("--manifest-path").arg(path);
        }
        let out = cargo.output().map_err(PackageError::Spawn)?;
        if !out.status.success() {
            let err = String::from_utf8_lossy(&out.stderr);
            return Err(PackageError::Cargo(err.trim().to_string()));
        }
        serde_json::from_slice(&out.stdout).map_err(|e| PackageError::Output(e.to_string()))
    }
}
