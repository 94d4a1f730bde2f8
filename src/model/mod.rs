//! The client-independent model every rule reads: Redis command calls,
//! connection creation sites and crate facts, resolved across the files of
//! one crate. Built once per run by `extract` (per file) and `resolve` (per
//! crate); the syntax trees are gone by the time rules run.

pub mod command;
pub mod exec;
pub mod flow;
pub mod key;
pub mod keyspace;
pub mod lua;
pub mod redis_modules;
pub mod slot;
pub mod summary;

use crate::manifest::CrateManifest;
pub use crate::source::{FileId, Pos, SourceFile, Span};
use command::CommandSpec;
pub use exec::{ExecRegion, PipeRun, RunsOn};
use key::Key;

/// Which command API a receiver speaks. deadpool-redis, bb8-redis and r2d2
/// hand out redis-rs connections, so they speak `RedisRs`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Api {
    RedisRs,
    Fred,
}

/// The crate a connection type or constructor comes from.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Lib {
    RedisRs,
    Fred,
    Deadpool,
    Bb8,
    R2d2,
}

impl Lib {
    pub fn name(self) -> &'static str {
        match self {
            Lib::RedisRs => "redis-rs",
            Lib::Fred => "fred",
            Lib::Deadpool => "deadpool-redis",
            Lib::Bb8 => "bb8-redis",
            Lib::R2d2 => "r2d2",
        }
    }

    /// The command API its connections speak.
    pub fn api(self) -> Api {
        match self {
            Lib::Fred => Api::Fred,
            _ => Api::RedisRs,
        }
    }
}

/// What a Redis-typed value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum ConnKind {
    /// `redis::Client`: opens connections; also a sync `ConnectionLike` that
    /// opens a new connection per command.
    Client,
    /// `redis::Connection`: one socket, one caller at a time.
    Sync,
    /// `aio::MultiplexedConnection`: one socket shared by every clone.
    Multiplexed,
    /// `aio::ConnectionManager`: a reconnecting multiplexed connection.
    Manager,
    ClusterClient,
    /// `cluster_async::ClusterConnection`: multiplexed over the nodes.
    Cluster,
    /// `cluster::ClusterConnection`: the blocking cluster connection, one
    /// caller at a time.
    ClusterSync,
    PubSub,
    /// `impl ConnectionLike`, `C: AsyncCommands`, …: kind unknown.
    Generic,
    /// A pool (deadpool, bb8, r2d2): hands out connections.
    Pool {
        cluster: bool,
    },
    /// A connection checked out of a pool.
    Pooled {
        cluster: bool,
    },
    /// fred `Client` (one connection per server, multiplexed).
    FredClient,
    /// fred `Pool` of clients.
    FredPool,
    FredSubscriber,
}

impl ConnKind {
    /// Whether command methods can be called on it.
    pub fn runs_commands(self) -> bool {
        !matches!(self, ConnKind::Pool { .. } | ConnKind::ClusterClient)
    }

    /// `Some(true)` for cluster connections, `Some(false)` for ones proven
    /// single-node, `None` where the crate's configuration decides.
    pub fn is_cluster(self) -> Option<bool> {
        match self {
            ConnKind::Cluster | ConnKind::ClusterSync | ConnKind::ClusterClient => Some(true),
            ConnKind::Pool { cluster } | ConnKind::Pooled { cluster } => Some(cluster),
            ConnKind::Generic | ConnKind::FredClient | ConnKind::FredPool => None,
            _ => Some(false),
        }
    }

    /// Connections whose socket serves several callers at once.
    pub fn is_multiplexed(self) -> bool {
        matches!(
            self,
            ConnKind::Multiplexed
                | ConnKind::Manager
                | ConnKind::Cluster
                | ConnKind::FredClient
                | ConnKind::FredPool
                | ConnKind::Pooled { .. }
        )
    }

    pub fn describe(self) -> &'static str {
        match self {
            ConnKind::Client => "client",
            ConnKind::Sync => "connection",
            ConnKind::Multiplexed => "MultiplexedConnection",
            ConnKind::Manager => "ConnectionManager",
            ConnKind::ClusterClient => "cluster client",
            ConnKind::Cluster => "cluster connection",
            ConnKind::ClusterSync => "sync cluster connection",
            ConnKind::PubSub => "pub/sub connection",
            ConnKind::Generic => "connection",
            ConnKind::Pool { .. } => "pool",
            ConnKind::Pooled { .. } => "pooled connection",
            ConnKind::FredClient => "fred client",
            ConnKind::FredPool => "fred pool",
            ConnKind::FredSubscriber => "fred subscriber client",
        }
    }
}

/// Where the value a command runs on came from, seen from the calling fn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Origin {
    /// Created in this fn.
    Local,
    /// A parameter of this fn.
    Param,
    /// A struct field, app state or a static: lives beyond this call.
    Shared,
}

/// A resolved Redis receiver.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Conn {
    pub lib: Lib,
    pub kind: ConnKind,
    pub origin: Origin,
    /// Reached through `.clone()`: other clones use the same socket.
    pub cloned: bool,
}

impl Conn {
    /// Whether other tasks use the same socket (or pool) as this call.
    pub fn is_shared(&self) -> bool {
        match self.kind {
            // r2d2 hands out sync connections, owned while checked out.
            ConnKind::Pooled { .. } => self.lib != Lib::R2d2,
            ConnKind::FredPool => true,
            kind if kind.is_multiplexed() => self.origin == Origin::Shared || self.cloned,
            _ => false,
        }
    }
}

/// A blocking timeout as written.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Timeout {
    Value(f64),
    /// Held in a const or variable; resolved against the crate's consts.
    Named(String),
}

/// A response (async) or read (sync) timeout of a connection, as written
/// where the connection is made or configured.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum ConnTimeout {
    /// Nothing set: the client library's default applies (which depends on
    /// the library, its version and the connection type).
    LibraryDefault,
    /// Set to `None`: no timeout at all.
    Disabled,
    Millis(f64),
    /// A `Duration` built from a const (`from_secs(TIMEOUT)`), or a
    /// `Duration` const: the const's name and milliseconds per unit (`None`
    /// for a `Duration` const). Resolved against the crate's consts.
    Named {
        name: String,
        unit_ms: Option<f64>,
    },
    /// Set through a value the linter cannot read (a parameter, a config
    /// built elsewhere).
    Unknown,
}

/// Options that change what a command does.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Opts {
    /// EX/PX/EXAT/PXAT/KEEPTTL (or an expiration the linter cannot see).
    pub expiry: bool,
    pub nx: bool,
    /// FLUSHALL/FLUSHDB ASYNC.
    pub asynchronous: bool,
    /// CONFIG SET, CLIENT KILL, …: the subcommand.
    pub sub: Option<String>,
    /// Blocking timeout: seconds for BLPOP and friends, BLOCK ms for XREAD.
    pub timeout: Option<Timeout>,
    /// XREADGROUP NOACK.
    pub noack: bool,
    /// XADD with MAXLEN/MINID (or options the linter cannot see).
    pub trimmed: bool,
    /// EVAL whose script text is built at run time (`format!`).
    pub formatted_script: bool,
    /// LRANGE over the whole list (`0 -1`).
    pub whole_list: bool,
    /// The MATCH pattern of a SCAN, when written as a literal.
    #[serde(default)]
    pub pattern: Option<String>,
}

/// How the call was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Form {
    /// `con.get(k)` / `Commands::get(&mut con, k)`.
    Method,
    /// `redis::cmd("GET").arg(k)` / fred `custom(cmd!("GET"), ..)`.
    Raw,
    /// `redis::Cmd::new().arg("GET").arg(k)`: the name is the first argument.
    RawUnnamed,
    /// `Script::new(..).key(k).invoke(..)`.
    Script,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum LoopKind {
    For,
    While,
    Loop,
    IterClosure,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LoopCtx {
    pub kind: LoopKind,
    /// A key of the call is derived from the loop's item.
    pub key_from_item: bool,
}

/// A Redis command call, resolved.
#[derive(Debug, Clone)]
pub struct Call {
    pub command: String,
    pub spec: Option<&'static CommandSpec>,
    pub form: Form,
    pub keys: Vec<Key>,
    pub opts: Opts,
    /// `None` when the receiver is unknown and the file's imports vouch for it.
    pub conn: Option<Conn>,
    pub api: Api,
    pub span: Span,
    pub file: FileId,
    pub func: FnId,
    /// Order of the call within its file.
    pub seq: u32,
    pub in_loop: Option<LoopCtx>,
    /// Queued on a pipeline or transaction (with its id within the file).
    pub pipe: Option<u32>,
    pub in_transaction: bool,
    /// The result is only counted (`.len()`).
    pub result_len: bool,
    /// A raw command kept in a variable before it runs.
    pub bound: bool,
    /// Runs inside a request handler (fn or closure).
    pub in_handler: bool,
    /// The call's `Result` is thrown away.
    pub swallowed: Option<Swallow>,
    /// What flows into its arguments: earlier replies, file data.
    pub inputs: Vec<flow::Source>,
    /// Earlier calls of the fn (by seq) whose reply decides whether it runs.
    pub gates: Vec<u32>,
    /// The innermost block it sits in (numbered per file).
    pub block: u32,
    /// The loops around it, outermost first.
    pub loops: Vec<u32>,
    /// A module command's (FT.*, TS.*, BF.*, JSON.*) arguments as the server
    /// receives them, literals as one-part templates; read through
    /// `modules`. Empty for other commands.
    pub module_args: Vec<Key>,
    /// Where the command's name is written (method name or `cmd` literal).
    pub name_span: Option<Span>,
    /// Where each argument is written: the expression for methods, the
    /// whole `.arg(..)` link for raw commands.
    pub arg_spans: Vec<Span>,
    /// A value written is an integer formatted with padding or a sign.
    pub padded_int_value: Option<Span>,
    /// The local variable the call runs on (`con` in `con.blpop(..)` or
    /// `.query_async(&mut con)`), to link it to where `con` was made.
    pub conn_binding: Option<String>,
    /// Runs inside a future that a timeout or `select!` may drop.
    pub cancellable: bool,
    /// The struct field the connection is read from (`self.con`,
    /// `state.redis.clone()`): (struct, field).
    pub conn_field: Option<(String, String)>,
    /// `.await`ed: an async command.
    pub awaited: bool,
    /// Inside a branch of `if self.is_cluster { .. } else { .. }`.
    pub node_path: Option<NodePath>,
    /// Sent by a helper fn called here (the call is the helper's call, the
    /// command the one the helper sends), `None` for a command written here.
    pub through: Option<summary::Through>,
}

/// Which topology a branch runs under, by its condition: the then-branch
/// of `if is_cluster`, `if self.mode == Mode::Cluster`, and the else-branch
/// of those (or the then-branch of their negation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum NodePath {
    Cluster,
    SingleNode,
}

impl NodePath {
    pub fn other(self) -> NodePath {
        match self {
            NodePath::Cluster => NodePath::SingleNode,
            NodePath::SingleNode => NodePath::Cluster,
        }
    }
}

/// A Rust string literal holding a Lua script, exactly as written (quotes,
/// escapes, `r#"…"#`), so positions inside the script map back to the
/// source: see `lua::decode_literal`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ScriptText {
    pub source: String,
    /// The whole literal.
    pub span: Span,
}

/// A Lua script as the Rust code hands it over.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum ScriptSource {
    /// Written in place as a string literal.
    Literal(ScriptText),
    /// `include_str!("lua/reserve.lua")`: the path as written, what it is
    /// relative to, and where the macro is.
    File {
        path: String,
        base: IncludeBase,
        span: Span,
    },
}

/// What the path of an `include_str!` is relative to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum IncludeBase {
    /// The folder of the Rust file (a plain literal, as rustc reads it).
    RustFile,
    /// The crate root: `concat!(env!("CARGO_MANIFEST_DIR"), "/lua/x.lua")`.
    CrateRoot,
}

impl ScriptSource {
    /// Where the Rust code writes the script.
    pub fn span(&self) -> Span {
        match self {
            ScriptSource::Literal(text) => text.span,
            ScriptSource::File { span, .. } => *span,
        }
    }
}

/// A crate fn that builds a key template (`fn user_key(id) -> String`).
#[derive(Debug, Clone)]
pub struct KeyBuilderSite {
    /// The template's shape (`user:{}`), as `Key::shape` writes it.
    pub shape: String,
    pub file: FileId,
    pub span: Span,
}

/// A Lua script of the crate: where the Rust code hands it over, and what
/// it is.
#[derive(Debug, Clone)]
pub struct LuaScript {
    /// The Rust file that writes or includes it.
    pub file: FileId,
    /// The literal, or the `include_str!`.
    pub site: Span,
    pub body: lua::ScriptBody,
}

/// How a command's error is thrown away.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Swallow {
    /// `let _ = con.set(..);`
    LetUnderscore,
    /// `con.set(..).ok();`
    OkStatement,
    /// `con.get(..).unwrap_or_default()`
    UnwrapOrDefault,
    /// `con.exists(..).unwrap_or(false)`
    UnwrapOr,
    /// `if let Ok(v) = con.get(..) { .. }` with no `else`, or an empty one.
    IfLetOkNoElse,
}

impl Call {
    pub fn is(&self, name: &str) -> bool {
        self.command == name
    }

    pub fn has(&self, flag: u16) -> bool {
        self.spec.is_some_and(|s| s.has(flag))
    }

    pub fn is_blocking(&self) -> bool {
        self.has(command::flags::BLOCKING)
            || (matches!(self.command.as_str(), "XREAD" | "XREADGROUP")
                && self.opts.timeout.is_some())
    }
}

/// What a client, connection or pool constructor builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum CreationKind {
    /// `redis::Client::open`, `ClusterClient::new`.
    Client,
    /// Sync `get_connection()`.
    SyncConnection { with_connect_timeout: bool },
    /// Async connection or ConnectionManager.
    AsyncConnection { with_config: bool },
    /// A pool: deadpool `create_pool`/`build`, bb8/r2d2 `build`.
    Pool,
    /// fred `Builder::build`, `Client::new`, `Client::default`.
    FredClient {
        command_timeout: FredTimeout,
        reconnect: bool,
    },
}

/// What a fred constructor says about `default_command_timeout`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum FredTimeout {
    /// Set (or possibly set through a value the linter cannot see).
    Set,
    /// `Client::new(config, None, ..)`, `Client::default()`, a Builder
    /// without a performance config.
    Missing,
}

#[derive(Debug, Clone)]
pub struct Creation {
    pub kind: CreationKind,
    /// What the constructor returns.
    pub makes: ConnKind,
    pub lib: Lib,
    /// The constructor's name as written (`get_connection`, `create_pool`).
    pub what: String,
    pub span: Span,
    pub file: FileId,
    pub func: FnId,
    pub seq: u32,
    pub in_loop: bool,
    /// The `let` name it was bound to, if any.
    pub binding: Option<String>,
    /// The struct field it is called on (`self.client.get_connection()`):
    /// (struct, field). Every method of the struct connects the same way.
    pub on_field: Option<(String, String)>,
    /// The response / read / command timeout it is made with (or that is
    /// set on its binding later in the same fn).
    pub response_timeout: ConnTimeout,
    /// Built inside a dependency read as context, by the fn called here.
    pub via: Option<Via>,
}

/// A creation made inside a dependency (see [`Creation::via`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Via {
    /// The redis-rs major version the application builds it with.
    pub redis_major: Option<u64>,
    /// The dependency sets a timeout where it builds it: its defaults are
    /// not what the connection gets.
    pub timeouts_set: bool,
}

/// A fn (or method) that contains Redis facts.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct FnInfo {
    pub name: String,
    /// Parameter names, `self` left out.
    pub params: Vec<String>,
    pub span: Span,
    pub is_main: bool,
    /// An actix/rocket/poem route attribute, or passed to an axum router.
    pub is_handler: bool,
    /// Named like a constructor or setup fn, returns a Redis type, or is a
    /// lazy-static initialiser: creating connections there is the point.
    pub is_setup: bool,
    /// Idents that configure timeouts were seen in the fn body.
    pub sets_read_timeout: Vec<String>,
    pub sets_pool_wait_timeout: bool,
    pub sets_fred_command_timeout: bool,
    pub sets_response_timeout: bool,
    /// A fred `ReconnectPolicy` is set (or mentioned) in the fn.
    pub sets_reconnect_policy: bool,
    /// Replica reads are configured in the fn (redis-rs
    /// `read_routing_strategy` / `read_from_replicas`, deadpool's field of
    /// that name, fred's `ReplicaConfig` / `replica` config).
    #[serde(default)]
    pub reads_from_replicas: bool,
    /// `async fn`: its body runs on an async runtime's worker.
    #[serde(default)]
    pub is_async: bool,
    /// Async blocks and async closures written in the fn (they run on a
    /// worker even in a sync fn), and closures handed to a blocking-thread
    /// offload (`spawn_blocking`, `block_in_place`, `thread::spawn`): the
    /// innermost one around a call says where it runs.
    #[serde(default)]
    pub regions: Vec<ExecRegion>,
    /// Calls a method named like fred's connect step (`init`, `connect`,
    /// `connect_pool`) on anything: a fred client built in the crate may
    /// be connected here.
    #[serde(default)]
    pub connects_client: bool,
    /// Returns a `Result` (of any error type): an error met inside can be
    /// handed to the caller.
    #[serde(default)]
    pub returns_result: bool,
}

pub type FnId = u32;

/// Where a response timeout was switched off (`set_response_timeout(None)`).
#[derive(Debug, Clone)]
pub struct DisabledTimeout {
    pub span: Span,
    pub file: FileId,
}

/// Everything the rules see about one crate.
#[derive(Debug, Default)]
pub struct CrateModel {
    pub manifest: CrateManifest,
    /// Fns that build a key template from their parameters, by the shape
    /// of the template they build.
    pub key_builders: Vec<KeyBuilderSite>,
    pub calls: Vec<Call>,
    pub creations: Vec<Creation>,
    /// Indexed by `FnId`.
    pub fns: Vec<FnInfo>,
    pub disabled_timeouts: Vec<DisabledTimeout>,
    /// The crate talks to a Redis Cluster somewhere.
    pub uses_cluster: bool,
    /// Crate-local fns that set an expiry on one of their key parameters:
    /// name → parameter indices.
    pub expiring_helpers: std::collections::HashMap<String, Vec<usize>>,
    /// Crate-local fns that run a command on a key parameter: name →
    /// (parameter index, command).
    pub param_commands: std::collections::HashMap<String, Vec<(usize, String)>>,
    /// Calls to crate-local fns, with the keys passed, per fn: lets a rule
    /// see "the expiry is set in a helper called with the same key".
    pub helper_calls: Vec<HelperCall>,
    /// Redis URLs written in the code.
    pub url_literals: Vec<UrlLiteral>,
    /// Databases the crate's production code selects by number (`SELECT
    /// 2`, `RedisConnectionInfo { db: DB, .. }`); tests pick their own.
    pub selected_dbs: Vec<keyspace::DbSelection>,
    /// Struct fields and statics that put a connection behind a lock.
    pub locked_connections: Vec<LockedConnection>,
    /// Pipelines and transactions by id: where each was run.
    pub pipes: std::collections::HashMap<u32, Pipe>,
    /// Where replies go and which loops sleep or retry.
    pub flow: flow::CrateFlow,
    /// Calls by (file, seq): the flow facts name calls by seq.
    pub by_seq: std::collections::HashMap<(FileId, u32), usize>,
    /// The first WATCH (by seq) of each fn that has one.
    pub first_watch: std::collections::HashMap<(FileId, FnId), u32>,
    /// Lua scripts written as literals or included from `.lua` files
    /// (directly or through a const or static).
    pub scripts: Vec<LuaScript>,
    /// fred configs that name a cluster (`ServerConfig::default_clustered`,
    /// `Config::from_url_clustered`, …).
    pub fred_cluster_configs: Vec<ConfigSite>,
    /// Struct fields and statics that keep a connection without a lock.
    pub stored_connections: Vec<StoredConnection>,
    /// Pub/sub entry points called on a Redis connection (method forms; raw
    /// `SUBSCRIBE` commands are calls).
    pub pubsub_uses: Vec<PubSubUse>,
    /// (struct, field) → indices into `creations` of the connections struct
    /// literals put there.
    pub field_creations: std::collections::HashMap<(String, String), Vec<usize>>,
    /// Some deadpool pool is built from a manager with its own connection
    /// config, so pooled connections' timeouts are not all the default.
    pub deadpool_manager_config: bool,
    /// Calls by (file, seq) that run only while an optional field holds a
    /// value, when nothing in the crate ever sets it: the field as the code
    /// reads it, without `self.` (`ttl` for `if let Some(ttl) = self.ttl {
    /// con.expire(..) }` with `ttl: None` in the constructor, `config.ttl`
    /// for `self.config.ttl` of a `#[derive(Default)]` config, `opts.ttl`
    /// for a parameter `opts: &Options`).
    pub unset_by_default: std::collections::HashMap<(FileId, u32), String>,
}

/// Where a client configuration is written.
#[derive(Debug, Clone)]
pub struct ConfigSite {
    pub file: FileId,
    pub span: Span,
    pub func: FnId,
}

/// `con.as_pubsub()`, `pubsub.subscribe(ch)`, `subscriber.psubscribe(p)`…
#[derive(Debug, Clone)]
pub struct PubSubUse {
    pub file: FileId,
    pub span: Span,
    pub func: FnId,
    /// The method as written.
    pub method: String,
    pub conn: Conn,
    /// Inside a closure passed to a router.
    pub in_handler: bool,
}

/// A long-lived place (`Struct.field`, a static) holding a redis-rs
/// `Connection` or `MultiplexedConnection`, where declared.
#[derive(Debug, Clone)]
pub struct StoredConnection {
    pub file: FileId,
    pub span: Span,
    pub owner: String,
    pub kind: ConnKind,
}

/// A `redis://` / `rediss://` string literal.
#[derive(Debug, Clone)]
pub struct UrlLiteral {
    pub file: FileId,
    pub span: Span,
    pub text: String,
}

/// `Mutex<MultiplexedConnection>` and friends, where declared.
#[derive(Debug, Clone)]
pub struct LockedConnection {
    pub file: FileId,
    pub span: Span,
    /// `Mutex`, `RwLock`, …
    pub lock: String,
    pub kind: ConnKind,
    /// (struct, field) it is declared as.
    pub field: (String, String),
    /// The lock holds an `Option` of the connection that the crate clones
    /// out of the guard: a lazily opened connection, handed out by clone.
    pub lazy: bool,
}

#[derive(Debug, Clone)]
pub struct Pipe {
    pub atomic: bool,
    pub transaction: bool,
    /// The connection it runs on, when known.
    pub exec: Option<Conn>,
    /// Where it is sent, in the order written.
    pub runs: Vec<PipeRun>,
}

#[derive(Debug, Clone)]
pub struct HelperCall {
    pub func: FnId,
    pub name: String,
    pub args: Vec<Key>,
}

impl CrateModel {
    pub fn func(&self, id: FnId) -> &FnInfo {
        &self.fns[id as usize]
    }

    /// Each fn's Redis calls in the order they run (by seq): the per-fn
    /// event list the flow rules walk, with `Call::inputs` and
    /// `Call::gates` as its data dependencies.
    pub fn events_by_fn(&self) -> std::collections::BTreeMap<(FileId, FnId), Vec<&Call>> {
        let mut by_fn: std::collections::BTreeMap<(FileId, FnId), Vec<&Call>> =
            std::collections::BTreeMap::new();
        for call in &self.calls {
            by_fn.entry((call.file, call.func)).or_default().push(call);
        }
        for calls in by_fn.values_mut() {
            calls.sort_by_key(|c| c.seq);
        }
        by_fn
    }

    /// The call with this seq in this file, if it was kept.
    pub fn call_at(&self, file: FileId, seq: u32) -> Option<&Call> {
        self.by_seq.get(&(file, seq)).map(|&i| &self.calls[i])
    }

    /// Whether the call runs as part of something atomic: a transaction,
    /// an atomic pipeline or a script, or after a WATCH in its fn (an
    /// optimistic transaction written out by hand).
    pub fn is_atomic(&self, call: &Call) -> bool {
        call.in_transaction
            || call.form == Form::Script
            || call
                .pipe
                .and_then(|p| self.pipes.get(&p))
                .is_some_and(|p| p.atomic || p.transaction)
            || self
                .first_watch
                .get(&(call.file, call.func))
                .is_some_and(|&seq| seq < call.seq)
    }

    /// Whether a call runs on a cluster connection: proven by its receiver,
    /// or (receiver kind unknown) by the crate using a cluster client.
    pub fn on_cluster(&self, call: &Call) -> bool {
        // A queued command runs where its pipeline runs.
        let conn = call.conn.or_else(|| {
            call.pipe
                .and_then(|p| self.pipes.get(&p))
                .and_then(|p| p.exec)
        });
        match (conn.and_then(|c| c.kind.is_cluster()), call.node_path) {
            (Some(known), _) => known,
            // `if self.is_cluster { .. } else { .. }` picks the topology.
            (None, Some(path)) => path == NodePath::Cluster,
            (None, None) => self.uses_cluster,
        }
    }
}
