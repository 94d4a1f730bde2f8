//! `ds-deprecated-rpoplpush`: RPOPLPUSH / BRPOPLPUSH are deprecated; use LMOVE
//! / BLMOVE.

use crate::diagnostic::{Activation, Edit, Fix, Fixable, Impact, InExamples, RuleMeta};
use crate::manifest::ClientDep;
use crate::model::{Api, Call, CrateModel, Form};
use crate::rules::{Check, Rule, RuleContext, Sink};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "ds-deprecated-rpoplpush",
        section: "1.3",
        impact: Impact::High,
        default: Activation::On,
        summary: "RPOPLPUSH / BRPOPLPUSH are deprecated; use LMOVE / BLMOVE",
        doc: include_str!("../../../rules/ds-deprecated-rpoplpush.md"),
        hides_source: false,
        examples: InExamples::Quiet,
        fixable: Fixable::Yes,
    },
    check: Check::Code(deprecated_rpoplpush),
    options: None,
    guide_also: &[],
};

fn deprecated_rpoplpush(ctx: &RuleContext, sink: &mut Sink) {
    let model = ctx.model;
    for call in model
        .calls
        .iter()
        .filter(|c| c.is("RPOPLPUSH") || c.is("BRPOPLPUSH"))
    {
        let new = if call.is("RPOPLPUSH") {
            "LMOVE"
        } else {
            "BLMOVE"
        };
        sink.report_with_fix(
            call.file,
            call.span,
            format!("{} is deprecated since Redis 6.2 and may be removed", call.command),
            format!("use {new} src dst RIGHT LEFT, which does the same move and also lets you choose the ends"),
            lmove_fix(model, call),
        );
    }
}

/// `RPOPLPUSH src dst` is `LMOVE src dst RIGHT LEFT`; `BRPOPLPUSH src dst t`
/// is `BLMOVE src dst RIGHT LEFT t`. The directions go right after the
/// destination, so one rename and one insertion make the fix. Offered only
/// where every argument position is certain: a method call with exactly its
/// arguments, or a raw redis-rs command whose `.arg(..)` links are all in
/// one chain (not kept in a variable that gets arguments elsewhere). A raw
/// command is the same call with other words, whatever the client version;
/// a method needs a client that has it (see [`method_support`]).
fn lmove_fix(model: &CrateModel, call: &Call) -> Option<Fix> {
    let name = call.name_span?;
    let blocking = call.is("BRPOPLPUSH");
    let arity = if blocking { 3 } else { 2 };
    if call.arg_spans.len() != arity {
        return None;
    }
    let dst = call.arg_spans[1];
    let method = if blocking { "blmove" } else { "lmove" };
    let (rename, directions, support) = match (call.form, call.api) {
        (Form::Method, Api::RedisRs) => (
            method,
            ", redis::Direction::Right, redis::Direction::Left",
            method_support(model, call.api),
        ),
        (Form::Method, Api::Fred) => (
            method,
            ", fred::types::lists::LMoveDirection::Right, fred::types::lists::LMoveDirection::Left",
            method_support(model, call.api),
        ),
        (Form::Raw, Api::RedisRs) if !call.bound => (
            if blocking { "\"BLMOVE\"" } else { "\"LMOVE\"" },
            ".arg(\"RIGHT\").arg(\"LEFT\")",
            Support::Proven,
        ),
        // fred `custom` takes a vector whose element type the fix cannot
        // see; the other forms have no argument list to extend.
        _ => return None,
    };
    let description = format!(
        "use {} with RIGHT LEFT",
        if blocking { "BLMOVE" } else { "LMOVE" }
    );
    let edits = vec![
        Edit::replace(name, rename),
        Edit::insert_after(dst, directions),
    ];
    match support {
        Support::Proven => Some(Fix::safe(description, edits)),
        Support::Unknown => Some(Fix::unproven(description, edits)),
        Support::Missing => None,
    }
}

/// Whether the crate's client has the LMOVE methods the fix writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Support {
    /// Every version the manifest allows has them, with the same generics
    /// and return type as the methods they replace.
    Proven,
    /// The version is unknown, or some allowed version may differ.
    Unknown,
    /// No allowed version has them.
    Missing,
}

/// redis-rs has `lmove` / `blmove` taking a public `redis::Direction` from
/// 0.22 on; from 0.32 on the typed command traits (`TypedCommands`) give
/// `lmove` another return type than `rpoplpush` (`String`, not
/// `Option<String>`), and the model does not say which trait a call goes
/// through. fred reaches `LMoveDirection` at `fred::types::lists` from
/// version 10 on (8 and 9 keep the module private).
fn method_support(model: &CrateModel, api: Api) -> Support {
    let (name, first, typed_from) = match api {
        Api::RedisRs => ("redis", Version(0, 22, 0), Some(Version(0, 32, 0))),
        Api::Fred => ("fred", Version(10, 0, 0), None),
    };
    let Some(range) = model.manifest.client(name).and_then(allowed_versions) else {
        return Support::Unknown;
    };
    if range.below <= first {
        Support::Missing
    } else if range.lowest >= first && typed_from.is_none_or(|typed| range.below <= typed) {
        Support::Proven
    } else {
        Support::Unknown
    }
}

/// A client version (major, minor, patch).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Version(u64, u64, u64);

/// The versions a crate may build with: from `lowest` up to, not
/// including, `below`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct VersionRange {
    lowest: Version,
    below: Version,
}

/// The versions a crate may build with: the locked one, else what the
/// requirement allows, read as cargo does (`"0.27"` and `"^0.27"` are
/// 0.27.x, `"1"` is 1.x, `"~1.2"` is 1.2.x, `"=0.23.1"` one version,
/// `">=0.22"` everything from 0.22 on). `None` for requirements without a
/// lower bound (`"*"`, `"<2"`) or with a strict one (`">0.21"`).
fn allowed_versions(dep: &ClientDep) -> Option<VersionRange> {
    if let Some(locked) = dep.locked.as_deref() {
        let v = parse_version(locked)?;
        return Some(VersionRange {
            lowest: v,
            below: Version(v.0, v.1, v.2 + 1),
        });
    }
    let first = dep.requirement.as_deref()?.split(',').next()?.trim();
    let (op, bare) = match first.strip_prefix(">=") {
        Some(rest) => (">=", rest),
        None => match first.strip_prefix(['^', '~', '=']) {
            Some(rest) => (&first[..1], rest),
            None => ("^", first),
        },
    };
    let lowest = parse_version(bare.trim())?;
    let Version(major, minor, patch) = lowest;
    let below = match op {
        ">=" => Version(u64::MAX, 0, 0),
        "=" => Version(major, minor, patch + 1),
        "~" => Version(major, minor + 1, 0),
        _ if major == 0 => Version(0, minor + 1, 0),
        _ => Version(major + 1, 0, 0),
    };
    Some(VersionRange { lowest, below })
}

/// `1.8.1`, `0.27`, `1` (missing parts are 0); pre-release and build
/// suffixes are ignored.
fn parse_version(text: &str) -> Option<Version> {
    let mut parts = text.split(['-', '+']).next()?.split('.');
    let number = |p: Option<&str>| p.map_or(Some(0), |p| p.parse().ok());
    let major = parts.next()?.parse().ok()?;
    Some(Version(major, number(parts.next())?, number(parts.next())?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dep(requirement: &str, locked: Option<&str>) -> ClientDep {
        ClientDep {
            requirement: Some(requirement.into()),
            locked: locked.map(str::to_string),
            features: Vec::new(),
        }
    }

    fn range(requirement: &str, locked: Option<&str>) -> Option<(Version, Version)> {
        allowed_versions(&dep(requirement, locked)).map(|r| (r.lowest, r.below))
    }

    #[test]
    fn versions_allowed_by_requirements_and_locks() {
        let v = |a, b, c| Version(a, b, c);
        assert_eq!(range("0.27", None), Some((v(0, 27, 0), v(0, 28, 0))));
        assert_eq!(range("^0.21.6", None), Some((v(0, 21, 6), v(0, 22, 0))));
        assert_eq!(range("~1.2", None), Some((v(1, 2, 0), v(1, 3, 0))));
        assert_eq!(range("1", None), Some((v(1, 0, 0), v(2, 0, 0))));
        assert_eq!(range("=0.23.1", None), Some((v(0, 23, 1), v(0, 23, 2))));
        assert_eq!(range(">=0.22, <2", None).map(|r| r.0), Some(v(0, 22, 0)));
        assert_eq!(range("1", Some("1.8.1")), Some((v(1, 8, 1), v(1, 8, 2))));
        assert_eq!(range("*", None), None);
        assert_eq!(range(">0.21", None), None);
        assert_eq!(range("<2", None), None);
    }
}
