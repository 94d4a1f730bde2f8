//! `key-type-conflict`: one key template used with commands of two Redis
//! types, anywhere in the workspace.

use std::collections::BTreeMap;

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, Related, RuleMeta};
use crate::model::keyspace::{KeySite, ValueType};
use crate::rules::queries::{same_db, site_owner, sites_by_template};
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
        let Some(usual) = usual_type(&typed) else {
            continue;
        };
        // The first site of another type that can meet a site of the
        // usual type, in another crate, on one database.
        let clash = typed.iter().find_map(|&(site, t)| {
            let other = typed.iter().find(|(o, ot)| {
                *ot == usual && t != usual && o.crate_name != site.crate_name && same_db(site, o)
            })?;
            Some((site, t, other.0))
        });
        let Some((site, t, other)) = clash else {
            continue;
        };
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
}

/// The type most sites use (the first one's on a tie); `None` when all
/// agree.
fn usual_type(typed: &[(&KeySite, ValueType)]) -> Option<ValueType> {
    let mut counts: BTreeMap<ValueType, (usize, usize)> = BTreeMap::new();
    for (i, (_, t)) in typed.iter().enumerate() {
        let entry = counts.entry(*t).or_insert((0, i));
        entry.0 += 1;
    }
    if counts.len() < 2 {
        return None;
    }
    counts
        .into_iter()
        .max_by(|a, b| a.1 .0.cmp(&b.1 .0).then(b.1 .1.cmp(&a.1 .1)))
        .map(|(t, _)| t)
}
