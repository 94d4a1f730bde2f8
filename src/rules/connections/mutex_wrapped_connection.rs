//! `conn-mutex-wrapped-connection`: a connection behind a Mutex/RwLock (or
//! a shared async connection behind a `RefCell`): every request waits for
//! one socket.

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::model::{ConnKind, CrateModel, LockedConnection};
use crate::rules::{Check, Rule, RuleContext, Sink};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "conn-mutex-wrapped-connection",
        section: "3.4",
        impact: Impact::Critical,
        default: Activation::On,
        summary: "a connection behind a Mutex/RwLock (or a shared async one behind a RefCell): every request \
                  waits for one socket",
        doc: include_str!("../../../rules/conn-mutex-wrapped-connection.md"),
        hides_source: false,
        examples: InExamples::Quiet,
        fixable: Fixable::No,
    },
    check: Check::Code(locked_connection),
    options: None,
    guide_also: &[],
};

fn locked_connection(ctx: &RuleContext, sink: &mut Sink) {
    let model = ctx.model;
    for l in &model.locked_connections {
        if l.lock == "RefCell" {
            borrowed_connection(l, sink);
            continue;
        }
        if only_guards_opening(model, l) {
            continue;
        }
        let help = match l.kind {
            ConnKind::Sync => "use a pool (r2d2, or deadpool/bb8 for async) so each caller gets its own connection",
            _ => "drop the lock: MultiplexedConnection, ConnectionManager and fred clients are cheap to clone and \
                  safe to share; clone one per task",
        };
        sink.report(
            l.file,
            l.span,
            format!(
                "a {} behind a `{}`: every caller queues for the lock, so the app talks to Redis one request at \
                 a time, and a slow command holds everyone",
                l.kind.describe(),
                l.lock
            ),
            help.to_string(),
        );
    }
}

/// A `RefCell` is a lock for one thread: a blocking connection in one is
/// the usual way to reach `&mut` from `&self` and costs nothing. A
/// connection meant to be shared by clones is another matter: a command
/// sent through `borrow_mut()` keeps the borrow across its `.await`, so
/// tasks on the thread take turns, and one that borrows meanwhile panics.
fn borrowed_connection(l: &LockedConnection, sink: &mut Sink) {
    if !matches!(
        l.kind,
        ConnKind::Multiplexed | ConnKind::Manager | ConnKind::Cluster | ConnKind::FredClient
    ) {
        return;
    }
    sink.report(
        l.file,
        l.span,
        format!(
            "a {} behind a `RefCell`: a command sent through `borrow_mut()` holds the borrow until its reply \
             arrives, so the tasks sharing it send one command at a time, and a task that borrows it meanwhile \
             panics (`BorrowMutError`)",
            l.kind.describe()
        ),
        "drop the `RefCell`: the connection is cheap to clone and safe to share; keep it by value and clone it \
         where a command needs `&mut`"
            .to_string(),
    );
}

/// `Mutex<Option<MultiplexedConnection>>` whose guard only opens the
/// connection once and hands out clones: commands run on the clones,
/// side by side, and the lock is held for a moment per checkout, not for
/// a command. It serialises nothing, unless some command is sent through
/// the guard itself.
fn only_guards_opening(model: &CrateModel, l: &LockedConnection) -> bool {
    let shared_by_clone = matches!(
        l.kind,
        ConnKind::Multiplexed | ConnKind::Manager | ConnKind::Cluster | ConnKind::FredClient
    );
    let through_guard = model.calls.iter().any(|c| {
        c.conn_field.as_ref() == Some(&l.field) && !c.conn.is_some_and(|conn| conn.cloned)
    });
    l.lazy && shared_by_clone && !through_guard
}
