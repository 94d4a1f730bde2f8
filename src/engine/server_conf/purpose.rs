//! Whether a configuration file runs a server for real: rules about what a
//! configuration leaves out (no `maxmemory`, no password, the latency
//! monitor off) only speak to one that does. The evidence:
//!
//! - where the file is: a folder (or a file name) that says tests, CI,
//!   development, benchmarks or load tests (`tests/`, `ci/`, `dev/`,
//!   `e2e_test/`, `redis-test.conf`) marks it as not deployed;
//! - who mounts it: a `redis.conf` that compose files mount, all of them
//!   test, CI, development or load-test compose files (by their name or
//!   folder: `docker-compose.loadtest.yml`, `ci/compose.yaml`), is not
//!   deployed either;
//! - anything else may deploy a server.
//!
//! Paths are judged below the repository (the nearest folder holding
//! `.git`) or the current directory, never by the folders above them: a
//! checkout under `~/dev/` is not development code.

use std::path::{Path, PathBuf};

use crate::engine::workspace::normal;
use crate::server_conf::{self as conf, Purpose};

/// Words of a folder or file name that mean tests, CI, development,
/// benchmarks or load tests.
const NOT_DEPLOYED: &[&str] = &[
    "test",
    "tests",
    "testing",
    "testdata",
    "ci",
    "dev",
    "devel",
    "development",
    "e2e",
    "integration",
    "bench",
    "benches",
    "benchmark",
    "benchmarks",
    "loadtest",
    "perf",
    "stress",
];

/// Decides the purpose of configuration files, knowing the compose files
/// of the run.
pub(super) struct Purposes {
    cwd: PathBuf,
    /// Each compose file of the run with the host files it mounts.
    composes: Vec<Compose>,
}

struct Compose {
    path: PathBuf,
    mounts: Vec<PathBuf>,
}

impl Purposes {
    /// Reads the compose files among `candidates` (the walked
    /// configuration candidates) for what they mount.
    pub(super) fn new(candidates: &[PathBuf], cwd: &Path) -> Purposes {
        let composes = candidates
            .iter()
            .filter(|p| is_compose(p))
            .filter_map(|path| {
                let bytes = crate::source::read_capped(path, conf::MAX_CONF_BYTES).ok()?;
                let text = String::from_utf8_lossy(&bytes);
                let dir = path.parent().unwrap_or(Path::new(""));
                let mounts = host_files(&text).map(|h| normal(&dir.join(h))).collect();
                Some(Compose {
                    path: path.clone(),
                    mounts,
                })
            })
            .collect();
        Purposes {
            cwd: cwd.to_path_buf(),
            composes,
        }
    }

    /// The purpose of the configuration file at `path` (a redis.conf or a
    /// compose file).
    pub(super) fn of(&self, path: &Path) -> Purpose {
        if self.says_not_deployed(path) {
            return Purpose::NotDeployed;
        }
        let path = normal(path);
        let mut mounters = self
            .composes
            .iter()
            .filter(|c| c.mounts.contains(&path))
            .peekable();
        if mounters.peek().is_some() && mounters.all(|c| self.says_not_deployed(&c.path)) {
            Purpose::NotDeployed
        } else {
            Purpose::Deploys
        }
    }

    /// Whether a folder or the name of the file at `path` (below the
    /// repository or the current directory) says it is not deployed.
    fn says_not_deployed(&self, path: &Path) -> bool {
        let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        let base = absolute
            .ancestors()
            .skip(1)
            .find(|a| a.join(".git").exists())
            .map(Path::to_path_buf)
            .or_else(|| std::path::absolute(&self.cwd).ok())
            .unwrap_or_default();
        let below = absolute.strip_prefix(&base).unwrap_or(&absolute);
        let stem = below.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        let mut names: Vec<&str> = below
            .parent()
            .into_iter()
            .flat_map(|p| p.iter())
            .filter_map(|p| p.to_str())
            .collect();
        names.push(stem);
        names.iter().any(|name| {
            name.split(['-', '_', '.'])
                .any(|w| NOT_DEPLOYED.contains(&w.to_ascii_lowercase().as_str()))
        })
    }
}

fn is_compose(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| conf::is_candidate(path) && !n.to_ascii_lowercase().ends_with(".conf"))
}

/// The host files a compose file mounts that are configuration files
/// (`- ./redis.conf:/usr/local/etc/redis/redis.conf:ro`, or `source:
/// ./redis.conf` in the long form). Folder mounts say nothing about one
/// file and are left out.
fn host_files(text: &str) -> impl Iterator<Item = &str> {
    text.lines().filter_map(|line| {
        let line = line.trim().trim_start_matches('-').trim();
        let host = match line.strip_prefix("source:") {
            Some(rest) => rest.trim(),
            None => line.split(':').next()?,
        };
        let host = host.trim().trim_matches(['"', '\'']);
        host.ends_with(".conf").then_some(host)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compose_mounts() {
        let text = "services:\n  redis:\n    volumes:\n      - ./redis.conf:/usr/local/etc/redis/redis.conf:ro\n      - \"conf/cache.conf:/etc/cache.conf\"\n      - data:/data\n      - type: bind\n        source: ./long.conf\n";
        let got: Vec<&str> = host_files(text).collect();
        assert_eq!(got, ["./redis.conf", "conf/cache.conf", "./long.conf"]);
    }

    #[test]
    fn folders_and_names_that_are_not_deployed() {
        let p = Purposes {
            cwd: PathBuf::from("/nowhere"),
            composes: Vec::new(),
        };
        for path in [
            "/nowhere/ci/redis-conf/redis-7000.conf",
            "/nowhere/tests/redis.conf",
            "/nowhere/e2e_test/redis.conf",
            "/nowhere/deploy/redis-test.conf",
            "/nowhere/docker-compose.loadtest.yml",
        ] {
            assert!(p.says_not_deployed(Path::new(path)), "{path}");
        }
        for path in [
            "/nowhere/deploy/redis.conf",
            "/nowhere/docker/redis-7000.conf",
            "/nowhere/docker-compose.yml",
            "/nowhere/contest/redis.conf",
        ] {
            assert!(!p.says_not_deployed(Path::new(path)), "{path}");
        }
    }
}
