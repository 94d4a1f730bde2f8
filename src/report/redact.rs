//! Secrets stay out of every report: the passwords of the Redis URLs in
//! the linted files are masked in the texts snippets quote, and removed
//! from every message, help and fix text (a key template or a URL echoed
//! by another rule's message would print them otherwise).
//!
//! Every format renders a redacted copy of the outcome, so none of them
//! can forget to; the fixes written to disk (`fix.rs`) still work on the
//! real texts.

use std::sync::Arc;

use crate::diagnostic::{Finding, Outcome, Problem};
use crate::source::{mask, percent_decode, url_secrets, SourceFile};

/// What a secret becomes in messages.
const HIDDEN: &str = "****";

/// The secrets of a run, as written and decoded, longest first (so that a
/// secret holding another is removed whole).
struct Secrets {
    words: Vec<String>,
}

impl Secrets {
    fn redact(&self, text: &str) -> String {
        let mut out = text.to_string();
        for w in &self.words {
            if out.contains(w.as_str()) {
                out = out.replace(w.as_str(), HIDDEN);
            }
        }
        out
    }
}

/// A text with its URL passwords masked, and the passwords.
fn masked(text: &str, words: &mut Vec<String>) -> Option<Arc<str>> {
    let ranges = url_secrets(text);
    if ranges.is_empty() {
        return None;
    }
    for r in &ranges {
        let raw = &text[r.clone()];
        if let Some(decoded) = percent_decode(raw) {
            words.push(decoded.into_owned());
        }
        words.push(raw.to_string());
    }
    Some(Arc::from(mask(text, &ranges)))
}

/// The outcome as reports may show it, or `None` when no file holds a
/// secret (the outcome is shown as it is).
fn redacted(outcome: &Outcome) -> Option<Outcome> {
    let mut words = Vec::new();
    let sources: Vec<Option<Arc<str>>> = outcome
        .files
        .iter()
        .map(|f| masked(&f.source, &mut words))
        .collect();
    let problem_sources: Vec<Option<Arc<str>>> = outcome
        .problems
        .iter()
        .map(|p| p.source.as_deref().and_then(|s| masked(s, &mut words)))
        .collect();
    if words.is_empty() {
        return None;
    }
    words.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    words.dedup();
    let secrets = Secrets { words };
    let files = outcome
        .files
        .iter()
        .zip(sources)
        .map(|(f, masked)| SourceFile {
            path: f.path.clone(),
            display: secrets.redact(&f.display),
            source: masked.unwrap_or_else(|| f.source.clone()),
        })
        .collect();
    let problems = outcome
        .problems
        .iter()
        .zip(problem_sources)
        .map(|(p, masked)| Problem {
            display: secrets.redact(&p.display),
            message: secrets.redact(&p.message),
            source: masked.or_else(|| p.source.clone()),
            ..p.clone()
        })
        .collect();
    let findings = outcome
        .findings
        .iter()
        .map(|f| redact_finding(&secrets, f))
        .collect();
    Some(Outcome {
        files,
        findings,
        problems,
        files_scanned: outcome.files_scanned,
        files_with_redis: outcome.files_with_redis,
    })
}

fn redact_finding(secrets: &Secrets, f: &Finding) -> Finding {
    let mut f = f.clone();
    f.message = secrets.redact(&f.message);
    f.help = secrets.redact(&f.help);
    if let Some(fix) = f.fix.as_mut() {
        fix.description = secrets.redact(&fix.description);
        for e in &mut fix.edits {
            e.content = secrets.redact(&e.content);
        }
    }
    f
}

/// Runs a report on the redacted outcome.
pub(super) fn with_redacted<R>(outcome: &Outcome, report: impl FnOnce(&Outcome) -> R) -> R {
    match redacted(outcome) {
        Some(safe) => report(&safe),
        None => report(outcome),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_leave_sources_and_messages() {
        let source: Arc<str> = Arc::from("const U: &str = \"redis://u:p%40ss@h\";\n");
        let outcome = Outcome {
            files: vec![SourceFile {
                path: "a.rs".into(),
                display: "a.rs".into(),
                source,
            }],
            ..Outcome::default()
        };
        let safe = redacted(&outcome).unwrap();
        assert_eq!(
            &*safe.files[0].source,
            "const U: &str = \"redis://u:******@h\";\n"
        );
        let secrets = Secrets {
            words: vec!["p%40ss".into(), "p@ss".into()],
        };
        assert_eq!(
            secrets.redact("key `p@ss:1` and p%40ss"),
            "key `****:1` and ****"
        );
    }
}
