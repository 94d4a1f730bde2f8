//! `conn-missing-timeout`: a connection, client or pool that can wait forever
//! on a stuck server or an empty pool.

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::model::{ConnKind, Creation, CreationKind, FnInfo, FredTimeout, Lib};
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
            CreationKind::SyncConnection { .. } if c.makes == ConnKind::Cluster && !cluster_timed(c.file) && !read_timeout_set(c, info) => Some((
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
            CreationKind::Pool if c.lib == Lib::Deadpool && !info.sets_pool_wait_timeout => Some((
                "this deadpool-redis pool has no wait timeout: when every connection is busy, `pool.get()` waits forever".to_string(),
                "set `PoolConfig { timeouts: Timeouts { wait: Some(..), .. }, .. }` or `.wait_timeout(Some(..))` on the builder".to_string(),
            )),
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
