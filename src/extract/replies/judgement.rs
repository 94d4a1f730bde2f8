//! What a branch does with a false flag, read from its tokens.

use proc_macro2::{TokenStream, TokenTree};

use crate::model::flow::Judgement;

/// Words of an `Err(..)` or `bail!(..)` that say something failed, and
/// words that make it an answer instead (not found, already there).
const FAILED: &[&str] = &["fail", "could not", "couldn't", "unable"];
const ANSWERS: &[&str] = &[
    "notfound",
    "not_found",
    "not found",
    "exist",
    "already",
    "missing",
    "duplicate",
    "conflict",
    "unknown",
];

/// What a branch does with a false flag, judged from its tokens: a retry,
/// an error log, or an error that says something failed.
pub(super) fn judgement(tokens: TokenStream) -> Option<Judgement> {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let mut found = None;
    for (i, t) in tokens.iter().enumerate() {
        let bang = matches!(tokens.get(i + 1), Some(TokenTree::Punct(p)) if p.as_char() == '!');
        // The group after `Err` or after a macro's `!`.
        let args = tokens.get(if bang { i + 2 } else { i + 1 });
        let failed_args =
            || matches!(args, Some(TokenTree::Group(g)) if says_failed(&g.stream().to_string()));
        let how = match t {
            TokenTree::Ident(id) => match id.to_string().as_str() {
                "Retry" => Some(Judgement::Retry),
                "Errored" | "Failed" | "Failure" => Some(Judgement::Failure),
                "error" if bang => Some(Judgement::ErrorLog),
                "Err" if !bang && failed_args() => Some(Judgement::Failure),
                "bail" | "anyhow" | "eyre" if bang && failed_args() => Some(Judgement::Failure),
                _ => None,
            },
            TokenTree::Group(g) => judgement(g.stream()),
            _ => None,
        };
        // A retry says most; the first failure otherwise.
        match how {
            Some(Judgement::Retry) => return how,
            Some(_) if found.is_none() => found = how,
            _ => {}
        }
    }
    found
}

fn says_failed(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    FAILED.iter().any(|w| lower.contains(w)) && !ANSWERS.iter().any(|w| lower.contains(w))
}
