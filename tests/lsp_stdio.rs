//! `redis-lint server` over standard input and output, as an editor talks
//! to it: JSON-RPC messages with `Content-Length` headers. One session
//! opens a file of a copied fixture crate, checks the diagnostics (the
//! crate-wide ones need the other files), the quick fixes and the hover,
//! edits the text until the findings go, and shuts the server down.

mod lsp_fixture;

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{json, Value};

/// How long a lint may take on a loaded machine before the test fails
/// rather than hangs.
const PATIENCE: Duration = Duration::from_secs(120);

/// The client side of a session with the server.
struct Client {
    child: Child,
    stdin: ChildStdin,
    messages: mpsc::Receiver<Value>,
    next_id: i64,
}

impl Client {
    /// `redis-lint server` with `args`, in `cwd`.
    fn start(cwd: &std::path::Path, args: &[&str]) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_redis-lint"))
            .arg("server")
            .args(args)
            .current_dir(cwd)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("the server starts");
        let stdin = child.stdin.take().expect("piped");
        let stdout = child.stdout.take().expect("piped");
        let (tx, messages) = mpsc::channel();
        // Read on a thread of its own so that a silent server fails the
        // test after PATIENCE instead of hanging it.
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_message(&mut reader) {
                if tx.send(message).is_err() {
                    return;
                }
            }
        });
        Client {
            child,
            stdin,
            messages,
            next_id: 0,
        }
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request and waits for its response's result.
    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        let response = self.wait_for(|m| m["id"] == json!(id));
        assert!(response.get("error").is_none(), "{method}: {response}");
        response["result"].clone()
    }

    /// The next `publishDiagnostics` for `uri`.
    fn diagnostics(&mut self, uri: &str) -> Value {
        let n = self.wait_for(|m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
        });
        n["params"].clone()
    }

    fn wait_for(&mut self, wanted: impl Fn(&Value) -> bool) -> Value {
        loop {
            let message = self
                .messages
                .recv_timeout(PATIENCE)
                .expect("the server answers in time");
            if wanted(&message) {
                return message;
            }
        }
    }
}

fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(n) = line.strip_prefix("Content-Length: ") {
            length = n.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

/// A diagnostic's rule and range: `rule l:c-l:c` (0-based, as in LSP).
fn summary(diagnostic: &Value) -> String {
    let r = &diagnostic["range"];
    format!(
        "{} {}:{}-{}:{}",
        diagnostic["code"].as_str().unwrap(),
        r["start"]["line"],
        r["start"]["character"],
        r["end"]["line"],
        r["end"]["character"]
    )
}

fn summaries(published: &Value) -> Vec<String> {
    published["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(summary)
        .collect()
}

/// `text` with LSP text edits applied (single-line edits, as the fixes
/// here are).
fn apply(text: &str, edits: &[Value]) -> String {
    let mut lines: Vec<String> = text.split('\n').map(str::to_string).collect();
    let mut edits = edits.to_vec();
    // From the end, so earlier edits keep their positions.
    edits.sort_by_key(|e| {
        let s = &e["range"]["start"];
        (s["line"].as_u64(), s["character"].as_u64())
    });
    for edit in edits.iter().rev() {
        let (start, end) = (&edit["range"]["start"], &edit["range"]["end"]);
        assert_eq!(start["line"], end["line"], "single-line edits only");
        let line = &mut lines[start["line"].as_u64().unwrap() as usize];
        let (s, e) = (
            start["character"].as_u64().unwrap() as usize,
            end["character"].as_u64().unwrap() as usize,
        );
        line.replace_range(s..e, edit["newText"].as_str().unwrap());
    }
    lines.join("\n")
}

#[test]
fn a_session_from_open_to_exit() {
    let fixture = lsp_fixture::Crate::copy();
    let root = fixture.root();
    let mut client = Client::start(&root, &[]);
    let init = client.request(
        "initialize",
        json!({"processId": null, "rootUri": url(&root), "capabilities": {}}),
    );
    assert_eq!(init["capabilities"]["hoverProvider"], json!(true));
    assert_eq!(init["serverInfo"]["name"], "redis-lint");
    client.notify("initialized", json!({}));

    let store = fixture.file("src/store.rs");
    let uri = url(&store);
    let text = std::fs::read_to_string(&store).unwrap();
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "rust", "version": 1, "text": text}}),
    );
    let opened = client.diagnostics(&uri);
    assert_eq!(opened["version"], 1);
    // The dropped TTL needs keys.rs (where the key is built) and is
    // reported in admin.rs (the template's first plain write): store.rs
    // shows it at its own plain SET, pointing there (one problem, not
    // also a missing TTL).
    assert_eq!(
        summaries(&opened),
        [
            "key-ttl-dropped 8:8-8:38",
            "ds-deprecated-rpoplpush 12:8-12:52",
            "key-keys-command 16:8-16:25",
        ]
    );
    let ttl = &opened["diagnostics"][0];
    assert_eq!(ttl["severity"], 1, "CRITICAL is an error");
    assert_eq!(ttl["source"], "redis-lint");
    let related = &ttl["relatedInformation"][0];
    assert_eq!(
        related["location"]["uri"],
        url(&fixture.file("src/admin.rs"))
    );
    assert_eq!(
        related["location"]["range"],
        json!({"start": {"line": 9, "character": 8}, "end": {"line": 9, "character": 38}})
    );

    // Shown here, reported in admin.rs: its fix and suppression go there,
    // so no action here.
    let at_ttl =
        json!({"start": {"line": 8, "character": 10}, "end": {"line": 8, "character": 10}});
    let none = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": at_ttl, "context": {"diagnostics": []}}),
    );
    assert_eq!(none, json!([]));

    // Quick fixes on the RPOPLPUSH call: the safe fix, then a suppression.
    let at_rpoplpush =
        json!({"start": {"line": 12, "character": 10}, "end": {"line": 12, "character": 10}});
    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": at_rpoplpush, "context": {"diagnostics": []}}),
    );
    let titles: Vec<&str> = actions
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        [
            "use LMOVE with RIGHT LEFT",
            "Suppress ds-deprecated-rpoplpush here (with a reason)",
        ]
    );
    assert_eq!(actions[0]["kind"], "quickfix");
    assert_eq!(actions[0]["isPreferred"], true);
    let fix = actions[0]["edit"]["changes"][&uri].as_array().unwrap();
    let fixed = apply(&text, fix);
    assert!(fixed.contains(
        "    con.lmove(\"jobs:pending\", \"jobs:processing\", redis::Direction::Right, redis::Direction::Left)"
    ));
    let suppress = &actions[1]["edit"]["changes"][&uri][0];
    assert_eq!(
        suppress["newText"],
        "    // redis-lint: allow(ds-deprecated-rpoplpush) -- TODO: say why this is fine here\n"
    );
    assert_eq!(
        suppress["range"],
        json!({"start": {"line": 12, "character": 0}, "end": {"line": 12, "character": 0}})
    );

    // Hover on KEYS: the rule's documentation, as `explain` prints it.
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 16, "character": 12}}),
    );
    assert_eq!(hover["contents"]["kind"], "markdown");
    assert_eq!(hover["contents"]["value"], explain("key-keys-command"));
    assert_eq!(hover["range"]["start"], json!({"line": 16, "character": 8}));
    let nothing = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}}),
    );
    assert_eq!(nothing, Value::Null);

    // The unsaved text is linted in place of the file: the fix applied,
    // the RPOPLPUSH finding goes.
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": fixed}]}),
    );
    let changed = client.diagnostics(&uri);
    assert_eq!(changed["version"], 2);
    assert_eq!(
        summaries(&changed),
        ["key-ttl-dropped 8:8-8:38", "key-keys-command 16:8-16:25"]
    );

    // The suppression action's comment silences KEYS (and, with its
    // placeholder reason, is not reported as a suppression without one).
    let at_keys =
        json!({"start": {"line": 16, "character": 9}, "end": {"line": 16, "character": 9}});
    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": at_keys, "context": {"diagnostics": []}}),
    );
    assert_eq!(actions.as_array().unwrap().len(), 1, "{actions}");
    let suppressed = apply(
        &fixed,
        actions[0]["edit"]["changes"][&uri].as_array().unwrap(),
    );
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 3}, "contentChanges": [{"text": suppressed}]}),
    );
    assert_eq!(
        summaries(&client.diagnostics(&uri)),
        ["key-ttl-dropped 8:8-8:38"]
    );

    client.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri}}),
    );
    assert_eq!(client.diagnostics(&uri)["diagnostics"], json!([]));
    assert_eq!(client.request("shutdown", Value::Null), Value::Null);
    client.notify("exit", Value::Null);
    drop(client.stdin);
    let status = client.child.wait().unwrap();
    assert!(status.success(), "the server exits with 0: {status}");
}

#[test]
fn a_redis_conf_opened_in_the_editor_gets_its_findings() {
    let fixture = lsp_fixture::Crate::copy();
    let root = fixture.root();
    let conf = root.join("redis.conf");
    let text = "port 6379\nmaxmemory 2gb\n";
    std::fs::write(&conf, text).unwrap();
    let mut client = Client::start(&root, &[]);
    client.request(
        "initialize",
        json!({"processId": null, "rootUri": url(&root), "capabilities": {}}),
    );
    client.notify("initialized", json!({}));
    let uri = url(&conf);
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "conf", "version": 1, "text": text}}),
    );
    let expected = cli_findings(&root, "redis.conf");
    assert!(!expected.is_empty(), "the configuration has findings");
    assert_eq!(summaries(&client.diagnostics(&uri)), expected);
    assert_eq!(client.request("shutdown", Value::Null), Value::Null);
    client.notify("exit", Value::Null);
    assert!(client.child.wait().unwrap().success());
}

/// With `--cache`, the crate's other files are kept in the cache after
/// the first lint, and the findings are the same from it.
#[test]
fn the_cache_keeps_the_crate_context_between_lints() {
    let fixture = lsp_fixture::Crate::copy();
    let root = fixture.root();
    let mut client = Client::start(&root, &["--cache", "--cache-dir", "cache"]);
    client.request(
        "initialize",
        json!({"processId": null, "rootUri": url(&root), "capabilities": {}}),
    );
    client.notify("initialized", json!({}));
    let store = fixture.file("src/store.rs");
    let uri = url(&store);
    let text = std::fs::read_to_string(&store).unwrap();
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "rust", "version": 1, "text": text}}),
    );
    let first = summaries(&client.diagnostics(&uri));
    assert!(root.join("cache").is_dir(), "the cache is written");
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": text}]}),
    );
    assert_eq!(summaries(&client.diagnostics(&uri)), first);
    assert_eq!(first.len(), 3, "{first:?}");
    assert_eq!(client.request("shutdown", Value::Null), Value::Null);
    client.notify("exit", Value::Null);
    assert!(client.child.wait().unwrap().success());
}

fn url(path: &std::path::Path) -> String {
    format!("file://{}", path.display())
}

/// `redis-lint explain ID`'s output.
fn explain(id: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_redis-lint"))
        .args(["explain", id])
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap()
}

/// What the CLI reports on `file` (in `cwd`), as `rule l:c-l:c` (0-based).
fn cli_findings(cwd: &std::path::Path, file: &str) -> Vec<String> {
    let out = Command::new(env!("CARGO_BIN_EXE_redis-lint"))
        .args(["--format", "json", file])
        .current_dir(cwd)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let n = |k: &str| d[k].as_u64().unwrap() - 1;
            format!(
                "{} {}:{}-{}:{}",
                d["rule"].as_str().unwrap(),
                n("line"),
                n("column"),
                n("end_line"),
                n("end_column")
            )
        })
        .collect()
}
