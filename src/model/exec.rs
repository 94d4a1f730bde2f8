//! Where code runs (an async worker or a thread that may block) and where
//! pipelines are sent: facts recorded per fn and per pipeline.

use super::{FnInfo, Span};

/// Where the code in a span of a fn runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ExecRegion {
    pub span: Span,
    pub runs_on: RunsOn,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum RunsOn {
    /// An async runtime worker thread, shared by many tasks.
    AsyncWorker,
    /// A thread that may block (a blocking pool or its own thread).
    BlockingThread,
}

impl FnInfo {
    /// Where code at `span` inside the fn runs: the innermost region
    /// around it, else the fn's own kind. Of two regions on the same code
    /// (`block_on(async { .. })`), the blocking one says where it runs.
    pub fn runs_on(&self, span: Span) -> RunsOn {
        let inside = |r: &&ExecRegion| r.span.start <= span.start && span.end <= r.span.end;
        match self
            .regions
            .iter()
            .filter(inside)
            .max_by_key(|r| (r.span.start, r.runs_on == RunsOn::BlockingThread))
        {
            Some(region) => region.runs_on,
            None if self.is_async => RunsOn::AsyncWorker,
            None => RunsOn::BlockingThread,
        }
    }
}

/// A place a pipeline is executed (`query`, `exec_async`, fred `all`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PipeRun {
    /// Calls recorded before it in its file have a seq up to this one;
    /// calls after it, a greater one.
    pub after_seq: u32,
    pub span: Span,
    /// redis-rs `query`/`exec`: a blocking send on a sync connection.
    #[serde(default)]
    pub blocking: bool,
}
