//! Redis configuration files (redis.conf, sentinel.conf, and `redis-server
//! --opt value` command lines in compose files): the model conf rules read.
//!
//! - [`is_candidate`] says which walked files may be configurations
//!   (`*.conf`, `docker-compose*.yml`, `compose*.yaml`, …);
//! - [`classify`] decides from the name and the text whether one is a Redis
//!   or Sentinel configuration or a compose file that runs `redis-server`
//!   (nginx.conf and friends are not);
//! - [`load`] parses it ([`parse`], [`compose`]) and follows its `include`s.

pub mod compose;
mod include;
pub mod parse;
mod secrets;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::source::{FileId, Pos, Span};

use include::Loader;
pub use include::{only_lines, IncludeScope};
pub use parse::{parse_memory, show_memory, ParseError};
pub use secrets::secret_ranges;

/// What kind of file the directives came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfKind {
    Redis,
    Sentinel,
    /// `redis-server` options on a docker-compose command line.
    Compose,
}

/// One directive: `maxmemory 4gb` (or `--maxmemory 4gb` on a command line).
#[derive(Debug, Clone, PartialEq)]
pub struct Directive {
    /// Lower-cased name.
    pub name: String,
    pub args: Vec<String>,
    /// The whole line's directive in a .conf file; the `--name` word on a
    /// command line.
    pub span: Span,
    /// Where each argument is written (quotes included).
    pub arg_spans: Vec<Span>,
    /// The file it is written in: an included file's directives keep theirs.
    pub file: FileId,
}

impl Directive {
    pub fn arg(&self, i: usize) -> Option<&str> {
        self.args.get(i).map(String::as_str)
    }

    /// Where argument `i` is written, or the directive when it has none.
    pub fn arg_span(&self, i: usize) -> Span {
        self.arg_spans.get(i).copied().unwrap_or(self.span)
    }

    /// From the name to the end of the last argument.
    pub fn full_span(&self) -> Span {
        Span {
            start: self.span.start,
            end: self.arg_spans.last().map_or(self.span.end, |s| s.end),
        }
    }

    /// A `yes` / `no` argument (case-insensitive, as Redis reads booleans).
    pub fn flag(&self) -> Option<bool> {
        match self.arg(0)?.to_ascii_lowercase().as_str() {
            "yes" => Some(true),
            "no" => Some(false),
            _ => None,
        }
    }

    /// A memory-size argument (`4gb`, `100mb`, `1k`).
    pub fn memory(&self) -> Option<u64> {
        parse_memory(self.arg(0)?)
    }

    /// An integer argument.
    pub fn integer(&self) -> Option<i64> {
        self.arg(0)?.trim().parse().ok()
    }
}

/// A parsed configuration file.
#[derive(Debug, Clone)]
pub struct ConfFile {
    pub file: FileId,
    pub kind: ConfKind,
    /// In the order Redis applies them, included files inlined.
    pub directives: Vec<Directive>,
    /// Whether these directives are the whole configuration, so that an
    /// absent directive has Redis's default value: false when an `include`
    /// could not be read, and for a command line that also names a
    /// configuration file.
    pub complete: bool,
    /// Compose only: the configuration file given to `redis-server` before
    /// its options.
    pub config_file: Option<String>,
    /// Where the configuration starts: an empty span at the top of a file,
    /// the `redis-server` word of a command line. Findings about something
    /// missing point here.
    pub origin: Span,
    /// Whether it runs a server for real (set by the engine from where the
    /// file is and what mounts it).
    pub purpose: Purpose,
}

/// Whether a configuration runs a server for real.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// It may deploy a server: what it leaves out takes Redis's default in
    /// production.
    Deploys,
    /// Only tests, CI, development or load tests use it (by its folder or
    /// name, or the compose files that mount it): what it leaves out is no
    /// production risk and is not reported; what it sets still is.
    NotDeployed,
}

impl ConfFile {
    /// The effective directive of that name (the last one wins).
    pub fn get(&self, name: &str) -> Option<&Directive> {
        self.directives.iter().rev().find(|d| d.name == name)
    }

    /// The first argument of the effective directive, lower-cased.
    pub fn value(&self, name: &str) -> Option<String> {
        Some(self.get(name)?.arg(0)?.to_ascii_lowercase())
    }

    /// Whether a missing directive is worth a finding: only in a complete
    /// redis.conf that deploys a server. Compose command lines usually set
    /// a few options for a development container, on top of the image's
    /// defaults.
    pub fn reports_missing(&self) -> bool {
        self.kind == ConfKind::Redis && self.judges_absence()
    }

    /// Whether what this configuration leaves out is known (it is complete)
    /// and matters (it deploys a server; see [`Purpose`]).
    pub fn judges_absence(&self) -> bool {
        self.complete && self.purpose == Purpose::Deploys
    }

    /// Whether the append-only file is on: `Some(false)` when it is off or
    /// left at its default in a complete configuration, `None` when unknown.
    pub fn aof(&self) -> Option<bool> {
        match self.get("appendonly") {
            Some(d) => d.flag(),
            None => self.complete.then_some(false),
        }
    }

    /// Whether RDB snapshots are switched off: the effective `save` is
    /// `save ""` (a later `save 900 1` adds a snapshot point again).
    pub fn rdb_disabled(&self) -> bool {
        self.get("save")
            .is_some_and(|d| d.args.iter().all(|a| a.is_empty()))
    }

    /// RDB off and AOF off: nothing survives a restart.
    pub fn persistence_off(&self) -> bool {
        self.rdb_disabled() && self.aof() == Some(false)
    }

    /// The effective `maxmemory` in bytes: `Some(0)` for unlimited (also
    /// when absent from a complete configuration), `None` when unknown.
    pub fn maxmemory(&self) -> Option<u64> {
        match self.get("maxmemory") {
            Some(d) => d.memory(),
            None => self.complete.then_some(0),
        }
    }
}

/// A file read for a configuration: the root, or one it includes.
#[derive(Debug, Clone)]
pub struct Source {
    /// As found (the root) or as joined from the include (normalised).
    pub path: PathBuf,
    pub text: Arc<str>,
}

/// A configuration file and what it includes.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The root first, then each included file once.
    pub sources: Vec<Source>,
    /// The configurations found (one per file; one per `redis-server`
    /// command in a compose file). Their `FileId`s index `sources`.
    pub confs: Vec<ConfFile>,
    /// The canonical paths of the included files.
    pub included: Vec<PathBuf>,
}

/// Why a configuration file could not be linted.
#[derive(Debug, Clone)]
pub struct LoadError {
    pub path: PathBuf,
    /// Read errors have no text; parse errors do, and a span.
    pub text: Option<Arc<str>>,
    pub span: Option<Span>,
    pub message: String,
}

/// Whether a walked file may be a configuration, by its name: `*.conf`,
/// `docker-compose*.yml|yaml`, `compose*.yml|yaml`.
pub fn is_candidate(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    let name = name.to_ascii_lowercase();
    name.ends_with(".conf") || is_compose_name(&name)
}

fn is_compose_name(name: &str) -> bool {
    (name.starts_with("docker-compose") || name.starts_with("compose"))
        && (name.ends_with(".yml") || name.ends_with(".yaml"))
}

/// Directives that only Redis configurations use: one of them, with one
/// more known directive, makes a `*.conf` file a Redis configuration.
const REDIS_ONLY: &[&str] = &[
    "maxmemory",
    "maxmemory-policy",
    "maxmemory-samples",
    "appendonly",
    "appendfsync",
    "appendfilename",
    "appenddirname",
    "auto-aof-rewrite-percentage",
    "auto-aof-rewrite-min-size",
    "aof-use-rdb-preamble",
    "save",
    "dbfilename",
    "rdbcompression",
    "rdbchecksum",
    "stop-writes-on-bgsave-error",
    "requirepass",
    "masterauth",
    "masteruser",
    "aclfile",
    "protected-mode",
    "replicaof",
    "slaveof",
    "replica-read-only",
    "slave-read-only",
    "repl-backlog-size",
    "cluster-enabled",
    "cluster-config-file",
    "cluster-node-timeout",
    "slowlog-log-slower-than",
    "slowlog-max-len",
    "latency-monitor-threshold",
    "lazyfree-lazy-eviction",
    "lazyfree-lazy-expire",
    "lazyfree-lazy-server-del",
    "lazyfree-lazy-user-del",
    "lazyfree-lazy-user-flush",
    "notify-keyspace-events",
    "rename-command",
    "activedefrag",
    "hash-max-listpack-entries",
    "hash-max-ziplist-entries",
    "list-max-listpack-size",
    "list-max-ziplist-size",
    "tcp-keepalive",
    "io-threads",
    "loadmodule",
];

/// Directives Redis shares with other programs' configurations.
const SHARED: &[&str] = &[
    "port",
    "bind",
    "daemonize",
    "supervised",
    "pidfile",
    "loglevel",
    "logfile",
    "dir",
    "timeout",
    "tcp-backlog",
    "unixsocket",
    "databases",
    "maxclients",
    "hz",
    "include",
];

/// Decides whether a file is a Redis configuration, a Sentinel one, or a
/// compose file running `redis-server`; `None` for anything else.
///
/// A `*.conf` file is a Sentinel configuration when its name says
/// `sentinel` or it has a `sentinel monitor` line; a Redis one when its
/// name starts with `redis`, or when it sets at least two directives Redis
/// knows, one of them Redis-specific (`maxmemory`, `appendonly`, `save`,
/// `requirepass`, …), written the Redis way (`name value`, no `=`, no `;`
/// at the end, no `{` blocks). `port 8080` and `bind 0.0.0.0` alone are not
/// enough: other servers use those words too.
pub fn classify(path: &Path, text: &str) -> Option<ConfKind> {
    let name = path.file_name()?.to_str()?.to_ascii_lowercase();
    if is_compose_name(&name) {
        return text.contains("redis-server").then_some(ConfKind::Compose);
    }
    if !name.ends_with(".conf") {
        return None;
    }
    let mut known: Vec<&str> = Vec::new();
    let mut specific = false;
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line.ends_with('{') || line.ends_with(';') || line.starts_with('[') {
            // nginx, systemd, ini, ...: not a Redis file, whatever its words.
            if !name.starts_with("redis") && !name.contains("sentinel") {
                return None;
            }
            continue;
        }
        let mut words = line.split_whitespace();
        let first = words.next().unwrap_or("").to_ascii_lowercase();
        let second = words.next();
        if second.is_none() || second == Some("=") || first.contains('=') {
            continue;
        }
        if first == "sentinel" && second.is_some_and(|s| s.eq_ignore_ascii_case("monitor")) {
            return Some(ConfKind::Sentinel);
        }
        if let Some(d) = REDIS_ONLY.iter().find(|d| **d == first) {
            specific = true;
            if !known.contains(d) {
                known.push(d);
            }
        } else if let Some(d) = SHARED.iter().find(|d| **d == first) {
            if !known.contains(d) {
                known.push(d);
            }
        }
    }
    if name.contains("sentinel") {
        Some(ConfKind::Sentinel)
    } else if name.starts_with("redis") || (specific && known.len() >= 2) {
        Some(ConfKind::Redis)
    } else {
        None
    }
}

/// A configuration file larger than this is not one (Redis's own example
/// file is about 100 KiB).
pub(crate) const MAX_CONF_BYTES: u64 = 4 << 20;

/// Reads `path` (or takes `text`, e.g. from standard input), decides what
/// it is ([`classify`]) and parses it, following `include`s relative to the
/// including file within the file's own folder (see [`load_within`]).
pub fn load(path: &Path, text: Option<Arc<str>>) -> Result<Option<Loaded>, LoadError> {
    load_within(path, text, &IncludeScope::default())
}

/// [`load`], reading included files only inside `scope` or the file's own
/// folder. `Ok(None)`: not a Redis configuration.
///
/// An include that cannot be read (a deployment path such as
/// `/etc/redis/common.conf`, a missing file, a variable, anything outside
/// `scope` or not a regular file) makes the configuration incomplete rather
/// than failing: Redis would read it on the server. Each file is read once:
/// an include of a file already read (a loop, or a second way to it) is
/// skipped, so a web of includes costs one read per file.
pub fn load_within(
    path: &Path,
    text: Option<Arc<str>>,
    scope: &IncludeScope,
) -> Result<Option<Loaded>, LoadError> {
    let read_error = |message: String| LoadError {
        path: path.to_path_buf(),
        text: None,
        span: None,
        message,
    };
    let text: Arc<str> = match text {
        Some(t) => t,
        None => {
            let bytes = crate::source::read_capped(path, MAX_CONF_BYTES)
                .map_err(|e| read_error(format!("cannot read file: {e}")))?;
            match String::from_utf8(bytes) {
                Ok(t) => Arc::from(t),
                Err(e) => {
                    let at = e.utf8_error().valid_up_to();
                    let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
                    return match classify(path, &lossy) {
                        Some(_) => Err(read_error(format!(
                            "not valid UTF-8 (first bad byte at offset {at})"
                        ))),
                        None => Ok(None),
                    };
                }
            }
        }
    };
    let Some(kind) = classify(path, &text) else {
        return Ok(None);
    };
    let root = Source {
        path: path.to_path_buf(),
        text: text.clone(),
    };
    if kind == ConfKind::Compose {
        let confs: Vec<ConfFile> = compose::commands(&text, 0)
            .into_iter()
            .map(|c| ConfFile {
                file: 0,
                kind,
                complete: c.config_file.is_none()
                    && !c.directives.iter().any(|d| d.name == "include"),
                directives: c.directives,
                config_file: c.config_file,
                origin: c.span,
                purpose: Purpose::Deploys,
            })
            .collect();
        if confs.is_empty() {
            return Ok(None);
        }
        return Ok(Some(Loaded {
            sources: vec![root],
            confs,
            included: Vec::new(),
        }));
    }
    let mut loader = Loader::new(scope, root);
    let mut directives = Vec::new();
    loader.read(0, &mut directives)?;
    let (sources, included, complete) = loader.finish();
    Ok(Some(Loaded {
        confs: vec![ConfFile {
            file: 0,
            kind,
            directives,
            complete,
            config_file: None,
            origin: top_of_file(),
            purpose: Purpose::Deploys,
        }],
        sources,
        included,
    }))
}

/// Parses one configuration text without following includes: what a
/// single file says. Its includes make it incomplete.
pub fn parse_str(text: &str, kind: ConfKind) -> Result<ConfFile, ParseError> {
    let directives = parse::parse(text, 0)?;
    Ok(ConfFile {
        file: 0,
        kind,
        complete: !directives.iter().any(|d| d.name == "include"),
        directives,
        config_file: None,
        origin: top_of_file(),
        purpose: Purpose::Deploys,
    })
}

/// An empty span at line 1, column 1: where a finding about something the
/// whole file lacks points.
fn top_of_file() -> Span {
    let top = Pos { line: 1, col: 0 };
    Span {
        start: top,
        end: top,
    }
}
