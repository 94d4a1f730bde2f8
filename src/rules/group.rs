//! One finding per problem: after a crate's rules ran, the findings of one
//! rule that share a [`GroupKey`] become one finding at the group's primary
//! site, with the other sites attached as related locations.
//!
//! A rule says what one problem is when it reports (`Sink::report_in`): a
//! key template (its naming, expiry or growth is decided once, wherever it
//! is used), a connection origin (one constructor call, copied into each
//! path that needs a client), or one check gating several writes. Rules
//! whose every finding is its own problem give no key.

use std::collections::HashMap;

use crate::diagnostic::{Finding, Related};
use crate::model::key::Key;
use crate::model::{Call, Creation, FnId, KeyBuilderSite};
use crate::source::FileId;

/// What makes two findings of one rule the same problem.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum GroupKey {
    /// A key template of the crate, as written (`{team}:score`): its name,
    /// expiry and bounds are one design decision, however many commands
    /// use it.
    KeyTemplate(String),
    /// The same, for a rule about the key's name (its namespace, separator
    /// or length): decided where the key is built, so reported at the one
    /// crate fn that builds it when there is one.
    KeyName(String),
    /// Connections made by the same constructor from the same origin: the
    /// same way of connecting, copied into each path that needs one.
    Connection(ConnectionOrigin),
    /// Round trips in one loop: batching the loop body fixes them all.
    Loop { file: FileId, id: u32 },
    /// Writes decided by a check of the same key template in one file:
    /// every branch of the `if`, and every copy of a consumer pasted into
    /// another fn of the module, is the same race.
    CheckedKey { file: FileId, key: String },
}

impl GroupKey {
    /// The group of a key template's use (its expiry, its growth).
    pub fn template(key: &Key) -> GroupKey {
        GroupKey::KeyTemplate(key.shape())
    }

    /// The group of a key template's name (namespace, separator, length).
    pub fn name(key: &Key) -> GroupKey {
        GroupKey::KeyName(key.shape())
    }

    /// The key of a connection made at `c`.
    pub fn connection(c: &Creation) -> GroupKey {
        GroupKey::Connection(match &c.on_field {
            Some((owner, field)) => ConnectionOrigin::Field {
                owner: owner.clone(),
                field: field.clone(),
                constructor: c.what.clone(),
            },
            None => ConnectionOrigin::InFn {
                file: c.file,
                func: c.func,
                constructor: c.what.clone(),
            },
        })
    }

    /// What a related site of this group is, as its label says.
    fn related_label(&self) -> &'static str {
        match self {
            GroupKey::KeyTemplate(_) | GroupKey::KeyName(_) => "the same key template, used here",
            GroupKey::Connection(_) => "connects the same way here",
            GroupKey::CheckedKey { .. } => "another write decided by the same check",
            GroupKey::Loop { .. } => "another round trip per item of the same loop",
        }
    }
}

/// Where a connection comes from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ConnectionOrigin {
    /// Made from a struct field (`self.client.get_connection()`): every
    /// method of the struct (a lock's acquire and release) connects the
    /// same way.
    Field {
        owner: String,
        field: String,
        constructor: String,
    },
    /// Made in one fn from anything else: only the copies within that fn
    /// are the same connection design (two fns may connect to different
    /// servers, with different settings).
    InFn {
        file: FileId,
        func: FnId,
        constructor: String,
    },
}

/// Which site of a group is reported: writes before other uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SiteRole {
    /// Where the problem is made: a write of the key, the constructor.
    Origin,
    /// A site that only uses it (a read of the key).
    Use,
}

impl SiteRole {
    /// A call writing its keys is where a key template is made.
    pub fn of_call(call: &Call) -> SiteRole {
        if call.has(crate::model::command::flags::WRITE) {
            SiteRole::Origin
        } else {
            SiteRole::Use
        }
    }
}

/// A finding as a rule reported it, with what groups it.
pub struct Reported {
    pub finding: Finding,
    pub group: Option<(GroupKey, SiteRole)>,
}

/// Merges the findings of each (rule, key) group into one: the primary is
/// the first origin site in source order (the first site when none is an
/// origin); the others become its related locations, in source order. A
/// key name that one crate fn builds is reported at that fn, every use
/// attached. Findings without a key pass through unchanged, in their order.
pub fn merge(reported: Vec<Reported>, builders: &[KeyBuilderSite]) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::with_capacity(reported.len());
    let mut groups: HashMap<(&'static str, GroupKey), Vec<(SiteRole, Finding)>> = HashMap::new();
    let mut order: Vec<(&'static str, GroupKey)> = Vec::new();
    for r in reported {
        match r.group {
            None => out.push(r.finding),
            Some((key, role)) => {
                let id = (r.finding.rule.id, key);
                let members = groups.entry(id.clone()).or_default();
                if members.is_empty() {
                    order.push(id);
                }
                members.push((role, r.finding));
            }
        }
    }
    for id in order {
        let mut members = groups.remove(&id).unwrap_or_default();
        let at = |f: &Finding| (f.file, f.span.start.line, f.span.start.col);
        members.sort_by_key(|(_, f)| at(f));
        let primary = members
            .iter()
            .position(|(role, _)| *role == SiteRole::Origin)
            .unwrap_or(0);
        let (_, mut finding) = members.remove(primary);
        let label = id.1.related_label();
        for (_, other) in members {
            // Two keys of one call in the same group add nothing new.
            if at(&other) == at(&finding)
                || finding
                    .related
                    .iter()
                    .any(|r| r.span == other.span && r.file == other.file)
            {
                continue;
            }
            finding.related.push(Related {
                file: other.file,
                span: other.span,
                message: label.to_string(),
            });
        }
        if let GroupKey::KeyName(shape) = &id.1 {
            at_builder(&mut finding, shape, builders);
        }
        out.push(finding);
    }
    out
}

/// Moves a key template's finding to the one fn that builds the template,
/// the site it was found at becoming a related one. Not when several fns
/// build it (which one is meant is unclear) or the finding has a fix (the
/// fix edits the site it was found at).
fn at_builder(finding: &mut Finding, shape: &str, builders: &[KeyBuilderSite]) {
    let mut built = builders.iter().filter(|b| b.shape == shape);
    let (Some(builder), None) = (built.next(), built.next()) else {
        return;
    };
    if finding.fix.is_some() || (finding.file, finding.span) == (builder.file, builder.span) {
        return;
    }
    let used = Related {
        file: finding.file,
        span: finding.span,
        message: "the key is built by that fn and used here".to_string(),
    };
    finding.related.insert(0, used);
    (finding.file, finding.span) = (builder.file, builder.span);
}
