//! `sec-hardcoded-credentials`: a Redis URL with a password written in the
//! code.

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::source::url_password;
use crate::rules::{Check, Rule, RuleContext, Sink};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "sec-hardcoded-credentials",
        section: "sec",
        impact: Impact::High,
        default: Activation::On,
        summary: "a Redis URL with a password written in the code",
        doc: include_str!("../../../rules/sec-hardcoded-credentials.md"),
        hides_source: true,
        examples: InExamples::Reported,
        fixable: Fixable::No,
    },
    check: Check::Code(hardcoded_credentials),
    options: None,
    guide_also: &[],
};

fn hardcoded_credentials(ctx: &RuleContext, sink: &mut Sink) {
    let model = ctx.model;
    for lit in &model.url_literals {
        // Percent-encoded passwords (`p%40ss`) are decoded: still secrets.
        let Some(password) = url_password(&lit.text) else {
            continue;
        };
        if is_placeholder(&password.decoded) {
            continue;
        }
        // Never print the secret: show where it was, masked.
        let masked = format!(
            "{}****{}",
            &lit.text[..password.range.start],
            &lit.text[password.range.end..]
        );
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

/// A word that stands for a password in docs and examples
/// (`redis://user:password@host`, `redis://foo:bar@…`, `<password>`,
/// `xxxx`): not a secret anyone could use.
fn is_placeholder(password: &str) -> bool {
    let p = password.to_ascii_lowercase();
    let stands_for = matches!(
        p.as_str(),
        "password"
            | "passwd"
            | "pass"
            | "pwd"
            | "secret"
            | "changeme"
            | "foo"
            | "bar"
            | "baz"
            | "mypassword"
            | "yourpassword"
            | "your_password"
            | "your-password"
            | "redis_password"
            | "redispassword"
    );
    let bracketed = (p.starts_with('<') && p.ends_with('>')) || (p.starts_with('[') && p.ends_with(']'));
    let filler = p.len() >= 3 && p.chars().all(|c| c == 'x' || c == '*' || c == '.');
    stands_for || bracketed || filler
}

#[cfg(test)]
mod tests {
    use super::is_placeholder;

    #[test]
    fn placeholders_are_not_secrets() {
        for p in ["password", "Password", "bar", "<password>", "xxxx", "***"] {
            assert!(is_placeholder(p), "{p}");
        }
        for p in ["s3cret", "hunter2", "p@ss", "Tr0ub4dor&3"] {
            assert!(!is_placeholder(p), "{p}");
        }
    }
}
