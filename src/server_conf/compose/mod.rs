//! `redis-server` command lines in docker compose files.
//!
//! ```yaml
//! services:
//!   cache:
//!     image: redis:7
//!     command: redis-server --maxmemory 2gb --maxmemory-policy allkeys-lru
//!   queue:
//!     image: redis:7
//!     command: ["redis-server", "--appendonly", "yes"]
//! ```
//!
//! A small line-based reader, not a YAML parser: it finds `command:` and
//! `entrypoint:` keys and reads their value in any of the forms compose
//! files use (a plain or quoted string, possibly continued on more-indented
//! lines; a `>` / `|` block scalar; a `[...]` flow sequence, possibly over
//! several lines; a `- item` block sequence), keeping the file position of
//! every character so that each `--option` is reported where it is written.
//! A YAML library gives a node's span but not the position of each word
//! inside a (folded, quoted, continued) scalar, so the scanning below would
//! stay; and a strict one reads less: saphyr 0.3 rejects a flow sequence
//! whose `]` sits at the key's indent (as in
//! `fixtures/conf/latency-monitor/docker-compose.yml`, which libyaml-based
//! readers such as PyYAML accept), and any error, even a duplicate key
//! elsewhere, loses the whole file. This reader needs no valid document.
//!
//! In the value, the words after `redis-server` (also inside `sh -c "..."`)
//! up to a shell operator are read as Redis reads its command line: an
//! optional configuration file first, then `--name arg...` options.

mod shell;

use crate::source::{FileId, Pos, Span};

use super::Directive;
use shell::{shell_words, Word};

/// One `redis-server` invocation.
#[derive(Debug, Clone, PartialEq)]
pub struct Command {
    /// The options, in order (`--maxmemory 2gb` → `maxmemory ["2gb"]`), each
    /// with the span of its `--name` word.
    pub directives: Vec<Directive>,
    /// The configuration file given before the options, if any.
    pub config_file: Option<String>,
    /// Where `redis-server` is written.
    pub span: Span,
}

/// Every `redis-server` command of a compose file, in file order. Options
/// get `file` as their file.
pub fn commands(text: &str, file: FileId) -> Vec<Command> {
    let lines: Vec<Vec<char>> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l).chars().collect())
        .collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let Some((indent, value_at)) = command_key(&lines[i]) else {
            i += 1;
            continue;
        };
        let (words, next) = read_value(&lines, i, indent, value_at);
        out.extend(server_command(&words, file));
        i = next.max(i + 1);
    }
    out
}

/// A character of a value with where it was written.
type Located = Vec<(char, Pos)>;

/// A sequence item: its decoded text and where it is written (quotes
/// included).
type Item = (Located, Span);

fn indent_of(line: &[char]) -> usize {
    line.iter()
        .take_while(|c| **c == ' ' || **c == '\t')
        .count()
}

fn is_blank_or_comment(line: &[char]) -> bool {
    let rest = &line[indent_of(line)..];
    rest.is_empty() || rest[0] == '#'
}

/// `command:` / `entrypoint:` (possibly after a `- `): the key's indent and
/// where its value starts.
fn command_key(line: &[char]) -> Option<(usize, usize)> {
    let mut at = indent_of(line);
    if line.get(at) == Some(&'-') && line.get(at + 1) == Some(&' ') {
        at = at + 1 + indent_of(&line[at + 1..]);
    }
    let rest: String = line[at..].iter().collect();
    for key in ["command:", "entrypoint:"] {
        if let Some(after) = rest.strip_prefix(key) {
            if after.is_empty() || after.starts_with(' ') || after.starts_with('\t') {
                return Some((at, at + key.len()));
            }
        }
    }
    None
}

fn pos(line: usize, col: usize) -> Pos {
    Pos {
        line: line as u32 + 1,
        col: col as u32,
    }
}

/// Reads the value of the key on line `i` and returns the command's words
/// and the first line after the value.
fn read_value(lines: &[Vec<char>], i: usize, indent: usize, value_at: usize) -> (Vec<Word>, usize) {
    let line = &lines[i];
    let start = value_at + indent_of(&line[value_at..]);
    let first = line.get(start).copied();
    // Lines that belong to the value: more indented than the key (blank and
    // comment lines in between too).
    let continuation_end = |from: usize, min_indent: usize| -> usize {
        let mut j = from;
        let mut last = from;
        while j < lines.len() {
            if is_blank_or_comment(&lines[j]) {
                j += 1;
                continue;
            }
            if indent_of(&lines[j]) < min_indent {
                break;
            }
            j += 1;
            last = j;
        }
        last
    };
    match first {
        None | Some('#') => {
            // Block sequence (`- item` lines, at the key's indent or deeper)
            // or a plain scalar on the next lines.
            let mut j = i + 1;
            while j < lines.len() && is_blank_or_comment(&lines[j]) {
                j += 1;
            }
            let Some(next) = lines.get(j) else {
                return (Vec::new(), j);
            };
            let ind = indent_of(next);
            if next.get(ind) == Some(&'-')
                && next.get(ind + 1).is_none_or(|c| *c == ' ')
                && ind >= indent
            {
                block_sequence(lines, j, ind)
            } else if ind > indent {
                let end = continuation_end(j, indent + 1);
                let mut text = Located::new();
                for (k, l) in lines.iter().enumerate().take(end).skip(j) {
                    if is_blank_or_comment(l) {
                        continue;
                    }
                    push_plain(&mut text, l, indent_of(l), k);
                }
                (shell_words(&text), end)
            } else {
                (Vec::new(), j)
            }
        }
        Some('[') => flow_sequence(lines, i, start),
        Some('>') | Some('|') => {
            let end = continuation_end(i + 1, indent + 1);
            let mut text = Located::new();
            for (k, l) in lines.iter().enumerate().take(end).skip(i + 1) {
                let ind = indent_of(l);
                for (c, ch) in l.iter().enumerate().skip(ind) {
                    text.push((*ch, pos(k, c)));
                }
                text.push((' ', pos(k, l.len())));
            }
            (shell_words(&text), end)
        }
        Some('"') | Some('\'') => {
            let (text, end, _) = quoted(lines, i, start);
            (shell_words(&text), end + 1)
        }
        Some('&') | Some('*') | Some('!') => (Vec::new(), i + 1),
        Some(_) => {
            let end = continuation_end(i + 1, indent + 1);
            let mut text = Located::new();
            push_plain(&mut text, line, start, i);
            for (k, l) in lines.iter().enumerate().take(end).skip(i + 1) {
                if is_blank_or_comment(l) {
                    continue;
                }
                push_plain(&mut text, l, indent_of(l), k);
            }
            (shell_words(&text), end)
        }
    }
}

/// Appends a plain scalar's line (up to a ` #` comment) and a folding blank.
fn push_plain(text: &mut Located, line: &[char], from: usize, k: usize) {
    let mut end = line.len();
    for c in from..line.len() {
        if line[c] == '#' && (c == from || line[c - 1] == ' ' || line[c - 1] == '\t') {
            end = c;
            break;
        }
    }
    for (c, ch) in line.iter().enumerate().take(end).skip(from) {
        text.push((*ch, pos(k, c)));
    }
    text.push((' ', pos(k, end)));
}

/// `[a, "b", 'c']`, possibly over several lines.
fn flow_sequence(lines: &[Vec<char>], i: usize, start: usize) -> (Vec<Word>, usize) {
    let mut items: Vec<Item> = Vec::new();
    let (mut k, mut c) = (i, start + 1);
    let mut current = Located::new();
    // The span of the current item when it is quoted.
    let mut is_quoted: Option<Span> = None;
    while k < lines.len() {
        let line = &lines[k];
        if c >= line.len() {
            k += 1;
            c = 0;
            continue;
        }
        let ch = line[c];
        match ch {
            '"' | '\'' if current.is_empty() && is_quoted.is_none() => {
                let (text, end_k, end_c) = quoted(lines, k, c);
                current = text;
                is_quoted = Some(Span {
                    start: pos(k, c),
                    end: pos(end_k, end_c),
                });
                k = end_k;
                c = end_c;
            }
            ',' | ']' => {
                let text = std::mem::take(&mut current);
                match is_quoted.take() {
                    Some(span) => items.push((text, span)),
                    None => {
                        let text = trim_located(text);
                        if !text.is_empty() {
                            let span = located_span(&text);
                            items.push((text, span));
                        }
                    }
                }
                c += 1;
                if ch == ']' {
                    return (sequence_words(items), k + 1);
                }
            }
            '#' if is_quoted.is_none() && (c == 0 || line[c - 1] == ' ') => {
                k += 1;
                c = 0;
            }
            _ => {
                if is_quoted.is_none() && !(current.is_empty() && ch.is_whitespace()) {
                    current.push((ch, pos(k, c)));
                }
                c += 1;
            }
        }
    }
    (sequence_words(items), k)
}

/// A `"..."` or `'...'` scalar starting at `lines[i][start]`, possibly over
/// several lines (a line break folds to a blank): its text, the line it ends
/// on and the column after the closing quote.
fn quoted(lines: &[Vec<char>], i: usize, start: usize) -> (Located, usize, usize) {
    let quote = lines[i][start];
    let mut text = Located::new();
    let (mut k, mut c) = (i, start + 1);
    while k < lines.len() {
        let line = &lines[k];
        if c >= line.len() {
            text.push((' ', pos(k, c)));
            k += 1;
            c = lines.get(k).map_or(0, |l| indent_of(l));
            continue;
        }
        let ch = line[c];
        if quote == '"' && ch == '\\' && c + 1 < line.len() {
            let decoded = match line[c + 1] {
                'n' => '\n',
                't' => '\t',
                other => other,
            };
            text.push((decoded, pos(k, c)));
            c += 2;
            continue;
        }
        if quote == '\'' && ch == '\'' && line.get(c + 1) == Some(&'\'') {
            text.push(('\'', pos(k, c)));
            c += 2;
            continue;
        }
        if ch == quote {
            return (text, k, c + 1);
        }
        text.push((ch, pos(k, c)));
        c += 1;
    }
    (text, k, 0)
}

fn trim_located(mut text: Located) -> Located {
    while text.last().is_some_and(|(c, _)| c.is_whitespace()) {
        text.pop();
    }
    let lead = text.iter().take_while(|(c, _)| c.is_whitespace()).count();
    text.drain(..lead);
    text
}

/// `- item` lines at indent `ind`, from line `j`.
fn block_sequence(lines: &[Vec<char>], j: usize, ind: usize) -> (Vec<Word>, usize) {
    let mut items = Vec::new();
    let mut k = j;
    while k < lines.len() {
        let line = &lines[k];
        if is_blank_or_comment(line) {
            k += 1;
            continue;
        }
        if indent_of(line) != ind || line.get(ind) != Some(&'-') {
            break;
        }
        let start = ind + 1 + indent_of(&line[ind + 1..]);
        match line.get(start) {
            Some('"') | Some('\'') => {
                let (text, end_k, end_c) = quoted(lines, k, start);
                let span = Span {
                    start: pos(k, start),
                    end: pos(end_k, end_c),
                };
                items.push((text, span));
                k = end_k + 1;
            }
            _ => {
                let mut text = Located::new();
                push_plain(&mut text, line, start, k);
                let text = trim_located(text);
                let span = located_span(&text);
                items.push((text, span));
                k += 1;
            }
        }
    }
    (sequence_words(items), k)
}

/// The words of a list-form command: one per item; an item holding blanks
/// (`sh -c "redis-server --x y"`) is split like a shell would.
fn sequence_words(items: Vec<Item>) -> Vec<Word> {
    let mut out = Vec::new();
    for (it, span) in items {
        let text: String = it.iter().map(|(c, _)| *c).collect();
        if text.contains("redis-server") && text.trim().contains(char::is_whitespace) {
            out.extend(shell_words(&it));
        } else {
            out.push(Word { text, span });
        }
    }
    out
}

/// From the first character to just after the last.
fn located_span(chars: &[(char, Pos)]) -> Span {
    match (chars.first(), chars.last()) {
        (Some((_, a)), Some((_, b))) => Span {
            start: *a,
            end: Pos {
                line: b.line,
                col: b.col + 1,
            },
        },
        _ => Span::default(),
    }
}

/// Whether a word runs the Redis server (`redis-server`, `/usr/bin/redis-server`).
fn is_server(word: &str) -> bool {
    word.rsplit('/').next() == Some("redis-server")
}

/// Each `redis-server` invocation among the words, read as Redis reads its
/// command line.
fn server_command(words: &[Word], file: FileId) -> Vec<Command> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < words.len() {
        if !is_server(&words[i].text) {
            i += 1;
            continue;
        }
        let span = words[i].span;
        let mut j = i + 1;
        let mut config_file = None;
        let mut directives: Vec<Directive> = Vec::new();
        let mut sentinel = false;
        while j < words.len() {
            let w = &words[j];
            if matches!(w.text.as_str(), ";" | "&&" | "||" | "|" | "&") {
                break;
            }
            if let Some(name) = w.text.strip_prefix("--").filter(|n| !n.is_empty()) {
                if name.eq_ignore_ascii_case("sentinel") {
                    sentinel = true;
                }
                directives.push(Directive {
                    name: name.to_ascii_lowercase(),
                    args: Vec::new(),
                    span: w.span,
                    arg_spans: Vec::new(),
                    file,
                });
            } else if let Some(d) = directives.last_mut() {
                d.args.push(w.text.clone());
                d.arg_spans.push(w.span);
            } else if config_file.is_none() {
                config_file = Some(w.text.clone());
            }
            j += 1;
        }
        if !sentinel {
            out.push(Command {
                directives,
                config_file,
                span,
            });
        }
        i = j;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Name, arguments, line and column of an option.
    type Opt = (String, Vec<String>, u32, u32);

    fn opts(text: &str) -> Vec<Vec<Opt>> {
        commands(text, 0)
            .into_iter()
            .map(|c| {
                c.directives
                    .into_iter()
                    .map(|d| (d.name, d.args, d.span.start.line, d.span.start.col))
                    .collect()
            })
            .collect()
    }

    fn d(name: &str, args: &[&str], line: u32, col: u32) -> Opt {
        (
            name.into(),
            args.iter().map(|s| s.to_string()).collect(),
            line,
            col,
        )
    }

    #[test]
    fn string_form() {
        let y = "services:\n  r:\n    command: redis-server --maxmemory 2gb --save \"\" # c\n";
        assert_eq!(
            opts(y),
            [vec![
                d("maxmemory", &["2gb"], 3, 26),
                d("save", &[""], 3, 42)
            ]]
        );
    }

    #[test]
    fn flow_and_block_sequences() {
        let y = "    command: [\"redis-server\", \"--appendonly\", \"yes\",\n      '--save', '']\n";
        assert_eq!(
            opts(y),
            [vec![
                d("appendonly", &["yes"], 1, 30),
                d("save", &[""], 2, 6)
            ]]
        );
        let y = "    command:\n      - redis-server\n      - --maxmemory\n      - \"1gb\"\n    ports: []\n";
        assert_eq!(opts(y), [vec![d("maxmemory", &["1gb"], 3, 8)]]);
    }

    #[test]
    fn folded_and_continued_scalars() {
        let y = "    command: >\n      redis-server\n      --maxmemory 1gb\n\n      --appendonly yes\n    ports: []\n";
        assert_eq!(
            opts(y),
            [vec![
                d("maxmemory", &["1gb"], 3, 6),
                d("appendonly", &["yes"], 5, 6)
            ]]
        );
        let y = "    command: redis-server\n      --maxmemory 1gb\n    image: redis\n";
        assert_eq!(opts(y), [vec![d("maxmemory", &["1gb"], 2, 6)]]);
    }

    #[test]
    fn never_panics_on_cut_or_odd_text() {
        let y = "services:\n  a:\n    command: [\"redis-server\", '--save', '', \"--x\\\"y\"]\n  b:\n    command: >\n      redis-server --port 1\n  c:\n    entrypoint:\n    - redis-server\n    - \"--maxmemory\"\n    - 1gb # c\n  d:\n    command: sh -c 'redis-server --a \\'b\\' && x' \\\n  e:\n    command: \"redis-server --q\n      --r 1\"\n";
        for end in 0..=y.len() {
            if y.is_char_boundary(end) {
                commands(&y[..end], 0);
            }
        }
        for odd in [
            "command:",
            "command: [",
            "command: \"",
            "command: '",
            "- command: |",
            "command: [\"redis-server\", #",
        ] {
            commands(odd, 0);
        }
    }

    #[test]
    fn shell_wrappers_config_files_and_sentinels() {
        let y = "    command: [\"sh\", \"-c\", \"redis-server /etc/redis.conf --requirepass $$PW && echo\"]\n";
        let c = commands(y, 0);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].config_file.as_deref(), Some("/etc/redis.conf"));
        assert_eq!(c[0].directives[0].name, "requirepass");
        assert_eq!(c[0].directives[0].args, ["$$PW"]);
        assert!(commands("  command: redis-server /s.conf --sentinel\n", 0).is_empty());
        assert!(commands("  command: redis-cli ping\n", 0).is_empty());
        assert!(commands("  healthcheck:\n    test: [\"CMD\", \"redis-server\"]\n", 0).is_empty());
    }
}
