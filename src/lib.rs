//! redis-lint: a static linter for Rust code that uses Redis.
//!
//! Data flows one way, bottom to top (tests/architecture.rs keeps it so):
//! `source` (files, positions) → `diagnostic` (findings, rule metadata) /
//! `parse` (the guarded syn parse) →
//! `manifest` / `server_conf` (Cargo and redis.conf facts) → `model` (the
//! resolved crate model every rule reads) → `extract` (one syn parse per
//! file → Redis facts) → `link` (a crate's facts → its model) → `rules` (one
//! module per guide section) → `settings` (redis-lint.toml) → `prefilter` /
//! `cache` / `walk` → `suppress` / `baseline` / `fix` / `report` → `engine`
//! (one lint run) → `server` (the language server) → `cli`.

#![forbid(unsafe_code)]

pub mod baseline;
pub mod cache;
pub mod cli;
pub mod diagnostic;
pub mod engine;
pub mod extract;
pub mod fix;
pub mod link;
pub mod manifest;
pub mod model;
pub mod parse;
pub mod prefilter;
pub mod report;
pub mod rules;
pub mod server;
pub mod server_conf;
pub mod settings;
pub mod source;
pub mod suppress;
pub mod walk;
