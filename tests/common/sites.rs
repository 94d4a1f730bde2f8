//! The findings of a JSON report as `file:line rule`, one per diagnostic.

/// Reads `stdout` as a JSON report (`--format json`); `stderr` is shown
/// when it is not one.
pub fn sites(stdout: &[u8], stderr: &[u8]) -> Vec<String> {
    let doc: serde_json::Value = serde_json::from_slice(stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(stderr)));
    doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            format!(
                "{}:{} {}",
                d["file"].as_str().unwrap(),
                d["line"],
                d["rule"].as_str().unwrap()
            )
        })
        .collect()
}
