#!/usr/bin/env bash
# tools/repeat.sh: `make repeat`: runs test suites N times each, on a machine kept busy, and records every run (docs/testing.md's table is made from the record).
#   tools/repeat.sh [-n N] [--san] [--busy K] [--results FILE] SUITE...
#   tools/repeat.sh --table [--results FILE]
# SUITE: an integration suite (trace_live.sh, or its path) or a cmocka binary (test_trace_model).
# --san runs the ASan+UBSan build (build/asan). --busy K keeps K CPU-bound loops running
# meanwhile, as a loaded CI machine is (default 0). Each run appends one JSON line to the
# results file (default tests/repeat/results.jsonl); a failed run's output is kept in
# build/repeat/. --table prints the record as a table (per suite, build and busy loops: runs,
# failures, passed runs since the last failure, skipped, median and slowest time, commits):
# docs/testing.md's figure block.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
: "${PYTHON:=/usr/bin/python3}"

N=20 SAN=0 BUSY=0 RESULTS=tests/repeat/results.jsonl TABLE=0
suites=()
while [ $# -gt 0 ]; do
	case "$1" in
	-n) N=$2; shift ;;
	--san) SAN=1 ;;
	--busy) BUSY=$2; shift ;;
	--results) RESULTS=$2; shift ;;
	--table) TABLE=1 ;;
	-h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) echo "repeat.sh: unknown option '$1'" >&2; exit 2 ;;
	*) suites+=("$1") ;;
	esac
	shift
done

if [ "$TABLE" = 1 ]; then
	exec "$PYTHON" - "$RESULTS" <<'EOF'
import json, statistics, sys
rows = {}
try:
    lines = open(sys.argv[1]).read().splitlines()
except OSError as e:
    sys.exit("repeat.sh: %s: %s" % (sys.argv[1], e.strerror))
for line in lines:
    if line.strip():
        r = json.loads(line)
        rows.setdefault((r["suite"], r["build"], r["busy"]), []).append(r)
# A skipped run proved nothing: it is counted apart, never among the runs. "since" is how
# many runs passed after the last failure (in time order): the streak a fix has earned.
print("%-24s %-5s %4s %5s %8s %6s %7s %8s %9s  %s" % ("suite", "build", "busy", "runs", "failures",
                                                       "since", "skipped", "median s", "slowest s", "commits"))
for (suite, build, busy), rs in sorted(rows.items()):
    rs = sorted(rs, key=lambda r: r["date"])
    ran = [r for r in rs if r["verdict"] != "skipped"]
    secs = [r["seconds"] for r in ran] or [0.0]
    fails = sum(1 for r in ran if r["verdict"] == "failed")
    since = len(ran)
    for i, r in enumerate(ran):
        if r["verdict"] == "failed":
            since = len(ran) - i - 1
    print("%-24s %-5s %4d %5d %8d %6d %7d %8.1f %9.1f  %s" % (
        suite, build, busy, len(ran), fails, since, len(rs) - len(ran), statistics.median(secs),
        max(secs), " ".join(sorted({r["commit"] for r in rs}))))
EOF
fi

[ ${#suites[@]} -gt 0 ] || { echo "repeat.sh: name at least one suite (see --help)" >&2; exit 2; }
case "$N" in '' | *[!0-9]*) echo "repeat.sh: -n takes a count" >&2; exit 2 ;; esac
case "$BUSY" in '' | *[!0-9]*) echo "repeat.sh: --busy takes a count" >&2; exit 2 ;; esac

if [ "$SAN" = 1 ]; then
	build=asan
	export HELLO_BIN=$ROOT/build/asan/bin HELLO_BUILD=$ROOT/build/asan HELLO_SANITIZED=1
	export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1
else
	build=plain
	export HELLO_BIN=$ROOT/bin HELLO_BUILD=$ROOT/build
fi
export PYTHON
# Without the build every run would be a skip or a failure about a missing program: neither is
# a measurement (make repeat builds first).
[ -x "$HELLO_BIN/hello-trace" ] || { echo "repeat.sh: $HELLO_BIN/hello-trace is missing: build first (make repeat does)" >&2; exit 2; }

paths=()
for s in "${suites[@]}"; do
	if [ -f "$s" ]; then paths+=("$s")
	elif [ -f "tests/integration/$s" ]; then paths+=("tests/integration/$s")
	elif [ -x "$HELLO_BUILD/tests/$s" ]; then paths+=("$HELLO_BUILD/tests/$s")
	else echo "repeat.sh: no suite '$s' (tests/integration/$s or $HELLO_BUILD/tests/$s)" >&2; exit 2
	fi
done

# The busy loops end with this script, however it ends.
BUSY_PIDS=()
stop_busy() {
	# Only this script's own shell: a copy forked for `prog &` runs these traps until it
	# has exec'd prog, and a signal sent to it then must not clean up under the running script.
	[ "$BASHPID" = "$$" ] || return 0
	local p
	for p in "${BUSY_PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${BUSY_PIDS[@]}"; do wait "$p" 2>/dev/null; done
	BUSY_PIDS=()
}
trap stop_busy EXIT
trap 'exit 130' INT TERM
for _ in $(seq "$BUSY"); do
	sh -c 'while :; do :; done' &
	BUSY_PIDS+=($!)
done

mkdir -p "$(dirname "$RESULTS")" build/repeat
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD 2>/dev/null || commit="$commit+"
total_fail=0
for p in "${paths[@]}"; do
	name=${p##*/}
	fails=0
	for i in $(seq "$N"); do
		log=build/repeat/$name-$build-$i.log
		t0=$(date +%s.%N)
		bash tests/run "$p" >"$log" 2>&1
		rc=$?
		dt=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
		# tests/run exits 0 when nothing failed; a skip is told by its summary line.
		if [ $rc != 0 ]; then verdict=failed
		elif grep -q '^suites: 0 passed, 0 failed, 1 skipped' "$log"; then verdict=skipped
		else verdict=passed
		fi
		printf '{"suite": "%s", "build": "%s", "busy": %d, "run": %d, "verdict": "%s", "seconds": %s, "commit": "%s", "date": "%s"}\n' \
			"$name" "$build" "$BUSY" "$i" "$verdict" "$dt" "$commit" "$(date -u +%FT%TZ)" >>"$RESULTS"
		if [ "$verdict" = failed ]; then
			fails=$((fails + 1))
			echo "repeat: $name ($build) run $i FAILED in $dt s; output kept in $log"
			grep -E '^(FAIL|  \(|\[  FAILED|.*ERROR: AddressSanitizer|.*runtime error)' "$log" | head -5 | sed 's/^/    /'
		else
			rm -f "$log"
		fi
	done
	echo "repeat: $name ($build, $BUSY busy loops): $N runs, $fails failed"
	total_fail=$((total_fail + fails))
done
[ "$total_fail" = 0 ]
