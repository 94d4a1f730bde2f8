//! Recognition by name: iterator adapters, pass-through methods, routing
//! fns and attributes, connection-like receivers and setup-like fns.

use syn::Expr;

use super::syntax::{flatten, macro_name, Link};

/// Methods that hand a closure an iterator's items one at a time.
pub(super) const ITER_ADAPTERS: &[&str] = &[
    "for_each",
    "try_for_each",
    "map",
    "filter_map",
    "flat_map",
    "filter",
    "fold",
    "try_fold",
    "any",
    "all",
    "find",
    "find_map",
    "inspect",
    "take_while",
    "skip_while",
    "map_while",
    "partition",
];

/// Methods (or calls) whose presence in a receiver chain proves an iterator.
pub(super) const ITER_SOURCES: &[&str] = &[
    "iter",
    "into_iter",
    "iter_mut",
    "drain",
    "chars",
    "lines",
    "chunks",
    "windows",
    "enumerate",
    "zip",
    "keys",
    "values",
    "split",
    "bytes",
];

/// Whether a method chain produces an iterator (so an adapter's closure
/// runs once per item).
pub(super) fn is_iter_chain(receiver: &Expr) -> bool {
    let (root, links) = flatten(receiver);
    let from_links = links.iter().any(|l| match l {
        Link::Method(m) => {
            let name = m.method.to_string();
            ITER_SOURCES.contains(&name.as_str())
                || (ITER_ADAPTERS.contains(&name.as_str()) && name != "map")
        }
        _ => false,
    });
    from_links
        || matches!(root, Expr::Range(_) | Expr::Array(_))
        || matches!(root, Expr::Macro(m) if macro_name(&m.mac) == "vec")
}

/// Methods that return (a guard or reference to) the same value.
pub(super) const PASSTHROUGH: &[&str] = &[
    "lock",
    "read",
    "write",
    "borrow",
    "borrow_mut",
    "as_mut",
    "as_ref",
    "deref",
    "deref_mut",
    "unwrap",
    "expect",
    "get_mut",
    "get_ref",
    "to_owned",
    "map_err",
    "context",
    "with_context",
    "wrap_err",
    "ok_or",
    "ok_or_else",
    "unwrap_or_else",
];

/// Routing functions of axum (`get(handler)`) and actix (`web::get().to(h)`).
pub(super) const ROUTE_FNS: &[&str] = &[
    "get", "post", "put", "delete", "patch", "any", "head", "options", "trace", "on",
];

/// Methods of a warp filter that give another filter.
pub(super) const WARP_COMBINATORS: &[&str] = &[
    "and",
    "or",
    "with",
    "boxed",
    "untuple_one",
    "recover",
    "unify",
    "or_else",
];

/// Route attributes of actix-web, rocket and poem, plus axum's debug_handler.
pub(super) const ROUTE_ATTRS: &[&str] = &[
    "get",
    "post",
    "put",
    "delete",
    "patch",
    "head",
    "options",
    "route",
    "handler",
    "trace",
    "connect",
    "debug_handler",
    "oai",
];

pub(super) fn is_route_attr(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        let segs = &a.path().segments;
        let last = segs.last().map(|s| s.ident.to_string()).unwrap_or_default();
        let root = segs
            .first()
            .map(|s| s.ident.to_string())
            .unwrap_or_default();
        let known_root = segs.len() == 1
            || matches!(
                root.as_str(),
                "actix_web" | "rocket" | "poem" | "poem_openapi" | "axum"
            );
        let route = (ROUTE_ATTRS.contains(&last.as_str()) && known_root) || own_route(a, &last);
        // serenity / poise bot commands and hooks run once per message.
        let bot = matches!(last.as_str(), "command" | "hook")
            && (segs.len() == 1 || matches!(root.as_str(), "serenity" | "poise"));
        route || bot
    })
}

/// A project's own route macro (`#[my_codegen::get(path = "..")]`,
/// `#[api::post("/login")]`): an HTTP verb given a path, as a string
/// literal first or as `path = ..`.
fn own_route(a: &syn::Attribute, verb: &str) -> bool {
    if !matches!(verb, "get" | "post" | "put" | "delete" | "patch") {
        return false;
    }
    let syn::Meta::List(list) = &a.meta else {
        return false;
    };
    let tokens: Vec<proc_macro2::TokenTree> = list.tokens.clone().into_iter().collect();
    let literal_first = matches!(tokens.first(), Some(proc_macro2::TokenTree::Literal(l))
        if l.to_string().starts_with('"'));
    let path_named = tokens.windows(2).any(|w| {
        matches!((&w[0], &w[1]), (proc_macro2::TokenTree::Ident(i), proc_macro2::TokenTree::Punct(p))
            if i == "path" && p.as_char() == '=')
    });
    literal_first || path_named
}

/// Command methods whose names are common outside Redis clients.
pub(super) const AMBIGUOUS_METHODS: &[&str] = &[
    "get", "set", "del", "keys", "exists", "expire", "incr", "decr", "append", "rename", "publish",
    "scan", "ttl", "persist", "lrange", "sadd", "hget", "hset",
];

/// Whether a receiver is named like a Redis connection (`con`, `conn`,
/// `redis`, `client`, `pool`, `self.redis_conn`, …).
pub(super) fn connection_like(receiver: &Expr) -> bool {
    let (root, links) = flatten(receiver);
    let name = links
        .iter()
        .rev()
        .find_map(|l| match l {
            Link::Field(syn::Member::Named(id)) => Some(id.to_string()),
            _ => None,
        })
        .or_else(|| match root {
            Expr::Path(p) => p.path.get_ident().map(|i| i.to_string()),
            _ => None,
        });
    let Some(name) = name else { return false };
    let lower = name.to_ascii_lowercase();
    const WORDS: &[&str] = &[
        "con",
        "conn",
        "connection",
        "redis",
        "rconn",
        "client",
        "pool",
        "manager",
        "mgr",
        "pipe",
        "pipeline",
        "rds",
        "valkey",
        "kv",
        "tx",
        "trx",
        "multi",
    ];
    lower.split('_').any(|w| WORDS.contains(&w))
        || lower.ends_with("conn")
        || lower.starts_with("redis")
}

/// Constructor-like and setup-like fn names: creating a client there is the
/// point of the fn.
pub(super) fn is_setup_name(name: &str) -> bool {
    const EXACT: &[&str] = &[
        "main", "new", "default", "init", "setup", "connect", "build", "create", "open", "start",
        "run",
    ];
    const PREFIXES: &[&str] = &[
        "new_",
        "init",
        "setup",
        "connect",
        "build",
        "create",
        "make_",
        "open",
        "start",
        "bootstrap",
        "configure",
        "from_",
        "with_",
    ];
    const SUFFIXES: &[&str] = &[
        "_pool",
        "_client",
        "_connection",
        "_conn",
        "_manager",
        "_state",
        "_config",
    ];
    EXACT.contains(&name)
        || PREFIXES.iter().any(|p| name.starts_with(p))
        || SUFFIXES.iter().any(|s| name.ends_with(s))
}
