//! `key-read-never-written`: a key template read somewhere in the
//! workspace and written nowhere, next to a written template it differs
//! from by a typo.

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, Related, RuleMeta};
use crate::model::keyspace::{KeyOp, KeySite, Program};
use crate::rules::options::{toml_list, OptionError, RuleOptions};
use crate::rules::queries::{site_owner, sites_by_template};
use crate::rules::{Check, KeyspaceContext, Rule, Sink};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "key-read-never-written",
        section: "2.5",
        impact: Impact::Medium,
        default: Activation::On,
        summary: "a key template read but written nowhere in the workspace, a typo away from one that is written",
        doc: include_str!("../../../rules/key-read-never-written.md"),
        hides_source: false,
        fixable: Fixable::No,
        examples: InExamples::Quiet,
    },
    check: Check::Keyspace(read_never_written),
    options: Some(|| Box::<Options>::default()),
    guide_also: &[],
};

/// `external-keys`: globs of key templates something outside the
/// workspace writes (another service, a loader script); `*` matches any
/// text, placeholders included (`legacy:*` covers `legacy:{}:profile`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Options {
    pub external_keys: Vec<String>,
}

impl RuleOptions for Options {
    fn set(&mut self, key: &str, value: &toml::Value) -> Result<(), OptionError> {
        match key {
            "external-keys" => {
                let globs = value
                    .as_array()
                    .and_then(|a| {
                        a.iter()
                            .map(|x| x.as_str().map(str::to_string))
                            .collect::<Option<Vec<_>>>()
                    })
                    .ok_or(OptionError::Invalid("`external-keys` is a list of strings"))?;
                self.external_keys = globs;
                Ok(())
            }
            _ => Err(OptionError::Unknown),
        }
    }

    fn show(&self) -> String {
        format!("external-keys = {}", toml_list(&self.external_keys))
    }
}

impl Options {
    fn external(&self, shape: &str) -> bool {
        self.external_keys.iter().any(|g| glob_matches(g, shape))
    }
}

/// `*` matches any run of characters; everything else itself.
fn glob_matches(glob: &str, text: &str) -> bool {
    let mut pieces = glob.split('*');
    let first = pieces.next().unwrap_or("");
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let pieces: Vec<&str> = pieces.collect();
    let Some((last, middle)) = pieces.split_last() else {
        return rest.is_empty();
    };
    for piece in middle {
        match rest.find(piece) {
            Some(at) => rest = &rest[at + piece.len()..],
            None => return false,
        }
    }
    rest.ends_with(last)
}

fn read_never_written(ctx: &KeyspaceContext, sink: &mut Sink) {
    let options = ctx.options::<Options>();
    let by_template = sites_by_template(ctx.keyspace);
    // One writing site per template, crate and program.
    let mut written: Vec<(&str, &KeySite)> = Vec::new();
    for (shape, sites) in &by_template {
        for site in sites.iter().filter(|s| s.op.writes()) {
            let seen = |(w, o): &&(&str, &KeySite)| {
                w == shape && o.crate_name == site.crate_name && o.program == site.program
            };
            if !written.iter().any(|w| seen(&w)) {
                written.push((shape, site));
            }
        }
    }
    let indirect = &ctx.keyspace.indirect_writes;
    for (shape, sites) in &by_template {
        if sites.iter().any(|s| s.op.writes())
            || indirect.iter().any(|w| w.shape == *shape)
            || written.iter().any(|(w, _)| covers(w, shape))
            || options.external(shape)
        {
            continue;
        }
        // The service's read first: an example's is quiet.
        let reads = sites.iter().filter(|s| s.op == KeyOp::Read);
        let Some(read) = reads.min_by_key(|s| s.program != Program::Service) else {
            continue;
        };
        let elsewhere: Vec<(&str, &KeySite)> = written
            .iter()
            // Another database is no reason to doubt a typo; code that
            // never runs with the read, or that writes one key and reads
            // its neighbour in one fn (a test of a missing key), is.
            .filter(|(_, w)| read.program.sees(&w.program) && !read.same_fn(w))
            .copied()
            .collect();
        let Some(writer) = nearest(shape, &elsewhere) else {
            continue;
        };
        let near = writer.key.to_string();
        let related = vec![Related {
            file: writer.file,
            span: writer.span,
            message: format!("`{near}` is written here"),
        }];
        sink.report_with_related(
            read.file,
            read.span,
            format!(
                "{} reads `{}`, but nothing in the workspace writes that key; {} writes `{near}`, \
                 which differs by a typo: the read finds nothing and the code falls back to its empty \
                 case every time",
                read.command,
                read.key,
                site_owner(writer),
            ),
            format!(
                "read the key that is written (`{near}`); when another program writes this one, \
                 list it in the rule's `external-keys` option"
            ),
            related,
        );
    }
}

/// Whether a written template, its placeholders matching any text, covers
/// a read one (`user:{}:{}` written covers `user:{}:name` read).
fn covers(written: &str, read: &str) -> bool {
    written != read && written.contains("{}") && glob_matches(&written.replace("{}", "*"), read)
}

/// The written template a typo away from `read`: at most two edits, and
/// at most one per five characters, with the same placeholders. A version
/// number changed (`cache:v1:` read, `cache:v2:` written) is a migration,
/// not a typo.
fn nearest<'a>(read: &str, written: &[(&'a str, &'a KeySite)]) -> Option<&'a KeySite> {
    let holes = read.matches("{}").count();
    written
        .iter()
        .filter(|(w, _)| w.matches("{}").count() == holes)
        .filter(|(w, _)| !only_digits_differ(read, w))
        .map(|(w, site)| (strsim::levenshtein(read, w), *w, *site))
        .filter(|(d, w, _)| *d <= 2 && d * 5 <= read.len().min(w.len()))
        .min_by_key(|(d, w, _)| (*d, *w))
        .map(|(_, _, site)| site)
}

/// Whether the two templates are the same once digits are left out.
fn only_digits_differ(a: &str, b: &str) -> bool {
    let strip = |s: &str| s.chars().filter(|c| !c.is_ascii_digit()).collect::<String>();
    strip(a) == strip(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_templates() {
        assert!(glob_matches("legacy:*", "legacy:{}:profile"));
        assert!(glob_matches("*:archived", "team:{}:archived"));
        assert!(!glob_matches("legacy:*", "user:{}"));
        assert!(glob_matches("exact", "exact"));
        assert!(covers("user:{}:{}", "user:{}:name"));
        assert!(!covers("user:{}", "user:{}"));
    }
}
