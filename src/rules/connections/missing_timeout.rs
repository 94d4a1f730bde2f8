//! `conn-missing-timeout`: a connection, client or pool that can wait forever
//! on a stuck server or an empty pool.

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::model::{ConnKind, CrateModel, Creation, CreationKind, FnInfo, FredTimeout, Lib};
use crate::rules::queries::only_listens;
use crate::rules::{Check, GroupKey, Rule, RuleContext, SiteRole, Sink};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "conn-missing-timeout",
        section: "3.1",
        impact: Impact::High,
        default: Activation::On,
        summary:
            "a connection, client or pool that can wait forever on a stuck server or an empty pool",
        doc: include_str!("../../../rules/conn-missing-timeout.md"),
        hides_source: false,
        examples: InExamples::Quiet,
        fixable: Fixable::No,
    },
    check: Check::Code(missing_timeout),
    options: None,
    guide_also: &[],
};

fn missing_timeout(ctx: &RuleContext, sink: &mut Sink) {
    let model = ctx.model;
    let redis_major = model.manifest.client("redis").and_then(|d| d.major());
    // A cluster builder given a response timeout in the same file bounds
    // the sync connections made there (which client a connection comes
    // from is not followed further).
    let cluster_timed = |file| {
        model.creations.iter().any(|k| {
            k.file == file
                && k.makes == ConnKind::ClusterClient
                && model.func(k.func).sets_response_timeout
        })
    };
    for c in &model.creations {
        // A pub/sub listener waits as long as its channels are quiet.
        if only_listens(model, c) {
            continue;
        }
        let info = model.func(c.func);
        // Built in a dependency that sets its own timeouts.
        if c.via.as_ref().is_some_and(|v| v.timeouts_set) {
            continue;
        }
        let redis_major = c.via.as_ref().map_or(redis_major, |v| v.redis_major);
        let problem = match c.kind {
            CreationKind::SyncConnection { with_connect_timeout } if c.makes == ConnKind::Sync => {
                (!read_timeout_set(c, info)).then(|| {
                    let bound = if with_connect_timeout { " (the timeout given bounds only connecting)" } else { "" };
                    (
                        format!("a sync connection from `{}` has no read timeout{bound}: one stuck reply hangs this thread forever", c.what),
                        "call `con.set_read_timeout(Some(Duration::from_secs(..)))` and `set_write_timeout` right after connecting, \
                         longer than the timeout of any blocking command (`BLPOP`, `XREAD BLOCK`) run on it".to_string(),
                    )
                })
            }
            CreationKind::SyncConnection { .. } if c.makes == ConnKind::ClusterSync && !cluster_timed(c.file) && !read_timeout_set(c, info) => Some((
                format!("a sync cluster connection from `{}` has no response timeout: one stuck node hangs this thread forever", c.what),
                "build the client with `ClusterClientBuilder::new(nodes).response_timeout(..)` (and `connection_timeout`), \
                 longer than the timeout of any blocking command run on it".to_string(),
            )),
            CreationKind::AsyncConnection { with_config } if c.lib == Lib::RedisRs && redis_major == Some(0) => {
                (!with_config || !info.sets_response_timeout).then(|| {
                    (
                        format!(
                            "`{}` on redis-rs 0.x has no response timeout: a command waits forever if the server stops answering",
                            c.what
                        ),
                        "pass a config with `set_response_timeout` and `set_connection_timeout` (or upgrade to redis-rs 1.x, whose defaults are 500 ms / 1 s); \
                         the response timeout must be longer than the timeout of any blocking command run on the connection".to_string(),
                    )
                })
            }
            CreationKind::Pool => pool_problem(model, c, info),
            CreationKind::FredClient { command_timeout: FredTimeout::Missing, .. } => Some((
                format!("fred client from `{}` has no `default_command_timeout`: a command waits forever on a stalled connection", c.what),
                "build it with `.with_performance_config(|p| p.default_command_timeout = Duration::from_secs(..))`, longer than \
                 the timeout of any blocking command it runs (or give those a longer one with `with_options`)".to_string(),
            )),
            _ => None,
        };
        if let Some((message, help)) = problem {
            sink.report_in(GroupKey::connection(c), SiteRole::Origin, c.file, c.span, message, help);
        }
    }
    for d in &model.disabled_timeouts {
        sink.report(
            d.file,
            d.span,
            "the response timeout is switched off: a command on this connection can wait forever".to_string(),
            "keep a bounded response timeout; for blocking commands use a dedicated connection whose timeout is \
             longer than the blocking timeout"
                .to_string(),
        );
    }
}

/// What a pool leaves unbounded: deadpool's checkout wait, and the replies
/// on the connections a pool opens through redis-rs 0.x (deadpool-redis
/// before 0.23, bb8-redis before 0.26), which have no response timeout; a
/// pool's checkout wait does not bound a command. r2d2 hands out sync
/// connections, which never time out unless `set_read_timeout` is called.
fn pool_problem(model: &CrateModel, c: &Creation, info: &FnInfo) -> Option<(String, String)> {
    let version = |name: &str| model.manifest.client(name).and_then(|d| d.version());
    let no_response_timeout = match c.lib {
        Lib::Deadpool => !model.deadpool_manager_config && version("deadpool-redis").is_some_and(|v| v < (0, 23)),
        Lib::Bb8 => version("bb8-redis").is_some_and(|v| v < (0, 26)),
        Lib::R2d2 => model.fns.iter().all(|f| f.sets_read_timeout.is_empty()),
        Lib::RedisRs | Lib::Fred => false,
    };
    let no_wait = c.lib == Lib::Deadpool && !info.sets_pool_wait_timeout;
    let wait_help = "set `PoolConfig { timeouts: Timeouts { wait: Some(..), .. }, .. }` or `.wait_timeout(Some(..))` on the builder";
    let (message, help) = match (no_wait, no_response_timeout) {
        (false, false) => return None,
        (true, false) => (
            "this deadpool-redis pool has no wait timeout: when every connection is busy, `pool.get()` waits forever".to_string(),
            wait_help.to_string(),
        ),
        (true, true) => (
            "this deadpool-redis pool has no wait timeout and its redis-rs 0.x connections have no response timeout: \
             `pool.get()` waits forever when every connection is busy, and a command waits forever on a stuck server"
                .to_string(),
            format!("{wait_help}; and {}", upgrade_help(c.lib)),
        ),
        (false, true) if c.lib == Lib::R2d2 => (
            "connections from this r2d2 pool have no read timeout: one stuck reply hangs the thread that checked it out".to_string(),
            "set a read timeout on every connection the pool opens (an r2d2 `CustomizeConnection` whose `on_acquire` calls \
             `set_read_timeout(Some(..))`), longer than any blocking command run on it"
                .to_string(),
        ),
        (false, true) => (
            format!(
                "connections from this {} pool are opened by redis-rs 0.x and have no response timeout: a command waits \
                 forever on a stuck server (the pool's checkout timeout does not bound commands)",
                c.lib.name()
            ),
            upgrade_help(c.lib),
        ),
    };
    Some((message, help))
}

/// The pool versions that open connections through redis-rs 1.x, whose
/// multiplexed connections have a 500 ms response timeout by default.
fn upgrade_help(lib: Lib) -> String {
    let first_1x = if lib == Lib::Bb8 { "0.26" } else { "0.23" };
    format!(
        "upgrade to {} {first_1x} or later (redis-rs 1.x: a 500 ms response timeout by default)",
        lib.name()
    )
}

/// `con.set_read_timeout(..)` is called on the connection in the fn that
/// made it (on any connection there when it is not bound to a name).
fn read_timeout_set(c: &Creation, info: &FnInfo) -> bool {
    match &c.binding {
        // Connected and dropped at once: no reply is ever read on it.
        Some(b) if b == "_" => true,
        Some(b) => info.sets_read_timeout.contains(b),
        None => !info.sets_read_timeout.is_empty(),
    }
}
