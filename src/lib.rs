//! redis-lint: a static linter for Rust code that uses Redis.
//!
//! Pipeline: `walk` finds the files, `extract` parses each once with syn and
//! records its Redis facts, `link` joins a crate's facts into the
//! model, `rules` check the model, `report` prints the findings.

pub mod baseline;
pub mod cache;
pub mod cli;
pub mod diagnostic;
pub mod engine;
pub mod extract;
pub mod fix;
pub mod server_conf;
pub mod settings;

pub mod link;
pub mod manifest;
pub mod model;
pub mod prefilter;
pub mod report;
pub mod rules;
pub mod source;
pub mod suppress;
pub mod walk;
