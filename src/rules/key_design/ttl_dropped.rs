//! `key-ttl-dropped`: a key template written with an expiry in one place
//! and replaced by a plain SET (no expiry, no KEEPTTL) elsewhere, in code
//! that may meet (`KeySite::may_meet`): across crates and within one.

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, Related, RuleMeta};
use std::collections::BTreeSet;

use crate::model::keyspace::{KeySite, Program, WriteTtl};
use crate::rules::queries::{site_owner, sites_by_template};
use crate::rules::{Check, KeyspaceContext, Rule, Sink};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "key-ttl-dropped",
        section: "2.4",
        impact: Impact::High,
        default: Activation::On,
        summary: "a key written with an expiry in one place is replaced by a plain SET elsewhere, which removes its TTL",
        doc: include_str!("../../../rules/key-ttl-dropped.md"),
        hides_source: false,
        fixable: Fixable::No,
        examples: InExamples::Quiet,
    },
    check: Check::Keyspace(ttl_dropped),
    options: None,
    guide_also: &[],
};

fn ttl_dropped(ctx: &KeyspaceContext, sink: &mut Sink) {
    for sites in sites_by_template(ctx.keyspace).values() {
        let expiring = sites.iter().filter(|s| s.ttl == WriteTtl::Given);
        let dropping = sites.iter().filter(|s| s.ttl == WriteTtl::Dropped);
        // One finding per program that drops an expiry it can see: the
        // service's own, or (in an example or test) the service's or its
        // own. An expiry only an example gives is the example's choice.
        let mut reported: BTreeSet<&Program> = BTreeSet::new();
        let pairs = dropping.flat_map(|d| expiring.clone().map(move |e| (d, e)));
        for (site, given) in pairs {
            let seen = given.program == Program::Service || given.program == site.program;
            if !seen || !site.may_meet(given) || !reported.insert(&site.program) {
                continue;
            }
            report(sites, site, given, sink);
        }
    }
}

fn report(sites: &[&KeySite], site: &KeySite, given: &KeySite, sink: &mut Sink) {
    // Every other plain overwrite of the template in the program is the
    // same problem: listed first, so that an editor showing the finding in
    // another file shows it at an overwrite there; the write that gives the
    // expiry comes last.
    let mut related: Vec<Related> = sites
        .iter()
        .filter(|other| {
            other.ttl == WriteTtl::Dropped
                && (other.file, other.span) != (site.file, site.span)
                && other.program == site.program
                && other.may_meet(given)
        })
        .map(|other| Related {
            file: other.file,
            span: other.span,
            message: "also replaced without an expiry here".to_string(),
        })
        .collect();
    related.push(Related {
        file: given.file,
        span: given.span,
        message: match &given.sent_by {
            Some(helper) => format!(
                "written with an expiry here ({}, sent by `{helper}`)",
                given.command
            ),
            None => format!("written with an expiry here ({})", given.command),
        },
    });
    sink.report_with_related(
        site.file,
        site.span,
        format!(
            "this {} replaces `{}` without an expiry, which removes the TTL that {} gives it: \
             after this write the key never expires, and what was meant to be temporary stays \
             in memory until something deletes it",
            command_named(site),
            site.key,
            site_owner(given)
        ),
        "set the expiry here too (`set_ex`, `SET .. EX`), keep the existing one (`KEEPTTL`, \
         `SetOptions::default().with_expiration(SetExpiry::KEEPTTL)`), or EXPIRE the key right \
         after this write"
            .to_string(),
        related,
    );
}

/// The site's command, and the crate helper that sends it when the site
/// is a call of one: `SET (sent by `save`)`.
fn command_named(site: &KeySite) -> String {
    match &site.sent_by {
        Some(helper) => format!("{} (sent by `{helper}`)", site.command),
        None => site.command.clone(),
    }
}
