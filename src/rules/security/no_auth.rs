//! `conf-no-auth`: a Redis server reachable from the network without a
//! password.

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::rules::{Check, Rule, Sink};
use crate::server_conf::{ConfFile, ConfKind, Directive};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "conf-no-auth",
        section: "sec",
        impact: Impact::High,
        default: Activation::On,
        summary: "a Redis server reachable from the network without a password",
        doc: include_str!("../../../rules/conf-no-auth.md"),
        hides_source: false,
        examples: InExamples::Reported,
        fixable: Fixable::No,
    },
    check: Check::Conf(no_auth),
    options: None,
    guide_also: &[],
};

/// Addresses that listen on every interface (a leading `-` only makes the
/// address optional).
fn is_wildcard(addr: &str) -> bool {
    matches!(
        addr.trim_start_matches('-'),
        "0.0.0.0" | "*" | "::" | "::*" | "[::]"
    )
}

/// Whether clients must authenticate: `requirepass`, an `aclfile`, or the
/// default user given a password or switched off. Other ACL users do not
/// count: while `default` is `nopass`, anyone connects as `default`.
fn has_auth(conf: &ConfFile) -> bool {
    if conf.get("aclfile").is_some() {
        return true;
    }
    let default_user = conf
        .directives
        .iter()
        .rev()
        .find(|d| d.name == "user" && d.arg(0) == Some("default"));
    if let Some(user) = default_user {
        // Rules apply left to right; the last word about passwords wins.
        let mut protected = false;
        for rule in &user.args[1..] {
            let rule = rule.as_str();
            if rule.eq_ignore_ascii_case("off") {
                return true;
            }
            if rule.starts_with('>') || rule.starts_with('#') {
                protected = true;
            } else if rule.eq_ignore_ascii_case("nopass") || rule.eq_ignore_ascii_case("resetpass")
            {
                protected = false;
            }
        }
        return protected;
    }
    conf.get("requirepass")
        .is_some_and(|d| d.arg(0).is_some_and(|p| !p.is_empty()))
}

fn no_auth(conf: &ConfFile, sink: &mut Sink) {
    // Auth may be set where this file cannot see (an include, a config file
    // on the command line): only judge what is complete.
    if conf.kind == ConfKind::Sentinel || !conf.judges_absence() || has_auth(conf) {
        return;
    }
    let open_mode = conf
        .get("protected-mode")
        .filter(|d| d.flag() == Some(false));
    let wildcard_bind = conf
        .get("bind")
        .filter(|d| d.args.iter().any(|a| is_wildcard(a)));
    let (d, why): (&Directive, &str) = match (open_mode, wildcard_bind) {
        (Some(d), _) => (
            d,
            "`protected-mode no` without a password: any client that can reach the port",
        ),
        (None, Some(d)) => (
            d,
            "listening on every interface without a password (and before Redis 7 an explicit `bind` also \
             switches protected mode off): any client that can reach the port",
        ),
        (None, None) => return,
    };
    sink.report(
        d.file,
        d.full_span(),
        format!(
            "{why} can read, change and delete every key and reconfigure the server (CONFIG SET, MODULE LOAD); \
             exposed Redis servers are found by scanners within hours"
        ),
        "require authentication: `requirepass` from a secret (not committed), or ACL users with `user default \
         off`; keep `protected-mode yes` and `bind` only the interfaces clients use"
            .to_string(),
    );
}
