//! Security: not a numbered section of the guide, which touches it in its
//! TLS and platform notes. The rules here read Redis configuration files.

use super::{Check, Rule, Sink};
use crate::diagnostic::{Activation, Impact, RuleMeta};
use crate::model::CrateModel;
use crate::server_conf::{ConfFile, ConfKind, Directive};

/// The rules of this section.
pub static RULES: &[&Rule] = &[&HARDCODED_CREDENTIALS, &PLAINTEXT_REMOTE, &CONF_NO_AUTH];

pub static CONF_NO_AUTH: Rule = Rule {
    meta: RuleMeta {
        id: "conf-no-auth",
        section: "sec",
        impact: Impact::High,
        default: Activation::On,
        summary: "a Redis server reachable from the network without a password",
        doc: include_str!("../../rules/conf-no-auth.md"),
        hides_source: false,
    },
    check: Check::Conf(no_auth),
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
    if conf.kind == ConfKind::Sentinel || !conf.complete || has_auth(conf) {
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

/// The parts of a Redis URL the security rules look at.
pub(super) struct RedisUrl<'a> {
    pub(super) tls: bool,
    pub(super) password: Option<&'a str>,
    pub(super) host: &'a str,
}

pub(super) fn parse_url(text: &str) -> Option<RedisUrl<'_>> {
    let (tls, rest) = match text.split_once("://")? {
        ("redis", rest) => (false, rest),
        ("rediss", rest) => (true, rest),
        _ => return None,
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let (userinfo, hostport) = match authority.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, authority),
    };
    let password = userinfo.and_then(|u| u.split_once(':')).map(|(_, pw)| pw);
    let host = if let Some(v6) = hostport.strip_prefix('[') {
        v6.split(']').next().unwrap_or("")
    } else {
        hostport.rsplit_once(':').map_or(hostport, |(h, _)| h)
    };
    Some(RedisUrl {
        tls,
        password,
        host,
    })
}

/// A value filled in at run time (`${VAR}`, `{}`, `{name}`, `$VAR`).
fn is_placeholder(text: &str) -> bool {
    text.contains('{') || text.contains('$') || text.contains('%')
}

pub static HARDCODED_CREDENTIALS: Rule = Rule {
    meta: RuleMeta {
        id: "sec-hardcoded-credentials",
        section: "sec",
        impact: Impact::High,
        default: Activation::On,
        summary: "a Redis URL with a password written in the code",
        doc: include_str!("../../rules/sec-hardcoded-credentials.md"),
        hides_source: true,
    },
    check: Check::Code(hardcoded_credentials),
};

fn hardcoded_credentials(model: &CrateModel, sink: &mut Sink) {
    for lit in &model.url_literals {
        let Some(url) = parse_url(&lit.text) else {
            continue;
        };
        let Some(password) = url.password.filter(|p| !p.is_empty() && !is_placeholder(p)) else {
            continue;
        };
        // Never print the secret: show where it was, masked.
        let masked = lit.text.replacen(&format!(":{password}@"), ":****@", 1);
        sink.report(
            lit.file,
            lit.span,
            format!(
                "`{masked}` puts a Redis password in the source: everyone with the repository (and its history) \
                 has it, and rotating it means a release"
            ),
            "read the URL or the password from the environment or a secret store at startup".to_string(),
        );
    }
}

pub static PLAINTEXT_REMOTE: Rule = Rule {
    meta: RuleMeta {
        id: "sec-plaintext-remote",
        section: "sec",
        impact: Impact::Medium,
        default: Activation::On,
        summary: "a redis:// URL to a remote host: traffic and password travel unencrypted",
        doc: include_str!("../../rules/sec-plaintext-remote.md"),
        hides_source: true,
    },
    check: Check::Code(plaintext_remote),
};

/// A host reached over a network someone else may share: a dotted name or
/// a public IPv4 address. Loopback, private ranges and single-label names
/// (service names on a container network) are not.
fn is_remote(host: &str) -> bool {
    if host.is_empty() || is_placeholder(host) || host == "localhost" || host.contains(':') {
        return false;
    }
    if let Ok(ip) = host.parse::<std::net::Ipv4Addr>() {
        return !(ip.is_loopback() || ip.is_private() || ip.is_link_local() || ip.is_unspecified());
    }
    host.contains('.') && !host.ends_with(".local") && !host.ends_with(".localhost")
}

fn plaintext_remote(model: &CrateModel, sink: &mut Sink) {
    for lit in &model.url_literals {
        let Some(url) = parse_url(&lit.text) else {
            continue;
        };
        if url.tls || !is_remote(url.host) {
            continue;
        }
        sink.report(
            lit.file,
            lit.span,
            format!(
                "`redis://` to `{}` sends commands, data and the password unencrypted over the network",
                url.host
            ),
            "use `rediss://` (TLS; redis-rs features `tls-rustls` or `tls-native-tls`, fred `enable-rustls` or \
             `enable-native-tls`)"
                .to_string(),
        );
    }
}

#[cfg(test)]
mod url_tests {
    use super::*;

    #[test]
    fn urls_split_into_what_the_rules_need() {
        let u = parse_url("rediss://app:s3cret@cache.example.com:6380/0").unwrap();
        assert!(u.tls);
        assert_eq!(u.password, Some("s3cret"));
        assert_eq!(u.host, "cache.example.com");
        let u = parse_url("redis://127.0.0.1/").unwrap();
        assert_eq!((u.password, u.host), (None, "127.0.0.1"));
        assert!(parse_url("postgres://u:p@h/db").is_none());
        assert!(is_remote("my-redis.abc.cache.amazonaws.com") && is_remote("8.8.8.8"));
        assert!(
            !is_remote("redis")
                && !is_remote("10.0.0.5")
                && !is_remote("localhost")
                && !is_remote("{}")
        );
    }
}
