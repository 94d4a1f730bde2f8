//! Fn contexts, scopes, bindings and loop frames of the walk.

use std::collections::HashMap;

use super::facts::RawFn;
use super::value::Value;
use super::{Walker, CLUSTER_MARKERS};
use crate::model::flow::{LoopFact, Source};
use crate::model::{FnInfo, LoopCtx, LoopKind, NodePath};

/// What a loop's syntax says about it.
#[derive(Default, Clone, Copy)]
pub(super) struct LoopShape {
    pub(super) sleeps: super::flow::Waiting,
    pub(super) counted: bool,
    /// `while let Some(x) = next()`: one round per item, like a `for`.
    pub(super) per_item: bool,
}

pub(super) struct LoopFrame {
    pub(super) id: u32,
    pub(super) kind: LoopKind,
    /// Identifiers derived from the loop's item.
    pub(super) deps: Vec<String>,
}

pub(super) struct FnCtx {
    pub(super) id: u32,
    pub(super) params: Vec<String>,
    pub(super) scopes: Vec<HashMap<String, Value>>,
    /// Loops since the last async boundary (an `async` block runs its body
    /// elsewhere, so loops outside it do not repeat its round trips).
    pub(super) loops: Vec<Vec<LoopFrame>>,
    pub(super) init_depth: u32,
    pub(super) handler_depth: u32,
    /// Per scope, like `scopes`: where each binding's value came from.
    pub(super) flows: Vec<HashMap<String, Vec<Source>>>,
    /// Calls (by seq) whose reply decides whether the code being walked
    /// runs: the conditions of enclosing `if`/`match`, and of earlier
    /// `if`s in the block that left it early.
    pub(super) gates: Vec<u32>,
    /// Enclosing blocks, innermost last.
    pub(super) blocks: Vec<u32>,
    /// Locals and parameters that surely hold an integer (typed so, or
    /// bound to an integer literal or a length).
    pub(super) ints: Vec<String>,
    /// Enclosing branches chosen by a cluster condition, innermost last.
    pub(super) node_paths: Vec<NodePath>,
}

impl FnCtx {
    pub(super) fn new(id: u32) -> FnCtx {
        FnCtx {
            id,
            params: Vec::new(),
            scopes: vec![HashMap::new()],
            loops: vec![Vec::new()],
            init_depth: 0,
            handler_depth: 0,
            flows: vec![HashMap::new()],
            gates: Vec::new(),
            blocks: Vec::new(),
            ints: Vec::new(),
            node_paths: Vec::new(),
        }
    }
}

impl Walker {
    pub(super) fn enter_fn(&mut self, raw: RawFn) -> u32 {
        let id = self.facts.fns.len() as u32;
        self.facts.fns.push(raw);
        self.bound_literals.clear();
        self.fns.push(FnCtx::new(id));
        id
    }

    pub(super) fn leave_fn(&mut self) {
        self.fns.pop();
    }

    pub(super) fn cx(&mut self) -> &mut FnCtx {
        self.fns.last_mut().expect("a fn context is always open")
    }

    pub(super) fn func(&self) -> u32 {
        self.fns.last().map_or(0, |f| f.id)
    }

    pub(super) fn info(&mut self) -> &mut FnInfo {
        let id = self.func() as usize;
        &mut self.facts.fns[id].info
    }

    pub(super) fn in_test(&self) -> bool {
        self.test_depth > 0
    }

    pub(super) fn bind(&mut self, name: String, value: Value) {
        if let Some(scope) = self.cx().scopes.last_mut() {
            scope.insert(name, value);
        }
    }

    pub(super) fn lookup(&self, name: &str) -> Option<&Value> {
        let cx = self.fns.last()?;
        cx.scopes.iter().rev().find_map(|s| s.get(name))
    }

    pub(super) fn push_scope(&mut self) {
        let cx = self.cx();
        cx.scopes.push(HashMap::new());
        cx.flows.push(HashMap::new());
    }

    pub(super) fn pop_scope(&mut self) {
        let cx = self.cx();
        cx.scopes.pop();
        cx.flows.pop();
    }

    pub(super) fn next_seq(&mut self) -> u32 {
        self.seq += 1;
        self.seq
    }

    /// Notes identifiers that configure timeouts or reveal a cluster.
    pub(super) fn mark(&mut self, ident: &str) {
        match ident {
            "default_command_timeout" => self.info().sets_fred_command_timeout = true,
            "set_policy" | "ReconnectPolicy" => self.info().sets_reconnect_policy = true,
            "wait_timeout" | "wait" | "wait_millis" | "wait_secs" => {
                self.info().sets_pool_wait_timeout = true
            }
            _ if CLUSTER_MARKERS.contains(&ident) => self.facts.uses_cluster = true,
            "read_from_replicas" | "read_routing_strategy" | "ReplicaConfig" | "replica" => {
                self.info().reads_from_replicas = true
            }
            _ => {}
        }
    }

    pub(super) fn loop_ctx(&self, mentions: &[String]) -> Option<LoopCtx> {
        let frames = self.fns.last()?.loops.last()?;
        let innermost = frames.last()?;
        let key_from_item = frames
            .iter()
            .any(|f| f.deps.iter().any(|d| mentions.contains(d)));
        Some(LoopCtx {
            kind: innermost.kind,
            key_from_item,
        })
    }

    pub(super) fn in_loop(&self) -> bool {
        self.fns
            .last()
            .and_then(|f| f.loops.last())
            .is_some_and(|l| !l.is_empty())
    }

    pub(super) fn with_loop<T>(
        &mut self,
        fact: (LoopKind, LoopShape),
        deps: Vec<String>,
        f: impl FnOnce(&mut Self) -> T,
    ) -> T {
        let (kind, shape) = fact;
        self.loops += 1;
        let id = self.loops;
        self.facts.loops.push(LoopFact {
            id,
            kind,
            sleeps: shape.sleeps.any,
            always_waits: shape.sleeps.always,
            counted: shape.counted,
            per_item: shape.per_item,
        });
        if let Some(group) = self.cx().loops.last_mut() {
            group.push(LoopFrame { id, kind, deps });
        }
        self.push_scope();
        let out = f(self);
        self.pop_scope();
        if let Some(group) = self.cx().loops.last_mut() {
            group.pop();
        }
        out
    }

    /// A `let` inside a loop whose value comes from the item carries the
    /// item's identity on.
    pub(super) fn propagate_loop_deps(&mut self, names: &[String], from: &[String]) {
        if let Some(group) = self.cx().loops.last_mut() {
            for frame in group.iter_mut() {
                if frame.deps.iter().any(|d| from.contains(d)) {
                    frame.deps.extend(names.iter().cloned());
                }
            }
        }
    }
}
