//! The logical database a file's connections select, beyond the URL's
//! `/N`: a `SELECT` command, fred's `select(N)`, redis-rs'
//! `set_db(N)`, a `RedisConnectionInfo { db: N, .. }` literal (redis-rs
//! 0.x, deadpool-redis) or fred's `Config { database: Some(N), .. }`.
//! A literal number counts, and so does a const or static (resolved when
//! the crate is linked); a database read from settings or the environment
//! is unknown.

use syn::{Expr, ExprMethodCall, ExprStruct};

use super::facts::{DbNumber, FileFacts, RawPart, SelectedDb};
use super::types::path_segments;
use super::Walker;

impl Walker {
    fn note_db(&mut self, db: Option<DbNumber>) {
        if let Some(db) = db {
            let in_test = self.in_test();
            self.facts.selected_dbs.push(SelectedDb { db, in_test });
        }
    }

    /// A struct literal that configures a database; `full` is its path
    /// with `use`s expanded.
    pub(super) fn note_db_struct(&mut self, s: &ExprStruct, full: &[String], last: &str) {
        let (field, wrapped) = match last {
            "RedisConnectionInfo" => ("db", Wrapped::Bare),
            // `Config` is a common name: only fred's counts.
            "Config" | "RedisConfig" if full.first().is_some_and(|f| f == "fred") => {
                ("database", Wrapped::InSome)
            }
            _ => return,
        };
        let value = s
            .fields
            .iter()
            .find(|f| matches!(&f.member, syn::Member::Named(n) if n == field))
            .and_then(|f| wrapped.number(&f.expr));
        self.note_db(value);
    }

    /// `select(N)` (fred) or `set_db(N)` (redis-rs' connection info).
    pub(super) fn note_db_method(&mut self, m: &ExprMethodCall) {
        if matches!(m.method.to_string().as_str(), "select" | "set_db") && m.args.len() == 1 {
            self.note_db(Wrapped::Bare.number(&m.args[0]));
        }
    }
}

/// Raw `SELECT N` commands among the file's calls.
pub(super) fn note_select_commands(facts: &mut FileFacts) {
    let selected = facts
        .calls
        .iter()
        .filter(|c| c.command == "SELECT")
        .filter_map(|c| {
            let arg = c.args.first()?;
            let db = match (&arg.lit, arg.key.0.as_slice()) {
                (Some(lit), _) => DbNumber::Value(lit.parse().ok()?),
                (None, [RawPart::Const(name)]) => DbNumber::Named(name.clone()),
                _ => return None,
            };
            Some(SelectedDb {
                db,
                in_test: c.in_test,
            })
        });
    let selected: Vec<SelectedDb> = selected.collect();
    facts.selected_dbs.extend(selected);
}

/// How a database number is written in a field.
#[derive(Clone, Copy)]
enum Wrapped {
    Bare,
    InSome,
}

impl Wrapped {
    fn number(self, e: &Expr) -> Option<DbNumber> {
        let e = match (self, e) {
            (Wrapped::Bare, e) => e,
            (Wrapped::InSome, Expr::Call(c)) if c.args.len() == 1 => match &*c.func {
                Expr::Path(p) if p.path.is_ident("Some") => &c.args[0],
                _ => return None,
            },
            _ => return None,
        };
        match e {
            Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Int(i),
                ..
            }) => i.base10_parse().ok().map(DbNumber::Value),
            // A const or static: `DB`, `config::REDIS_DB`.
            Expr::Path(p) if p.qself.is_none() => {
                let last = p.path.segments.last()?.ident.to_string();
                let named = last
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
                let path = path_segments(&p.path);
                named.then(|| DbNumber::Named(path.join("::")))
            }
            Expr::Paren(p) => Wrapped::Bare.number(&p.expr),
            Expr::Cast(c) => Wrapped::Bare.number(&c.expr),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::extract::facts::DbNumber;

    fn dbs(src: &str) -> Vec<(u32, bool)> {
        let file = syn::parse_file(src).unwrap();
        let facts = crate::extract::extract(&file, false, &crate::extract::CrateInputs::NONE);
        facts
            .selected_dbs
            .iter()
            .filter_map(|s| match s.db {
                DbNumber::Value(n) => Some((n, s.in_test)),
                DbNumber::Named(_) => None,
            })
            .collect()
    }

    fn named(src: &str) -> Vec<String> {
        let file = syn::parse_file(src).unwrap();
        let facts = crate::extract::extract(&file, false, &crate::extract::CrateInputs::NONE);
        let names = facts.selected_dbs.iter().filter_map(|s| match &s.db {
            DbNumber::Named(n) => Some(n.clone()),
            DbNumber::Value(_) => None,
        });
        names.collect()
    }

    #[test]
    fn databases_selected_by_const() {
        let src = r#"
            const DB: i64 = 2;
            fn a() { let i = redis::RedisConnectionInfo { db: DB, ..Default::default() }; }
            fn b() { let i = redis::RedisConnectionInfo { db: config::REDIS_DB as i64, ..Default::default() }; }
            async fn c(con: &mut redis::aio::MultiplexedConnection) {
                redis::cmd("SELECT").arg(DB).query_async::<()>(con).await.unwrap();
            }
            fn d(n: i64) { let i = redis::RedisConnectionInfo { db: n, ..Default::default() }; }
        "#;
        assert_eq!(named(src), ["DB", "config::REDIS_DB", "DB"]);
    }

    #[test]
    fn databases_selected_by_number() {
        let src = r#"
            use fred::prelude::*;
            fn a() { let i = redis::RedisConnectionInfo { db: 2, ..Default::default() }; }
            fn b() { let c = Config { database: Some(3), ..Default::default() }; }
            async fn c(client: &Client) { client.select(4).await.unwrap(); }
            fn d(info: redis::RedisConnectionInfo) { let i = info.set_db(5); }
            async fn e(con: &mut redis::aio::MultiplexedConnection) {
                redis::cmd("SELECT").arg(6).query_async::<()>(con).await.unwrap();
            }
            #[cfg(test)]
            mod tests { fn t(client: &Client) { client.select(15); } }
        "#;
        let mut found = dbs(src);
        found.sort();
        assert_eq!(
            found,
            [
                (2, false),
                (3, false),
                (4, false),
                (5, false),
                (6, false),
                (15, true)
            ]
        );
    }

    #[test]
    fn other_configs_and_unknown_numbers_select_nothing() {
        let src = r#"
            fn a(n: i64) { let i = redis::RedisConnectionInfo { db: n, ..Default::default() }; }
            fn b() { let c = sqlx::Config { database: Some(3) }; }
            fn c() { let c = Config { database: Some(3) }; }
        "#;
        assert_eq!(dbs(src), []);
    }
}
