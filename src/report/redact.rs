//! Secrets stay out of every report: the passwords of the Redis URLs in
//! the linted files are masked in the texts snippets quote, and removed
//! from every message, help and fix text (a key template or a URL echoed
//! by another rule's message would print them otherwise): from any Redis
//! URL a message holds, and from what it quotes (between backticks) of
//! text equal to a password of the finding's file. Prose the rules wrote
//! is left alone: a password that is a common word (`password`, `bar`)
//! must not blank that word out of every message.
//!
//! Every format renders a redacted copy of the outcome, so none of them
//! can forget to; the fixes written to disk (`fix.rs`) still work on the
//! real texts.

use std::path::Path;
use std::sync::Arc;

use crate::diagnostic::{Finding, Outcome, Problem};
use crate::server_conf;
use crate::source::{mask, percent_decode, url_secrets, SourceFile};

/// What a secret becomes in messages.
const HIDDEN: &str = "****";

/// The passwords of one file, as written and decoded, longest first (so
/// that a secret holding another is removed whole).
#[derive(Debug, Default)]
struct Secrets {
    words: Vec<String>,
}

impl Secrets {
    /// A text of a report: Redis URL passwords removed wherever they are,
    /// and the file's passwords removed from the quoted parts.
    fn redact(&self, text: &str) -> String {
        let urls = url_secrets(text);
        let text = hide(text, &urls);
        if self.words.is_empty() || !text.contains('`') {
            return text;
        }
        let pieces: Vec<&str> = text.split('`').collect();
        let closed = pieces.len() - usize::from(pieces.len() % 2 == 0);
        pieces
            .iter()
            .enumerate()
            .map(|(i, piece)| match i % 2 == 1 && i < closed {
                true => self.hide_words(piece),
                false => piece.to_string(),
            })
            .collect::<Vec<_>>()
            .join("`")
    }

    fn hide_words(&self, quoted: &str) -> String {
        let mut out = quoted.to_string();
        for w in &self.words {
            if out.contains(w.as_str()) {
                out = out.replace(w.as_str(), HIDDEN);
            }
        }
        out
    }
}

/// `text` with each byte range replaced by [`HIDDEN`].
fn hide(text: &str, ranges: &[std::ops::Range<usize>]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut from = 0;
    for r in ranges {
        out.push_str(&text[from..r.start]);
        out.push_str(HIDDEN);
        from = r.end;
    }
    out.push_str(&text[from..]);
    out
}

/// The passwords of a text [`masked`] (none when it had none).
fn secrets_of<'a>(masked: &'a Option<(Arc<str>, Secrets)>, none: &'a Secrets) -> &'a Secrets {
    masked.as_ref().map_or(none, |m| &m.1)
}

/// A text with its URL passwords (and, in a configuration or compose file,
/// its `requirepass`-like passwords) masked, and its passwords; `None` when
/// it has none.
fn masked(text: &str, path: &Path) -> Option<(Arc<str>, Secrets)> {
    let mut ranges = url_secrets(text);
    if server_conf::is_candidate(path) {
        ranges.extend(server_conf::secret_ranges(text));
        ranges.sort_by_key(|r| r.start);
        ranges.dedup_by(|b, a| b.start < a.end);
    }
    if ranges.is_empty() {
        return None;
    }
    let mut words = Vec::new();
    for r in &ranges {
        let raw = &text[r.clone()];
        if let Some(decoded) = percent_decode(raw) {
            words.push(decoded.into_owned());
        }
        words.push(raw.to_string());
    }
    words.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    words.dedup();
    Some((Arc::from(mask(text, &ranges)), Secrets { words }))
}

/// The outcome as reports may show it, or `None` when no file holds a
/// secret and no message a Redis URL password (the outcome is shown as
/// it is).
fn redacted(outcome: &Outcome) -> Option<Outcome> {
    let files: Vec<Option<(Arc<str>, Secrets)>> = outcome
        .files
        .iter()
        .map(|f| masked(&f.source, &f.path))
        .collect();
    let problems: Vec<Option<(Arc<str>, Secrets)>> = outcome
        .problems
        .iter()
        .map(|p| {
            let path = Path::new(&p.display);
            p.source.as_deref().and_then(|s| masked(s, path))
        })
        .collect();
    let echoed = || {
        let texts = outcome.findings.iter().flat_map(|f| [&f.message, &f.help]);
        let problem_texts = outcome.problems.iter().map(|p| &p.message);
        texts
            .chain(problem_texts)
            .any(|t| !url_secrets(t).is_empty())
    };
    if files.iter().chain(&problems).all(Option::is_none) && !echoed() {
        return None;
    }
    let none = Secrets::default();
    let findings = outcome
        .findings
        .iter()
        .map(|f| {
            redact_finding(
                files
                    .get(f.file as usize)
                    .map_or(&none, |m| secrets_of(m, &none)),
                f,
            )
        })
        .collect();
    let problems = outcome
        .problems
        .iter()
        .zip(problems)
        .map(|(p, masked)| Problem {
            display: none.redact(&p.display),
            message: secrets_of(&masked, &none).redact(&p.message),
            source: masked.map(|m| m.0).or_else(|| p.source.clone()),
            ..p.clone()
        })
        .collect();
    let files = outcome
        .files
        .iter()
        .zip(files)
        .map(|(f, masked)| SourceFile {
            path: f.path.clone(),
            display: none.redact(&f.display),
            source: masked.map_or_else(|| f.source.clone(), |m| m.0),
        })
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
        // Quoted text and URLs lose the secret; the rules' prose keeps
        // its words.
        assert_eq!(
            secrets.redact("key `p@ss:1`, the p@ss word, `redis://u:x%41@h`"),
            "key `****:1`, the p@ss word, `redis://u:****@h`"
        );
    }
}
