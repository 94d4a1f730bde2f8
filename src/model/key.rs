//! Key templates: what a key argument looks like once literals, `format!`,
//! consts and key-builder fns are resolved.
//!
//! `format!("user:{}:profile", id)` becomes `user:{id}:profile`: literal text
//! with holes that remember the expression that fills them, so two keys built
//! from the same expression compare equal and hash tags can be compared.

use std::fmt;

use super::slot;

/// One piece of a key template.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Part {
    /// Text known at lint time.
    Lit(String),
    /// A value only known at run time; holds the source of the expression
    /// that fills it (`id`, `user.id`).
    Hole(String),
}

/// A key argument of a Redis command.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Key {
    /// A key whose shape is known: at least one literal part.
    Template(Vec<Part>),
    /// A key held in a variable or built in a way the linter cannot see
    /// into; holds the expression's source so uses in one fn still compare.
    Opaque(String),
}

/// Where a key lands in a cluster, as far as the linter can tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SlotClass {
    /// Fully literal key or hash tag: the slot is known exactly.
    Exact(u16),
    /// The hash tag contains holes; keys with the same tag text share a slot.
    Tag(String),
    /// No hash tag and not fully literal: only the identical key shares a slot.
    Whole(String),
    /// Nothing is known about the key.
    Unknown,
}

impl Key {
    /// Builds a key from parts, merging adjacent literals. A template that is
    /// nothing but holes says nothing about the key's shape, so it is opaque.
    pub fn from_parts(parts: Vec<Part>) -> Key {
        let mut merged: Vec<Part> = Vec::with_capacity(parts.len());
        for part in parts {
            match (merged.last_mut(), part) {
                (_, Part::Lit(s)) if s.is_empty() => {}
                (Some(Part::Lit(prev)), Part::Lit(s)) => prev.push_str(&s),
                (_, part) => merged.push(part),
            }
        }
        if merged.iter().all(|p| matches!(p, Part::Hole(_))) {
            let text = merged
                .iter()
                .map(|p| match p {
                    Part::Hole(h) => h.as_str(),
                    Part::Lit(_) => unreachable!("all parts are holes"),
                })
                .collect::<Vec<_>>()
                .join("+");
            return Key::Opaque(text);
        }
        Key::Template(merged)
    }

    pub fn literal(text: impl Into<String>) -> Key {
        Key::from_parts(vec![Part::Lit(text.into())])
    }

    /// The literal text when the key has no holes.
    pub fn as_literal(&self) -> Option<&str> {
        match self {
            Key::Template(parts) => match parts.as_slice() {
                [Part::Lit(s)] => Some(s),
                _ => None,
            },
            Key::Opaque(_) => None,
        }
    }

    /// The literal text before the first hole (the whole key if literal).
    pub fn static_prefix(&self) -> &str {
        match self {
            Key::Template(parts) => match parts.first() {
                Some(Part::Lit(s)) => s,
                _ => "",
            },
            Key::Opaque(_) => "",
        }
    }

    pub fn starts_with_hole(&self) -> Option<&str> {
        match self {
            Key::Template(parts) => match parts.first() {
                Some(Part::Hole(h)) => Some(h),
                _ => None,
            },
            Key::Opaque(_) => None,
        }
    }

    /// All literal text of the template, holes left out.
    pub fn literal_text(&self) -> String {
        match self {
            Key::Template(parts) => parts
                .iter()
                .filter_map(|p| match p {
                    Part::Lit(s) => Some(s.as_str()),
                    Part::Hole(_) => None,
                })
                .collect(),
            Key::Opaque(_) => String::new(),
        }
    }

    /// The template with every hole written as `{}`: the identity used when
    /// the catalogue speaks of "the same key template" across fns and files.
    pub fn shape(&self) -> String {
        match self {
            Key::Template(parts) => parts
                .iter()
                .map(|p| match p {
                    Part::Lit(s) => s.as_str(),
                    Part::Hole(_) => "{}",
                })
                .collect(),
            Key::Opaque(text) => format!("<{text}>"),
        }
    }

    pub fn slot_class(&self) -> SlotClass {
        let parts = match self {
            Key::Template(parts) => parts,
            Key::Opaque(_) => return SlotClass::Unknown,
        };
        if let Some(lit) = self.as_literal() {
            return SlotClass::Exact(slot::slot(lit));
        }
        match tag_parts(parts) {
            Some(tag) if tag.iter().all(|p| matches!(p, Part::Lit(_))) => {
                let text: String = tag
                    .iter()
                    .map(|p| match p {
                        Part::Lit(s) => s.as_str(),
                        Part::Hole(_) => "",
                    })
                    .collect();
                SlotClass::Exact(slot::slot(&format!("{{{text}}}")))
            }
            Some(tag) => SlotClass::Tag(render(&tag)),
            None => SlotClass::Whole(self.to_string()),
        }
    }
}

/// The parts between the first literal `{` and the next literal `}`, when
/// that span is non-empty: the hash tag of a template.
fn tag_parts(parts: &[Part]) -> Option<Vec<Part>> {
    let mut tag: Option<Vec<Part>> = None;
    for part in parts {
        match (part, tag.as_mut()) {
            (Part::Lit(s), None) => {
                if let Some(open) = s.find('{') {
                    let rest = &s[open + 1..];
                    if let Some(close) = rest.find('}') {
                        return (close > 0).then(|| vec![Part::Lit(rest[..close].to_string())]);
                    }
                    tag = Some(vec![Part::Lit(rest.to_string())]);
                }
            }
            (Part::Lit(s), Some(acc)) => {
                if let Some(close) = s.find('}') {
                    acc.push(Part::Lit(s[..close].to_string()));
                    acc.retain(|p| !matches!(p, Part::Lit(l) if l.is_empty()));
                    return (!acc.is_empty()).then(|| acc.clone());
                }
                acc.push(part.clone());
            }
            (Part::Hole(_), Some(acc)) => acc.push(part.clone()),
            (Part::Hole(_), None) => {}
        }
    }
    None
}

fn render(parts: &[Part]) -> String {
    parts
        .iter()
        .map(|p| match p {
            Part::Lit(s) => s.clone(),
            Part::Hole(h) => format!("{{{h}}}"),
        })
        .collect()
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Key::Template(parts) => f.write_str(&render(parts)),
            Key::Opaque(text) => f.write_str(text),
        }
    }
}

/// A piece of a Rust format string (`format!`'s first argument).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormatPiece {
    Lit(String),
    /// `{}`: the next positional argument.
    Next,
    /// `{0}`: a positional argument by index.
    Index(usize),
    /// `{name}`: a named argument or a captured identifier.
    Named(String),
}

/// Splits a format string into literal text and placeholders; `{{` and `}}`
/// are literal braces and format specs (`{:?}`, `{id:>4}`) are dropped.
pub fn parse_format(fmt: &str) -> Vec<FormatPiece> {
    let mut pieces = Vec::new();
    let mut lit = String::new();
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                lit.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                lit.push('}');
            }
            '{' => {
                let mut inner = String::new();
                for c in chars.by_ref() {
                    if c == '}' {
                        break;
                    }
                    inner.push(c);
                }
                if !lit.is_empty() {
                    pieces.push(FormatPiece::Lit(std::mem::take(&mut lit)));
                }
                let name = inner.split(':').next().unwrap_or("").trim();
                pieces.push(if name.is_empty() {
                    FormatPiece::Next
                } else if let Ok(index) = name.parse() {
                    FormatPiece::Index(index)
                } else {
                    FormatPiece::Named(name.to_string())
                });
            }
            c => lit.push(c),
        }
    }
    if !lit.is_empty() {
        pieces.push(FormatPiece::Lit(lit));
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hole(h: &str) -> Part {
        Part::Hole(h.into())
    }
    fn lit(s: &str) -> Part {
        Part::Lit(s.into())
    }

    #[test]
    fn format_strings_split_into_pieces() {
        assert_eq!(
            parse_format("user:{}:{0}:{id}:{name:?}"),
            vec![
                FormatPiece::Lit("user:".into()),
                FormatPiece::Next,
                FormatPiece::Lit(":".into()),
                FormatPiece::Index(0),
                FormatPiece::Lit(":".into()),
                FormatPiece::Named("id".into()),
                FormatPiece::Lit(":".into()),
                FormatPiece::Named("name".into()),
            ]
        );
        assert_eq!(
            parse_format("{{user:{}}}.following"),
            vec![
                FormatPiece::Lit("{user:".into()),
                FormatPiece::Next,
                FormatPiece::Lit("}.following".into()),
            ]
        );
    }

    #[test]
    fn templates_render_and_compare() {
        let key = Key::from_parts(vec![lit("user:"), hole("id"), lit(":"), lit("profile")]);
        assert_eq!(key.to_string(), "user:{id}:profile");
        assert_eq!(key.shape(), "user:{}:profile");
        assert_eq!(key.static_prefix(), "user:");
        assert!(Key::from_parts(vec![hole("k")]) == Key::Opaque("k".into()));
        assert_eq!(Key::literal("a:b").as_literal(), Some("a:b"));
    }

    #[test]
    fn slot_classes() {
        assert_eq!(Key::literal("foo").slot_class(), SlotClass::Exact(12182));
        let following = Key::from_parts(vec![lit("{user:"), hole("id"), lit("}.following")]);
        let followers = Key::from_parts(vec![lit("{user:"), hole("id"), lit("}.followers")]);
        assert_eq!(following.slot_class(), followers.slot_class());
        assert_eq!(following.slot_class(), SlotClass::Tag("user:{id}".into()));
        let literal_tag = Key::from_parts(vec![lit("{user1000}.x:"), hole("n")]);
        assert_eq!(
            literal_tag.slot_class(),
            Key::literal("{user1000}.following").slot_class()
        );
        let untagged = Key::from_parts(vec![lit("tags:"), hole("a")]);
        assert_eq!(untagged.slot_class(), SlotClass::Whole("tags:{a}".into()));
        assert_eq!(Key::Opaque("k".into()).slot_class(), SlotClass::Unknown);
    }
}
