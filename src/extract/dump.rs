//! A compact text dump of a file's facts, for the extraction tests: one
//! line per fact (calls, creations, pipelines, key builders, consts,
//! helper calls, test modules), in the order the walk recorded them, so a
//! snapshot reads like a summary of the snippet.

use std::fmt::Write;

use super::facts::{FileFacts, Op, RawCall, RawCreation, RawKey, RawPart, Recv, Root};

/// The facts, one line each.
pub(super) fn dump(facts: &FileFacts) -> String {
    let mut out = String::new();
    let fn_name = |id: u32| facts.fns[id as usize].info.name.as_str();
    for (name, key) in &facts.consts {
        let _ = writeln!(out, "const {name} = {}", key_text(key));
    }
    for b in &facts.builders {
        let params = b.params.join(", ");
        let _ = writeln!(out, "builder {}({params}) = {}", b.name, key_text(&b.key));
    }
    for c in &facts.creations {
        let _ = writeln!(out, "{}", creation_line(c, fn_name(c.func)));
    }
    for (i, p) in facts.pipes.iter().enumerate() {
        let mut line = format!("pipe#{i} {:?}", p.api);
        if p.atomic {
            line.push_str(" atomic");
        }
        if p.transaction {
            line.push_str(" transaction");
        }
        if let Some(recv) = &p.exec {
            let _ = write!(line, " exec on {}", recv_text(recv));
        }
        let _ = writeln!(out, "{line}");
    }
    for c in &facts.calls {
        let _ = writeln!(out, "{}", call_line(c, fn_name(c.func)));
    }
    for h in &facts.helper_calls {
        let args: Vec<String> = h.args.iter().map(key_text).collect();
        let _ = writeln!(
            out,
            "helper {}({}) in {}",
            h.name,
            args.join(", "),
            fn_name(h.func)
        );
    }
    for m in &facts.test_mods {
        let _ = writeln!(out, "test mod {m}");
    }
    out
}

fn call_line(c: &RawCall, func: &str) -> String {
    let keys: Vec<String> = c.keys.iter().map(key_text).collect();
    let mut line = format!(
        "call {} {:?} {:?} keys=[{}] on {} in {func}",
        c.command,
        c.api,
        c.form,
        keys.join(", "),
        recv_text(&c.recv)
    );
    if !c.args.is_empty() {
        let args: Vec<String> = c.args.iter().map(|a| key_text(&a.key)).collect();
        let _ = write!(line, " args=[{}]", args.join(", "));
    }
    if let Some(l) = &c.in_loop {
        let item = if l.key_from_item { "+item" } else { "" };
        let _ = write!(line, " loop={:?}{item}", l.kind);
    }
    if let Some(p) = c.pipe {
        let _ = write!(line, " pipe#{p}");
    }
    if let Some(path) = c.node_path {
        let _ = write!(line, " path={path:?}");
    }
    let flags = [
        (c.in_test, "test"),
        (c.awaited, "awaited"),
        (c.weak_receiver, "weak"),
        (c.alt, "alt"),
    ];
    for (set, flag) in flags {
        if set {
            let _ = write!(line, " {flag}");
        }
    }
    line
}

fn creation_line(c: &RawCreation, func: &str) -> String {
    let mut line = format!(
        "creation {} makes {:?}::{:?} ({:?}) in {func}",
        c.what, c.lib, c.makes, c.kind
    );
    if let Some(b) = &c.binding {
        let _ = write!(line, " as {b}");
    }
    let flags = [
        (c.in_loop, "loop"),
        (c.in_test, "test"),
        (c.in_init, "init"),
    ];
    for (set, flag) in flags {
        if set {
            let _ = write!(line, " {flag}");
        }
    }
    line
}

/// `user:{id}`: literal text, `{hole}`, `<CONST>`, `builder(args)`.
fn key_text(key: &RawKey) -> String {
    key.0
        .iter()
        .map(|p| match p {
            RawPart::Lit(s) => s.to_string(),
            RawPart::Hole(h) => format!("{{{h}}}"),
            RawPart::TooComplex(n) => format!("<too complex #{n}>"),
            RawPart::Const(c) => format!("<{c}>"),
            RawPart::Call { name, args } => {
                let args: Vec<String> = args.iter().map(key_text).collect();
                format!("{name}({})", args.join(", "))
            }
        })
        .collect()
}

/// `RedisRs::Multiplexed`, `self:Repo.con.get()`, `make_pool()`, `?`.
fn recv_text(recv: &Recv) -> String {
    match recv {
        Recv::Known {
            lib, kind, cloned, ..
        } => {
            let cloned = if *cloned { " (cloned)" } else { "" };
            format!("{lib:?}::{kind:?}{cloned}")
        }
        Recv::Path { root, ops } => {
            let mut s = match root {
                Root::Type { name, is_self } if *is_self => format!("self:{name}"),
                Root::Type { name, .. } => name.clone(),
                Root::Static(name) => format!("static {name}"),
                Root::FnReturn(name) => format!("{name}()"),
            };
            for op in ops {
                match op {
                    Op::Field(f) => {
                        let _ = write!(s, ".{f}");
                    }
                    Op::Get => s.push_str(".get()"),
                    Op::Clone => s.push_str(".clone()"),
                    Op::Call(m) => {
                        let _ = write!(s, ".{m}()");
                    }
                }
            }
            s
        }
        Recv::Unknown => "?".into(),
        Recv::NotRedis => "not-redis".into(),
    }
}
