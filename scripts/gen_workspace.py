#!/usr/bin/env python3
"""Generate a large synthetic Cargo workspace of realistic Rust, for the
redis-lint speed benchmark (scripts/bench.sh) and for tests that need a
big, varied input.

    python3 scripts/gen_workspace.py OUT_DIR [--lines N]

Writes at least N lines of Rust (default 520000) into OUT_DIR:

    OUT_DIR/Cargo.toml            workspace root ([workspace.dependencies])
    OUT_DIR/Cargo.lock            trimmed lock: workspace crates + Redis clients
    OUT_DIR/crates/<name>/        one crate each: Cargo.toml, src/, tests/, examples/
    OUT_DIR/redis-files.txt       the Redis-heavy files, one relative path a line
    OUT_DIR/bench-manifest.json   counts, crates and the same file list

About 88% of the files are ordinary Rust with no Redis (domain structs, serde
derives, error enums, match-heavy business rules, iterator chains, HashMap
lookups with `.get(..)` / `.keys()`, traits, tests modules). The rest use
redis-rs (sync and async), fred and deadpool-redis, with key-builder fns,
pipelines, transactions, axum handlers and some real anti-patterns (KEYS,
session keys without a TTL, commands in loops, BLPOP 0, a client per
request, locks without expiry, FLUSHDB). Redis files live in the Redis
crates (pure) and in a few service crates that mix them with ordinary
modules; redis-files.txt lists exactly which.

Deterministic: a fixed seed, the standard library only, no network; the
same arguments give the same bytes on every run. An OUT_DIR that exists
must be empty or a previous output of this script (it is then replaced).
"""

import argparse
import json
import math
import os
import random
import shutil
import sys
import textwrap
from string import Template

SEED = 0x5EED_2ED15
DEFAULT_LINES = 520_000
MARKER = "bench-manifest.json"
MIN_FILE_LINES = 20
MAX_FILE_LINES = 800
REDIS_FILE_SHARE = 0.12

# --------------------------------------------------------------------- vocabulary

DOMAINS = [
    ("order", "orders"), ("invoice", "invoices"), ("customer", "customers"),
    ("shipment", "shipments"), ("product", "products"), ("payment", "payments"),
    ("account", "accounts"), ("ticket", "tickets"), ("booking", "bookings"),
    ("warehouse", "warehouses"), ("supplier", "suppliers"), ("employee", "employees"),
    ("contract", "contracts"), ("subscription", "subscriptions"), ("refund", "refunds"),
    ("coupon", "coupons"), ("review", "reviews"), ("listing", "listings"),
    ("parcel", "parcels"), ("ledger_entry", "ledger_entries"), ("route", "routes"),
    ("vehicle", "vehicles"), ("driver", "drivers"), ("tenant", "tenants"),
    ("project", "projects"), ("task", "tasks"), ("report", "reports"),
    ("notification", "notifications"), ("audit_event", "audit_events"),
    ("policy", "policies"), ("claim", "claims"), ("quote", "quotes"), ("lead", "leads"),
    ("campaign", "campaigns"), ("device", "devices"), ("sensor", "sensors"),
    ("reading", "readings"), ("meter", "meters"), ("tariff", "tariffs"), ("shift", "shifts"),
    ("timesheet", "timesheets"), ("course", "courses"), ("enrollment", "enrollments"),
    ("article", "articles"), ("asset", "assets"), ("batch", "batches"), ("recipe", "recipes"),
    ("room", "rooms"), ("reservation", "reservations"), ("vendor", "vendors"),
    ("delivery", "deliveries"), ("return_request", "return_requests"),
]

ASPECTS = [
    "model", "pricing", "validation", "import", "export", "rules", "summary", "billing",
    "scheduling", "reconcile", "matching", "transform", "filters", "stats", "routing",
    "allocation", "lifecycle", "forecast", "dedupe", "ranking", "audit", "mapping",
    "normalize", "permissions", "quota",
]

# The type a module of each aspect is about: `order_pricing.rs` defines `OrderPriceQuote`.
ASPECT_NOUNS = {
    "model": "", "pricing": "PriceQuote", "validation": "Check", "import": "ImportRow",
    "export": "ExportRow", "rules": "Rule", "summary": "Summary", "billing": "BillingLine",
    "scheduling": "Slot", "reconcile": "Reconciliation", "matching": "Match",
    "transform": "Draft", "filters": "Filter", "stats": "Sample", "routing": "Leg",
    "allocation": "Allocation", "lifecycle": "Transition", "forecast": "Forecast",
    "dedupe": "Candidate", "ranking": "Score", "audit": "AuditRecord", "mapping": "Mapping",
    "normalize": "Normalized", "permissions": "Grant", "quota": "Quota",
    "cache": "CacheEntry", "store": "Stored", "sessions": "Session", "limiter": "Limit",
    "queue": "Job", "counters": "Counter", "locks": "Lease", "leaderboard": "Standing",
    "presence": "Presence", "feed": "FeedItem", "tokens": "Token", "index": "IndexEntry",
    "dedup": "Seen", "events": "Event", "snapshots": "Snapshot",
}

REDIS_ASPECTS = [
    "cache", "store", "sessions", "limiter", "queue", "counters", "locks", "leaderboard",
    "presence", "feed", "tokens", "index", "dedup", "events", "snapshots",
]

AREAS = [
    "domain", "services", "ingest", "reports", "api_types", "workflows", "util",
    "pricing", "sync", "admin", "planning", "io",
]

STR_FIELDS = ["name", "label", "code", "title", "reference", "region", "email", "sku"]
NUM_FIELDS = ["amount_cents", "total_cents", "balance", "price_cents", "weight_grams", "cost_cents"]
BOOL_FIELDS = ["active", "enabled", "visible", "billable"]
# (name, type, default expression)
EXTRA_FIELDS = [
    ("created_at", "u64", "0"), ("updated_at", "u64", "0"), ("tags", "Vec<String>", "Vec::new()"),
    ("notes", "Option<String>", "None"), ("quantity", "u32", "1"),
    ("currency", "String", 'String::from("EUR")'),
    ("attributes", "HashMap<String, String>", "HashMap::new()"), ("score", "f64", "0.0"),
    ("owner_id", "u64", "0"), ("priority", "u8", "3"), ("line_ids", "Vec<u64>", "Vec::new()"),
    ("country", "String", 'String::from("DE")'), ("retries", "u32", "0"), ("version", "u32", "1"),
    ("parent_id", "Option<u64>", "None"), ("ratio", "f32", "1.0"),
]
STATUSES = [
    "Draft", "Pending", "Active", "Suspended", "Closed", "Cancelled", "Archived", "Failed",
    "Completed", "InReview", "Shipped", "Delivered", "Returned", "OnHold", "Expired",
]
PEOPLE = ["Ada", "Grace", "Linus", "Margaret", "Alfred", "Barbara", "Ken", "Frances", "Edsger", "Radia"]
REGIONS = ["eu-west", "eu-central", "us-east", "us-west", "ap-south", "sa-east"]

PLAIN_CRATES = [
    "billing-core", "catalog", "shipping", "payroll", "analytics-etl", "auth-model",
    "geo-routing", "inventory", "notify-templates", "pricing-engine", "reporting",
    "tenant-admin", "docs-render", "search-ranking", "ledger", "scheduling", "iot-ingest", "crm",
]
# (name, client families used by its Redis files)
REDIS_CRATES = [
    ("session-store", ["async", "sync"]),
    ("rate-limiter", ["async", "fred"]),
    ("job-queue", ["deadpool", "async"]),
    ("cache-layer", ["fred"]),
    ("leaderboard", ["sync", "async"]),
]
MIXED_CRATES = [
    ("api-gateway", ["axum", "deadpool"]),
    ("checkout-service", ["axum", "async"]),
    ("user-service", ["fred", "sync"]),
    ("feed-service", ["async", "sync"]),
]

CLIENT_LOCK = [
    ("deadpool-redis", "0.23.1"),
    ("fred", "10.1.0"),
    ("r2d2", "0.8.10"),
    ("redis", "1.8.1"),
]


def camel(snake):
    return "".join(part[:1].upper() + part[1:] for part in snake.split("_"))


def human(snake):
    return snake.replace("_", " ")


def article(noun):
    return ("an " if noun[0] in "aeiou" else "a ") + noun


def tmpl(text, kw):
    """Substitutes a `${name}` template and returns its lines. The template is
    dedented, or, when its lines start with `|`, cut at that margin (to keep
    the indentation of code that goes inside a block)."""
    lines = text.split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    if lines[0].lstrip().startswith("|"):
        body = "\n".join(line.lstrip()[1:] for line in lines)
    else:
        body = textwrap.dedent("\n".join(lines))
    return Template(body).substitute(kw).split("\n")


# --------------------------------------------------------------------- one file


class FileCtx:
    """What one generated file has declared so far."""

    def __init__(self, rng, dom, plural, name):
        self.rng = rng
        self.dom = dom
        self.doms = plural
        self.item = snake(name)
        self.imports = set()
        self.items = []
        self.tail = []
        self.names = set()
        self.defined = set()
        self.fns = {}
        fields = [("id", "u64", "0")]
        self.str_f = rng.choice(STR_FIELDS)
        self.num_f = rng.choice(NUM_FIELDS)
        self.bool_f = rng.choice(BOOL_FIELDS)
        fields.append((self.str_f, "String", "String::new()"))
        fields.append((self.num_f, "i64", "0"))
        fields.append((self.bool_f, "bool", "true"))
        fields += rng.sample(EXTRA_FIELDS, rng.randint(1, 6))
        self.fields = fields
        self.kw = {
            "dom": dom,
            "doms": plural,
            "Dom": camel(dom),
            "DOM": dom.upper(),
            "human": human(dom),
            "a_human": article(human(dom)),
            "A_human": article(human(dom)).capitalize(),
            "humans": human(plural),
            "Name": name,
            "item": snake(name),
            "Err": name + "Error",
            "Status": name + "Status",
            "str": self.str_f,
            "num": self.num_f,
            "bool": self.bool_f,
            "prefix": dom.replace("_", "-"),
        }
        self.counts = {}

    def once(self, what):
        """True the first time `what` is asked for in this file."""
        if what in self.defined:
            return False
        self.defined.add(what)
        return True

    def uniq(self, base):
        name = base
        n = 2
        while name in self.names:
            name = f"{base}_{n}"
            n += 1
        self.names.add(name)
        return name

    def t(self, text, **extra):
        kw = dict(self.kw)
        kw.update(extra)
        return tmpl(text, kw)

    def use(self, *lines):
        self.imports.update(lines)

    def add(self, lines):
        self.items.append(lines)

    def line_count(self):
        """Lines of the rendered file, give or take the doc comment."""
        groups = sum(1 for g in ("use std", "use crate") if any(i.startswith(g) for i in self.imports)) + 1
        items = self.items + self.tail
        return 3 + len(self.imports) + groups + sum(len(i) + 1 for i in items)

    def pick(self, table):
        """A weighted choice of item kind that makes repeats less likely."""
        names = [n for n, _ in table]
        weights = [w * 0.3 ** self.counts.get(n, 0) for n, w in table]
        name = self.rng.choices(names, weights)[0]
        self.counts[name] = self.counts.get(name, 0) + 1
        return name

    def has_field(self, name):
        return any(f[0] == name for f in self.fields)

    def render(self, doc):
        std = sorted(i for i in self.imports if i.startswith("use std"))
        ext = sorted(i for i in self.imports if not i.startswith("use std") and not i.startswith("use crate"))
        own = sorted(i for i in self.imports if i.startswith("use crate"))
        out = ["//! " + d if d else "//!" for d in doc]
        for group in (std, ext, own):
            if group:
                out.append("")
                out.extend(group)
        for item in self.items + self.tail:
            out.append("")
            out.extend(item)
        return "\n".join(out) + "\n"


# ----------------------------------------------------------- ordinary Rust items


class Plain:
    """Ordinary business-logic items (no Redis)."""

    def __init__(self, ctx):
        self.c = ctx
        self.r = ctx.rng

    # -- definitions other items depend on

    def need_struct(self):
        c = self.c
        if "struct" in c.defined:
            return
        c.defined.add("struct")
        c.use("use serde::{Deserialize, Serialize};")
        lines = [
            f"/// {c.kw['A_human']} as the {self.r.choice(['billing', 'back-office', 'planning', 'import', 'reporting'])} code sees it.",
            "#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]",
        ]
        if self.r.random() < 0.3:
            lines.append('#[serde(rename_all = "camelCase")]')
        lines.append(f"pub struct {c.kw['Name']} {{")
        for name, ty, _ in c.fields:
            if "HashMap" in ty:
                c.use("use std::collections::HashMap;")
            if self.r.random() < 0.35:
                lines.append(f"    /// {human(name).capitalize()} of the {c.kw['human']}.")
            if ty.startswith("Option") and self.r.random() < 0.5:
                lines.append('    #[serde(default, skip_serializing_if = "Option::is_none")]')
            elif ty.startswith("Vec") and self.r.random() < 0.4:
                lines.append("    #[serde(default)]")
            lines.append(f"    pub {name}: {ty},")
        lines.append("}")
        c.add(lines)
        ctor = [f"impl {c.kw['Name']} {{", f"    /// An empty {c.kw['human']} with the given id.", "    pub fn new(id: u64) -> Self {", "        Self {"]
        for name, _, default in c.fields:
            ctor.append("            id," if name == "id" else f"            {name}: {default},")
        ctor += ["        }", "    }"]
        ctor += c.t("""
            |
            |    /// Whether the ${human} can be used by downstream steps.
            |    pub fn is_usable(&self) -> bool {
            |        self.${bool} && !self.${str}.trim().is_empty() && self.${num} >= 0
            |    }
        """)
        if c.has_field("tags"):
            ctor += c.t("""
                |
                |    pub fn with_tag(mut self, tag: impl Into<String>) -> Self {
                |        let tag = tag.into();
                |        if !self.tags.iter().any(|t| t == &tag) {
                |            self.tags.push(tag);
                |        }
                |        self
                |    }
            """)
        if c.has_field("attributes"):
            ctor += c.t("""
                |
                |    pub fn attribute(&self, key: &str) -> Option<&str> {
                |        self.attributes.get(key).map(String::as_str)
                |    }
            """)
        ctor.append("}")
        c.add(ctor)

    def need_error(self):
        c = self.c
        if "error" in c.defined:
            return
        c.defined.add("error")
        c.use("use std::fmt;")
        c.add(c.t("""
            /// Why ${a_human} operation failed.
            #[derive(Debug)]
            pub enum ${Err} {
                NotFound(u64),
                Invalid { field: &'static str, reason: String },
                Conflict(String),
                Parse(std::num::ParseIntError),
            }

            impl fmt::Display for ${Err} {
                fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    match self {
                        ${Err}::NotFound(id) => write!(f, "${human} {id} not found"),
                        ${Err}::Invalid { field, reason } => write!(f, "invalid {field}: {reason}"),
                        ${Err}::Conflict(what) => write!(f, "conflict: {what}"),
                        ${Err}::Parse(e) => write!(f, "cannot parse number: {e}"),
                    }
                }
            }

            impl std::error::Error for ${Err} {
                fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                    match self {
                        ${Err}::Parse(e) => Some(e),
                        _ => None,
                    }
                }
            }

            impl From<std::num::ParseIntError> for ${Err} {
                fn from(e: std::num::ParseIntError) -> Self {
                    ${Err}::Parse(e)
                }
            }
        """))

    def need_status(self):
        c = self.c
        if "status" in c.defined:
            return c.statuses
        c.defined.add("status")
        c.use("use std::fmt;", "use std::str::FromStr;", "use serde::{Deserialize, Serialize};")
        statuses = self.r.sample(STATUSES, self.r.randint(4, 8))
        c.statuses = statuses
        S = c.kw["Status"]
        lines = [
            f"/// Where {c.kw['a_human']} is in its lifecycle.",
            "#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]",
            f"pub enum {S} {{",
        ]
        lines += [f"    {s}," for s in statuses]
        lines += ["}", "", f"impl {S} {{", "    pub fn as_str(self) -> &'static str {", "        match self {"]
        lines += [f'            {S}::{s} => "{snake(s)}",' for s in statuses]
        lines += ["        }", "    }", "", "    pub fn is_terminal(self) -> bool {"]
        terminal = [s for s in statuses if s in ("Closed", "Cancelled", "Archived", "Completed", "Delivered", "Expired", "Returned")]
        if terminal:
            lines.append("        matches!(self, " + " | ".join(f"{S}::{s}" for s in terminal) + ")")
        else:
            lines.append("        false")
        lines += ["    }", "", "    /// Allowed transitions; everything else is rejected.",
                  "    pub fn can_become(self, next: Self) -> bool {", "        match (self, next) {"]
        pairs = []
        for a, b in zip(statuses, statuses[1:]):
            pairs.append((a, b))
        if len(statuses) > 3 and self.r.random() < 0.7:
            pairs.append((statuses[1], statuses[-1]))
        for a, b in pairs:
            lines.append(f"            ({S}::{a}, {S}::{b}) => true,")
        lines += ["            (a, b) if a == b => true,", "            _ => false,", "        }", "    }", "}", ""]
        lines += [f"impl fmt::Display for {S} {{",
                  "    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {",
                  "        f.write_str(self.as_str())", "    }", "}", ""]
        lines += [f"impl FromStr for {S} {{", "    type Err = String;", "",
                  "    fn from_str(s: &str) -> Result<Self, Self::Err> {",
                  "        match s.trim().to_ascii_lowercase().as_str() {"]
        lines += [f'            "{snake(s)}" => Ok({S}::{s}),' for s in statuses]
        lines += [f'            other => Err(format!("unknown {c.kw["human"]} status `{{other}}`")),',
                  "        }", "    }", "}"]
        c.add(lines)
        return statuses

    # -- items

    def consts(self):
        c = self.c
        if not c.once("consts"):
            return self.normalize()
        codes = ", ".join(f'"{self.r.choice("ABCDEFGHKMNPRSTX")}{self.r.randint(1, 99)}"' for _ in range(self.r.randint(3, 7)))
        c.add(c.t("""
            /// Upper bound on ${humans} handled in one batch.
            pub const MAX_${DOM}_BATCH: usize = $batch;
            const DEFAULT_${DOM}_REGION: &str = "$region";
            static ${DOM}_CODES: &[&str] = &[$codes];
        """, batch=self.r.choice([50, 100, 250, 500, 1000]), region=self.r.choice(REGIONS), codes=codes))

    def aggregate(self):
        c = self.c
        self.need_struct()
        c.use("use std::collections::HashMap;")
        fn = c.uniq(f"totals_by_{c.str_f}")
        c.fns["totals"] = fn
        c.add(c.t("""
            /// Sums `${num}` per `${str}` over the ${humans} that are ${bool}.
            pub fn ${fn}(items: &[${Name}]) -> HashMap<String, i64> {
                let mut totals: HashMap<String, i64> = HashMap::new();
                for item in items.iter().filter(|i| i.${bool}) {
                    *totals.entry(item.${str}.clone()).or_insert(0) += item.${num};
                }
                totals
            }
        """, fn=fn))

    def lookup(self):
        c = self.c
        self.need_struct()
        c.use("use std::collections::HashMap;")
        fn = c.uniq(f"resolve_{c.item}_labels")
        c.fns["lookup"] = fn
        c.add(c.t("""
            /// Labels of the requested ${humans}, in request order; unknown ids are skipped.
            pub fn ${fn}(index: &HashMap<u64, ${Name}>, ids: &[u64]) -> Vec<String> {
                let mut known: Vec<u64> = index.keys().copied().collect();
                known.sort_unstable();
                log_missing(&known, ids);
                ids.iter()
                    .filter_map(|id| index.get(id))
                    .map(|item| format!("{} ({})", item.${str}, item.id))
                    .collect()
            }
        """, fn=fn))
        if "log_missing" not in c.defined:
            c.defined.add("log_missing")
            c.add(c.t("""
                fn log_missing(known: &[u64], wanted: &[u64]) {
                    let missing = wanted
                        .iter()
                        .filter(|id| known.binary_search(id).is_err())
                        .count();
                    if missing > 0 {
                        eprintln!("{missing} of {} ${humans} not in the index", wanted.len());
                    }
                }
            """))

    def parse_line(self):
        c = self.c
        self.need_struct()
        self.need_error()
        fn = c.uniq(f"parse_{c.item}_line")
        c.fns["parse"] = fn
        sep = self.r.choice([",", ";", "|", "\\t"])
        c.add(c.t("""
            /// Parses one `id${sep}${str}${sep}${num}` line of an export.
            pub fn ${fn}(line: &str) -> Result<${Name}, ${Err}> {
                let parts: Vec<&str> = line.split('${sep}').map(str::trim).collect();
                if parts.len() < 3 {
                    return Err(${Err}::Invalid {
                        field: "line",
                        reason: format!("expected 3 columns, got {}", parts.len()),
                    });
                }
                let id: u64 = parts[0].parse()?;
                if id == 0 {
                    return Err(${Err}::NotFound(id));
                }
                let mut item = ${Name}::new(id);
                item.${str} = parts[1].to_string();
                item.${num} = parts[2].parse::<i64>()?;
                Ok(item)
            }
        """, fn=fn, sep=sep))

    def classify(self):
        c = self.c
        if not c.once("classify"):
            return self.normalize()
        self.need_struct()
        tier = c.uniq(f"{c.kw['Name']}Tier")
        fn = c.uniq(f"classify_{c.item}")
        c.fns["classify"] = (fn, tier)
        lo, hi = self.r.choice([(999, 99_999), (4_999, 249_999), (99, 9_999)])
        c.add(c.t("""
            #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
            pub enum ${tier} {
                Inactive,
                Refund,
                Small,
                Medium,
                Large,
            }

            pub fn ${fn}(item: &${Name}) -> ${tier} {
                match (item.${bool}, item.${num}) {
                    (false, _) => ${tier}::Inactive,
                    (true, n) if n < 0 => ${tier}::Refund,
                    (true, 0..=${lo}) => ${tier}::Small,
                    (true, ${lo1}..=${hi}) => ${tier}::Medium,
                    (true, _) => ${tier}::Large,
                }
            }
        """, tier=tier, fn=fn, lo=lo, lo1=lo + 1, hi=hi))

    def stats(self):
        c = self.c
        if not c.once("stats"):
            return self.normalize()
        self.need_struct()
        st = c.uniq(f"{c.kw['Name']}Stats")
        fn = c.uniq(f"{c.item}_stats")
        c.fns["stats"] = fn
        c.add(c.t("""
            #[derive(Debug, Default, Clone, PartialEq)]
            pub struct ${st} {
                pub count: usize,
                pub sum: i64,
                pub min: Option<i64>,
                pub max: Option<i64>,
                pub mean: f64,
            }

            pub fn ${fn}(items: &[${Name}]) -> ${st} {
                let values: Vec<i64> = items.iter().map(|i| i.${num}).collect();
                if values.is_empty() {
                    return ${st}::default();
                }
                let sum: i64 = values.iter().sum();
                ${st} {
                    count: values.len(),
                    sum,
                    min: values.iter().copied().min(),
                    max: values.iter().copied().max(),
                    mean: sum as f64 / values.len() as f64,
                }
            }
        """, st=st, fn=fn))

    def repo(self):
        c = self.c
        self.need_struct()
        self.need_error()
        if "repo" in c.defined:
            return self.service()
        c.defined.add("repo")
        c.use("use std::collections::HashMap;")
        c.add(c.t("""
            /// Storage of ${humans}; the in-memory one backs tests and dry runs.
            pub trait ${Name}Repository {
                fn find(&self, id: u64) -> Option<&${Name}>;
                fn insert(&mut self, item: ${Name}) -> Result<(), ${Err}>;
                fn ids(&self) -> Vec<u64>;

                fn find_many(&self, ids: &[u64]) -> Vec<&${Name}> {
                    ids.iter().filter_map(|id| self.find(*id)).collect()
                }
            }

            #[derive(Debug, Default)]
            pub struct InMemory${Name}Repository {
                items: HashMap<u64, ${Name}>,
            }

            impl ${Name}Repository for InMemory${Name}Repository {
                fn find(&self, id: u64) -> Option<&${Name}> {
                    self.items.get(&id)
                }

                fn insert(&mut self, item: ${Name}) -> Result<(), ${Err}> {
                    if self.items.contains_key(&item.id) {
                        return Err(${Err}::Conflict(format!("${human} {} exists", item.id)));
                    }
                    self.items.insert(item.id, item);
                    Ok(())
                }

                fn ids(&self) -> Vec<u64> {
                    let mut ids: Vec<u64> = self.items.keys().copied().collect();
                    ids.sort_unstable();
                    ids
                }
            }
        """))
        c.fns["repo"] = True

    def service(self):
        c = self.c
        if "repo" not in c.defined:
            return self.repo()
        fn = c.uniq(f"import_{c.item}s")
        c.add(c.t("""
            /// Inserts the usable ${humans}, skipping duplicates; returns how many were new.
            pub fn ${fn}<R: ${Name}Repository>(repo: &mut R, incoming: Vec<${Name}>) -> Result<usize, ${Err}> {
                let mut inserted = 0;
                for item in incoming.into_iter().filter(${Name}::is_usable) {
                    match repo.insert(item) {
                        Ok(()) => inserted += 1,
                        // Re-imports are expected: the upstream export overlaps.
                        Err(${Err}::Conflict(_)) => continue,
                        Err(other) => return Err(other),
                    }
                }
                Ok(inserted)
            }
        """, fn=fn))

    def status_rules(self):
        c = self.c
        statuses = self.need_status()
        self.need_error()
        fn = c.uniq(f"advance_{c.item}")
        S = c.kw["Status"]
        first = statuses[0]
        c.add(c.t("""
            /// Moves ${a_human} to `next`, refusing transitions the lifecycle does not allow.
            pub fn ${fn}(current: ${S}, next: &str) -> Result<${S}, ${Err}> {
                let next: ${S} = next.parse().map_err(|reason| ${Err}::Invalid {
                    field: "status",
                    reason,
                })?;
                if current.is_terminal() && current != next {
                    return Err(${Err}::Conflict(format!("{current} is final")));
                }
                if current.can_become(next) || next == ${S}::${first} {
                    Ok(next)
                } else {
                    Err(${Err}::Conflict(format!("{current} -> {next}")))
                }
            }
        """, fn=fn, S=S, first=first))

    def generic(self):
        c = self.c
        fn = c.uniq(self.r.choice(["top_n_by", "best_by", "rank_by"]))
        c.add(c.t("""
            /// The `n` largest items by `key`, largest first.
            pub fn ${fn}<T, K, F>(items: &[T], n: usize, mut key: F) -> Vec<&T>
            where
                K: Ord,
                F: FnMut(&T) -> K,
            {
                let mut refs: Vec<&T> = items.iter().collect();
                refs.sort_by_key(|item| std::cmp::Reverse(key(item)));
                refs.truncate(n);
                refs
            }
        """, fn=fn))

    def pages(self):
        c = self.c
        if not c.once("pages"):
            return self.normalize()
        self.need_struct()
        name = c.uniq(f"{c.kw['Name']}Pages")
        c.add(c.t("""
            /// Fixed-size pages over a slice of ${humans}.
            pub struct ${P}<'a> {
                items: &'a [${Name}],
                page_size: usize,
                pos: usize,
            }

            impl<'a> ${P}<'a> {
                pub fn new(items: &'a [${Name}], page_size: usize) -> Self {
                    Self {
                        items,
                        page_size: page_size.max(1),
                        pos: 0,
                    }
                }
            }

            impl<'a> Iterator for ${P}<'a> {
                type Item = &'a [${Name}];

                fn next(&mut self) -> Option<Self::Item> {
                    if self.pos >= self.items.len() {
                        return None;
                    }
                    let end = (self.pos + self.page_size).min(self.items.len());
                    let page = &self.items[self.pos..end];
                    self.pos = end;
                    Some(page)
                }
            }
        """, P=name))

    def builder(self):
        c = self.c
        if not c.once("builder"):
            return self.normalize()
        self.need_struct()
        self.need_error()
        name = c.uniq(f"{c.kw['Name']}Builder")
        c.add(c.t("""
            #[derive(Debug, Default)]
            pub struct ${B} {
                id: Option<u64>,
                ${str}: Option<String>,
                ${num}: Option<i64>,
            }

            impl ${B} {
                pub fn id(mut self, id: u64) -> Self {
                    self.id = Some(id);
                    self
                }

                pub fn ${str}(mut self, value: impl Into<String>) -> Self {
                    self.${str} = Some(value.into());
                    self
                }

                pub fn ${num}(mut self, value: i64) -> Self {
                    self.${num} = Some(value);
                    self
                }

                pub fn build(self) -> Result<${Name}, ${Err}> {
                    let id = self.id.ok_or(${Err}::Invalid {
                        field: "id",
                        reason: "missing".into(),
                    })?;
                    let mut item = ${Name}::new(id);
                    item.${str} = self.${str}.unwrap_or_default();
                    item.${num} = self.${num}.unwrap_or(0);
                    Ok(item)
                }
            }
        """, B=name))

    def dedupe(self):
        c = self.c
        self.need_struct()
        c.use("use std::collections::HashSet;")
        fn = c.uniq(f"dedupe_{c.doms}")
        c.fns["dedupe"] = fn
        c.add(c.t("""
            /// Keeps the first ${human} per `${str}` (case-insensitive) and drops the rest.
            pub fn ${fn}(items: Vec<${Name}>) -> Vec<${Name}> {
                let mut seen = HashSet::new();
                items
                    .into_iter()
                    .filter(|item| seen.insert(item.${str}.to_lowercase()))
                    .collect()
            }
        """, fn=fn))

    def windows(self):
        c = self.c
        self.need_struct()
        fn = c.uniq(f"{c.item}_deltas")
        c.add(c.t("""
            /// Differences of `${num}` between consecutive ${humans}, ordered by id.
            pub fn ${fn}(items: &[${Name}]) -> Vec<(u64, i64)> {
                let mut sorted: Vec<&${Name}> = items.iter().collect();
                sorted.sort_by(|a, b| a.id.cmp(&b.id));
                sorted
                    .windows(2)
                    .map(|pair| (pair[1].id, pair[1].${num} - pair[0].${num}))
                    .filter(|(_, delta)| *delta != 0)
                    .collect()
            }
        """, fn=fn))

    def display(self):
        c = self.c
        self.need_struct()
        if "display" in c.defined:
            return self.windows()
        c.defined.add("display")
        c.use("use std::fmt;")
        c.add(c.t("""
            impl fmt::Display for ${Name} {
                fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    write!(f, "${human} #{} {}", self.id, self.${str})?;
                    if !self.${bool} {
                        f.write_str(" (inactive)")?;
                    }
                    Ok(())
                }
            }
        """))

    def group_partition(self):
        c = self.c
        self.need_struct()
        c.use("use std::collections::BTreeMap;")
        fn = c.uniq(f"group_{c.doms}_by_bucket")
        c.add(c.t("""
            /// Buckets ${humans} by `${num}` rounded down to `width`; also returns the rejects.
            pub fn ${fn}(items: &[${Name}], width: i64) -> (BTreeMap<i64, Vec<u64>>, Vec<u64>) {
                let (ok, rejected): (Vec<&${Name}>, Vec<&${Name}>) =
                    items.iter().partition(|item| item.is_usable());
                let mut buckets: BTreeMap<i64, Vec<u64>> = BTreeMap::new();
                for item in ok {
                    let bucket = item.${num}.div_euclid(width.max(1)) * width.max(1);
                    buckets.entry(bucket).or_default().push(item.id);
                }
                let rejected = rejected.into_iter().map(|item| item.id).collect();
                (buckets, rejected)
            }
        """, fn=fn))

    def macro_validate(self):
        c = self.c
        self.need_struct()
        self.need_error()
        mac = c.uniq(f"ensure_{c.item}")
        fn = c.uniq(f"validate_{c.item}")
        c.fns["validate"] = fn
        c.add(c.t("""
            macro_rules! ${mac} {
                ($$cond:expr, $$field:literal) => {
                    if !$$cond {
                        return Err(${Err}::Invalid {
                            field: $$field,
                            reason: String::from(stringify!($$cond)),
                        });
                    }
                };
            }

            pub fn ${fn}(item: &${Name}) -> Result<(), ${Err}> {
                ${mac}!(item.id > 0, "id");
                ${mac}!(!item.${str}.is_empty(), "${str}");
                ${mac}!(item.${str}.len() <= 120, "${str}");
                ${mac}!(item.${num} >= -1_000_000, "${num}");
                Ok(())
            }
        """, mac=mac, fn=fn))

    def pricing(self):
        c = self.c
        self.need_struct()
        fn = c.uniq(f"{c.item}_discount_bps")
        tiers = sorted(self.r.sample(range(1, 60), 4))
        c.add(c.t("""
            /// Discount in basis points for ${a_human}, by volume and loyalty.
            pub fn ${fn}(item: &${Name}, orders_last_year: u32, loyal: bool) -> u32 {
                let volume = match orders_last_year {
                    0 => 0,
                    1..=${a} => 50,
                    ${a1}..=${b} => 150,
                    ${b1}..=${d} => 300,
                    _ => 500,
                };
                let loyalty = if loyal { 100 } else { 0 };
                let cap = if item.${num} > 1_000_000 { 750 } else { 500 };
                (volume + loyalty).min(cap)
            }
        """, fn=fn, a=tiers[0], a1=tiers[0] + 1, b=tiers[1] * 2, b1=tiers[1] * 2 + 1, d=tiers[3] * 5))

    def normalize(self):
        c = self.c
        fn = c.uniq(f"normalize_{c.str_f}")
        c.add(c.t("""
            /// Trims, collapses inner whitespace and lowercases a `${str}` for matching.
            pub fn ${fn}(raw: &str) -> String {
                raw.split_whitespace()
                    .map(|word| word.trim_matches(|ch: char| !ch.is_alphanumeric() && ch != '-'))
                    .filter(|word| !word.is_empty())
                    .map(str::to_lowercase)
                    .collect::<Vec<_>>()
                    .join(" ")
            }
        """, fn=fn))

    def link(self, module, other):
        """Uses the type of another module of the crate."""
        c = self.c
        c.use(f"use crate::{module}::{other};")
        fn = c.uniq(f"link_{c.item}_to_{snake(other)}")
        c.add(c.t("""
            /// Pairs a ${human} with the `${Other}` it refers to, for the join table.
            pub fn ${fn}(item: &${Name}, other: &${Other}) -> Option<(u64, u64)> {
                if item.id == 0 || other.id == 0 {
                    return None;
                }
                Some((item.id, other.id))
            }
        """, fn=fn, Other=other))

    ITEMS = [
        ("aggregate", 3), ("lookup", 3), ("parse_line", 2), ("classify", 2), ("stats", 2),
        ("repo", 2), ("service", 1), ("status_rules", 2), ("generic", 1), ("pages", 1),
        ("builder", 1), ("dedupe", 2), ("windows", 1), ("display", 1), ("group_partition", 2),
        ("macro_validate", 1), ("pricing", 2), ("normalize", 2), ("consts", 1),
    ]

    def random_item(self):
        getattr(self, self.c.pick(self.ITEMS))()

    def tests(self):
        c = self.c
        self.need_struct()
        person = self.r.choice(PEOPLE)
        lines = ["#[cfg(test)]", "mod tests {", "    use super::*;", ""]
        lines += c.t("""
            |    fn sample(id: u64, ${num}: i64) -> ${Name} {
            |        let mut item = ${Name}::new(id);
            |        item.${str} = format!("${person} {id}");
            |        item.${num} = ${num};
            |        item
            |    }
            |
            |    #[test]
            |    fn new_${dom}_is_not_usable_without_${str}() {
            |        assert!(!${Name}::new(7).is_usable());
            |        assert!(sample(7, 10).is_usable());
            |    }
        """, person=person)
        if "totals" in c.fns:
            lines += c.t("""
                |
                |    #[test]
                |    fn totals_add_up_per_${str}() {
                |        let mut items = vec![sample(1, 10), sample(2, 20), sample(3, 5)];
                |        items[1].${str} = items[0].${str}.clone();
                |        let totals = ${fn}(&items);
                |        assert_eq!(totals.get(&items[0].${str}), Some(&30));
                |        assert_eq!(totals.len(), 2);
                |    }
            """, fn=c.fns["totals"])
        if "parse" in c.fns:
            lines += c.t("""
                |
                |    #[test]
                |    fn parse_rejects_short_lines() {
                |        assert!(${fn}("12").is_err());
                |        assert!(${fn}("0,x,1").is_err());
                |    }
            """, fn=c.fns["parse"])
        if "classify" in c.fns:
            fn, tier = c.fns["classify"]
            lines += c.t("""
                |
                |    #[test]
                |    fn inactive_${humans_s}_are_inactive() {
                |        let mut item = sample(4, 1_000_000);
                |        item.${bool} = false;
                |        assert_eq!(${fn}(&item), ${tier}::Inactive);
                |        assert_eq!(${fn}(&sample(5, -3)), ${tier}::Refund);
                |    }
            """, fn=fn, tier=tier, humans_s=c.doms)
        if "stats" in c.fns:
            lines += c.t("""
                |
                |    #[test]
                |    fn stats_of_nothing_are_empty() {
                |        let stats = ${fn}(&[]);
                |        assert_eq!(stats.count, 0);
                |        assert_eq!(stats.min, None);
                |    }
            """, fn=c.fns["stats"])
        if "repo" in c.fns:
            lines += c.t("""
                |
                |    #[test]
                |    fn repository_refuses_duplicates() {
                |        let mut repo = InMemory${Name}Repository::default();
                |        repo.insert(sample(1, 1)).unwrap();
                |        assert!(repo.insert(sample(1, 2)).is_err());
                |        assert_eq!(repo.ids(), vec![1]);
                |    }
            """)
        if "dedupe" in c.fns:
            lines += c.t("""
                |
                |    #[test]
                |    fn dedupe_keeps_the_first() {
                |        let a = sample(1, 1);
                |        let mut b = sample(2, 2);
                |        b.${str} = a.${str}.to_uppercase();
                |        let kept = ${fn}(vec![a, b]);
                |        assert_eq!(kept.len(), 1);
                |        assert_eq!(kept[0].id, 1);
                |    }
            """, fn=c.fns["dedupe"])
        lines.append("}")
        c.tail.append(lines)


def snake(camel_name):
    out = []
    for i, ch in enumerate(camel_name):
        if ch.isupper() and i:
            out.append("_")
        out.append(ch.lower())
    return "".join(out)


# ------------------------------------------------------------------ Redis items


class RedisItems:
    """Redis-heavy items for one client family; anti-patterns included."""

    def __init__(self, ctx, family):
        self.c = ctx
        self.r = ctx.rng
        self.family = family
        self.plain = Plain(ctx)
        self.keyfns = []
        self.handlers = []
        c = ctx
        c.kw["TTL"] = f"{c.kw['DOM']}_TTL_SECS"
        c.kw["PREFIX"] = f"{c.kw['DOM']}_PREFIX"
        c.kw["ttl"] = str(self.r.choice([60, 300, 900, 1800, 3600, 86_400]))

    # -- shared header: consts and key builders

    def header(self):
        c = self.c
        c.add(c.t("""
            const ${PREFIX}: &str = "${prefix}";
            const ${TTL}: u64 = ${ttl};
        """))
        kinds = self.r.sample(["id", "sub", "owner", "day"], self.r.randint(1, 3))
        for kind in kinds:
            if kind == "id":
                fn = c.uniq(f"{c.dom}_key")
                body = c.t("""
                    fn ${fn}(id: u64) -> String {
                        format!("{}:{}", ${PREFIX}, id)
                    }
                """, fn=fn)
                self.keyfns.append((fn, "u64"))
            elif kind == "sub":
                sub = self.r.choice(["profile", "summary", "meta", "lines", "state"])
                fn = c.uniq(f"{c.dom}_{sub}_key")
                body = c.t("""
                    pub fn ${fn}(id: u64) -> String {
                        format!("${prefix}:{id}:${sub}")
                    }
                """, fn=fn, sub=sub)
                self.keyfns.append((fn, "u64"))
            elif kind == "owner":
                fn = c.uniq(f"{c.dom}_by_owner_key")
                body = c.t("""
                    fn ${fn}(owner: &str) -> String {
                        format!("${prefix}:owner:{}", owner)
                    }
                """, fn=fn)
                self.keyfns.append((fn, "&str"))
            else:
                fn = c.uniq(f"{c.dom}_daily_key")
                body = c.t("""
                    fn ${fn}(day: u32) -> String {
                        format!("{${PREFIX}}:daily:{day}")
                    }
                """, fn=fn)
                self.keyfns.append((fn, "u32"))
            c.add(body)

    def key(self, arg="id"):
        """A call of a key-builder fn of this file taking a u64, or an inline format!."""
        c = self.c
        u64_fns = [f for f, ty in self.keyfns if ty == "u64"]
        if u64_fns and self.r.random() < 0.75:
            return f"{self.r.choice(u64_fns)}({arg})"
        return f'format!("{c.kw["prefix"]}:{{}}", {arg})'

    def cache_ref(self, module, other):
        """Caches a type of an ordinary module of the same crate."""
        c = self.c
        c.use(f"use crate::{module}::{other};", "use redis::{AsyncCommands, RedisResult};",
              "use redis::aio::ConnectionManager;")
        fn = c.uniq(f"cache_{snake(other)}")
        c.add(c.t("""
            /// Remembers which ${Other} was seen last, for the dashboard.
            pub async fn ${fn}(con: &mut ConnectionManager, other: &${Other}) -> RedisResult<()> {
                let key = format!("last-seen:${prefix}:{}", other.id);
                con.set_ex(key, other.id, ${TTL}).await
            }
        """, fn=fn, Other=other))

    def boxerror(self):
        c = self.c
        if "boxerror" not in c.defined:
            c.defined.add("boxerror")
            c.add(["type BoxError = Box<dyn std::error::Error + Send + Sync>;"])

    # -- redis-rs, sync

    def sync_use(self):
        self.c.use("use redis::{Commands, RedisResult};")

    def s_cache(self):
        c = self.c
        self.sync_use()
        fn = c.uniq(f"cached_{c.dom}_{self.r.choice(['label', 'summary', 'view'])}")
        c.add(c.t("""
            /// Reads ${a_human} rendering from the cache or renders it, caching it for `${TTL}` seconds.
            pub fn ${fn}(con: &mut redis::Connection, id: u64) -> RedisResult<String> {
                let key = ${key};
                if let Some(hit) = con.get::<_, Option<String>>(&key)? {
                    return Ok(hit);
                }
                let fresh = format!("${human} #{id}");
                con.set_ex::<_, _, ()>(&key, &fresh, ${TTL})?;
                Ok(fresh)
            }
        """, fn=fn, key=self.key()))

    def s_leaderboard(self):
        c = self.c
        self.sync_use()
        rec = c.uniq(f"record_{c.dom}_score")
        top = c.uniq(f"top_{c.doms}")
        c.add(c.t("""
            /// Records a score and trims the board to its best 1000 entries in one round trip.
            pub fn ${rec}(con: &mut redis::Connection, board: &str, member: &str, score: f64) -> RedisResult<()> {
                let key = format!("board:${prefix}:{board}");
                redis::pipe()
                    .zadd(&key, member, score)
                    .ignore()
                    .zremrangebyrank(&key, 0, -1001)
                    .ignore()
                    .exec(con)
            }

            pub fn ${top}(con: &mut redis::Connection, board: &str, n: isize) -> RedisResult<Vec<(String, f64)>> {
                con.zrevrange_withscores(format!("board:${prefix}:{board}"), 0, n - 1)
            }
        """, rec=rec, top=top))

    def s_transaction(self):
        c = self.c
        self.sync_use()
        fn = c.uniq(f"move_{c.dom}_credits")
        c.add(c.t("""
            /// Moves credits between two balances with WATCH/MULTI so no update is lost.
            pub fn ${fn}(con: &mut redis::Connection, from: u64, to: u64, amount: i64) -> RedisResult<bool> {
                let from_key = format!("credits:{{${prefix}}}:{from}");
                let to_key = format!("credits:{{${prefix}}}:{to}");
                redis::transaction(con, &[&from_key, &to_key], |con, pipe| {
                    let balance: i64 = con.get(&from_key).unwrap_or(0);
                    if balance < amount {
                        return Ok(Some(false));
                    }
                    pipe.decr(&from_key, amount)
                        .ignore()
                        .incr(&to_key, amount)
                        .ignore()
                        .query::<()>(con)
                        .map(|_| Some(true))
                })
            }
        """, fn=fn))

    def s_r2d2(self):
        c = self.c
        self.sync_use()
        self.boxerror()
        fn = c.uniq(f"pooled_{c.dom}_{c.str_f}")
        c.add(c.t("""
            pub fn ${fn}(pool: &r2d2::Pool<redis::Client>, id: u64) -> Result<Option<String>, BoxError> {
                let mut con = pool.get()?;
                let value: Option<String> = con.hget(${key}, "${str}")?;
                Ok(value)
            }
        """, fn=fn, key=self.key()))

    def s_connect(self):
        c = self.c
        self.sync_use()
        c.use("use std::time::Duration;")
        fn = c.uniq(f"connect_{c.dom}_store")
        c.add(c.t("""
            /// Opens the connection used by the ${human} jobs, with socket timeouts.
            pub fn ${fn}(url: &str) -> RedisResult<redis::Connection> {
                let client = redis::Client::open(url)?;
                let con = client.get_connection_with_timeout(Duration::from_secs(2))?;
                con.set_read_timeout(Some(Duration::from_millis(${ms})))?;
                con.set_write_timeout(Some(Duration::from_millis(${ms})))?;
                Ok(con)
            }
        """, fn=fn, ms=self.r.choice([250, 500, 1000])))

    def s_lock(self):
        c = self.c
        self.sync_use()
        fn = c.uniq(f"try_lock_{c.dom}")
        c.add(c.t("""
            /// Takes the ${human} lock for 30 s; `token` identifies the holder.
            pub fn ${fn}(con: &mut redis::Connection, id: u64, token: &str) -> RedisResult<bool> {
                let opts = redis::SetOptions::default()
                    .conditional_set(redis::ExistenceCheck::NX)
                    .with_expiration(redis::SetExpiry::PX(30_000));
                let acquired: Option<String> = con.set_options(format!("lock:${prefix}:{id}"), token, opts)?;
                Ok(acquired.is_some())
            }
        """, fn=fn))

    def s_hash(self):
        c = self.c
        self.sync_use()
        c.use("use std::collections::HashMap;")
        fn = c.uniq(f"load_{c.dom}_fields")
        c.add(c.t("""
            /// The cached fields of ${a_human}; missing fields fall back to defaults.
            pub fn ${fn}(con: &mut redis::Connection, id: u64) -> RedisResult<(String, i64)> {
                let fields: HashMap<String, String> = con.hgetall(${key})?;
                let ${str} = fields.get("${str}").cloned().unwrap_or_default();
                let ${num} = fields
                    .get("${num}")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0);
                Ok((${str}, ${num}))
            }
        """, fn=fn, key=self.key()))

    def s_anti_keys(self):
        c = self.c
        self.sync_use()
        fn = c.uniq(f"purge_stale_{c.doms}")
        c.add(c.t("""
            pub fn ${fn}(con: &mut redis::Connection) -> RedisResult<usize> {
                let stale: Vec<String> = con.keys("${prefix}:tmp:*")?;
                if stale.is_empty() {
                    return Ok(0);
                }
                con.del(stale)
            }
        """, fn=fn))

    def s_anti_loop(self):
        c = self.c
        self.sync_use()
        fn = c.uniq(f"fetch_{c.doms}_one_by_one")
        c.add(c.t("""
            pub fn ${fn}(con: &mut redis::Connection, ids: &[u64]) -> RedisResult<Vec<Option<String>>> {
                let mut out = Vec::with_capacity(ids.len());
                for id in ids {
                    let value: Option<String> = con.get(${key})?;
                    out.push(value);
                }
                Ok(out)
            }
        """, fn=fn, key=self.key("*id")))

    def s_anti_session(self):
        c = self.c
        self.sync_use()
        fn = c.uniq(f"remember_{c.dom}_session")
        c.add(c.t("""
            pub fn ${fn}(con: &mut redis::Connection, sid: &str, user_id: u64) -> RedisResult<()> {
                con.set(format!("session:{}", sid), user_id)
            }
        """, fn=fn))

    def s_anti_flush(self):
        c = self.c
        self.sync_use()
        fn = c.uniq(f"reset_{c.dom}_fixtures")
        c.add(c.t("""
            /// Wipes the database before a reimport.
            pub fn ${fn}(con: &mut redis::Connection) -> RedisResult<()> {
                redis::cmd("FLUSHDB").query(con)
            }
        """, fn=fn))

    def s_anti_brpop(self):
        c = self.c
        self.sync_use()
        fn = c.uniq(f"drain_{c.dom}_queue")
        helper = c.uniq(f"process_{c.dom}_payload")
        c.add(c.t("""
            pub fn ${fn}(con: &mut redis::Connection) -> RedisResult<()> {
                loop {
                    let (_, payload): (String, String) = con.brpop("queue:${prefix}", 0.0)?;
                    ${helper}(&payload);
                }
            }

            fn ${helper}(payload: &str) {
                let fields: Vec<&str> = payload.splitn(3, '|').collect();
                match fields.as_slice() {
                    [id, action, rest] => println!("${human} {id}: {action} ({} bytes)", rest.len()),
                    _ => eprintln!("malformed ${human} payload"),
                }
            }
        """, fn=fn, helper=helper))

    def s_anti_lock(self):
        c = self.c
        self.sync_use()
        fn = c.uniq(f"claim_{c.dom}")
        c.add(c.t("""
            pub fn ${fn}(con: &mut redis::Connection, id: u64, worker: &str) -> RedisResult<bool> {
                con.set_nx(format!("lock:${prefix}:{id}"), worker)
            }
        """, fn=fn))

    # -- redis-rs, async

    def a_use(self, kind=None):
        c = self.c
        c.use("use redis::{AsyncCommands, RedisResult};")
        kind = kind or self.r.choice(["ConnectionManager", "MultiplexedConnection"])
        c.use(f"use redis::aio::{kind};")
        return kind

    def a_store(self):
        c = self.c
        self.a_use("ConnectionManager")
        if "store" in c.defined:
            return self.a_cached()
        c.defined.add("store")
        c.add(c.t("""
            /// Cache of rendered ${humans}, shared by all request handlers.
            #[derive(Clone)]
            pub struct ${Name}Cache {
                con: ConnectionManager,
                ttl_secs: u64,
            }

            impl ${Name}Cache {
                pub async fn connect(url: &str) -> RedisResult<Self> {
                    let client = redis::Client::open(url)?;
                    let con = client.get_connection_manager().await?;
                    Ok(Self {
                        con,
                        ttl_secs: ${TTL},
                    })
                }

                pub async fn get(&mut self, id: u64) -> RedisResult<Option<String>> {
                    self.con.get(${key}).await
                }

                pub async fn put(&mut self, id: u64, value: &str) -> RedisResult<()> {
                    self.con.set_ex(${key}, value, self.ttl_secs).await
                }

                pub async fn invalidate(&mut self, id: u64) -> RedisResult<()> {
                    self.con.del(${key}).await
                }
            }
        """, key=self.key()))

    def a_cached(self):
        c = self.c
        kind = self.a_use()
        fn = c.uniq(f"cached_{c.dom}_{self.r.choice(['summary', 'card', 'payload'])}")
        c.add(c.t("""
            /// Loads the ${human} from the cache, falling back to `load` on a miss.
            pub async fn ${fn}<F>(con: &mut ${kind}, id: u64, load: F) -> RedisResult<String>
            where
                F: FnOnce(u64) -> String,
            {
                let key = ${key};
                let hit: Option<String> = con.get(&key).await?;
                if let Some(value) = hit {
                    return Ok(value);
                }
                let fresh = load(id);
                let _: () = con.set_ex(&key, &fresh, ${TTL}).await?;
                Ok(fresh)
            }
        """, fn=fn, kind=kind, key=self.key()))

    def a_counter(self):
        c = self.c
        kind = self.a_use()
        fn = c.uniq(f"bump_{c.dom}_views")
        c.add(c.t("""
            pub async fn ${fn}(con: &mut ${kind}, id: u64) -> RedisResult<i64> {
                let key = format!("views:${prefix}:{}", id);
                let (count,): (i64,) = redis::pipe()
                    .atomic()
                    .incr(&key, 1)
                    .expire(&key, 86_400)
                    .ignore()
                    .query_async(con)
                    .await?;
                Ok(count)
            }
        """, fn=fn, kind=kind))

    def a_hash(self):
        c = self.c
        kind = self.a_use()
        c.use("use std::collections::HashMap;")
        fn = c.uniq(f"load_{c.dom}_profile")
        c.add(c.t("""
            pub async fn ${fn}(con: &mut ${kind}, id: u64) -> RedisResult<HashMap<String, String>> {
                let mut fields: HashMap<String, String> = con.hgetall(${key}).await?;
                // Older writers used `${str}_v1`; fold it into the current field.
                if let Some(old) = fields.remove("${str}_v1") {
                    fields.entry("${str}".to_string()).or_insert(old);
                }
                let known: Vec<&String> = fields.keys().collect();
                if known.is_empty() {
                    eprintln!("${human} {id} has no cached profile");
                }
                Ok(fields)
            }
        """, fn=fn, kind=kind, key=self.key()))

    def a_cmd(self):
        c = self.c
        kind = self.a_use()
        fn = c.uniq(f"store_{c.dom}_snapshot")
        c.add(c.t("""
            pub async fn ${fn}(con: &mut ${kind}, id: u64, payload: &str) -> RedisResult<()> {
                redis::cmd("SET")
                    .arg(format!("${prefix}:snapshot:{id}"))
                    .arg(payload)
                    .arg("EX")
                    .arg(${TTL})
                    .exec_async(con)
                    .await
            }
        """, fn=fn, kind=kind))

    def a_mget(self):
        c = self.c
        kind = self.a_use()
        fn = c.uniq(f"{c.dom}_{c.str_f}s")
        c.add(c.t("""
            /// One MGET for the whole page instead of a GET per row.
            pub async fn ${fn}(con: &mut ${kind}, ids: &[u64]) -> RedisResult<Vec<Option<String>>> {
                if ids.is_empty() {
                    return Ok(Vec::new());
                }
                let keys: Vec<String> = ids.iter().map(|id| format!("${prefix}:{id}:${str}")).collect();
                con.mget(keys).await
            }
        """, fn=fn, kind=kind))

    def a_scan(self):
        c = self.c
        kind = self.a_use()
        fn = c.uniq(f"purge_{c.dom}_drafts")
        c.add(c.t("""
            pub async fn ${fn}(con: &mut ${kind}, owner: u64) -> RedisResult<usize> {
                let pattern = format!("${prefix}:draft:{owner}:*");
                let mut keys: Vec<String> = Vec::new();
                {
                    let mut iter = con.scan_match::<_, String>(&pattern).await?;
                    while let Some(key) = iter.next_item().await {
                        keys.push(key?);
                    }
                }
                if keys.is_empty() {
                    return Ok(0);
                }
                con.del(&keys).await
            }
        """, fn=fn, kind=kind))

    def a_stream(self):
        c = self.c
        kind = self.a_use()
        fn = c.uniq(f"publish_{c.dom}_event")
        c.add(c.t("""
            pub async fn ${fn}(con: &mut ${kind}, id: u64, action: &str) -> RedisResult<String> {
                let fields = [("id", id.to_string()), ("action", action.to_string())];
                con.xadd_maxlen(
                    "events:${prefix}",
                    redis::streams::StreamMaxlen::Approx(100_000),
                    "*",
                    &fields,
                )
                .await
            }
        """, fn=fn, kind=kind))

    def a_anti_keys(self):
        c = self.c
        kind = self.a_use()
        fn = c.uniq(f"active_{c.dom}_sessions")
        c.add(c.t("""
            pub async fn ${fn}(con: &mut ${kind}, user_id: u64) -> RedisResult<Vec<String>> {
                let keys: Vec<String> = con.keys(format!("session:{user_id}:*")).await?;
                Ok(keys)
            }
        """, fn=fn, kind=kind))

    def a_anti_session(self):
        c = self.c
        kind = self.a_use()
        fn = c.uniq(f"save_{c.dom}_session")
        c.add(c.t("""
            pub async fn ${fn}(con: &mut ${kind}, sid: &str, user_id: u64) -> RedisResult<()> {
                let _: () = con.set(format!("session:{}", sid), user_id).await?;
                Ok(())
            }
        """, fn=fn, kind=kind))

    def a_anti_loop(self):
        c = self.c
        kind = self.a_use()
        c.use("use std::collections::HashMap;")
        fn = c.uniq(f"{c.dom}_stock_levels")
        c.add(c.t("""
            pub async fn ${fn}(con: &mut ${kind}, skus: &[String]) -> RedisResult<HashMap<String, i64>> {
                let mut levels = HashMap::new();
                for sku in skus {
                    let level: Option<i64> = con.get(format!("stock:{sku}")).await?;
                    levels.insert(sku.clone(), level.unwrap_or(0));
                }
                Ok(levels)
            }
        """, fn=fn, kind=kind))

    def a_anti_blpop(self):
        c = self.c
        self.a_use("MultiplexedConnection")
        fn = c.uniq(f"run_{c.dom}_worker")
        c.add(c.t("""
            pub async fn ${fn}(mut con: MultiplexedConnection) -> RedisResult<()> {
                loop {
                    let job: Option<(String, String)> = con.blpop("jobs:${prefix}", 0.0).await?;
                    if let Some((_, payload)) = job {
                        println!("${human} job: {payload}");
                    }
                }
            }
        """, fn=fn))

    def a_anti_lock(self):
        c = self.c
        kind = self.a_use()
        fn = c.uniq(f"lock_{c.dom}")
        c.add(c.t("""
            pub async fn ${fn}(con: &mut ${kind}, id: u64, token: &str) -> RedisResult<bool> {
                con.set_nx(format!("lock:${prefix}:{id}"), token).await
            }
        """, fn=fn, kind=kind))

    # -- fred

    def f_use(self):
        self.c.use("use fred::prelude::*;")

    def f_get(self):
        c = self.c
        self.f_use()
        fn = c.uniq(f"get_{c.dom}")
        c.add(c.t("""
            pub async fn ${fn}(client: &Client, id: u64) -> Result<Option<String>, Error> {
                client.get(${key}).await
            }
        """, fn=fn, key=self.key()))

    def f_set(self):
        c = self.c
        self.f_use()
        fn = c.uniq(f"put_{c.dom}")
        c.add(c.t("""
            pub async fn ${fn}(client: &Client, id: u64, payload: String) -> Result<(), Error> {
                client
                    .set(${key}, payload, Some(Expiration::EX(${TTL} as i64)), None, false)
                    .await
            }
        """, fn=fn, key=self.key()))

    def f_hash(self):
        c = self.c
        self.f_use()
        c.use("use std::collections::HashMap;")
        fn = c.uniq(f"{c.dom}_fields")
        c.add(c.t("""
            pub async fn ${fn}(client: &Client, id: u64) -> Result<(String, bool), Error> {
                let fields: HashMap<String, String> = client.hgetall(${key}).await?;
                let ${str} = fields.get("${str}").cloned().unwrap_or_default();
                let ${bool} = fields.get("${bool}").map(|v| v == "1").unwrap_or(false);
                Ok((${str}, ${bool}))
            }
        """, fn=fn, key=self.key()))

    def f_pipeline(self):
        c = self.c
        self.f_use()
        fn = c.uniq(f"hit_{c.dom}_window")
        c.add(c.t("""
            /// Fixed-window limiter: INCR and EXPIRE in one pipeline.
            pub async fn ${fn}(client: &Client, caller: &str, limit: i64) -> Result<bool, Error> {
                let key = format!("rl:${prefix}:{caller}");
                let pipeline = client.pipeline();
                let _: () = pipeline.incr(&key).await?;
                let _: () = pipeline.expire(&key, 60, None).await?;
                let (count, _): (i64, bool) = pipeline.all().await?;
                Ok(count <= limit)
            }
        """, fn=fn))

    def f_init(self):
        c = self.c
        self.f_use()
        c.use("use std::time::Duration;")
        fn = c.uniq(f"init_{c.dom}_client")
        c.add(c.t("""
            pub async fn ${fn}(url: &str) -> Result<Client, Error> {
                let config = Config::from_url(url)?;
                let client = Builder::from_config(config)
                    .with_performance_config(|p| p.default_command_timeout = Duration::from_secs(2))
                    .set_policy(ReconnectPolicy::new_exponential(0, 100, 30_000, 2))
                    .build()?;
                client.init().await?;
                Ok(client)
            }
        """, fn=fn))

    def f_publish(self):
        c = self.c
        self.f_use()
        fn = c.uniq(f"announce_{c.dom}")
        c.add(c.t("""
            pub async fn ${fn}(client: &Client, id: u64, change: &str) -> Result<i64, Error> {
                client.publish("changes:${prefix}", format!("{id}:{change}")).await
            }
        """, fn=fn))

    def f_anti_session(self):
        c = self.c
        self.f_use()
        fn = c.uniq(f"store_{c.dom}_session")
        c.add(c.t("""
            pub async fn ${fn}(client: &Client, sid: &str, user_id: u64) -> Result<(), Error> {
                client
                    .set(format!("session:{}", sid), user_id, None, None, false)
                    .await
            }
        """, fn=fn))

    def f_anti_loop(self):
        c = self.c
        self.f_use()
        fn = c.uniq(f"{c.dom}_prices")
        c.add(c.t("""
            pub async fn ${fn}(client: &Client, ids: &[u64]) -> Result<Vec<Option<i64>>, Error> {
                let mut prices = Vec::new();
                for id in ids {
                    let price: Option<i64> = client.get(format!("price:${prefix}:{id}")).await?;
                    prices.push(price);
                }
                Ok(prices)
            }
        """, fn=fn))

    def f_anti_ratelimit(self):
        c = self.c
        self.f_use()
        fn = c.uniq(f"count_{c.dom}_calls")
        c.add(c.t("""
            pub async fn ${fn}(client: &Client, ip: &str) -> Result<i64, Error> {
                client.incr_by(format!("rl:{ip}"), 1).await
            }
        """, fn=fn))

    # -- deadpool-redis

    def d_use(self):
        c = self.c
        c.use("use deadpool_redis::{Pool, Runtime};", "use redis::{AsyncCommands, RedisResult};")
        self.boxerror()

    def d_build(self):
        c = self.c
        self.d_use()
        c.use("use std::time::Duration;")
        fn = c.uniq(f"build_{c.dom}_pool")
        c.add(c.t("""
            pub fn ${fn}(url: &str) -> Result<Pool, BoxError> {
                let pool = deadpool_redis::Config::from_url(url)
                    .builder()?
                    .max_size(${size})
                    .wait_timeout(Some(Duration::from_secs(2)))
                    .runtime(Runtime::Tokio1)
                    .build()?;
                Ok(pool)
            }
        """, fn=fn, size=self.r.choice([8, 16, 32])))

    def d_get(self):
        c = self.c
        self.d_use()
        fn = c.uniq(f"fetch_{c.dom}")
        c.add(c.t("""
            pub async fn ${fn}(pool: &Pool, id: u64) -> Result<Option<String>, BoxError> {
                let mut conn = pool.get().await?;
                let value: Option<String> = conn.get(${key}).await?;
                Ok(value)
            }
        """, fn=fn, key=self.key()))

    def d_enqueue(self):
        c = self.c
        self.d_use()
        fn = c.uniq(f"enqueue_{c.dom}")
        c.add(c.t("""
            /// Pushes a job and keeps the queue bounded.
            pub async fn ${fn}(pool: &Pool, payload: &str) -> Result<usize, BoxError> {
                let mut conn = pool.get().await?;
                let (len,): (usize,) = redis::pipe()
                    .rpush("queue:${prefix}", payload)
                    .ltrim("queue:${prefix}", -10_000, -1)
                    .ignore()
                    .query_async(&mut *conn)
                    .await?;
                Ok(len)
            }
        """, fn=fn))

    def d_anti_pool(self):
        c = self.c
        self.d_use()
        fn = c.uniq(f"make_{c.dom}_pool")
        c.add(c.t("""
            pub fn ${fn}(url: &str) -> Result<Pool, BoxError> {
                Ok(deadpool_redis::Config::from_url(url).create_pool(Some(Runtime::Tokio1))?)
            }
        """, fn=fn))

    def d_anti_blpop(self):
        c = self.c
        self.d_use()
        fn = c.uniq(f"wait_for_{c.dom}")
        c.add(c.t("""
            pub async fn ${fn}(pool: &Pool) -> Result<Option<String>, BoxError> {
                let mut conn = pool.get().await?;
                let job: Option<(String, String)> = conn.blpop("jobs:${prefix}", 0.0).await?;
                Ok(job.map(|(_, payload)| payload))
            }
        """, fn=fn))

    # -- axum handlers

    def x_use(self):
        c = self.c
        c.use(
            "use axum::extract::{Path, State};",
            "use axum::http::StatusCode;",
            "use redis::aio::ConnectionManager;",
            "use redis::{AsyncCommands, RedisResult};",
        )
        if "appstate" not in c.defined:
            c.defined.add("appstate")
            c.add(c.t("""
                #[derive(Clone)]
                pub struct AppState {
                    pub redis: ConnectionManager,
                    pub redis_url: String,
                }

                fn unavailable<E: std::fmt::Display>(err: E) -> StatusCode {
                    eprintln!("redis: {err}");
                    StatusCode::SERVICE_UNAVAILABLE
                }
            """))

    def x_get(self):
        c = self.c
        self.x_use()
        c.use("use axum::Json;", "use serde::{Deserialize, Serialize};")
        view = f"{c.kw['Name']}View"
        if c.once("view"):
            c.add(c.t("""
                #[derive(Debug, Serialize, Deserialize)]
                pub struct ${view} {
                    pub id: u64,
                    pub ${str}: String,
                }
            """, view=view))
        fn = c.uniq(f"get_{c.dom}")
        self.handlers.append(("get", f"/{c.doms}/{{id}}" + self.variant(fn), fn))
        c.add(c.t("""
            async fn ${fn}(
                State(state): State<AppState>,
                Path(id): Path<u64>,
            ) -> Result<Json<${view}>, StatusCode> {
                let mut con = state.redis.clone();
                let cached: Option<String> = con.get(${key}).await.map_err(unavailable)?;
                let ${str} = cached.ok_or(StatusCode::NOT_FOUND)?;
                Ok(Json(${view} { id, ${str} }))
            }
        """, view=view, fn=fn, key=self.key()))

    def x_post(self):
        c = self.c
        self.x_use()
        fn = c.uniq(f"touch_{c.dom}")
        self.handlers.append(("post", f"/{c.doms}/{{id}}/touch" + self.variant(fn), fn))
        c.add(c.t("""
            async fn ${fn}(State(state): State<AppState>, Path(id): Path<u64>) -> Result<StatusCode, StatusCode> {
                let mut con = state.redis.clone();
                let _: () = redis::pipe()
                    .hset(${key}, "touched", 1)
                    .expire(${key}, ${TTL} as i64)
                    .query_async(&mut con)
                    .await
                    .map_err(unavailable)?;
                Ok(StatusCode::NO_CONTENT)
            }
        """, fn=fn, key=self.key()))

    def x_anti_client(self):
        c = self.c
        self.x_use()
        fn = c.uniq(f"{c.dom}_badge")
        self.handlers.append(("get", f"/{c.doms}/{{id}}/badge" + self.variant(fn), fn))
        c.add(c.t("""
            async fn ${fn}(State(state): State<AppState>, Path(id): Path<u64>) -> Result<String, StatusCode> {
                let client = redis::Client::open(state.redis_url.as_str()).map_err(unavailable)?;
                let mut con = client
                    .get_multiplexed_async_connection()
                    .await
                    .map_err(unavailable)?;
                let badge: Option<String> = con.hget(${key}, "badge").await.map_err(unavailable)?;
                badge.ok_or(StatusCode::NOT_FOUND)
            }
        """, fn=fn, key=self.key()))

    @staticmethod
    def variant(fn):
        """`/v2` for `get_order_2`: handlers of one file get distinct routes."""
        tail = fn.rsplit("_", 1)[-1]
        return f"/v{tail}" if tail.isdigit() else ""

    def routes(self):
        c = self.c
        # Handlers of items that `fill` took back are gone.
        self.handlers = [h for h in self.handlers if h[2] in c.names]
        if not self.handlers:
            return
        methods = sorted({m for m, _, _ in self.handlers})
        c.use("use axum::Router;", "use axum::routing::{" + ", ".join(methods) + "};" if len(methods) > 1 else f"use axum::routing::{methods[0]};")
        fn = c.uniq(f"{c.dom}_routes")
        lines = [f"pub fn {fn}(state: AppState) -> Router {{", "    Router::new()"]
        for method, path, handler in self.handlers:
            lines.append(f'        .route("{path}", {method}({handler}))')
        lines += ["        .with_state(state)", "}"]
        c.add(lines)

    FAMILIES = {
        "sync": (
            [("s_cache", 4), ("s_leaderboard", 2), ("s_transaction", 1), ("s_r2d2", 2),
             ("s_connect", 1), ("s_lock", 1), ("s_hash", 3)],
            [("s_anti_keys", 1), ("s_anti_loop", 1), ("s_anti_session", 1),
             ("s_anti_flush", 0.3), ("s_anti_brpop", 0.7), ("s_anti_lock", 0.5)],
        ),
        "async": (
            [("a_store", 2), ("a_cached", 4), ("a_counter", 2), ("a_hash", 3), ("a_cmd", 2),
             ("a_mget", 2), ("a_scan", 1), ("a_stream", 1)],
            [("a_anti_keys", 1), ("a_anti_session", 1), ("a_anti_loop", 1),
             ("a_anti_blpop", 0.7), ("a_anti_lock", 0.5)],
        ),
        "fred": (
            [("f_get", 4), ("f_set", 3), ("f_hash", 2), ("f_pipeline", 2), ("f_init", 1),
             ("f_publish", 1)],
            [("f_anti_session", 1), ("f_anti_loop", 1), ("f_anti_ratelimit", 1)],
        ),
        "deadpool": (
            [("d_build", 1), ("d_get", 4), ("d_enqueue", 2), ("a_cached", 1)],
            [("d_anti_pool", 0.7), ("d_anti_blpop", 0.7), ("a_anti_loop", 0.5)],
        ),
        "axum": (
            [("x_get", 4), ("x_post", 2), ("a_cached", 2), ("a_counter", 1)],
            [("x_anti_client", 1), ("a_anti_keys", 0.5), ("a_anti_session", 0.5)],
        ),
    }

    def random_item(self):
        good, bad = self.FAMILIES[self.family]
        # About one anti-pattern in six Redis items.
        pool = bad if self.r.random() < 0.17 else good
        getattr(self, self.c.pick(pool))()


# ------------------------------------------------------------------- the files


def target_size(rng):
    size = int(rng.lognormvariate(math.log(190), 0.75))
    return max(MIN_FILE_LINES, min(MAX_FILE_LINES, size))


def fill(ctx, target, add_item, reserve=0):
    """Adds items until the next one would overshoot `target` (but reaches
    the minimum size whatever the target)."""
    limit = target - reserve
    while True:
        before = list(ctx.items), set(ctx.imports), set(ctx.defined), set(ctx.names), dict(ctx.fns)
        small = ctx.line_count() < MIN_FILE_LINES + 3
        add_item()
        if ctx.line_count() <= limit:
            continue
        if not small:
            # Overshot: undo the last item (and whatever it pulled in).
            ctx.items, ctx.imports, ctx.defined, ctx.names, ctx.fns = before
        break


def finish(ctx, doc):
    """Renders the file, dropping its tests module, then its last items,
    until it fits MAX_FILE_LINES (later items only depend on earlier ones)."""
    text = ctx.render(doc)
    while text.count("\n") > MAX_FILE_LINES and (ctx.tail or len(ctx.items) > 1):
        if ctx.tail:
            ctx.tail = []
        else:
            ctx.items.pop()
        text = ctx.render(doc)
    return text


def plain_file(rng, dom, plural, target, name, refs):
    ctx = FileCtx(rng, dom, plural, name)
    gen = Plain(ctx)
    tests = target > 120 and rng.random() < 0.5
    gen.need_struct()
    for module, other in refs:
        gen.link(module, other)
    fill(ctx, target, gen.random_item, reserve=70 if tests else 0)
    if tests:
        gen.tests()
    doc = [f"{human(dom).capitalize()} {rng.choice(['rules', 'helpers', 'model and rules', 'processing', 'logic'])}."]
    if rng.random() < 0.5:
        doc += ["", rng.choice([
            "Pure functions only: no I/O, so everything here is easy to test.",
            "Amounts are integer cents; never use floats for money.",
            f"Used by the {rng.choice(['nightly import', 'admin UI', 'public API', 'billing run'])}.",
            "Keep the status rules in sync with the database check constraint.",
        ])]
    return finish(ctx, doc)


def redis_file(rng, dom, plural, target, family, name, refs):
    ctx = FileCtx(rng, dom, plural, name)
    gen = RedisItems(ctx, family)
    gen.header()
    for module, other in refs:
        gen.cache_ref(module, other)
    # However small, a Redis file talks to Redis.
    gen.random_item()

    def item():
        if rng.random() < 0.25:
            gen.plain.random_item()
        else:
            gen.random_item()

    fill(ctx, target - (8 if family == "axum" else 0), item)
    gen.routes()
    what = {
        "sync": "redis-rs (sync)",
        "async": "redis-rs (async)",
        "fred": "fred",
        "deadpool": "deadpool-redis",
        "axum": "axum handlers over redis-rs",
    }[family]
    doc = [f"Redis access for {human(plural)}: {what}."]
    return finish(ctx, doc)


def lib_rs(crate, modules):
    lines = [f"//! {crate.name}: {crate.blurb}", ""]
    lines += [f"pub mod {m};" for m in sorted(modules)]
    return "\n".join(lines) + "\n"


def mod_rs(area, children):
    lines = [f"//! {human(area).capitalize()}.", ""]
    lines += [f"pub mod {m};" for m in sorted(children)]
    return "\n".join(lines) + "\n"


class Crate:
    def __init__(self, name, kind, families):
        self.name = name
        self.ident = name.replace("-", "_")
        self.kind = kind  # plain | redis | mixed
        self.families = families
        self.files = {}  # relative path -> text
        self.redis_files = []
        self.top = set()
        self.areas = {}  # area -> set(child modules)
        self.used = set()
        self.samples = []  # (module path, type name) of the ordinary modules
        self.type_names = set()
        self.blurb = {
            "plain": "domain model and business rules.",
            "redis": "Redis-backed storage.",
            "mixed": "service with a Redis cache.",
        }[kind]

    def type_name(self, dom, aspect):
        """The main type of a new module, unique within the crate."""
        base = camel(dom) + ASPECT_NOUNS[aspect]
        for suffix in ["", "Record", "Row", "Entry", "Data", "Info", "V2"]:
            if base + suffix not in self.type_names:
                break
        else:
            n = 3
            while f"{base}V{n}" in self.type_names:
                n += 1
            suffix = f"V{n}"
        self.type_names.add(base + suffix)
        return base + suffix

    def refs(self, rng):
        """Types of earlier modules of this crate that a new module uses."""
        k = rng.choices([0, 1, 2], [6, 3, 1])[0]
        return rng.sample(self.samples, min(k, len(self.samples)))

    def slot(self, rng, base):
        """Picks where a new module goes: `src/<m>.rs` or `src/<area>/<m>.rs`."""
        name = base
        n = 2
        while name in self.used:
            name = f"{base}_{n}"
            n += 1
        self.used.add(name)
        if rng.random() < 0.3 and len(self.top) < 12:
            self.top.add(name)
            return f"src/{name}.rs", name
        area = rng.choice(AREAS[: 4 + len(self.areas)])
        self.areas.setdefault(area, set()).add(name)
        self.top.add(area)
        return f"src/{area}/{name}.rs", f"{area}::{name}"


def workspace_toml(crates):
    return "\n".join([
        "[workspace]",
        'resolver = "2"',
        "members = [",
        *[f'    "crates/{c.name}",' for c in crates],
        "]",
        "",
        "[workspace.package]",
        'edition = "2021"',
        'license = "MIT"',
        "",
        "[workspace.dependencies]",
        'serde = { version = "1", features = ["derive"] }',
        'serde_json = "1"',
        'redis = { version = "1", features = ["tokio-comp", "connection-manager", "r2d2"] }',
        'tokio = { version = "1", features = ["macros", "rt-multi-thread"] }',
        "",
    ])


def crate_toml(rng, crate, plain_names):
    deps = ["serde = { workspace = true }"]
    if rng.random() < 0.4:
        deps.append("serde_json = { workspace = true }")
    fams = set(crate.families)
    if fams & {"sync", "async", "deadpool", "axum"}:
        if rng.random() < 0.5:
            deps.append("redis = { workspace = true }")
        else:
            deps.append('redis = { version = "1", features = ["tokio-comp", "connection-manager", "r2d2"] }')
    if "sync" in fams:
        deps.append('r2d2 = "0.8"')
    if "fred" in fams:
        deps.append('fred = { version = "10", features = ["i-std", "i-pubsub"] }')
    if "deadpool" in fams:
        deps.append('deadpool-redis = { version = "0.23", features = ["rt_tokio_1"] }')
    if "axum" in fams:
        deps.append('axum = "0.8"')
    if crate.kind != "plain":
        deps.append("tokio = { workspace = true }")
    for other in plain_names:
        deps.append(f'{other} = {{ path = "../{other}" }}')
    dev = []
    if any(p.startswith("tests/") for p in crate.files) and not any(d.startswith("serde_json") for d in deps):
        dev = ["", "[dev-dependencies]", "serde_json = { workspace = true }"]
    return "\n".join([
        "[package]",
        f'name = "{crate.name}"',
        f'version = "0.{rng.randint(1, 9)}.{rng.randint(0, 20)}"',
        "edition.workspace = true",
        "license.workspace = true",
        "publish = false",
        "",
        "[dependencies]",
        *deps,
        *dev,
        "",
    ])


def cargo_lock(crates):
    out = [
        "# Trimmed for the redis-lint benchmark: the workspace crates and the Redis",
        "# clients only (redis-lint reads client versions from here).",
        "version = 4",
    ]
    for name, version in CLIENT_LOCK:
        out += ["", "[[package]]", f'name = "{name}"', f'version = "{version}"',
                'source = "registry+https://github.com/rust-lang/crates.io-index"']
    for c in sorted(crates, key=lambda c: c.name):
        out += ["", "[[package]]", f'name = "{c.name}"', 'version = "0.1.0"']
    return "\n".join(out) + "\n"


def build(total_lines):
    rng = random.Random(SEED)
    n_plain = max(3, min(len(PLAIN_CRATES), total_lines // 30_000))
    n_redis = max(1, min(len(REDIS_CRATES), round(total_lines / 110_000)))
    n_mixed = max(1, min(len(MIXED_CRATES), round(total_lines / 130_000)))
    plain = [Crate(n, "plain", []) for n in PLAIN_CRATES[:n_plain]]
    redis = [Crate(n, "redis", f) for n, f in REDIS_CRATES[:n_redis]]
    mixed = [Crate(n, "mixed", f) for n, f in MIXED_CRATES[:n_mixed]]
    crates = plain + redis + mixed
    plain_weights = [rng.uniform(0.5, 2.0) for _ in plain]
    redis_weights = [rng.uniform(0.7, 1.5) for _ in redis]

    written = 0
    while written < total_lines:
        dom, plural = rng.choice(DOMAINS)
        target = target_size(rng)
        if rng.random() < REDIS_FILE_SHARE:
            # Redis files: 70% in the Redis crates, the rest in the services.
            if rng.random() < 0.7:
                crate = rng.choices(redis, redis_weights)[0]
            else:
                crate = rng.choice(mixed)
            family = rng.choice(crate.families)
            aspect = rng.choice(REDIS_ASPECTS)
            path, _ = crate.slot(rng, f"{dom}_{aspect}")
            name = crate.type_name(dom, aspect)
            text = redis_file(rng, dom, plural, target, family, name, crate.refs(rng))
            crate.redis_files.append(path)
        else:
            if rng.random() < 0.88:
                crate = rng.choices(plain, plain_weights)[0]
            else:
                crate = rng.choice(mixed)
            aspect = rng.choice(ASPECTS)
            path, module = crate.slot(rng, f"{dom}_{aspect}")
            name = crate.type_name(dom, aspect)
            text = plain_file(rng, dom, plural, target, name, crate.refs(rng))
            crate.samples.append((module, name))
        crate.files[path] = text
        written += text.count("\n")

    # Module trees, integration tests, examples.
    for crate in crates:
        for area, children in crate.areas.items():
            crate.files[f"src/{area}/mod.rs"] = mod_rs(area, children)
        crate.files["src/lib.rs"] = lib_rs(crate, crate.top)
        if crate.kind == "plain" and crate.samples and rng.random() < 0.6:
            module, name = rng.choice(crate.samples)
            crate.files[f"tests/{module.split('::')[-1]}.rs"] = "\n".join([
                f"use {crate.ident}::{module}::{name};",
                "",
                "#[test]",
                "fn round_trips_through_json() {",
                f"    let item = {name}::new(42);",
                "    let json = serde_json::to_string(&item).unwrap();",
                f"    let back: {name} = serde_json::from_str(&json).unwrap();",
                "    assert_eq!(item, back);",
                "}",
                "",
                "#[test]",
                "fn fresh_items_are_not_usable() {",
                f"    assert!(!{name}::new(1).is_usable());",
                "}",
                "",
                "#[test]",
                "fn json_has_the_id() {",
                f"    let value = serde_json::to_value({name}::new(7)).unwrap();",
                '    assert_eq!(value["id"], 7);',
                "}",
                "",
            ])
        if crate.kind == "redis":
            family = crate.families[0]
            crate.files["examples/smoke.rs"] = example_main(crate, family)
            crate.redis_files.append("examples/smoke.rs")

    tomls = {}
    for i, crate in enumerate(crates):
        earlier = [c.name for c in plain[: plain.index(crate)]] if crate in plain else [c.name for c in plain]
        picks = sorted(rng.sample(earlier, min(len(earlier), rng.randint(0, 2))))
        tomls[crate.name] = crate_toml(rng, crate, picks)
    return crates, tomls


def example_main(crate, family):
    if family == "fred":
        body = [
            "use fred::prelude::*;",
            "",
            "#[tokio::main]",
            "async fn main() -> Result<(), Error> {",
            '    let client = Builder::from_config(Config::from_url("redis://127.0.0.1:6379")?).build()?;',
            "    client.init().await?;",
            '    let pong: String = client.ping(None).await?;',
            '    println!("{pong}");',
            f'    let _: () = client.set("smoke:{crate.ident}", 1, Some(Expiration::EX(10)), None, false).await?;',
            f'    let back: Option<i64> = client.get("smoke:{crate.ident}").await?;',
            '    assert_eq!(back, Some(1));',
            f'    let _: i64 = client.del("smoke:{crate.ident}").await?;',
            "    client.quit().await",
            "}",
        ]
    else:
        body = [
            "use redis::AsyncCommands;",
            "",
            "#[tokio::main]",
            "async fn main() -> redis::RedisResult<()> {",
            '    let client = redis::Client::open("redis://127.0.0.1:6379/")?;',
            "    let mut con = client.get_multiplexed_async_connection().await?;",
            f'    let _: () = con.set_ex("smoke:{crate.ident}", 1, 10).await?;',
            f'    let back: Option<i64> = con.get("smoke:{crate.ident}").await?;',
            '    assert_eq!(back, Some(1));',
            '    // Leftovers of earlier runs.',
            '    let keys: Vec<String> = con.keys("smoke:*").await?;',
            '    println!("{} smoke keys", keys.len());',
            "    Ok(())",
            "}",
        ]
    head = [
        f"//! Smoke test of {crate.name} against a local Redis.",
        "//!",
        f"//! `cargo run -p {crate.name} --example smoke`, with a Redis listening on",
        "//! 127.0.0.1:6379. Writes one short-lived key and reads it back; exits",
        "//! non-zero when Redis cannot be reached.",
        "",
    ]
    return "\n".join(head + body) + "\n"


def write(out, crates, tomls, total_lines):
    files = {"Cargo.toml": workspace_toml(crates), "Cargo.lock": cargo_lock(crates)}
    redis_files = []
    for crate in crates:
        base = f"crates/{crate.name}"
        files[f"{base}/Cargo.toml"] = tomls[crate.name]
        for rel, text in crate.files.items():
            files[f"{base}/{rel}"] = text
        redis_files += [f"{base}/{rel}" for rel in crate.redis_files]
    redis_files.sort()
    rs = {p: t for p, t in files.items() if p.endswith(".rs")}
    lines = sum(t.count("\n") for t in rs.values())
    redis_lines = sum(rs[p].count("\n") for p in redis_files)
    manifest = {
        "generator": "scripts/gen_workspace.py",
        "seed": SEED,
        "requested_lines": total_lines,
        "files": len(rs),
        "lines": lines,
        "redis_files": len(redis_files),
        "redis_lines": redis_lines,
        "crates": [
            {"name": c.name, "path": f"crates/{c.name}", "kind": c.kind, "clients": sorted(set(c.families))}
            for c in crates
        ],
        "redis_file_list": redis_files,
    }
    files[MARKER] = json.dumps(manifest, indent=2, sort_keys=True) + "\n"
    files["redis-files.txt"] = "".join(p + "\n" for p in redis_files)
    for rel in sorted(files):
        path = os.path.join(out, *rel.split("/"))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write(files[rel])
    return manifest


def prepare(out):
    if os.path.isdir(out) and os.listdir(out):
        if not os.path.isfile(os.path.join(out, MARKER)):
            sys.exit(f"gen_workspace: {out} is not empty and not a generated workspace; refusing to overwrite")
        shutil.rmtree(out)
    elif os.path.exists(out) and not os.path.isdir(out):
        sys.exit(f"gen_workspace: {out} exists and is not a folder")
    os.makedirs(out, exist_ok=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", metavar="OUT_DIR")
    parser.add_argument("--lines", type=int, default=DEFAULT_LINES,
                        help=f"at least this many lines of Rust (default {DEFAULT_LINES})")
    args = parser.parse_args()
    if args.lines < 1000:
        parser.error("--lines must be at least 1000")
    crates, tomls = build(args.lines)
    prepare(args.out_dir)
    m = write(args.out_dir, crates, tomls, args.lines)
    print(f"wrote {m['files']} .rs files, {m['lines']} lines, in {len(crates)} crates to {args.out_dir} "
          f"({m['redis_files']} Redis files, {m['redis_lines']} lines, listed in redis-files.txt)")
    print(f"files={m['files']} lines={m['lines']} redis_files={m['redis_files']} redis_lines={m['redis_lines']}")


if __name__ == "__main__":
    main()
