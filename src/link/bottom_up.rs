//! A value per fn, computed bottom-up over the call graph and each only
//! once: what a fn sends (summaries), what a dependency's fn builds
//! (made). A call back into a fn still being computed is recursion, and a
//! chain deeper than the limit is not followed; both give nothing.

use std::sync::Arc;

pub(super) struct BottomUp<T> {
    state: Vec<State<T>>,
    max_depth: u32,
}

enum State<T> {
    Todo,
    /// Being computed: a call back to it is recursion.
    Busy,
    Done(Arc<T>),
}

/// What to do with a fn reached at some depth.
pub(super) enum Visit<T> {
    /// Computed before.
    Known(Arc<T>),
    /// Recursion, or too deep: the caller gets nothing from it.
    Skip,
    /// Compute it now, then [`BottomUp::finish`] it.
    Compute,
}

impl<T> BottomUp<T> {
    pub(super) fn new(fns: usize, max_depth: u32) -> Self {
        BottomUp {
            state: (0..fns).map(|_| State::Todo).collect(),
            max_depth,
        }
    }

    pub(super) fn enter(&mut self, n: usize, depth: u32) -> Visit<T> {
        match &self.state[n] {
            State::Done(v) => Visit::Known(Arc::clone(v)),
            State::Busy => Visit::Skip,
            State::Todo if depth > self.max_depth => Visit::Skip,
            State::Todo => {
                self.state[n] = State::Busy;
                Visit::Compute
            }
        }
    }

    pub(super) fn finish(&mut self, n: usize, value: &Arc<T>) {
        self.state[n] = State::Done(Arc::clone(value));
    }
}
