//! The one way the crate parses a Rust file: a cheap pre-scan first
//! ([`prescan`]) refuses nesting syn cannot survive, then syn parses on a
//! thread with a large stack, and the caller's work on the syntax tree
//! (extraction) runs there too, as does dropping the tree (which recurses
//! as deep as the parse did). A stack overflow aborts the whole process,
//! losing every other file's findings, so no Rust text reaches syn another
//! way (lint, the `--fix` re-parse, standard input).

pub mod prescan;

use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};

use crate::source::Pos;

pub use prescan::{Refusal, MAX_DEPTH, MAX_LINE};

/// Stack of the threads that parse: syn and the walks over its syntax tree
/// recurse once per nesting level ([`prescan`] bounds the levels).
pub const STACK_SIZE: usize = 256 << 20;

thread_local! {
    /// Whether this thread was started with [`STACK_SIZE`] (see
    /// [`thread_pool`]); other threads parse on a thread of their own.
    static LARGE_STACK: Cell<bool> = const { Cell::new(false) };
}

/// A builder for worker pools whose threads parse in place.
pub fn thread_pool() -> rayon::ThreadPoolBuilder {
    rayon::ThreadPoolBuilder::new()
        .stack_size(STACK_SIZE)
        .start_handler(|_| LARGE_STACK.with(|large| large.set(true)))
}

/// Why a text was not parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unparsed {
    /// The nesting estimate passed [`MAX_DEPTH`] at `line`.
    #[error("too deeply nested to parse safely (the limit is passed at line {line}); not linted")]
    TooDeep { line: u32 },
    #[error("line {line} has {len} bytes of code (over {MAX_LINE}); not linted")]
    LongLine { line: u32, len: usize },
    #[error("cannot parse: {message}")]
    Syntax { message: String, at: Pos },
    /// A bug in syn or in the caller's work on the tree.
    #[error("internal error while linting this file: {0}")]
    Panic(String),
}

impl From<Refusal> for Unparsed {
    fn from(r: Refusal) -> Unparsed {
        match r {
            Refusal::TooDeep { line } => Unparsed::TooDeep { line },
            Refusal::LongLine { line, len } => Unparsed::LongLine { line, len },
        }
    }
}

/// Parses `text` as a Rust file and gives the tree to `then`, all on a
/// large stack; never panics outward.
pub fn parse_file_with<T, F>(text: &str, then: F) -> Result<T, Unparsed>
where
    T: Send,
    F: FnOnce(syn::File) -> T + Send,
{
    prescan::check(text)?;
    on_large_stack(|| {
        let result = panic::catch_unwind(AssertUnwindSafe(|| {
            // Read the error's position now: spans die with the source map.
            syn::parse_file(text).map(then).map_err(|e| {
                let start = e.span().start();
                Unparsed::Syntax {
                    message: e.to_string(),
                    at: Pos {
                        line: start.line as u32,
                        col: start.column as u32,
                    },
                }
            })
        }));
        // proc-macro2 keeps a copy of every parsed text per thread so spans
        // can report positions; callers keep plain line/column numbers, so
        // free it (otherwise memory grows with every file parsed).
        proc_macro2::extra::invalidate_current_thread_spans();
        result.unwrap_or_else(|panic| Err(Unparsed::Panic(panic_message(&*panic))))
    })
}

/// Whether `text` is a Rust file syn parses (and safely could).
pub fn parses(text: &str) -> bool {
    parse_file_with(text, drop).is_ok()
}

/// Runs `work` here when this thread has a large stack, otherwise on a
/// thread of its own that has.
fn on_large_stack<T: Send>(
    work: impl FnOnce() -> Result<T, Unparsed> + Send,
) -> Result<T, Unparsed> {
    if LARGE_STACK.with(Cell::get) {
        return work();
    }
    std::thread::scope(|scope| {
        let spawned = std::thread::Builder::new()
            .name("redis-lint-parse".into())
            .stack_size(STACK_SIZE)
            .spawn_scoped(scope, || {
                LARGE_STACK.with(|large| large.set(true));
                work()
            });
        match spawned {
            Ok(handle) => handle
                .join()
                .unwrap_or_else(|panic| Err(Unparsed::Panic(panic_message(&*panic)))),
            Err(e) => Err(Unparsed::Panic(format!("cannot start a parse thread: {e}"))),
        }
    })
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_off_a_small_stack() {
        // 3,000 nested parentheses overflow an 8 MiB stack in a debug build.
        let deep = format!("fn f() {{ {}1{}; }}", "(".repeat(3_000), ")".repeat(3_000));
        let ran = std::thread::Builder::new()
            .stack_size(1 << 20)
            .spawn(move || parses(&deep))
            .unwrap()
            .join()
            .unwrap();
        assert!(ran);
    }

    #[test]
    fn errors_say_where_and_refusals_why() {
        let err = parse_file_with("fn f( {", drop).unwrap_err();
        assert!(
            matches!(
                err,
                Unparsed::Syntax {
                    at: Pos { line: 1, .. },
                    ..
                }
            ),
            "{err:?}"
        );
        let deep = format!("fn f() {{ let _ = {}x; }}", "!\n".repeat(10_000));
        assert!(matches!(
            parse_file_with(&deep, drop),
            Err(Unparsed::TooDeep { .. })
        ));
    }
}
