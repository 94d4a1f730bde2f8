//! The language server in a real editor: Neovim, headless, with its own
//! LSP client set up by the README's Neovim snippet (read from the README,
//! so the documented setup is the tested one). It opens a file of a copied
//! fixture crate, waits for the diagnostics, asks for a hover and the
//! quick fixes, applies the safe fix, and waits for its finding to go.
//!
//! Neovim must be installed (`.ci/run` installs Debian's package). Where it
//! cannot be, `REDIS_LINT_SKIP_NEOVIM=1` skips this test; without it a
//! missing `nvim` fails the test, so CI cannot pass it by skipping.

mod lsp_fixture;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// How long Neovim may take before the test fails rather than hangs.
const PATIENCE: Duration = Duration::from_secs(240);

/// What the harness does after the README's setup, in the opened file's
/// buffer: the results go to `$REDIS_LINT_NVIM_OUT` as JSON.
const HARNESS: &str = r#"
local out = os.getenv('REDIS_LINT_NVIM_OUT')
local bufnr = vim.api.nvim_get_current_buf()
local uri = vim.uri_from_bufnr(bufnr)
local function diagnostics()
  local found = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    local lsp = (d.user_data or {}).lsp or {}
    table.insert(found, {
      code = d.code or lsp.code, source = d.source, severity = d.severity,
      lnum = d.lnum, col = d.col, end_lnum = d.end_lnum, end_col = d.end_col,
    })
  end
  table.sort(found, function(a, b) return a.lnum < b.lnum end)
  return found
end
local result = {}
result.published = vim.wait(120000, function() return #diagnostics() > 0 end, 50)
result.diagnostics = diagnostics()

local hover = vim.lsp.buf_request_sync(bufnr, 'textDocument/hover',
  { textDocument = { uri = uri }, position = { line = 16, character = 12 } }, 60000)
for _, r in pairs(hover or {}) do
  if r.result then result.hover = r.result.contents.value end
end

local at = { line = 12, character = 10 }
local answers = vim.lsp.buf_request_sync(bufnr, 'textDocument/codeAction',
  { textDocument = { uri = uri }, range = { start = at, ['end'] = at },
    context = { diagnostics = {} } }, 60000)
result.actions = {}
local fix
for _, r in pairs(answers or {}) do
  for _, action in ipairs(r.result or {}) do
    table.insert(result.actions, action.title)
    if action.isPreferred then fix = action end
  end
end

-- Apply the safe fix as the editor's code action menu would; Neovim sends
-- the changed text, and the server's new diagnostics drop the finding.
if fix then
  vim.lsp.util.apply_workspace_edit(fix.edit, 'utf-16')
  result.fixed_line = vim.api.nvim_buf_get_lines(bufnr, 12, 13, false)[1]
  vim.wait(120000, function()
    for _, d in ipairs(diagnostics()) do
      if d.code == 'ds-deprecated-rpoplpush' then return false end
    end
    return true
  end, 50)
  result.after_fix = diagnostics()
end

local f = assert(io.open(out, 'w'))
f:write(vim.fn.json_encode(result))
f:close()
vim.cmd('qa!')
"#;

/// The Lua block the README's Editors section gives for Neovim.
fn readme_setup() -> String {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("the README");
    let marker = "<!-- neovim-setup: tests/lsp_neovim.rs reads the block below -->\n```lua\n";
    let start = readme.find(marker).expect("the README's Neovim setup") + marker.len();
    let len = readme[start..].find("```").expect("the end of the block");
    readme[start..start + len].to_string()
}

/// Whether `nvim` runs; when it does not, the test fails unless skipping
/// was asked for explicitly.
fn neovim_present() -> bool {
    let runs = Command::new("nvim")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if runs {
        return true;
    }
    if std::env::var_os("REDIS_LINT_SKIP_NEOVIM").is_some_and(|v| v == "1") {
        eprintln!("nvim not found; skipped because REDIS_LINT_SKIP_NEOVIM=1");
        return false;
    }
    panic!(
        "nvim not found: install Neovim (Debian: apt-get install neovim; .ci/run does), \
         or set REDIS_LINT_SKIP_NEOVIM=1 to skip this test"
    );
}

#[test]
fn neovim_shows_the_findings_and_applies_the_fix() {
    if !neovim_present() {
        return;
    }
    let fixture = lsp_fixture::Crate::copy();
    let root = fixture.root();
    let home = tempfile::tempdir().unwrap();
    let init = home.path().join("init.lua");
    std::fs::write(&init, readme_setup()).unwrap();
    let harness = home.path().join("harness.lua");
    std::fs::write(&harness, HARNESS).unwrap();
    let out = home.path().join("result.json");
    // The README's setup runs `redis-lint` from PATH: this build's.
    let bin = Path::new(env!("CARGO_BIN_EXE_redis-lint"))
        .parent()
        .unwrap();
    let path = std::env::join_paths(std::iter::once(bin.to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .unwrap();
    let mut nvim = Command::new("nvim");
    nvim.args(["--headless", "-n", "-i", "NONE", "-u"])
        .arg(&init)
        .arg(fixture.file("src/store.rs"))
        .arg("-c")
        .arg(format!("luafile {}", harness.display()))
        .current_dir(&root)
        .env("PATH", path)
        .env("REDIS_LINT_NVIM_OUT", &out)
        .stdin(Stdio::null());
    // Neovim's own state, logs and configuration stay in the temporary folder.
    for var in [
        "XDG_CONFIG_HOME",
        "XDG_DATA_HOME",
        "XDG_STATE_HOME",
        "XDG_CACHE_HOME",
    ] {
        nvim.env(var, home.path());
    }
    let mut child = nvim.spawn().expect("nvim starts");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > PATIENCE {
            let _ = child.kill();
            panic!("nvim did not finish within {PATIENCE:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(status.success(), "nvim exited with {status}");
    let result: Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("the harness wrote its result"))
            .unwrap();

    assert_eq!(result["published"], true, "{result}");
    let shown: Vec<String> = result["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            format!(
                "{} {}:{}-{}:{} severity {} from {}",
                d["code"].as_str().unwrap_or("?"),
                d["lnum"],
                d["col"],
                d["end_lnum"],
                d["end_col"],
                d["severity"],
                d["source"].as_str().unwrap_or("?")
            )
        })
        .collect();
    assert_eq!(
        shown,
        [
            // admin.rs's plain SET, like this one, drops the expiry that
            // `save_for_an_hour` writes.
            "key-ttl-dropped 8:8-8:38 severity 1 from redis-lint",
            "ds-deprecated-rpoplpush 12:8-12:52 severity 1 from redis-lint",
            "key-keys-command 16:8-16:25 severity 1 from redis-lint",
        ]
    );
    let hover = result["hover"].as_str().expect("a hover");
    assert!(hover.starts_with("# key-keys-command\n"), "{hover}");
    assert_eq!(
        result["actions"],
        serde_json::json!([
            "use LMOVE with RIGHT LEFT",
            "Suppress ds-deprecated-rpoplpush here (with a reason)"
        ])
    );
    assert_eq!(
        result["fixed_line"],
        "    con.lmove(\"jobs:pending\", \"jobs:processing\", redis::Direction::Right, redis::Direction::Left) //~ ds-deprecated-rpoplpush"
    );
    let codes: Vec<&str> = result["after_fix"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap_or("?"))
        .collect();
    assert_eq!(codes, ["key-ttl-dropped", "key-keys-command"]);
}
