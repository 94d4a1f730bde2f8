//! What extraction records about one file, before the crate's symbols
//! (structs, consts, key builders, routes) are known. `model::resolve`
//! turns these into the resolved model.

use std::ops::Deref;
use std::sync::Arc;

use crate::model::flow::{ErrorPanic, FlagReading, LoopFact, ReplyUse, RetryFact, Source};
use crate::model::{Api, ConnKind, FnInfo, Form, Lib, LoopCtx, Opts, ScriptSource, Span};

use super::types::TypeClass;

/// Text of a key part. Shared, not copied: a key bound to a variable is
/// copied into every `+`, `format!` and binding built from it, and sharing
/// keeps that copy a pointer per part however long the text.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(from = "String", into = "String")]
pub struct Text(Arc<str>);

impl Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<String> for Text {
    fn from(s: String) -> Text {
        Text(s.into())
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Text {
        Text(s.into())
    }
}

impl From<Text> for String {
    fn from(t: Text) -> String {
        t.0.to_string()
    }
}

/// A piece of a key before crate-wide resolution.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum RawPart {
    Lit(Text),
    Hole(Text),
    /// A const or static of the crate, by name.
    Const(String),
    /// A call to a fn that may be a crate-local key builder.
    Call {
        name: String,
        args: Vec<RawKey>,
    },
    /// A key expression past the size or nesting bound ([`KEY_BOUND`]):
    /// nothing is known about it. Numbered per file so that two different
    /// such keys do not compare equal (one binding used twice does).
    TooComplex(u32),
}

/// How large a key template may grow while it is built: past this it is
/// [`RawPart::TooComplex`]. Real keys have a handful of parts; without a
/// bound, `let b = a.clone() + &a;` repeated doubles the key per line.
pub const KEY_BOUND: KeySize = KeySize {
    parts: 64,
    bytes: 64 * 1024,
};

/// The size of a key template: its parts (call arguments included) and
/// the bytes of their text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct KeySize {
    pub parts: usize,
    pub bytes: usize,
}

impl KeySize {
    pub fn exceeds(self, bound: KeySize) -> bool {
        self.parts > bound.parts || self.bytes > bound.bytes
    }
}

#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct RawKey(pub Vec<RawPart>);

impl RawKey {
    pub fn hole(text: impl Into<Text>) -> RawKey {
        RawKey(vec![RawPart::Hole(text.into())])
    }

    pub fn lit(text: impl Into<Text>) -> RawKey {
        RawKey(vec![RawPart::Lit(text.into())])
    }

    /// The single hole's text when the key is nothing but a variable.
    pub fn as_var(&self) -> Option<&str> {
        match self.0.as_slice() {
            [RawPart::Hole(h)] => Some(h),
            _ => None,
        }
    }

    pub fn size(&self) -> KeySize {
        let mut size = KeySize::default();
        for part in &self.0 {
            size.parts += 1;
            match part {
                RawPart::Lit(t) | RawPart::Hole(t) => size.bytes += t.len(),
                RawPart::Const(name) => size.bytes += name.len(),
                RawPart::Call { name, args } => {
                    size.bytes += name.len();
                    for a in args {
                        let inner = a.size();
                        size.parts += inner.parts;
                        size.bytes += inner.bytes;
                    }
                }
                RawPart::TooComplex(_) => {}
            }
        }
        size
    }

    /// Identifiers the key is built from (to tell whether it depends on a
    /// loop item).
    pub fn mentions(&self, out: &mut Vec<String>) {
        for part in &self.0 {
            let text = match part {
                RawPart::Hole(text) => &**text,
                RawPart::Const(text) => text.as_str(),
                RawPart::Call { args, .. } => {
                    args.iter().for_each(|a| a.mentions(out));
                    continue;
                }
                RawPart::Lit(_) | RawPart::TooComplex(_) => continue,
            };
            out.extend(
                text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .filter(|s| !s.is_empty())
                    .map(str::to_string),
            );
        }
    }
}

/// An argument of a raw command (`.arg(x)`, fred `custom` args).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RawArg {
    /// Literal text (string or number) when the argument is a literal.
    pub lit: Option<String>,
    /// The argument read as a key.
    pub key: RawKey,
}

/// A receiver before crate-wide resolution.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Recv {
    /// Known from this fn alone.
    Known {
        lib: Lib,
        kind: ConnKind,
        origin: crate::model::Origin,
        cloned: bool,
    },
    /// A path through values whose types need the crate's struct table.
    Path { root: Root, ops: Vec<Op> },
    /// Nothing is known; the file's imports decide.
    Unknown,
    /// Proven not to be a Redis value.
    NotRedis,
}

/// The pseudo-field under which a `TypeMapKey` impl's `Value` type is kept
/// (`impl TypeMapKey for KvClient { type Value = redis::Client; }`).
pub const TYPE_MAP_VALUE: &str = "<TypeMapKey::Value>";

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Root {
    /// A value of a named type: `self`, a typed parameter.
    Type { name: String, is_self: bool },
    /// A static of the crate.
    Static(String),
    /// The result of a crate-local fn.
    FnReturn(String),
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Op {
    Field(String),
    /// `.get()` with no argument: checks a connection out of a pool.
    Get,
    Clone,
    /// Any other method: its result is Redis only if the crate says so.
    Call(String),
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct RawCall {
    pub command: String,
    pub form: Form,
    /// Keys for method forms; raw forms derive theirs from `args`.
    pub keys: Vec<RawKey>,
    pub args: Vec<RawArg>,
    pub opts: Opts,
    pub recv: Recv,
    /// The API the method name was looked up in (receivers of unknown
    /// kind are accepted only when the file imports that API).
    pub api: Api,
    pub span: Span,
    pub func: u32,
    pub seq: u32,
    pub in_loop: Option<LoopCtx>,
    pub pipe: Option<u32>,
    pub in_test: bool,
    pub result_len: bool,
    /// A second reading of the same method call under the other client's
    /// API, for receivers whose client is only known after resolution.
    pub alt: bool,
    /// A method name common outside Redis on a receiver not named like a
    /// connection: counts only if the receiver's type proves Redis.
    pub weak_receiver: bool,
    /// A raw command stored in a variable before it runs (a fix that
    /// chains `.arg(..)` onto it would not compile).
    pub bound: bool,
    /// Inside a closure passed to a router (`get(|..| async { .. })`).
    pub in_handler_closure: bool,
    pub swallowed: Option<crate::model::Swallow>,
    /// What flows into the call's arguments (earlier replies, file data).
    pub inputs: Vec<Source>,
    /// Earlier calls (by seq) whose reply decides whether this call runs.
    pub gates: Vec<u32>,
    /// The innermost block the call sits in (numbered per file).
    pub block: u32,
    /// The loops around the call, outermost first (since the last async
    /// boundary).
    pub loops: Vec<u32>,
    /// Where the command's name is written: the method name, or the
    /// string literal of `cmd("NAME")` (for fixes that rename it).
    #[serde(default)]
    pub name_span: Option<Span>,
    /// Where each argument is written, in order: the argument expression
    /// for methods, the whole `.arg(..)` link for raw commands (so a fix
    /// can insert another link after it).
    #[serde(default)]
    pub arg_spans: Vec<Span>,
    /// A value written is an integer formatted with padding or a sign
    /// (`format!("{:05}", n)`): where that value is.
    #[serde(default)]
    pub padded_int_value: Option<Span>,
    /// The local variable the command runs on.
    pub conn_binding: Option<String>,
    /// Inside a future that may be dropped before it completes: an argument
    /// of `tokio::time::timeout` / `async_std::future::timeout` or a
    /// `select!` branch future.
    pub cancellable: bool,
    /// The method's name, for a command called as a method: a newtype
    /// that derefs to a connection may define a method of that name.
    pub method: Option<String>,
    /// Its future is `.await`ed (an async command, not a sync one).
    pub awaited: bool,
    /// Inside a branch chosen by a cluster condition.
    pub node_path: Option<crate::model::NodePath>,
    /// A raw command made through a path of another crate
    /// (`common::redis_rs` in `common::redis_rs::cmd("GET")`): a Redis
    /// command only if linking finds that crate re-exports redis-rs there.
    #[serde(default)]
    pub via: Option<String>,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct RawCreation {
    pub kind: crate::model::CreationKind,
    pub makes: ConnKind,
    pub lib: Lib,
    pub what: String,
    pub span: Span,
    pub func: u32,
    pub seq: u32,
    pub in_loop: bool,
    pub in_test: bool,
    /// Inside a lazy/once initialiser closure.
    pub in_init: bool,
    /// Inside a closure passed to a router (`get(|..| async { .. })`).
    pub in_handler_closure: bool,
    pub binding: Option<String>,
    /// The receiver the constructor was called on, when its kind matters
    /// (`get_connection` on something that may not be a redis Client).
    pub recv: Recv,
    pub response_timeout: crate::model::ConnTimeout,
}

/// A pipeline or transaction built in this file.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct PipeInfo {
    /// The client whose pipeline methods its commands are.
    pub api: Api,
    pub atomic: bool,
    pub transaction: bool,
    /// The connection it was run on.
    pub exec: Option<Recv>,
    /// Where it is executed, in walk order.
    #[serde(default)]
    pub runs: Vec<crate::model::PipeRun>,
    pub span: Span,
    /// Made through a path of another crate (`common::redis_rs::pipe()`):
    /// see `RawCall::via`.
    #[serde(default)]
    pub via: Option<String>,
}

/// A fn that returns a key built from its parameters.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct KeyBuilder {
    pub name: String,
    pub params: Vec<String>,
    pub key: RawKey,
    /// The fn's name, where a key-design finding of its keys belongs.
    pub span: Span,
    /// The type of the `impl` block the fn is a method of
    /// (`impl ToKey for UserKey`): a trait method's template is found by
    /// the type of the value it is called on.
    #[serde(default)]
    pub owner: Option<String>,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct RawHelperCall {
    pub func: u32,
    pub name: String,
    pub args: Vec<RawKey>,
    pub in_test: bool,
    /// Where the call is: the commands the helper sends are reported here.
    #[serde(default)]
    pub site: CallSite,
    /// Whom the call reaches: the receiver's type of a method call, or the
    /// crate named first in a fn's path.
    #[serde(default)]
    pub callee: Callee,
    /// Arguments whose shape says more than their key: a value of a type
    /// built in place (`UserKey(id)`), a closure that builds a key.
    #[serde(default)]
    pub shaped: Vec<(usize, ArgShape)>,
    /// Arguments passed by name (`&mut con`): the name and what it holds,
    /// so that a helper's commands on that parameter run on the caller's
    /// connection.
    #[serde(default)]
    pub named_args: Vec<NamedArg>,
}

/// A call of a fn that may build a connection inside a dependency read as
/// context: `Redis::new(cfg)` into `libmcaptcha`, or, inside such a
/// dependency, `Self::connect(cfg)`, `MCaptchaRedis::new(cfg)` or
/// `cfg.connect()` between its own fns.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RawFnCall {
    pub func: u32,
    pub target: FnTarget,
    pub span: Span,
    pub in_loop: bool,
    pub in_test: bool,
}

/// The fn a [`RawFnCall`] reaches.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum FnTarget {
    /// A path with `use` names expanded and `Self` as the `impl` type
    /// (`libmcaptcha::redis::Redis::new`, `Redis::connect`).
    Path(Vec<String>),
    /// A method called on a receiver (typed at link time).
    Method { recv: Recv, name: String },
}

/// An argument of a helper call written as a name.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct NamedArg {
    pub index: usize,
    pub name: String,
    /// What the name holds here (a connection, maybe).
    pub recv: Recv,
}

/// Where a helper call sits: what a command written there would know.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CallSite {
    pub span: Span,
    /// The seq the next command of the file gets: the helper's commands
    /// are ordered as if written at the call.
    pub seq: u32,
    pub in_loop: Option<LoopCtx>,
    pub loops: Vec<u32>,
    pub gates: Vec<u32>,
    pub block: u32,
    pub in_handler_closure: bool,
}

/// The fn a helper call reaches, as far as the call site tells.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Callee {
    /// A free fn of this crate (or of a glob or `use` the path does not
    /// show).
    #[default]
    Local,
    /// A free fn through a path whose first segment is this crate name
    /// (`store::bump`): maybe a sibling crate of the workspace.
    InCrate(String),
    /// A method called on this receiver, typed by a crate type
    /// (`cache.store(..)` with `cache: Cache`, `self.cache.store(..)`).
    Method(Recv),
}

/// What an argument of a helper call is, beyond its key.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum ArgShape {
    /// A value of a type built in place: `UserKey(id)` (fields `0`, `1`,
    /// ..) or `UserKey { id }`, with each field's key.
    Built {
        ty: String,
        fields: Vec<(String, RawKey)>,
    },
    /// A closure returning a key: `|id| format!("user:{id}")`.
    KeyClosure { params: Vec<String>, key: RawKey },
}

/// Per-fn facts gathered while walking, before handler routing is known.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct RawFn {
    pub info: FnInfo,
    pub is_test: bool,
    pub returns: Option<TypeClass>,
    /// The type of the `impl` block of a method: calls on a value of that
    /// type reach it.
    #[serde(default)]
    pub owner: Option<String>,
}

/// A fn registered as a request handler, as the registration names it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct RoutedFn {
    pub name: String,
    /// The path segment before the name (`handlers` in
    /// `handlers::get_item`, `Api` in `Api::get_item`), if any: a module
    /// path names a free fn, a type path a method of that type.
    pub qualifier: Option<String>,
}

impl RoutedFn {
    /// Whether the fn `name` (a method of `owner`, if any) is this one.
    pub fn names(&self, name: &str, owner: Option<&str>) -> bool {
        if self.name != name {
            return false;
        }
        match (self.qualifier.as_deref(), owner) {
            (None, _) | (Some("Self"), Some(_)) => true,
            (Some(q), Some(owner)) => q == owner,
            // A lowercase qualifier is a module: it names a free fn.
            (Some(q), None) => q.starts_with(|c: char| c.is_lowercase()),
        }
    }
}

/// A logical database the file's code selects by number.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SelectedDb {
    pub db: DbNumber,
    pub in_test: bool,
}

/// A database number as written.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum DbNumber {
    Value(u32),
    /// A const or static (its path as written, `config::REDIS_DB`),
    /// resolved against the crate's numeric consts when it is linked.
    Named(String),
}

/// Everything extraction learns from one file.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct FileFacts {
    pub imports_redis_traits: bool,
    pub imports_fred: bool,
    /// `use crate::x::*` globs, to match crate modules re-exporting traits.
    pub local_globs: Vec<String>,
    /// Crates of `use krate::module::*` globs (not clients, not std): one
    /// of the run may re-export a client's command traits there.
    #[serde(default)]
    pub foreign_globs: Vec<String>,
    /// The file re-exports redis-rs or fred command traits (`pub use`).
    pub reexports_traits: bool,
    /// Client crates the file re-exports whole (`pub use ::redis as redis_rs;`).
    #[serde(default)]
    pub client_reexports: Vec<crate::extract::types::ClientReexport>,
    pub structs: Vec<(String, String, TypeClass)>,
    pub statics: Vec<(String, TypeClass)>,
    pub fn_returns: Vec<(String, TypeClass)>,
    pub consts: Vec<(String, RawKey)>,
    pub num_consts: Vec<(String, f64)>,
    pub builders: Vec<KeyBuilder>,
    /// Fns passed to a router (axum, actix, warp, rocket's `routes!`).
    pub routed: Vec<RoutedFn>,
    pub uses_cluster: bool,
    pub fns: Vec<RawFn>,
    pub calls: Vec<RawCall>,
    pub creations: Vec<RawCreation>,
    pub disabled_timeouts: Vec<(Span, bool)>,
    pub helper_calls: Vec<RawHelperCall>,
    /// Calls of fns of crate types kept for following connections built
    /// in dependencies (only in crates that have such dependencies).
    #[serde(default)]
    pub fn_calls: Vec<RawFnCall>,
    /// Commands run only while an optional field holds a value.
    #[serde(default)]
    pub optional_runs: Vec<OptionalRun>,
    /// What the file's code puts in fields (one entry per owner, field and
    /// kind of value), to tell an optional field's default.
    #[serde(default)]
    pub field_sets: Vec<FieldSet>,
    /// The `Option` fields of the file's structs.
    #[serde(default)]
    pub option_fields: Vec<OptionField>,
    /// Structs the file builds with their `Default` (`Config::default()`,
    /// `Config { .., ..Default::default() }`).
    #[serde(default)]
    pub default_builds: Vec<String>,
    /// (struct, field) of fields whose connection is cloned out
    /// (`self.con.lock().await.as_ref().unwrap().clone()`).
    #[serde(default)]
    pub cloned_fields: Vec<(String, String)>,
    /// (fn name, parameter index) pairs: the fn sets an expiry on the key
    /// passed in that parameter.
    pub expiring_params: Vec<(String, usize)>,
    pub pipes: Vec<PipeInfo>,
    /// (fn name, parameter index, command): the fn runs that command on the
    /// key passed in that parameter.
    pub param_commands: Vec<(String, usize, String)>,
    /// `#[cfg(test)] mod name;` declarations: those files are test code.
    pub test_mods: Vec<String>,
    /// The whole file is test code (set by the engine from the module tree).
    pub all_test: bool,
    /// (span, text, in test code) of `redis://` / `rediss://` literals.
    pub url_literals: Vec<(Span, String, bool)>,
    /// Databases selected by number (`SELECT 2`, `db: 2`).
    pub selected_dbs: Vec<SelectedDb>,
    pub locked_connections: Vec<RawLockedConnection>,
    /// Replies searched or sorted in the application.
    pub reply_uses: Vec<ReplyUse>,
    /// Every loop that holds a Redis call, by id.
    pub loops: Vec<LoopFact>,
    /// Calls and creations a loop retries on error.
    pub retries: Vec<RetryFact>,
    /// Calls and creations whose error panics where it could be returned.
    #[serde(default)]
    pub panics: Vec<ErrorPanic>,
    /// Replies read as success flags, a false one treated as a failure
    /// (see `replies`).
    #[serde(default)]
    pub flag_readings: Vec<FlagReading>,
    /// Lua scripts (literals and `include_str!`s) run by `Script::new`,
    /// EVAL or fred `eval` / `script_load`, with whether they sit in test
    /// code.
    #[serde(default)]
    pub scripts: Vec<(ScriptSource, bool)>,
    /// Names of consts and statics passed where a script goes.
    #[serde(default)]
    pub script_consts: Vec<String>,
    /// `const NAME: &str = "literal"` (or `include_str!(..)`): (name,
    /// script, in test code), so a script kept in a const is found
    /// wherever it is used.
    #[serde(default)]
    pub str_consts: Vec<(String, ScriptSource, bool)>,
    /// (span, fn, in test code) of fred configs that name a cluster.
    #[serde(default)]
    pub fred_cluster_configs: Vec<(Span, u32, bool)>,
    /// Struct fields and statics that keep a connection that never
    /// reconnects (no lock around it).
    pub stored_connections: Vec<RawStoredConnection>,
    /// `const NAME: Duration = Duration::from_secs(..)`: name → milliseconds.
    pub duration_consts: Vec<(String, f64)>,
    /// fred `default_command_timeout` values written in a fn (closure
    /// assignment or `PerformanceConfig { .. }`), per fn index.
    pub fred_command_timeouts: Vec<(u32, crate::model::ConnTimeout)>,
    /// `subscribe`/`psubscribe`/`ssubscribe`/`as_pubsub`/`into_pubsub`
    /// method calls on a receiver that may be Redis.
    pub pubsub_uses: Vec<RawPubSubUse>,
    /// (struct, field, index into `creations`): a struct literal fills the
    /// field with that connection (made in place or bound just before).
    pub field_creations: Vec<(String, String, usize)>,
    /// `deadpool_redis::Manager::new_with_config(..)` is called.
    pub deadpool_manager_config: bool,
    /// `type Name = T;`: the class of `T`, so a receiver typed by the alias
    /// is what the alias stands for.
    pub aliases: Vec<(String, TypeClass)>,
    /// `impl Deref for Name { type Target = T; }`: a newtype's methods
    /// that it does not define itself are `T`'s.
    pub derefs: Vec<(String, TypeClass)>,
    /// (type, fn) of every fn of an `impl` block: a newtype's own methods
    /// are its wrappers, not its target's commands.
    pub impl_fns: Vec<(String, String)>,
    /// Types a connection pool manages (`impl ManageConnection for M {
    /// type Connection = T; }`): each value is checked out by one user at a
    /// time and validated or replaced by the pool.
    pub pool_managed: Vec<String>,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct RawPubSubUse {
    pub method: String,
    pub recv: Recv,
    pub span: Span,
    pub func: u32,
    pub in_test: bool,
    pub in_handler_closure: bool,
}

/// A struct field or static whose type is a redis-rs `Connection` or
/// `MultiplexedConnection` (possibly in an `Arc`, `Option`, `OnceLock`).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct RawStoredConnection {
    pub span: Span,
    /// `Struct.field` or the static's name.
    pub owner: String,
    pub kind: ConnKind,
    pub in_test: bool,
}

/// A connection field behind a lock (`Mutex<MultiplexedConnection>`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RawLockedConnection {
    /// The field's type.
    pub span: Span,
    /// `Mutex`, `RwLock`, …
    pub lock: String,
    pub kind: ConnKind,
    pub in_test: bool,
    /// (struct, field) it is declared as.
    pub field: (String, String),
    /// The lock holds an `Option` of the connection (`Mutex<Option<..>>`),
    /// the shape of a lazily opened one.
    pub lazy: bool,
}

/// Commands written where an optional field holds a value:
/// `if let Some(ttl) = self.ttl { .. }`, the `Some` arm of
/// `match self.config.ttl`, `if let Some(t) = cfg.ttl` (`cfg: &Config`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OptionalRun {
    /// The type the path starts from: the `impl` type for `self`, a
    /// parameter's type.
    pub root: String,
    /// The fields between the root and the optional one (`config` in
    /// `self.config.ttl`).
    pub through: Vec<String>,
    pub field: String,
    /// The path as written, without `self.` (`config.ttl`, `opts.ttl`).
    pub shown: String,
    /// The sequence numbers of the commands written there.
    pub seqs: std::ops::Range<u32>,
}

/// A value put in a field: in a struct literal (`Cache { ttl: None, .. }`)
/// or by assignment (`self.ttl = Some(t)`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FieldSet {
    /// The struct; `None` when the assignment does not tell (`c.ttl = ..`).
    pub owner: Option<String>,
    pub field: String,
    pub value: SetValue,
}

/// An `Option` field of a struct.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OptionField {
    pub owner: String,
    pub field: String,
    /// `#[derive(Default)]`: the struct's default leaves it `None`.
    pub derived_default: bool,
    /// Code the crate does not show may set it: a plain `pub` field (other
    /// crates), or a struct filled by a derive (`Deserialize` from a config
    /// file, clap's `Parser`, a builder).
    pub set_outside: bool,
}

/// What is put in a field, as far as an optional's default goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum SetValue {
    /// `None`.
    Nothing,
    /// `Some(..)`.
    Something,
    /// Anything else (a parameter, a config value): it may hold a value.
    Other,
}
