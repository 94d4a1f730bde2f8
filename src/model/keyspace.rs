//! The keyspace of a whole run: every site that touches a key template, in
//! every crate, with what the command says about the key (its type, whether
//! it reads, writes, expires or deletes it, what a write does to its TTL)
//! and the logical database it runs on when the code names one.
//!
//! Built by `link::keyspace` once every crate of the run is linked; read by
//! `redis-lint keys` and by the rules that need more than one crate.

use super::key::Key;
use crate::source::{FileId, Span};

/// The Redis type a command implies for its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ValueType {
    String,
    Hash,
    List,
    Set,
    Zset,
    Stream,
    Json,
    Timeseries,
    Bloom,
}

impl ValueType {
    pub fn name(self) -> &'static str {
        match self {
            ValueType::String => "string",
            ValueType::Hash => "hash",
            ValueType::List => "list",
            ValueType::Set => "set",
            ValueType::Zset => "zset",
            ValueType::Stream => "stream",
            ValueType::Json => "json",
            ValueType::Timeseries => "timeseries",
            ValueType::Bloom => "bloom",
        }
    }

    /// The type a command works on, `None` for commands that take a key of
    /// any type (DEL, EXPIRE, EXISTS, TYPE, RENAME, scripts) or whose type
    /// the linter does not track (HyperLogLog, pub/sub). The command table
    /// says it; a name it does not list is placed by its family (module
    /// prefix, `H*`, `Z*`, `X*`, `GEO*`).
    pub fn of_command(command: &str) -> Option<ValueType> {
        use ValueType::*;
        if let Some(spec) = super::command::spec(command) {
            return spec.value;
        }
        if let Some((module, _)) = command.split_once('.') {
            return match module {
                "JSON" => Some(Json),
                "TS" => Some(Timeseries),
                "BF" | "CF" | "CMS" | "TOPK" | "TDIGEST" => Some(Bloom),
                _ => None,
            };
        }
        if command.starts_with('H') {
            Some(Hash)
        } else if command.starts_with('Z')
            || command.starts_with("BZ")
            || command.starts_with("GEO")
        {
            Some(Zset)
        } else if command.starts_with('X') {
            Some(Stream)
        } else {
            None
        }
    }
}

/// What a site does to its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyOp {
    Read,
    Write,
    Expire,
    Delete,
    /// Handed to a Lua script or function, which may do any of these.
    Script,
}

impl KeyOp {
    pub fn name(self) -> &'static str {
        match self {
            KeyOp::Read => "read",
            KeyOp::Write => "write",
            KeyOp::Expire => "expire",
            KeyOp::Delete => "delete",
            KeyOp::Script => "script",
        }
    }

    /// Whether the key holds data after the site ran (for "read but never
    /// written"): a script handed the key may write it.
    pub fn writes(self) -> bool {
        matches!(self, KeyOp::Write | KeyOp::Script)
    }
}

/// What a write does to its key's time to live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteTtl {
    /// Sets one (SET EX, SETEX), keeps it (KEEPTTL), or the same fn
    /// expires the key after writing it.
    Given,
    /// Replaces the whole value without an expiry (a plain SET): any TTL
    /// the key had is gone.
    Dropped,
    /// Changes the value in place (HSET, SADD, INCR): an existing TTL
    /// stays, a new key gets none.
    Untouched,
    /// Not a write.
    NotAWrite,
}

/// A Redis command touching a key template, where it is written.
#[derive(Debug, Clone)]
pub struct KeySite {
    pub key: Key,
    /// `Key::shape`: the identity of the template across the run.
    pub shape: String,
    pub file: FileId,
    pub span: Span,
    /// The command, upper case (`HSET`, `EVALSHA`).
    pub command: String,
    /// The crate helper that sends the command, when the site is a call of
    /// one (`store::save(pool, &key, body)`).
    pub sent_by: Option<String>,
    pub op: KeyOp,
    pub value_type: Option<ValueType>,
    pub ttl: WriteTtl,
    /// The package that holds it (its folder name outside any package).
    pub crate_name: String,
    /// The fn it is written in (empty at top level or in a script).
    pub func: String,
    /// The logical database, when the code names one (see
    /// `link::keyspace::Dbs`); `None` is unknown, which may be any.
    pub db: Option<u32>,
    /// The Cargo workspace of its crate (index into `Keyspace::scopes`):
    /// crates of other workspaces run other services, so the rules never
    /// compare keys across them.
    pub scope: u32,
    /// The program of the workspace it runs in.
    pub program: Program,
}

impl KeySite {
    /// Whether the two sites can touch one key, so that the keyspace rules
    /// compare them: in one workspace, on one logical database (an unknown
    /// one may be any, so it is compared with every other), in programs
    /// where one sees the other, and not in the same fn (two types or an
    /// expiry dropped within one fn are the author's visible choice, as in
    /// a branch on TYPE or an optional TTL).
    pub fn may_meet(&self, other: &KeySite) -> bool {
        let dbs = self.db.is_none() || other.db.is_none() || self.db == other.db;
        self.scope == other.scope
            && dbs
            && self.program.sees(&other.program)
            && !self.same_fn(other)
    }

    /// Whether the two sites are written in one fn.
    pub fn same_fn(&self, other: &KeySite) -> bool {
        self.file == other.file && !self.func.is_empty() && self.func == other.func
    }
}

/// The part of a workspace a site runs in. The crates' libraries and
/// binaries are one service (or several sharing their data); an example, a
/// benchmark or an integration test is a program of its own that uses the
/// service's keys but never meets another example's; so is each test fn.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Program {
    Service,
    /// An example or benchmark (`examples/chat`): compared with the
    /// service, left out of the inventory (no part of the service).
    Example(String),
    /// Code that stands alone but is part of the workspace's own code: a
    /// test fn, or a file or fn under the `keyspace-programs` setting (demo
    /// binaries, a cookbook).
    Apart(String),
}

impl Program {
    /// Whether code of one program and code of the other can run against
    /// the same keys: the service meets every program; two others only
    /// themselves.
    pub fn sees(&self, other: &Program) -> bool {
        *self == Program::Service || *other == Program::Service || self == other
    }
}

/// A logical database the production code of a file selects by number
/// (`SELECT 2`, `set_db(DB)` with `const DB: i64 = 2`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DbSelection {
    pub file: FileId,
    pub db: u32,
}

/// A key template written without a site the linter can point at: through
/// a crate-local helper that runs a write on its key parameter.
#[derive(Debug, Clone)]
pub struct IndirectWrite {
    pub shape: String,
    pub scope: u32,
}

/// How the writes of one template treat its TTL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TtlStatus {
    /// Every write gives the key an expiry.
    Set,
    /// No write does, and nothing expires the key.
    None,
    /// Some do, some do not (or an expiry is set elsewhere).
    Mixed,
}

impl TtlStatus {
    pub fn name(self) -> &'static str {
        match self {
            TtlStatus::Set => "set",
            TtlStatus::None => "none",
            TtlStatus::Mixed => "mixed",
        }
    }
}

/// The types a template's commands imply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryType {
    One(ValueType),
    /// Commands of two or more types (see `key-type-conflict`).
    Several(Vec<ValueType>),
    /// Only commands that take any type.
    Unknown,
}

impl EntryType {
    pub fn name(&self) -> String {
        match self {
            EntryType::One(t) => t.name().to_string(),
            EntryType::Several(types) => {
                types.iter().map(|t| t.name()).collect::<Vec<_>>().join("|")
            }
            EntryType::Unknown => "unknown".to_string(),
        }
    }
}

/// One key template of the inventory, in one logical database.
#[derive(Debug, Clone)]
pub struct KeyEntry {
    /// The template with its placeholders named as at its first site
    /// (`user:{id}:profile`).
    pub template: String,
    pub shape: String,
    pub value_type: EntryType,
    /// `None` when nothing writes it.
    pub ttl: Option<TtlStatus>,
    pub db: Option<u32>,
    /// Packages that use it, sorted.
    pub crates: Vec<String>,
    /// Indices into `Keyspace::sites`, in source order.
    pub sites: Vec<usize>,
}

/// Every key template of a run.
#[derive(Debug, Clone, Default)]
pub struct Keyspace {
    pub sites: Vec<KeySite>,
    pub indirect_writes: Vec<IndirectWrite>,
    /// Workspace roots, as shown to the user.
    pub scopes: Vec<String>,
    /// By template, then database.
    pub entries: Vec<KeyEntry>,
}

impl Keyspace {
    pub fn entry_sites<'a>(&'a self, entry: &'a KeyEntry) -> impl Iterator<Item = &'a KeySite> {
        entry.sites.iter().map(|&i| &self.sites[i])
    }
}

/// `keyspace-programs`: which code of a file shares its keys with the rest
/// of the workspace, for the keyspace rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyspacePrograms {
    /// The libraries and binaries of the workspace's crates are one
    /// service; examples, benchmarks and the tests of `tests/` are
    /// programs of their own (the default).
    Workspace,
    /// Each file is a program of its own (demo binaries in `src/bin/`).
    File,
    /// Each fn is a program of its own (a crate of independent snippets,
    /// such as a cookbook or lint fixtures).
    Fn,
}

impl KeyspacePrograms {
    /// As the setting is written.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyspacePrograms::Workspace => "workspace",
            KeyspacePrograms::File => "file",
            KeyspacePrograms::Fn => "fn",
        }
    }
}
