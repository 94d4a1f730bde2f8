//! Redis module commands (RediSearch, RedisJSON, TimeSeries, Bloom) read as
//! structured commands from their argument lists.
//!
//! Every client form ends up as the argument list the server receives:
//! `redis::cmd("FT.SEARCH").arg(..)` chains and fred `custom` calls as
//! written, fred's `ft_search`/`ft_create`/`ts_add` option structs translated
//! by extraction into the same words. The parsers here only read those
//! words, so one parser serves every client.
//!
//! A word the linter cannot read (a variable, a `Vec` built elsewhere) where
//! an option keyword could stand makes the command `opaque`: rules that
//! report a *missing* option stay silent on opaque commands.

use super::key::{Key, Part};

/// Marks a run-time hole (`format!` placeholder) inside query text.
pub const HOLE: char = '\u{1}';

/// Whether a command belongs to one of the modules this file reads.
pub fn is_module_command(command: &str) -> bool {
    ["FT.", "TS.", "BF.", "JSON."].iter().any(|p| {
        command.len() > p.len()
            && command
                .get(..p.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(p))
    })
}

/// The literal text of an argument, when it is fully known.
pub fn lit(word: &Key) -> Option<&str> {
    word.as_literal()
}

fn upper(word: &Key) -> Option<String> {
    lit(word).map(str::to_ascii_uppercase)
}

fn number(word: Option<&Key>) -> Option<u64> {
    word.and_then(lit).and_then(|s| s.trim().parse().ok())
}

/// Text of an argument with `format!` holes written as [`HOLE`]; `None`
/// for a value the linter cannot see into.
pub fn text_with_holes(word: &Key) -> Option<String> {
    match word {
        Key::Template(parts) => Some(
            parts
                .iter()
                .map(|p| match p {
                    Part::Lit(s) => s.clone(),
                    Part::Hole(_) => HOLE.to_string(),
                })
                .collect(),
        ),
        Key::Opaque(_) => None,
    }
}

// ------------------------------------------------------------ FT.CREATE

/// A RediSearch field type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    Text,
    Tag,
    Numeric,
    Geo,
    GeoShape,
    Vector,
}

impl FieldKind {
    fn parse(word: &str) -> Option<FieldKind> {
        Some(match word {
            "TEXT" => FieldKind::Text,
            "TAG" => FieldKind::Tag,
            "NUMERIC" => FieldKind::Numeric,
            "GEO" => FieldKind::Geo,
            "GEOSHAPE" => FieldKind::GeoShape,
            "VECTOR" => FieldKind::Vector,
            _ => return None,
        })
    }
}

/// A VECTOR field's algorithm and attributes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VectorSpec {
    /// `FLAT`, `HNSW`, `SVS-VAMANA` (upper case) when literal.
    pub algorithm: Option<String>,
    pub dim: Option<u64>,
    /// `L2`, `IP`, `COSINE` (upper case) when literal.
    pub metric: Option<String>,
}

/// One `SCHEMA` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaField {
    /// The name queries use: the alias when `AS` gives one.
    pub name: String,
    /// The attribute as stored (`$.title` for JSON indexes).
    pub path: String,
    pub kind: FieldKind,
    pub sortable: bool,
    pub suffix_trie: bool,
    pub vector: Option<VectorSpec>,
    /// Some option of the field could not be read.
    pub uncertain: bool,
}

/// What an `FT.CREATE` declares.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IndexDef {
    pub fields: Vec<SchemaField>,
    /// Part of the schema could not be read: fields may be missing.
    pub incomplete: bool,
}

impl IndexDef {
    pub fn field(&self, name: &str) -> Option<&SchemaField> {
        let name = name.trim_start_matches('@');
        self.fields
            .iter()
            .find(|f| f.name == name || f.path == name)
    }
}

/// FT.CREATE options before `SCHEMA` and how many values follow each.
fn create_option_arity(word: &str) -> Option<usize> {
    Some(match word {
        "MAXTEXTFIELDS" | "NOOFFSETS" | "NOHL" | "NOFIELDS" | "NOFREQS" | "SKIPINITIALSCAN" => 0,
        "ON" | "FILTER" | "LANGUAGE" | "LANGUAGE_FIELD" | "SCORE" | "SCORE_FIELD"
        | "PAYLOAD_FIELD" | "TEMPORARY" => 1,
        _ => return None,
    })
}

/// Parses `FT.CREATE index [options] SCHEMA field [AS alias] TYPE [opts] …`
/// (arguments after the command name).
pub fn parse_create(args: &[Key]) -> IndexDef {
    let mut def = IndexDef::default();
    let mut i = 1;
    // Options up to SCHEMA.
    loop {
        let Some(word) = args.get(i) else {
            def.incomplete = true;
            return def;
        };
        let Some(w) = upper(word) else {
            def.incomplete = true;
            i += 1;
            continue;
        };
        i += 1;
        match w.as_str() {
            "SCHEMA" => break,
            "PREFIX" | "STOPWORDS" => i += number(args.get(i)).unwrap_or(0) as usize + 1,
            other => i += create_option_arity(other).unwrap_or(0),
        }
    }
    while i < args.len() {
        let Some(path) = lit(&args[i]).map(str::to_string) else {
            def.incomplete = true;
            return def;
        };
        i += 1;
        let mut name = path.clone();
        if args.get(i).and_then(upper).as_deref() == Some("AS") {
            match args.get(i + 1).and_then(lit) {
                Some(alias) => name = alias.to_string(),
                None => def.incomplete = true,
            }
            i += 2;
        }
        let Some(kind) = args
            .get(i)
            .and_then(upper)
            .and_then(|w| FieldKind::parse(&w))
        else {
            def.incomplete = true;
            return def;
        };
        i += 1;
        let mut field = SchemaField {
            name,
            path,
            kind,
            sortable: false,
            suffix_trie: false,
            vector: None,
            uncertain: false,
        };
        if kind == FieldKind::Vector {
            let mut spec = VectorSpec {
                algorithm: args.get(i).and_then(upper),
                ..VectorSpec::default()
            };
            let count = number(args.get(i + 1));
            i += 2;
            let end = match count {
                Some(n) => (i + n as usize).min(args.len()),
                None => {
                    field.uncertain = true;
                    def.incomplete = true;
                    args.len()
                }
            };
            while i < end {
                match args.get(i).and_then(upper).as_deref() {
                    Some("DIM") => spec.dim = number(args.get(i + 1)),
                    Some("DISTANCE_METRIC") => spec.metric = args.get(i + 1).and_then(upper),
                    Some(_) => {}
                    None => field.uncertain = true,
                }
                i += 2;
            }
            i = end;
            field.vector = Some(spec);
        }
        // Field options until the next field name.
        while let Some(word) = args.get(i) {
            let Some(w) = upper(word) else {
                field.uncertain = true;
                def.incomplete = true;
                def.fields.push(field);
                return def;
            };
            match w.as_str() {
                "SORTABLE" => field.sortable = true,
                "WITHSUFFIXTRIE" => field.suffix_trie = true,
                "UNF" | "NOSTEM" | "NOINDEX" | "CASESENSITIVE" | "INDEXEMPTY" | "INDEXMISSING" => {}
                "PHONETIC" | "WEIGHT" | "SEPARATOR" => i += 1,
                _ => break,
            }
            i += 1;
        }
        def.fields.push(field);
    }
    def
}

// ------------------------------------------------------ FT.SEARCH / AGGREGATE

/// What an `FT.SEARCH` or `FT.AGGREGATE` asks for.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SearchCmd {
    /// The query text with holes as [`HOLE`], when readable.
    pub query: Option<String>,
    pub returns: bool,
    pub nocontent: bool,
    /// `LIMIT 0 0`: only the count is wanted.
    pub count_only: bool,
    /// The SORTBY field (without `@`).
    pub sortby: Option<String>,
    /// `DIALECT n`; `Some(None)` when the value is not literal.
    pub dialect: Option<Option<u64>>,
    /// Fields named by RETURN, SORTBY, LOAD, GROUPBY, APPLY, FILTER, … (without `@`).
    pub fields: Vec<String>,
    /// FT.AGGREGATE groups before sorting (SORTBY may name a reducer output).
    pub grouped: bool,
    /// An option position held a value the linter cannot read.
    pub opaque: bool,
}

/// FT.SEARCH / FT.AGGREGATE keywords and how many values follow (counted
/// lists are handled apart).
fn search_option_arity(word: &str) -> Option<usize> {
    Some(match word {
        "NOCONTENT" | "VERBATIM" | "NOSTOPWORDS" | "WITHSCORES" | "WITHPAYLOADS"
        | "WITHSORTKEYS" | "INORDER" | "EXPLAINSCORE" | "ASC" | "DESC" | "WITHCOUNT"
        | "WITHCURSOR" | "ADDSCORES" => 0,
        "SLOP" | "TIMEOUT" | "LANGUAGE" | "EXPANDER" | "SCORER" | "PAYLOAD" | "FRAGS" | "LEN"
        | "SEPARATOR" | "MAX" | "COUNT" | "MAXIDLE" | "AS" | "FILTER" | "APPLY" => 1,
        "LIMIT" | "TAGS" => 2,
        "GEOFILTER" => 5,
        _ => return None,
    })
}

fn strip_at(s: &str) -> String {
    s.trim_start_matches('@').to_string()
}

/// `@name` references inside an expression (APPLY, FILTER).
fn at_refs(text: &str, out: &mut Vec<String>) {
    let mut rest = text;
    while let Some(at) = rest.find('@') {
        let name: String = rest[at + 1..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '$'))
            .collect();
        if !name.is_empty() {
            out.push(name.clone());
        }
        rest = &rest[at + 1 + name.len()..];
    }
}

/// Parses `FT.SEARCH|FT.AGGREGATE index query [options]` (arguments after
/// the command name).
pub fn parse_search(args: &[Key]) -> SearchCmd {
    let mut cmd = SearchCmd {
        query: args.get(1).and_then(text_with_holes),
        ..SearchCmd::default()
    };
    let mut i = 2;
    while let Some(word) = args.get(i) {
        let Some(w) = upper(word) else {
            cmd.opaque = true;
            i += 1;
            continue;
        };
        i += 1;
        let counted = |i: usize| number(args.get(i));
        match w.as_str() {
            "NOCONTENT" => cmd.nocontent = true,
            "RETURN" | "LOAD" | "GROUPBY" | "INFIELDS" | "INKEYS" | "PARAMS" | "FIELDS" => {
                if w == "LOAD" && args.get(i).and_then(lit) == Some("*") {
                    cmd.returns = true;
                    i += 1;
                    continue;
                }
                let Some(n) = counted(i) else {
                    cmd.opaque = true;
                    i += 1;
                    continue;
                };
                let items = args.iter().skip(i + 1).take(n as usize);
                if matches!(w.as_str(), "RETURN" | "LOAD" | "GROUPBY" | "FIELDS") {
                    cmd.fields.extend(items.filter_map(lit).map(strip_at));
                }
                match w.as_str() {
                    "RETURN" | "LOAD" => cmd.returns = true,
                    "GROUPBY" => cmd.grouped = true,
                    _ => {}
                }
                i += 1 + n as usize;
            }
            "SORTBY" => {
                // FT.AGGREGATE counts its properties: SORTBY 2 @price DESC.
                let first = args.get(i).and_then(lit);
                let field = match first.map(|s| s.parse::<u64>()) {
                    Some(Ok(_)) => {
                        i += 1;
                        args.get(i).and_then(lit)
                    }
                    _ => first,
                };
                match field {
                    Some(f) => {
                        cmd.sortby.get_or_insert(strip_at(f));
                        cmd.fields.push(strip_at(f));
                    }
                    None => cmd.opaque = true,
                }
                i += 1;
            }
            "REDUCE" => {
                // REDUCE fn nargs arg… [AS name]
                let n = counted(i + 1).unwrap_or(0) as usize;
                for arg in args.iter().skip(i + 2).take(n).filter_map(lit) {
                    at_refs(arg, &mut cmd.fields);
                }
                i += 2 + n;
            }
            "APPLY" | "FILTER" if i < args.len() => {
                match args.get(i).and_then(lit) {
                    Some(expr) => at_refs(expr, &mut cmd.fields),
                    None => cmd.opaque = true,
                }
                // FT.SEARCH FILTER field min max.
                let numeric_filter = w == "FILTER"
                    && args.get(i).and_then(lit).is_some_and(|f| !f.contains(' '))
                    && args.get(i + 2).is_some();
                if numeric_filter && !args.get(i).and_then(lit).unwrap_or("").contains('@') {
                    cmd.fields.extend(args.get(i).and_then(lit).map(strip_at));
                    i += 3;
                } else {
                    i += 1;
                }
            }
            "DIALECT" => {
                cmd.dialect = Some(number(args.get(i)));
                i += 1;
            }
            "LIMIT" => {
                cmd.count_only = number(args.get(i + 1)) == Some(0);
                i += 2;
            }
            "SUMMARIZE" | "HIGHLIGHT" => {}
            other => i += search_option_arity(other).unwrap_or(0),
        }
    }
    cmd
}

// ------------------------------------------------------------ query text

/// What a RediSearch query string contains, read by [`parse_query`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct QueryFacts {
    /// A `=>[KNN …]` vector clause.
    pub knn: bool,
    /// The KNN clause filters nothing first (`*=>[KNN …]`).
    pub knn_without_filter: bool,
    /// Prefix-wildcard terms (`*phone`, `@name:*phone`), as written, with
    /// the field they apply to.
    pub leading_wildcards: Vec<(Option<String>, String)>,
    /// Fields the query names (`@title:…`, the KNN vector field).
    pub fields: Vec<String>,
    /// Bare terms (or run-time text) that search every TEXT field.
    pub free_terms: bool,
}

fn is_word_char(c: char) -> bool {
    !(c.is_whitespace() || "()|{}[]\"@=~-:".contains(c))
}

/// Reads a RediSearch query: a small tokenizer over fields (`@f:`), tag
/// sets (`{a|b}`), ranges (`[1 2]`), phrases, parameters (`$p`), attribute
/// blocks and KNN clauses.
pub fn parse_query(q: &str) -> QueryFacts {
    let mut facts = QueryFacts::default();
    let chars: Vec<char> = q.chars().collect();
    let mut i = 0;
    let mut field: Option<String> = None;
    // Text seen before `=>`, to tell `*=>[KNN` from a filtered KNN.
    let mut before_arrow = String::new();
    while i < chars.len() {
        let c = chars[i];
        match c {
            '=' if chars.get(i + 1) == Some(&'>') => {
                let mut j = i + 2;
                while chars.get(j).is_some_and(|c| c.is_whitespace()) {
                    j += 1;
                }
                let close = match chars.get(j) {
                    Some('[') => ']',
                    Some('{') => '}',
                    _ => {
                        i += 2;
                        continue;
                    }
                };
                let end = (j..chars.len())
                    .find(|&k| chars[k] == close)
                    .unwrap_or(chars.len());
                let inner: String = chars[j + 1..end].iter().collect();
                if close == ']' && inner.trim_start().to_ascii_uppercase().starts_with("KNN") {
                    facts.knn = true;
                    let filter: String = before_arrow
                        .chars()
                        .filter(|c| !c.is_whitespace() && !matches!(c, '(' | ')'))
                        .collect();
                    facts.knn_without_filter |= filter == "*";
                    at_refs(&inner, &mut facts.fields);
                }
                i = end + 1;
                continue;
            }
            '@' => {
                let name: String = chars[i + 1..]
                    .iter()
                    .take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '$'))
                    .collect();
                i += 1 + name.chars().count();
                if chars.get(i) == Some(&':') {
                    i += 1;
                }
                facts.fields.push(name.clone());
                field = Some(name);
                continue;
            }
            '{' | '[' => {
                let close = if c == '{' { '}' } else { ']' };
                let end = (i..chars.len())
                    .find(|&k| chars[k] == close)
                    .unwrap_or(chars.len());
                if c == '{' {
                    let inner: String = chars[i + 1..end].iter().collect();
                    for tag in inner.split('|').map(str::trim) {
                        if leading_wildcard(tag) {
                            facts
                                .leading_wildcards
                                .push((field.clone(), tag.to_string()));
                        }
                    }
                }
                field = None;
                i = end + 1;
                continue;
            }
            '"' => {
                let end = (i + 1..chars.len())
                    .find(|&k| chars[k] == '"')
                    .unwrap_or(chars.len());
                facts.free_terms |= field.is_none();
                field = None;
                i = end + 1;
                continue;
            }
            'w' if chars.get(i + 1) == Some(&'\'') => {
                // w'…' wildcard pattern (DIALECT 2): an explicit choice.
                let end = (i + 2..chars.len())
                    .find(|&k| chars[k] == '\'')
                    .unwrap_or(chars.len());
                field = None;
                i = end + 1;
                continue;
            }
            c if is_word_char(c) => {
                let word: String = chars[i..]
                    .iter()
                    .take_while(|c| is_word_char(**c))
                    .collect();
                i += word.chars().count();
                before_arrow.push_str(&word);
                if word.starts_with('$') || (word.starts_with('%') && word.ends_with('%')) {
                    field = None;
                    continue;
                }
                if leading_wildcard(&word) {
                    facts.leading_wildcards.push((field.clone(), word.clone()));
                } else if word != "*" && field.is_none() {
                    facts.free_terms = true;
                }
                field = None;
                continue;
            }
            '(' | ')' => before_arrow.push(c),
            _ => {}
        }
        i += 1;
    }
    facts
}

/// `*phone`, `*{}` (a run-time suffix), but not `*` or `phone*`.
fn leading_wildcard(term: &str) -> bool {
    term.strip_prefix('*')
        .and_then(|rest| rest.chars().next())
        .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == HOLE)
}

// ------------------------------------------------------------ TimeSeries

/// Whether a TS.CREATE / TS.ADD / TS.ALTER argument list sets RETENTION;
/// `None` when an option position cannot be read.
pub fn ts_retention(command: &str, args: &[Key]) -> Option<bool> {
    // Options start after: TS.CREATE key | TS.ALTER key | TS.ADD key ts value.
    let start = if command == "TS.ADD" { 3 } else { 1 };
    let mut i = start;
    let mut unreadable = false;
    while let Some(word) = args.get(i) {
        match upper(word).as_deref() {
            Some("RETENTION") => return Some(true),
            Some("LABELS") => break,
            Some(_) => {}
            None => unreadable = true,
        }
        i += 1;
    }
    (!unreadable).then_some(false)
}

/// Whether `BF.INSERT` sets a capacity (it then creates a sized filter);
/// an option the linter cannot read may be one.
pub fn bf_insert_has_capacity(args: &[Key]) -> bool {
    for word in args.iter().skip(1) {
        match upper(word).as_deref() {
            Some("ITEMS") => return false,
            Some("CAPACITY") | None => return true,
            Some(_) => {}
        }
    }
    false
}

// ------------------------------------------------------------ JSON

/// The JSON path a JSON.GET / JSON.SET names: `None` when it is not
/// literal, `Some("$")` when no path is given (the root).
pub fn json_path(command: &str, args: &[Key]) -> Option<String> {
    match command {
        "JSON.GET" => {
            // JSON.GET key [INDENT s] [NEWLINE s] [SPACE s] [path …]
            let mut i = 1;
            while let Some(w) = args.get(i).and_then(upper) {
                if matches!(w.as_str(), "INDENT" | "NEWLINE" | "SPACE") {
                    i += 2;
                } else {
                    break;
                }
            }
            match args.get(i) {
                None => Some("$".to_string()),
                Some(p) => lit(p).map(str::to_string),
            }
        }
        _ => args.get(1).and_then(lit).map(str::to_string),
    }
}

/// `$`, `.` or nothing: the whole document.
pub fn is_root_path(path: &str) -> bool {
    matches!(path.trim(), "$" | "." | "")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<Key> {
        text.split_whitespace().map(Key::literal).collect()
    }

    #[test]
    fn module_commands_are_recognised_case_insensitively() {
        assert!(is_module_command("FT.SEARCH"));
        assert!(is_module_command("ts.add"));
        assert!(!is_module_command("GET"));
        assert!(!is_module_command("FT."));
    }

    #[test]
    fn create_reads_fields_sortable_aliases_and_vectors() {
        let def = parse_create(&words(
            "idx:products ON JSON PREFIX 1 product: SCHEMA $.title AS title TEXT WEIGHT 2 \
             $.price AS price NUMERIC SORTABLE brand TAG SEPARATOR , CASESENSITIVE \
             embedding VECTOR FLAT 6 TYPE FLOAT32 DIM 1536 DISTANCE_METRIC L2 sku TAG WITHSUFFIXTRIE",
        ));
        assert!(!def.incomplete);
        let names: Vec<&str> = def.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["title", "price", "brand", "embedding", "sku"]);
        assert!(!def.field("title").unwrap().sortable);
        assert!(def.field("@price").unwrap().sortable);
        assert_eq!(def.field("$.title").unwrap().kind, FieldKind::Text);
        let v = def.field("embedding").unwrap().vector.clone().unwrap();
        assert_eq!(v.algorithm.as_deref(), Some("FLAT"));
        assert_eq!(v.dim, Some(1536));
        assert_eq!(v.metric.as_deref(), Some("L2"));
        assert!(def.field("sku").unwrap().suffix_trie);
    }

    #[test]
    fn create_with_an_unreadable_schema_is_incomplete() {
        let mut args = words("idx SCHEMA title TEXT");
        args.push(Key::Opaque("extra".into()));
        let def = parse_create(&args);
        assert!(def.incomplete);
        assert_eq!(def.fields.len(), 1);
    }

    #[test]
    fn search_reads_return_sortby_dialect_and_opacity() {
        let s = parse_search(&words(
            "idx @title:phone RETURN 2 title price SORTBY price DESC LIMIT 0 10 DIALECT 2",
        ));
        assert!(s.returns && !s.nocontent && !s.count_only && !s.opaque);
        assert_eq!(s.sortby.as_deref(), Some("price"));
        assert_eq!(s.dialect, Some(Some(2)));
        assert_eq!(s.fields, ["title", "price", "price"]);

        let s = parse_search(&words("idx * NOCONTENT LIMIT 0 0"));
        assert!(s.nocontent && s.count_only && s.dialect.is_none());

        // PARAMS values are not keywords, even when they are not literal.
        let mut args = words("idx *=>[KNN 5 @v $blob] PARAMS 2 blob");
        args.push(Key::Opaque("bytes".into()));
        args.extend(words("DIALECT 2"));
        let s = parse_search(&args);
        assert!(!s.opaque, "{s:?}");
        assert_eq!(s.dialect, Some(Some(2)));

        let mut args = words("idx hello");
        args.push(Key::Opaque("opts".into()));
        assert!(parse_search(&args).opaque);
    }

    #[test]
    fn aggregate_reads_counted_sortby_and_groups() {
        let s = parse_search(&words(
            "idx * GROUPBY 1 @brand REDUCE COUNT 0 AS n SORTBY 2 @n DESC APPLY upper(@brand) AS b",
        ));
        assert!(s.grouped);
        assert_eq!(s.sortby.as_deref(), Some("n"));
        assert!(s.fields.contains(&"brand".to_string()));
    }

    #[test]
    fn query_finds_prefix_wildcards_only() {
        let q = parse_query("*phone");
        assert_eq!(q.leading_wildcards, [(None, "*phone".to_string())]);
        let q = parse_query("@name:*phone @brand:{apple}");
        assert_eq!(
            q.leading_wildcards,
            [(Some("name".to_string()), "*phone".to_string())]
        );
        assert_eq!(q.fields, ["name", "brand"]);
        for silent in [
            "*",
            "phone*",
            "@name:phone*",
            "*=>[KNN 10 @v $vec]",
            "w'*ph*'",
            "\"*x\"",
        ] {
            assert!(parse_query(silent).leading_wildcards.is_empty(), "{silent}");
        }
        let run_time = format!("@title:*{HOLE}");
        assert_eq!(parse_query(&run_time).leading_wildcards.len(), 1);
        assert_eq!(
            parse_query("@tags:{*phone | tablet}").leading_wildcards,
            [(Some("tags".to_string()), "*phone".to_string())]
        );
    }

    #[test]
    fn query_finds_knn_and_its_prefilter() {
        let q = parse_query("*=>[KNN 10 @embedding $vec AS score]");
        assert!(q.knn && q.knn_without_filter && !q.free_terms);
        assert!(q.fields.contains(&"embedding".to_string()));
        let q = parse_query("(*)=>[KNN 3 @v $b]");
        assert!(q.knn_without_filter);
        let q = parse_query("(@category:{books})=>[KNN 10 @embedding $vec]");
        assert!(q.knn && !q.knn_without_filter);
        let q = parse_query("@title:phone =>{$weight: 2.0}");
        assert!(!q.knn);
        assert!(parse_query("cheap phone").free_terms);
        assert!(!parse_query("@title:phone").free_terms);
    }

    #[test]
    fn timeseries_retention_and_bloom_capacity() {
        assert_eq!(
            ts_retention("TS.CREATE", &words("s RETENTION 86400000 LABELS a b")),
            Some(true)
        );
        assert_eq!(ts_retention("TS.ADD", &words("s * 1.5")), Some(false));
        assert_eq!(
            ts_retention("TS.ADD", &words("s * 1.5 LABELS RETENTION x")),
            Some(false)
        );
        let mut args = words("s");
        args.push(Key::Opaque("opts".into()));
        assert_eq!(ts_retention("TS.CREATE", &args), None);
        assert!(bf_insert_has_capacity(&words("f CAPACITY 1000 ITEMS a")));
        assert!(!bf_insert_has_capacity(&words("f ITEMS CAPACITY")));
        let mut args = words("f");
        args.push(Key::Opaque("options".into()));
        assert!(bf_insert_has_capacity(&args));
    }

    #[test]
    fn json_paths() {
        assert_eq!(json_path("JSON.GET", &words("doc")).as_deref(), Some("$"));
        assert_eq!(
            json_path("JSON.GET", &words("doc INDENT 2 $.name")).as_deref(),
            Some("$.name")
        );
        assert_eq!(
            json_path("JSON.SET", &words("doc $ {}")).as_deref(),
            Some("$")
        );
        assert!(is_root_path(".") && !is_root_path("$.cart"));
    }
}
