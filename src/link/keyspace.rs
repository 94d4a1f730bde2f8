//! The run's keyspace (`model::keyspace`): each crate's key sites, taken
//! from its model once it is linked (`crate_sites`), then joined across
//! every crate of the run into one entry per template and database
//! (`build`).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use super::symbols::Symbols;
use crate::extract::facts::DbNumber;
use crate::model::command::flags;
use crate::model::key::{Key, Part};
use crate::model::keyspace::{
    EntryType, IndirectWrite, KeyEntry, KeyOp, KeySite, Keyspace, Program, TtlStatus, ValueType,
    WriteTtl,
};
use crate::model::{Call, CrateModel, FnId, Form};
use crate::source::FileId;

/// One crate's part of the keyspace.
#[derive(Debug, Default)]
pub struct CrateKeys {
    pub sites: Vec<KeySite>,
    pub indirect_writes: Vec<IndirectWrite>,
}

/// Writes that replace a string's whole value, and with it its TTL.
const REPLACING: &[&str] = &["SET", "GETSET", "MSET"];

/// Which program a file's sites run in (see `Program`).
#[derive(Debug, Clone)]
pub enum FileProgram {
    Whole(Program),
    /// Each fn of the file (named by it) is a program of its own.
    EachFn(String),
    /// The file's test fns (`#[test]`, `#[cfg(test)]` modules; linted with
    /// `lint-tests`) are each a program of their own; its other fns are
    /// the crate's default.
    TestFns {
        file: String,
        tests: HashSet<String>,
    },
}

/// Where a crate's sites belong.
#[derive(Debug, Clone)]
pub struct CrateScope {
    /// The package.
    pub crate_name: String,
    /// Its workspace's index in the run.
    pub scope: u32,
    /// The program of each of its files that is not `default`'s.
    pub programs: HashMap<FileId, FileProgram>,
    /// The program of its other files (and of `.lua` files it loads).
    pub default: Program,
}

impl CrateScope {
    fn program(&self, file: FileId, func: &str) -> Program {
        match self.programs.get(&file) {
            None => self.default.clone(),
            Some(FileProgram::Whole(p)) => p.clone(),
            Some(FileProgram::EachFn(file)) if func.is_empty() => Program::Apart(file.clone()),
            Some(FileProgram::EachFn(file)) => Program::Apart(format!("{file}::{func}")),
            Some(FileProgram::TestFns { file, tests }) if tests.contains(func) => {
                Program::Apart(format!("{file}::{func}"))
            }
            Some(FileProgram::TestFns { .. }) => self.default.clone(),
        }
    }

    /// A site of the crate's, its program and database filled in.
    fn site(&self, dbs: &Dbs, mut site: KeySite) -> KeySite {
        site.program = self.program(site.file, &site.func);
        site.db = dbs.at(site.file);
        site.scope = self.scope;
        site
    }
}

/// Every site of `model` that touches a key template.
pub fn crate_sites(model: &CrateModel, at: &CrateScope) -> CrateKeys {
    let dbs = Dbs::of(model);
    let expiries = Expiries::of(model);
    let mut out = CrateKeys::default();
    for call in &model.calls {
        let op = op_of(call);
        for key in &call.keys {
            if !matches!(key, Key::Template(_)) {
                continue;
            }
            let site = KeySite {
                key: key.clone(),
                shape: key.shape(),
                file: call.file,
                span: call.span,
                command: call.command.clone(),
                sent_by: call.through.as_ref().map(|t| t.helper.clone()),
                op,
                value_type: ValueType::of_command(&call.command),
                ttl: write_ttl(&expiries, call, key, op),
                crate_name: at.crate_name.clone(),
                func: model
                    .fns
                    .get(call.func as usize)
                    .map(|f| f.name.clone())
                    .unwrap_or_default(),
                db: None,
                scope: at.scope,
                program: Program::Service,
            };
            out.sites.push(at.site(&dbs, site));
        }
    }
    for site in script_sites(model, &at.crate_name) {
        out.sites.push(at.site(&dbs, site));
    }
    let scope = at.scope;
    for h in &model.helper_calls {
        for (i, command) in model.param_commands.get(&h.name).into_iter().flatten() {
            let writes = crate::model::command::spec(command)
                .is_some_and(|s| s.has(flags::WRITE) || s.has(flags::SCRIPT));
            match h.args.get(*i) {
                Some(key @ Key::Template(_)) if writes => out.indirect_writes.push(IndirectWrite {
                    shape: key.shape(),
                    scope,
                }),
                _ => {}
            }
        }
    }
    out
}

fn op_of(call: &Call) -> KeyOp {
    if call.form == Form::Script || call.has(flags::SCRIPT) {
        KeyOp::Script
    } else if call.has(flags::DELETE) {
        KeyOp::Delete
    } else if call.has(flags::WRITE) {
        // SETEX writes a value along with its expiry.
        KeyOp::Write
    } else if call.has(flags::EXPIRY) || call.is("PERSIST") {
        KeyOp::Expire
    } else {
        KeyOp::Read
    }
}

/// The expiries of a crate, by fn: what `write_ttl` looks up for each
/// write (an index, so a crate of many calls is not scanned per write).
struct Expiries {
    /// (file, fn) → (seq, shape) of each call that expires a key.
    calls: HashMap<(FileId, FnId), Vec<(u32, String)>>,
    /// fn → shapes passed to a crate helper that expires its key parameter.
    helpers: HashMap<FnId, Vec<String>>,
}

impl Expiries {
    fn of(model: &CrateModel) -> Expiries {
        let mut calls: HashMap<(FileId, FnId), Vec<(u32, String)>> = HashMap::new();
        for c in model
            .calls
            .iter()
            .filter(|c| c.has(flags::EXPIRY) || c.opts.expiry)
        {
            let shapes = c.keys.iter().map(|k| (c.seq, k.shape()));
            calls.entry((c.file, c.func)).or_default().extend(shapes);
        }
        let mut helpers: HashMap<FnId, Vec<String>> = HashMap::new();
        for h in &model.helper_calls {
            for &i in model.expiring_helpers.get(&h.name).into_iter().flatten() {
                if let Some(k) = h.args.get(i) {
                    helpers.entry(h.func).or_default().push(k.shape());
                }
            }
        }
        Expiries { calls, helpers }
    }
}

/// What a write does to `key`'s TTL: an expiry given by the command or by
/// an expire of the same template later in the same fn (directly or
/// through a crate helper that expires its key parameter) keeps the key
/// expiring.
fn write_ttl(expiries: &Expiries, call: &Call, key: &Key, op: KeyOp) -> WriteTtl {
    if op != KeyOp::Write {
        return WriteTtl::NotAWrite;
    }
    if call.opts.expiry || call.is("SETEX") || call.is("PSETEX") {
        return WriteTtl::Given;
    }
    let shape = key.shape();
    let expired_later = expiries
        .calls
        .get(&(call.file, call.func))
        .is_some_and(|e| e.iter().any(|(seq, s)| *seq > call.seq && *s == shape));
    let expired_by_helper = expiries
        .helpers
        .get(&call.func)
        .is_some_and(|shapes| shapes.contains(&shape));
    if expired_later || expired_by_helper {
        WriteTtl::Given
    } else if REPLACING.contains(&call.command.as_str()) {
        WriteTtl::Dropped
    } else {
        WriteTtl::Untouched
    }
}

/// The logical database of a crate's sites. A file names its own: the one
/// its production code selects by number (`SELECT 2`, `db: DB`) when it
/// selects one, which overrides the URL's; otherwise the one its Redis URLs
/// name (`/2`; none is database 0; a URL in a const or a default setting
/// counts). A file that names none runs on the crate's: the one database
/// of the files with a URL (a selection elsewhere is for that file's own
/// connection), or, when no file has one, the one every selection names.
/// Unknown (`None`) when they disagree or nothing names one (the crate
/// connects through another crate, or the environment): the rules compare
/// an unknown database with every other.
struct Dbs {
    by_file: HashMap<FileId, u32>,
    whole_crate: Option<u32>,
}

impl Dbs {
    fn of(model: &CrateModel) -> Dbs {
        let mut selected: BTreeMap<FileId, BTreeSet<u32>> = BTreeMap::new();
        for s in &model.selected_dbs {
            selected.entry(s.file).or_default().insert(s.db);
        }
        let mut urls: BTreeMap<FileId, BTreeSet<u32>> = BTreeMap::new();
        for u in &model.url_literals {
            if let Some(db) = url_db(&u.text) {
                urls.entry(u.file).or_default().insert(db);
            }
        }
        let mut named = urls.clone();
        named.extend(selected.iter().map(|(f, dbs)| (*f, dbs.clone())));
        let crate_wide: BTreeSet<u32> = match urls.is_empty() {
            false => urls.keys().flat_map(|f| &named[f]).copied().collect(),
            true => selected.values().flatten().copied().collect(),
        };
        let one = |dbs: &BTreeSet<u32>| match (dbs.first(), dbs.len()) {
            (Some(&db), 1) => Some(db),
            _ => None,
        };
        Dbs {
            by_file: named
                .iter()
                .filter_map(|(file, dbs)| Some((*file, one(dbs)?)))
                .collect(),
            whole_crate: one(&crate_wide),
        }
    }

    fn at(&self, file: FileId) -> Option<u32> {
        self.by_file.get(&file).copied().or(self.whole_crate)
    }
}

impl Symbols {
    /// A database number as written, a const or static resolved (in the
    /// crate a path names, else this one); `None` when it is no whole
    /// number or no numeric const of the run (read at run time).
    pub(super) fn db_number(&self, number: &DbNumber) -> Option<u32> {
        let value = match number {
            DbNumber::Value(v) => return Some(*v),
            DbNumber::Named(path) => {
                let last = path.rsplit("::").next().unwrap_or(path);
                let (krate, name) = self.owner(path).unwrap_or((self, last));
                *krate.num_consts.get(name)?
            }
        };
        let whole = value.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&value);
        whole.then_some(value as u32)
    }
}

/// The database a `redis://host:port/N` URL selects: 0 without a path,
/// `None` when the path is not a number (a placeholder, a socket path).
fn url_db(url: &str) -> Option<u32> {
    let rest = url.split_once("://")?.1;
    let rest = rest.split(['?', '#']).next().unwrap_or("");
    match rest.split_once('/') {
        None => Some(0),
        Some((_, "")) => Some(0),
        Some((_, path)) => path.parse().ok(),
    }
}

/// The keys Lua scripts of the crate name by literal (`'rate:' ..
/// ARGV[1]`) rather than through KEYS: the script reads or writes them
/// itself. Their program and database are left to the caller.
fn script_sites(model: &CrateModel, crate_name: &str) -> Vec<KeySite> {
    let mut out = Vec::new();
    for script in &model.scripts {
        let Some(facts) = script.body.facts() else {
            continue;
        };
        for (call, used) in facts.undeclared_keys() {
            let (Some(command), Some(key)) = (call.command.as_ref(), lua_template(&used.text))
            else {
                continue;
            };
            let (file, span) = script.place(&used.range);
            let spec = crate::model::command::spec(command);
            let op = match spec {
                Some(s) if s.has(flags::DELETE) => KeyOp::Delete,
                Some(s) if s.has(flags::WRITE) => KeyOp::Write,
                Some(s) if s.has(flags::EXPIRY) => KeyOp::Expire,
                _ => KeyOp::Read,
            };
            out.push(KeySite {
                shape: key.shape(),
                key,
                file,
                span,
                command: command.clone(),
                sent_by: None,
                op,
                value_type: ValueType::of_command(command),
                // A script's own expiry calls are not followed.
                ttl: if op == KeyOp::Write {
                    WriteTtl::Untouched
                } else {
                    WriteTtl::NotAWrite
                },
                crate_name: crate_name.to_string(),
                func: String::new(),
                db: None,
                scope: 0,
                program: Program::Service,
            });
        }
    }
    out
}

/// A Lua key expression (`'user:' .. ARGV[1] .. ':seen'`) as a template:
/// quoted pieces are literal text, the rest holes. `None` when nothing
/// of it is literal.
fn lua_template(expr: &str) -> Option<Key> {
    let parts: Vec<Part> = expr
        .split("..")
        .map(str::trim)
        .map(|piece| {
            let quoted = piece.len() >= 2
                && ((piece.starts_with('\'') && piece.ends_with('\''))
                    || (piece.starts_with('"') && piece.ends_with('"')));
            if quoted {
                Part::Lit(piece[1..piece.len() - 1].to_string())
            } else {
                Part::Hole(piece.to_string())
            }
        })
        .collect();
    match Key::from_parts(parts) {
        key @ Key::Template(_) => Some(key),
        Key::Opaque(_) => None,
    }
}

/// The run's keyspace from every crate's part: one entry per template
/// and database, sorted by template.
pub fn build(parts: Vec<CrateKeys>, scopes: Vec<String>) -> Keyspace {
    let mut sites: Vec<KeySite> = Vec::new();
    let mut indirect_writes = Vec::new();
    for part in parts {
        sites.extend(part.sites);
        indirect_writes.extend(part.indirect_writes);
    }
    joined(sites, indirect_writes, scopes)
}

/// The part of a run's keyspace that one workspace uses.
pub fn of_scope(keyspace: &Keyspace, scope: u32) -> Keyspace {
    let sites = keyspace.sites.iter().filter(|s| s.scope == scope);
    let indirect = keyspace.indirect_writes.iter().filter(|w| w.scope == scope);
    joined(
        sites.cloned().collect(),
        indirect.cloned().collect(),
        keyspace.scopes.clone(),
    )
}

fn joined(
    mut sites: Vec<KeySite>,
    indirect_writes: Vec<IndirectWrite>,
    scopes: Vec<String>,
) -> Keyspace {
    sites.sort_by(|a, b| {
        (
            &a.shape,
            a.file,
            a.span.start.line,
            a.span.start.col,
            &a.command,
        )
            .cmp(&(
                &b.shape,
                b.file,
                b.span.start.line,
                b.span.start.col,
                &b.command,
            ))
    });
    let mut by_shape: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, site) in sites.iter().enumerate() {
        // Examples are compared with the service, but are no part of it.
        if !matches!(site.program, Program::Example(_)) {
            by_shape.entry(&site.shape).or_default().push(i);
        }
    }
    let mut entries = Vec::new();
    for (shape, members) in by_shape {
        for (db, members) in by_db(&sites, members) {
            entries.push(entry(&sites, shape, db, members));
        }
    }
    Keyspace {
        sites,
        indirect_writes,
        scopes,
        entries,
    }
}

/// A template's sites by logical database. Sites whose database is not
/// known join the one database the others name; when they name several,
/// each is an entry of its own and the unknown ones another.
fn by_db(sites: &[KeySite], members: Vec<usize>) -> Vec<(Option<u32>, Vec<usize>)> {
    let known: BTreeSet<u32> = members.iter().filter_map(|&i| sites[i].db).collect();
    if known.len() <= 1 {
        return vec![(known.first().copied(), members)];
    }
    let mut split: BTreeMap<Option<u32>, Vec<usize>> = BTreeMap::new();
    for i in members {
        split.entry(sites[i].db).or_default().push(i);
    }
    split.into_iter().collect()
}

fn entry(sites: &[KeySite], shape: &str, db: Option<u32>, members: Vec<usize>) -> KeyEntry {
    let of = |i: &usize| &sites[*i];
    let types: BTreeSet<ValueType> = members.iter().filter_map(|i| of(i).value_type).collect();
    let value_type = match types.len() {
        0 => EntryType::Unknown,
        1 => EntryType::One(*types.first().expect("one type")),
        _ => EntryType::Several(types.into_iter().collect()),
    };
    let crates: BTreeSet<&str> = members.iter().map(|i| of(i).crate_name.as_str()).collect();
    KeyEntry {
        template: members
            .first()
            .map(|i| of(i).key.to_string())
            .unwrap_or_default(),
        shape: shape.to_string(),
        value_type,
        ttl: ttl_status(members.iter().map(of)),
        db,
        crates: crates.into_iter().map(str::to_string).collect(),
        sites: members,
    }
}

/// How a template's writes treat its TTL; `None` when nothing writes it.
fn ttl_status<'a>(sites: impl Iterator<Item = &'a KeySite>) -> Option<TtlStatus> {
    let mut seen: HashSet<bool> = HashSet::new();
    let mut expired_elsewhere = false;
    for site in sites {
        match site.ttl {
            WriteTtl::Given => {
                seen.insert(true);
            }
            WriteTtl::Dropped | WriteTtl::Untouched => {
                seen.insert(false);
            }
            WriteTtl::NotAWrite => expired_elsewhere |= site.op == KeyOp::Expire,
        }
    }
    match (seen.contains(&true), seen.contains(&false)) {
        (false, false) => None,
        (true, false) => Some(TtlStatus::Set),
        (false, true) if !expired_elsewhere => Some(TtlStatus::None),
        _ => Some(TtlStatus::Mixed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_their_database() {
        assert_eq!(url_db("redis://127.0.0.1:6379/2"), Some(2));
        assert_eq!(url_db("redis://127.0.0.1:6379"), Some(0));
        assert_eq!(url_db("rediss://u:p@host/"), Some(0));
        assert_eq!(url_db("redis://host/{db}"), None);
    }

    #[test]
    fn lua_keys_become_templates() {
        let key = lua_template("'rate:' .. ARGV[1] .. \":seen\"").expect("a template");
        assert_eq!(key.shape(), "rate:{}:seen");
        assert!(lua_template("ARGV[1]").is_none());
    }
}
