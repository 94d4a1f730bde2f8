#!/bin/sh
# rust-analyzer's `check.overrideCommand`: cargo's own check messages, then
# redis-lint's findings in the same cargo JSON format, so the editor shows
# the compiler's errors and redis-lint's side by side.
#
# VS Code settings.json (other editors: the same command in their
# rust-analyzer configuration):
#   "rust-analyzer.check.overrideCommand": ["/path/to/rust-analyzer-check.sh"]
#
# rust-analyzer runs it in the workspace root. Arguments are passed on to
# `cargo check` (e.g. `--workspace`). REDIS_LINT names the redis-lint
# binary (default: `redis-lint` on PATH).
#
# Exit status: cargo check's. redis-lint's findings are diagnostics, not a
# failed check; only redis-lint failing to run (exit 2) is reported as
# this script failing.
set -u

cargo check --all-targets --message-format=json "$@"
check=$?

"${REDIS_LINT:-redis-lint}" --message-format json
lint=$?

if [ "$check" -ne 0 ]; then
    exit "$check"
fi
if [ "$lint" -ge 2 ]; then
    exit "$lint"
fi
exit 0
