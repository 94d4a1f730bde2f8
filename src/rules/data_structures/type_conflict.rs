//! `key-type-conflict`: one key template used with commands of two Redis
//! types in code that may meet (`KeySite::may_meet`): across the crates of
//! a workspace and within one.

use std::collections::{BTreeMap, BTreeSet};

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, Related, RuleMeta};
use crate::model::keyspace::{KeySite, Program, ValueType};
use crate::rules::queries::{site_owner, sites_by_template};
use crate::rules::{Check, KeyspaceContext, Rule, Sink};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "key-type-conflict",
        section: "1.1",
        impact: Impact::High,
        default: Activation::On,
        summary: "one key template used with commands of two Redis types (one side fails with WRONGTYPE)",
        doc: include_str!("../../../rules/key-type-conflict.md"),
        hides_source: false,
        fixable: Fixable::No,
        examples: InExamples::Quiet,
    },
    check: Check::Keyspace(type_conflict),
    options: None,
    guide_also: &[],
};

fn type_conflict(ctx: &KeyspaceContext, sink: &mut Sink) {
    for sites in sites_by_template(ctx.keyspace).values() {
        let typed: Vec<(&KeySite, ValueType)> = sites
            .iter()
            .filter_map(|s| s.value_type.map(|t| (*s, t)))
            .collect();
        let programs: BTreeSet<&Program> = typed.iter().map(|(s, _)| &s.program).collect();
        for program in programs {
            if let Some(clash) = clash(&typed, program) {
                report(clash, sink);
            }
        }
    }
}

/// A site that uses a template with another type than the code it meets.
struct Clash<'a> {
    site: &'a KeySite,
    value_type: ValueType,
    /// A site of the usual type that `site` may meet.
    other: &'a KeySite,
    usual: ValueType,
}

/// The first site of `program` whose type differs from the template's
/// usual type and that may meet a site of that type. The usual type is the
/// service's (the most common among its sites); a program apart from the
/// service that uses a template the service does not type has its own.
fn clash<'a>(typed: &[(&'a KeySite, ValueType)], program: &Program) -> Option<Clash<'a>> {
    let of = |p: &Program| -> Vec<(&'a KeySite, ValueType)> {
        typed.iter().filter(|(s, _)| s.program == *p).copied().collect()
    };
    let own = of(program);
    let usual = usual_type(&of(&Program::Service)).or_else(|| usual_type(&own))?;
    own.iter().find_map(|&(site, t)| {
        let other = typed
            .iter()
            .find(|(o, ot)| *ot == usual && t != usual && site.may_meet(o))?;
        Some(Clash {
            site,
            value_type: t,
            other: other.0,
            usual,
        })
    })
}

fn report(clash: Clash, sink: &mut Sink) {
    let Clash {
        site,
        value_type: t,
        other,
        usual,
    } = clash;
    let related = vec![Related {
        file: other.file,
        span: other.span,
        message: format!("used as a {} here ({})", usual.name(), other.command),
    }];
    sink.report_with_related(
        site.file,
        site.span,
        format!(
            "{} treats `{}` as a {}, but {} uses it as a {} ({}): whichever command runs second \
             on an existing key fails with WRONGTYPE, or, for a plain SET, silently replaces the \
             other side's data",
            site.command,
            site.key,
            t.name(),
            site_owner(other),
            usual.name(),
            other.command
        ),
        "give each type its own key template (a suffix such as `:meta` or `:ids`), or use one \
         type's commands everywhere"
            .to_string(),
        related,
    );
}

/// The type most sites use (the first one's on a tie); `None` when none
/// has a type.
fn usual_type(typed: &[(&KeySite, ValueType)]) -> Option<ValueType> {
    let mut counts: BTreeMap<ValueType, (usize, usize)> = BTreeMap::new();
    for (i, (_, t)) in typed.iter().enumerate() {
        let entry = counts.entry(*t).or_insert((0, i));
        entry.0 += 1;
    }
    counts
        .into_iter()
        .max_by(|a, b| a.1 .0.cmp(&b.1 .0).then(b.1 .1.cmp(&a.1 .1)))
        .map(|(t, _)| t)
}
