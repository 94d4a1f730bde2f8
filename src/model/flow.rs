//! Data flow inside one fn, as the flow rules need it: where a command's
//! reply goes (into a condition, a deserialiser, a search or a sort, the
//! arguments of a later command), and which loops sleep or retry.
//!
//! Extraction records these per file, keyed by the `seq` every call and
//! creation gets (unique within its file); resolution keeps them beside the
//! calls. Together with the calls of a fn in `seq` order they form the
//! per-fn event list the flow rules walk.

use super::{FileId, LoopKind, Span};

/// Where a value came from.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Source {
    /// The reply of the call with this `seq`.
    Reply(u32),
    /// That reply after a deserialiser (`serde_json::from_str`, …).
    Decoded(u32),
    /// The result of a helper fn call: its index among the file's helper
    /// calls.
    Helper(u32),
    /// The whole content of a file (`fs::read`, `read_to_end` on a file).
    FileData,
    /// An open file: what is read from it whole becomes `FileData`.
    FileHandle,
}

impl Source {
    /// The call whose reply this is, decoded or not.
    pub fn reply_seq(self) -> Option<u32> {
        match self {
            Source::Reply(s) | Source::Decoded(s) => Some(s),
            _ => None,
        }
    }
}

/// What the code does with a reply, beyond passing it on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum UseKind {
    /// `.contains(..)`, `.iter().any(..)`, `.iter().position(..)`, …
    Search,
    /// `.sort_by(..)`, `.sort_by_key(..)`, `.sorted_by(..)`: ordered by a
    /// computed attribute (a plain `.sort()` orders for display).
    SortBy,
    /// One field of a JSON document read: `doc.name`, `doc["name"]`,
    /// `doc[0]["name"]`, `doc.get("name")` (recorded for JSON.GET only).
    Field,
    /// The document used whole: returned, passed on, compared, printed
    /// (recorded for JSON.GET only).
    Whole,
}

/// A reply searched or sorted in the application.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ReplyUse {
    /// The call whose reply is used.
    pub seq: u32,
    pub kind: UseKind,
    /// The method as written (`contains`, `sort_by_key`), or the field
    /// name of a `Field` use.
    pub method: String,
    pub span: Span,
}

/// A loop of a fn.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct LoopFact {
    pub id: u32,
    pub kind: LoopKind,
    /// The body waits: a sleep, an interval tick, a backoff.
    pub sleeps: bool,
    /// The body waits on every round: a wait outside any branch (or in
    /// every branch), or in a `while` condition.
    #[serde(default)]
    pub always_waits: bool,
    /// A `for` over a number range (`for attempt in 0..5`): a bounded retry
    /// when the body exits on success.
    pub counted: bool,
    /// One round per item: a `for`, or a `while let Some(x) = next()`.
    pub per_item: bool,
}

/// A Redis call (or connection creation) whose error path lets the loop
/// go round again: the loop retries it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct RetryFact {
    /// The loop that retries.
    pub loop_id: u32,
    /// The call or creation retried (for a helper, the seq of its call).
    pub seq: u32,
    /// The attempt is a command or connection written here, or a call of
    /// a helper fn that sends one.
    #[serde(default)]
    pub via: AttemptVia,
    /// The success path leaves the loop (`break`/`return`): a retry loop
    /// rather than a worker loop that also goes on after errors.
    pub ok_exits: bool,
    /// Whether the branch that handles the error waits before the loop
    /// goes round again.
    #[serde(default)]
    pub error_path: ErrorPath,
}

/// What a loop retries.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum AttemptVia {
    /// A command or connection written in the loop.
    #[default]
    Direct,
    /// A call of a crate fn (where, and its name): the commands it sends.
    Helper { span: Span, name: String },
}

/// How the branch that handles a retried error waits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ErrorPath {
    /// On every path that goes round again (the others leave the loop).
    Waits,
    /// On some paths only (`if kind == IoError { sleep }`): the other
    /// errors go round again at once.
    WaitsSometimes,
    /// Never.
    NeverWaits,
    /// The error falls through to the rest of the loop body
    /// (`while let Err(..)`, `if let Ok(..)` without `else`): how the loop
    /// waits says it.
    #[default]
    RestOfLoop,
}

/// A Redis call's or connection's error turned into a panic in a fn that
/// could return it (it returns a `Result`; not `main`, not a closure).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ErrorPanic {
    /// The call or creation whose error panics.
    pub seq: u32,
    /// The `.unwrap()`, `.expect(..)` or the `panic!` of the error branch.
    pub span: Span,
    pub how: PanicHow,
    pub in_test: bool,
}

/// How an error becomes a panic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum PanicHow {
    Unwrap,
    Expect,
    /// `if let Err(e) = r { panic!(..) }`, `Err(e) => panic!(..)`.
    ErrBranch,
}

/// A reply read as success flags: deserialized as `bool` (or a `Vec` of
/// them, one per queued command) and a false one treated as a failure.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FlagReading {
    /// The call whose reply is read: a command method, or the run of a
    /// pipeline (`query_async(..)`), spanned as the walk spans them.
    pub site: Span,
    /// The branch that treats a false reply as a failure.
    pub judged: Span,
    pub how: Judgement,
}

/// How code treats a false flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Judgement {
    /// Sends it again (`RetryAction::Retry`, a retry status).
    Retry,
    /// Reports a failure: an `Err` or status that says it failed.
    Failure,
    /// Logs it as an error (`error!`).
    ErrorLog,
}

/// Flow facts of a crate, by file.
#[derive(Debug, Default)]
pub struct CrateFlow {
    pub uses: Vec<(FileId, ReplyUse)>,
    pub loops: std::collections::HashMap<(FileId, u32), LoopFact>,
    pub retries: Vec<(FileId, RetryFact)>,
    pub panics: Vec<(FileId, ErrorPanic)>,
    pub flag_readings: Vec<(FileId, FlagReading)>,
}

impl CrateFlow {
    pub fn loop_fact(&self, file: FileId, id: u32) -> Option<&LoopFact> {
        self.loops.get(&(file, id))
    }
}
