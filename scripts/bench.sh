#!/usr/bin/env bash
# The redis-lint speed benchmark:
#
#     bash scripts/bench.sh
#
# 1. builds the release binary and the `floors` bench (benches/floors.rs);
# 2. generates a synthetic Cargo workspace (scripts/gen_workspace.py, about
#    520k lines) into target/bench-workspace, unless it is already there
#    with the right hash;
# 3. measures the read and parse floors of all its files, and the parse
#    floor of its Redis files only (redis-files.txt);
# 4. times `redis-lint target/bench-workspace --format json` with and
#    without the prefilter, and on the Redis files only: best wall time of
#    BENCH_RUNS runs, and peak RSS;
# 5. prints the machine and a Markdown table;
# 6. for each real workspace given as an argument or in BENCH_REAL (a
#    space-separated list of folders; never copied or vendored): its read
#    and parse floors, and the lint cold (no cache), warm (`--cache`, after
#    a run that fills it) and with `--no-prefilter`, with peak RSS and the
#    files parsed (from the cache's entries) out of all files.
#
#     BENCH_REAL="/path/to/risingwave /path/to/vector" bash scripts/bench.sh
#     bash scripts/bench.sh /path/to/risingwave
#
# Settings (environment): BENCH_BIN (a redis-lint binary to bench instead
# of this checkout's release build, e.g. an older one for a before/after
# table), BENCH_THREADS (2), BENCH_RUNS (3), BENCH_LINES
# (520000), BENCH_SYNTHETIC (1; 0 skips the synthetic workspace when real
# ones are given), BENCH_TIMER (auto: GNU /usr/bin/time -v when present, else
# python3; `python` forces the latter). Needs cargo and python3; no network
# beyond what `cargo build --locked` needs. Exits non-zero when a step fails,
# when the linter crashes or exits with 2, when its file count disagrees
# with the floors, or when the prefilter changes the findings.
set -euo pipefail
cd "$(dirname "$0")/.."

die() {
    echo "bench: $*" >&2
    exit 1
}
step() { echo "== $*" >&2; }

THREADS=${BENCH_THREADS:-2}
RUNS=${BENCH_RUNS:-3}
LINES=${BENCH_LINES:-520000}
TIMER=${BENCH_TIMER:-auto}
SYNTHETIC=${BENCH_SYNTHETIC:-1}
read -r -a REAL <<<"${BENCH_REAL:-}"
REAL+=("$@")
for dir in "${REAL[@]}"; do
    [ -d "$dir" ] || die "$dir is not a folder"
done
[ "$SYNTHETIC" = 1 ] || [ ${#REAL[@]} -gt 0 ] || die "BENCH_SYNTHETIC=0 and no real workspace: nothing to bench"
WS=target/bench-workspace
STAMP=target/bench-workspace.stamp
BIN=${BENCH_BIN:-target/release/redis-lint}


command -v python3 >/dev/null || die "python3 is required"
command -v cargo >/dev/null || die "cargo is required"
case $THREADS in '' | *[!0-9]* | 0) die "BENCH_THREADS must be a positive number" ;; esac
case $RUNS in '' | *[!0-9]* | 0) die "BENCH_RUNS must be a positive number" ;; esac

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

if [ "$TIMER" = auto ]; then
    if [ -x /usr/bin/time ] && /usr/bin/time -v true >/dev/null 2>&1; then
        TIMER=gnu-time
    else
        TIMER=python
    fi
fi
case $TIMER in gnu-time | python) ;; *) die "BENCH_TIMER must be auto, gnu-time or python" ;; esac

# ---------------------------------------------------------------- build

step "build"
[ -n "${BENCH_BIN:-}" ] || cargo build --release --locked
cargo bench --locked --bench floors --no-run
[ -x "$BIN" ] || die "$BIN was not built"

# ------------------------------------------------------------ workspace

tree_hash() {
    (cd "$1" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) |
        sha256sum | cut -d' ' -f1
}

synthetic_workspace() {
step "workspace"
want="generator=$(sha256sum scripts/gen_workspace.py | cut -d' ' -f1) lines=$LINES"
if [ -d "$WS" ] && [ -f "$STAMP" ] && [ "$(sed -n 1p "$STAMP")" = "$want" ] &&
    [ "$(sed -n 2p "$STAMP")" = "tree=$(tree_hash "$WS")" ]; then
    echo "$WS is up to date" >&2
else
    rm -f "$STAMP"
    python3 scripts/gen_workspace.py "$WS" --lines "$LINES" >&2
    printf '%s\ntree=%s\n' "$want" "$(tree_hash "$WS")" >"$STAMP"
fi
TREE=$(sed -n 2p "$STAMP" | cut -d= -f2)
[ -s "$WS/redis-files.txt" ] || die "$WS/redis-files.txt is missing or empty"
mapfile -t REDIS_FILES < <(sed "s|^|$WS/|" "$WS/redis-files.txt")
}
if [ "$SYNTHETIC" = 1 ]; then
    synthetic_workspace
fi

# --------------------------------------------------------------- floors

# floors NAME DIR [ARGS...]: runs the floors bench, keeps its key=value output.
floors() {
    local name=$1 dir=$2
    shift 2
    step "floors: $name"
    cargo bench --locked --bench floors -- "$dir" "$THREADS" --runs "$RUNS" "$@" \
        >"$TMP/floors-$name.txt" || die "the floors bench failed ($name)"
    cat "$TMP/floors-$name.txt" >&2
}

# kv FILE KEY: the value of KEY=... in FILE.
kv() {
    local v
    v=$(sed -n "s/^$2=//p" "$1" | tail -n 1)
    [ -n "$v" ] || die "no $2 in $1"
    echo "$v"
}

if [ "$SYNTHETIC" = 1 ]; then
    floors all "$WS"
    floors redis "$WS" --files-from "$WS/redis-files.txt"
fi

# ------------------------------------------------------------ lint runs

cat >"$TMP/measure.py" <<'EOF'
# measure.py OUT ERR CMD...: runs CMD once; prints "wall_ms peak_rss_kb exit
# cpu_ms" (cpu: user + system).
# The child's peak RSS includes the python image it was forked from (about
# 10-15 MB) until it execs, so small peaks are overstated; GNU time's are not.
import os, subprocess, sys, time

out, err, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
with open(out, "wb") as o, open(err, "wb") as e:
    start = time.perf_counter()
    child = subprocess.Popen(cmd, stdout=o, stderr=e)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
child.returncode = os.waitstatus_to_exitcode(status)
cpu = usage.ru_utime + usage.ru_stime
print(f"{wall * 1000:.1f} {usage.ru_maxrss} {child.returncode} {cpu * 1000:.1f}")
EOF

# measure_once OUT ERR CMD...: "wall_ms peak_rss_kb exit cpu_ms" of one run.
measure_once() {
    local out=$1 err=$2
    shift 2
    if [ "$TIMER" = gnu-time ]; then
        local t0 t1 code=0
        t0=$(date +%s%N)
        /usr/bin/time -v -o "$TMP/time.txt" "$@" >"$out" 2>"$err" || code=$?
        t1=$(date +%s%N)
        # GNU time reports the command's own exit status (0 when killed by a signal).
        if grep -q 'Command terminated by signal' "$TMP/time.txt"; then
            code=signal
        else
            code=$(sed -n 's/^[[:space:]]*Exit status: //p' "$TMP/time.txt")
        fi
        local rss user sys
        rss=$(sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' "$TMP/time.txt")
        user=$(sed -n 's/^[[:space:]]*User time (seconds): //p' "$TMP/time.txt")
        sys=$(sed -n 's/^[[:space:]]*System time (seconds): //p' "$TMP/time.txt")
        echo "$(((t1 - t0) / 1000)) $rss $code $user $sys" |
            awk '{printf "%.1f %s %s %.1f\n", $1 / 1000, $2, $3, ($4 + $5) * 1000}'
    else
        python3 "$TMP/measure.py" "$out" "$err" "$@"
    fi
}

# lint NAME ARGS...: RUNS timed runs of the linter; keeps the best wall
# and CPU times, the highest peak RSS and the JSON of the last run.
lint() {
    local name=$1
    shift
    step "lint: $name"
    local best="" best_cpu="" rss_max=0 i wall rss code cpu
    for ((i = 1; i <= RUNS; i++)); do
        read -r wall rss code cpu < <(measure_once "$TMP/lint-$name.json" "$TMP/lint-$name.err" \
            "$BIN" "$@" --format json --threads "$THREADS")
        if [ "$code" != 0 ] && [ "$code" != 1 ]; then
            echo "bench: redis-lint exited with $code ($name); its stderr:" >&2
            tail -n 30 "$TMP/lint-$name.err" >&2
            exit 1
        fi
        echo "run $i: ${wall} ms, CPU ${cpu} ms, peak RSS ${rss} kB, exit $code" >&2
        if [ -z "$best" ] || awk -v a="$wall" -v b="$best" 'BEGIN { exit !(a < b) }'; then
            best=$wall
        fi
        if [ -z "$best_cpu" ] || awk -v a="$cpu" -v b="$best_cpu" 'BEGIN { exit !(a < b) }'; then
            best_cpu=$cpu
        fi
        [ "$rss" -gt "$rss_max" ] && rss_max=$rss
    done
    printf 'wall_ms=%s\ncpu_ms=%s\npeak_rss_kb=%s\n' "$best" "$best_cpu" "$rss_max" >"$TMP/lint-$name.txt"
}

if [ "$SYNTHETIC" = 1 ]; then
    lint default "$WS"
    lint no-prefilter "$WS" --no-prefilter
    lint redis "${REDIS_FILES[@]}"
fi

# real_workspace N DIR: floors and lint runs of one real workspace.
real_workspace() {
    local n=$1 dir=$2 cache="$TMP/cache-$1"
    floors "real-$n" "$dir"
    lint "real-$n-cold" "$dir"
    step "lint: real-$n, filling the cache"
    "$BIN" "$dir" --format json --threads "$THREADS" --cache --cache-dir "$cache" >/dev/null || true
    lint "real-$n-warm" "$dir" --cache --cache-dir "$cache"
    lint "real-$n-no-prefilter" "$dir" --no-prefilter
    cp "$cache/facts-v2.txt" "$TMP/cache-real-$n.txt" || die "no cache written for $dir"
}
for i in "${!REAL[@]}"; do
    real_workspace "$i" "${REAL[$i]}"
done

# --------------------------------------------------------------- report

step "report"
echo
echo "## redis-lint benchmark"
echo
echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "- uname: $(uname -a)"
echo "- CPU: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1 || echo unknown)"
echo "- cores: $(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN) online (load average now: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo n/a))"
echo "- rustc: $(rustc -V 2>/dev/null || echo unknown)"
if git rev-parse --short HEAD >/dev/null 2>&1; then
    dirty=$(git status --porcelain --untracked-files=no | grep -q . && echo ", with uncommitted changes" || true)
    echo "- redis-lint: $(git rev-parse --short HEAD)$dirty"
fi
if [ "$SYNTHETIC" = 1 ]; then
    echo "- workspace: $WS, tree sha256 $TREE"
fi
echo "- threads: $THREADS; best of $RUNS runs; peak RSS via $TIMER"
echo

if [ "$SYNTHETIC" = 1 ]; then
python3 - "$TMP" "$RUNS" <<'EOF'
import json, sys

tmp, runs = sys.argv[1], sys.argv[2]


def kv(path):
    out = {}
    for line in open(path):
        if "=" in line:
            k, v = line.strip().split("=", 1)
            out[k] = v
    return out


fa, fr = kv(f"{tmp}/floors-all.txt"), kv(f"{tmp}/floors-redis.txt")
runs_kv = {n: kv(f"{tmp}/lint-{n}.txt") for n in ("default", "no-prefilter", "redis")}
docs = {n: json.load(open(f"{tmp}/lint-{n}.json")) for n in runs_kv}
failures = []

for name, floor in (("default", fa), ("no-prefilter", fa), ("redis", fr)):
    scanned = docs[name]["summary"]["files_scanned"]
    if scanned != int(floor["files"]):
        failures.append(f"lint ({name}) scanned {scanned} files, the floors read {floor['files']}")
    problems = [d for d in docs[name]["diagnostics"] if d["rule"].endswith("-error")]
    for d in problems[:10]:
        print(f"> lint ({name}): {d['rule']} in {d['file']}:{d['line']}: {d['message']}")
    if len(problems) > 10:
        print(f"> lint ({name}): ... {len(problems) - 10} more file problems")
for name, floor in (("all files", fa), ("Redis files", fr)):
    bad = int(floor["read_errors"]) + int(floor["parse_errors"])
    if bad:
        print(f"> floors ({name}): {bad} files could not be read or parsed (see the floors output)")
if docs["default"]["diagnostics"] != docs["no-prefilter"]["diagnostics"]:
    a, b = docs["default"]["diagnostics"], docs["no-prefilter"]["diagnostics"]
    failures.append(f"the prefilter changes the findings: {len(a)} with it, {len(b)} without")


def num(v):
    return f"{v:,.0f}"


def row(label, files, lines, wall, rss_kb, floor_ms):
    files, lines, wall = int(files), int(lines), float(wall)
    rate = num(files / wall * 1000) if wall > 0 else "n/a"
    rss = f"{int(rss_kb) / 1024:,.1f}" if rss_kb else "–"
    ratio = f"{wall / float(floor_ms):.2f}" if floor_ms else "–"
    return f"| {label} | {num(files)} | {num(lines)} | {wall:,.1f} | {rate} | {rss} | {ratio} |"


print("| run | files | lines | wall ms | files/s | peak RSS MiB | lint / parse floor |")
print("|---|--:|--:|--:|--:|--:|--:|")
print(row("read floor, all files", fa["files"], fa["lines"], fa["read_floor_ms"], None, None))
print(row("parse floor, all files", fa["files"], fa["lines"], fa["parse_floor_ms"], fa.get("peak_rss_kb"), None))
for name, label in (("default", "lint, all files (default)"), ("no-prefilter", "lint, all files, --no-prefilter")):
    r = runs_kv[name]
    print(row(label, fa["files"], fa["lines"], r["wall_ms"], r["peak_rss_kb"], fa["parse_floor_ms"]))
print(row("parse floor, Redis files", fr["files"], fr["lines"], fr["parse_floor_ms"], fr.get("peak_rss_kb"), None))
r = runs_kv["redis"]
print(row("lint, Redis files", fr["files"], fr["lines"], r["wall_ms"], r["peak_rss_kb"], fr["parse_floor_ms"]))
print()
s = docs["default"]["summary"]
print(f"Findings (all files, default): {s['findings']} in {s['files_with_redis']} files with Redis code; "
      f"file problems: {s['problems']}.")
print("Floors: best of the same number of runs, in one process (their peak RSS is that process's).")
print("Lint wall times include process start, the walk and the JSON output.")
for f in failures:
    print(f"\nbench: FAILED: {f}", file=sys.stderr)
sys.exit(1 if failures else 0)
EOF
fi

if [ ${#REAL[@]} -gt 0 ]; then
    echo
    python3 - "$TMP" "${REAL[@]}" <<'EOF'
import json, os, sys

tmp, dirs = sys.argv[1], sys.argv[2:]
failures = []


def kv(path):
    out = {}
    for line in open(path):
        if "=" in line:
            k, v = line.strip().split("=", 1)
            out[k] = v
    return out


def parsed_files(path):
    """Entries of the cache the run parsed (or took from the cache)."""
    count = 0
    for line in open(path).read().split("\n")[1:-1]:
        entry = json.loads(line.split(" ", 1)[1])
        count += entry["stamp"]["parsed"]
    return count


def ms(v):
    return f"{float(v):,.0f}"


def mib(kb):
    return f"{int(kb) / 1024:,.0f}"


print("| workspace | files | parsed | read floor ms | parse floor ms | cold ms | warm ms | --no-prefilter ms "
      "| cold / parse floor | warm / parse floor | peak RSS MiB (cold, warm, no-prefilter) |")
print("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
cpu_rows = []
for n, d in enumerate(dirs):
    f = kv(f"{tmp}/floors-real-{n}.txt")
    runs = {k: kv(f"{tmp}/lint-real-{n}-{k}.txt") for k in ("cold", "warm", "no-prefilter")}
    docs = {k: json.load(open(f"{tmp}/lint-real-{n}-{k}.json")) for k in runs}
    if docs["cold"] != docs["warm"]:
        failures.append(f"{d}: the cache changes the output")
    if docs["cold"]["diagnostics"] != docs["no-prefilter"]["diagnostics"]:
        failures.append(f"{d}: the prefilter changes the findings")
    floor = float(f["parse_floor_ms"])
    wall = {k: float(r["wall_ms"]) for k, r in runs.items()}
    rss = ", ".join(mib(runs[k]["peak_rss_kb"]) for k in ("cold", "warm", "no-prefilter"))
    parsed = parsed_files(f"{tmp}/cache-real-{n}.txt")
    name = os.path.basename(os.path.normpath(d))
    print(f"| {name} | {int(f['files']):,} | {parsed:,} "
          f"| {ms(f['read_floor_ms'])} | {ms(floor)} | {ms(wall['cold'])} | {ms(wall['warm'])} "
          f"| {ms(wall['no-prefilter'])} | {wall['cold'] / floor:.2f} | {wall['warm'] / floor:.2f} | {rss} |")
    if "parse_floor_cpu_ms" in f and all(r.get("cpu_ms") for r in runs.values()):
        pf = max(float(f["parse_floor_cpu_ms"]), 1.0)
        cpu = {k: float(r["cpu_ms"]) for k, r in runs.items()}
        cpu_rows.append(f"| {name} | {ms(f['read_floor_cpu_ms'])} | {ms(pf)} | {ms(cpu['cold'])} "
                        f"| {ms(cpu['warm'])} | {ms(cpu['no-prefilter'])} | {cpu['cold'] / pf:.2f} "
                        f"| {cpu['warm'] / pf:.2f} |")
if cpu_rows:
    print()
    print("CPU time (user + system), the same runs:")
    print()
    print("| workspace | read floor CPU ms | parse floor CPU ms | cold CPU ms | warm CPU ms "
          "| --no-prefilter CPU ms | cold / parse floor | warm / parse floor |")
    print("|---|--:|--:|--:|--:|--:|--:|--:|")
    print("\n".join(cpu_rows))
print()
print("Cold: no cache. Warm: `--cache`, filled by a run before. Parsed: files the run parsed "
      "(or took from the cache) out of all files. Real workspaces are read in place, never copied.")
for m in failures:
    print(f"\nbench: FAILED: {m}", file=sys.stderr)
sys.exit(1 if failures else 0)
EOF
fi
