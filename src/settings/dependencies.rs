//! The `dependencies` setting.

use serde::Deserialize;

/// `dependencies`: whether the crates a workspace's `Cargo.lock` takes
/// from a registry or git and that depend on a Redis client themselves
/// (`libmcaptcha` over `redis`) are read as context, so that the
/// application's calls into them are checked where it makes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Dependencies {
    Follow,
    Ignore,
}

impl Dependencies {
    pub fn as_str(self) -> &'static str {
        match self {
            Dependencies::Follow => "follow",
            Dependencies::Ignore => "ignore",
        }
    }

    /// Its line in `config --show`, with what it means.
    pub(super) fn shown(self) -> String {
        format!(
            "dependencies = \"{}\"\n# {}\n",
            self.as_str(),
            self.explain()
        )
    }

    fn explain(self) -> &'static str {
        match self {
            Dependencies::Follow => {
                "registry and git crates that wrap a Redis client are read (never reported on)"
            }
            Dependencies::Ignore => "only the workspace's own sources are read",
        }
    }
}
