//! Passwords written in a configuration or compose file: `requirepass`,
//! `masterauth`, `sentinel auth-pass <master>`, ACL `user` rules (`>pw`)
//! and their `--flag` forms on a `redis-server` command line. Reports show
//! snippets of these files (a finding about the whole file points at its
//! first line), so the passwords are masked there like those of Redis URLs.

use std::ops::Range;

/// Directives whose first argument is a password.
const PASSWORD_DIRECTIVES: &[&str] = &["requirepass", "masterauth"];

/// Byte ranges (sorted, disjoint) of every password in `text`, as written
/// (quotes left out).
pub fn secret_ranges(text: &str) -> Vec<Range<usize>> {
    let mut found = Vec::new();
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let words = words(line);
        for (i, (word, _)) in words.iter().enumerate() {
            let name = word.trim_start_matches("--").to_ascii_lowercase();
            let secret = if PASSWORD_DIRECTIVES.contains(&name.as_str()) {
                words.get(i + 1)
            } else if name == "sentinel"
                && words
                    .get(i + 1)
                    .is_some_and(|(w, _)| w.eq_ignore_ascii_case("auth-pass"))
            {
                words.get(i + 3)
            } else {
                None
            };
            if let Some((_, r)) = secret {
                found.push(line_start + r.start..line_start + r.end);
            }
        }
        let acl = words
            .first()
            .is_some_and(|(w, _)| w.eq_ignore_ascii_case("user"));
        if acl {
            for (word, r) in &words {
                if word.len() > 1 && word.starts_with('>') {
                    found.push(line_start + r.start + 1..line_start + r.end);
                }
            }
        }
        line_start += line.len();
    }
    found.sort_by_key(|r| r.start);
    found.dedup_by(|b, a| b.start < a.end);
    found
}

/// The words of a line with their byte ranges; a quoted word's range
/// leaves its quotes out.
fn words(line: &str) -> Vec<(&str, Range<usize>)> {
    let mut out = Vec::new();
    let bytes = line.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at].is_ascii_whitespace() || matches!(bytes[at], b',' | b'[' | b']') {
            at += 1;
            continue;
        }
        let quote = matches!(bytes[at], b'"' | b'\'').then_some(bytes[at]);
        let start = at + usize::from(quote.is_some());
        let mut end = start;
        while end < bytes.len()
            && match quote {
                Some(q) => bytes[end] != q,
                None => !bytes[end].is_ascii_whitespace() && !matches!(bytes[end], b'"' | b','),
            }
        {
            end += 1;
        }
        out.push((&line[start..end], start..end));
        at = end + usize::from(quote.is_some());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masked(text: &str) -> String {
        crate::source::mask(text, &secret_ranges(text))
    }

    #[test]
    fn passwords_of_every_form_are_found() {
        assert_eq!(
            masked("port 1\nrequirepass s3cret\nmasterauth \"two words\"\n"),
            "port 1\nrequirepass ******\nmasterauth \"*********\"\n"
        );
        assert_eq!(
            masked("sentinel auth-pass mymaster pw1\nuser app on >pw2 ~* +@all\n"),
            "sentinel auth-pass mymaster ***\nuser app on >*** ~* +@all\n"
        );
        assert_eq!(
            masked("    command: [\"redis-server\", \"--requirepass\", \"pw3\"]\n"),
            "    command: [\"redis-server\", \"--requirepass\", \"***\"]\n"
        );
        assert_eq!(
            masked("maxmemory 1gb\n# requirepass\n"),
            "maxmemory 1gb\n# requirepass\n"
        );
    }
}
