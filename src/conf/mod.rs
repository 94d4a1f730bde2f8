//! Redis configuration files (redis.conf, sentinel.conf, and `redis-server
//! --opt value` command lines in compose files): the model conf rules read.

use crate::model::{FileId, Span};

/// What kind of file the directives came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfKind {
    Redis,
    Sentinel,
    /// `redis-server` options on a docker-compose command line.
    Compose,
}

/// One directive: `maxmemory 4gb`.
#[derive(Debug, Clone, PartialEq)]
pub struct Directive {
    /// Lower-cased name.
    pub name: String,
    pub args: Vec<String>,
    pub span: Span,
}

/// A parsed configuration file.
#[derive(Debug, Clone)]
pub struct ConfFile {
    pub file: FileId,
    pub kind: ConfKind,
    pub directives: Vec<Directive>,
}

impl ConfFile {
    /// The effective directive of that name (the last one wins).
    pub fn get(&self, name: &str) -> Option<&Directive> {
        self.directives.iter().rev().find(|d| d.name == name)
    }
}
