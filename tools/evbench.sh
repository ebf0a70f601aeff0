#!/usr/bin/env bash
# tools/evbench.sh: what the --events hooks cost with the flag absent (docs/events.md): the event
# server built before --events existed against the current one, interleaved rounds of
# hello-bench, 50 connections; the rounds are saved in bench/evbench.json.
#   tools/evbench.sh OLD-SERVER-BINARY [OUT]   as root: runs in a private network namespace
#   tools/evbench.sh --report [FILE]           the summary docs/events.md shows, from the file
# OLD comes from a730bfb^, the commit before --events, e.g.:
#   git archive a730bfb^ | tar -x -C /tmp/old && make -C /tmp/old bin/hello-tcp-server
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
: "${PYTHON:=/usr/bin/python3}" "${EVBENCH_ROUNDS:=5}"

if [ "${1:-}" = --report ]; then
	exec "$PYTHON" - "${2:-$ROOT/bench/evbench.json}" <<'PY'
import json, statistics, sys
d = json.load(open(sys.argv[1]))
print("%s, %d CPUs (%s), kernel %s, load average at the end %s, commit %s"
      % (d["date"], d["cpus"], d["cpu_model"], d["kernel"], " ".join("%.1f" % x for x in d.get("load_avg_at_end", [])) or "?",
         d.get("commit") or "?"))
print("hello-bench --connections %d --duration %s, server on CPU 0, generator on CPU 1" % (d["connections"], d["duration_s"]))
print("round  before (req/s)  now (req/s)  now/before")
ratios = []
for i, r in enumerate(d["rounds"], 1):
    ratios.append(r["now"] / r["before"])
    print("%5d  %14d  %11d  %10.2f" % (i, r["before"], r["now"], ratios[-1]))
print("mean ratio %.2f, median %.2f, spread of the ratios %.2f..%.2f"
      % (statistics.mean(ratios), statistics.median(ratios), min(ratios), max(ratios)))
PY
fi

OLD=${1:?usage: tools/evbench.sh OLD-SERVER-BINARY [OUT] | --report [FILE]}
OUT=${2:-$ROOT/bench/evbench.json}
[ -x "$OLD" ] || { echo "evbench: $OLD is not a program" >&2; exit 2; }
if [ -z "${EVBENCH_IN_NETNS:-}" ]; then
	[ "$(id -u)" = 0 ] || { echo "evbench: needs root (a private network namespace)" >&2; exit 1; }
	EVBENCH_IN_NETNS=1 exec unshare -n -- bash "$0" "$(realpath "$OLD")" "$(realpath -m "$OUT")"
fi
ip link set lo up || exit 1
cd "$ROOT"
W=$(mktemp -d /tmp/hello-evbench.XXXXXX)
trap 'rm -rf "$W"' EXIT

# run BINARY PORT: requests/s of the server under 50 connections for 2 s.
run() {
	local p rps
	taskset -c 0 "$1" -q --backlog 128 --model event --port "$2" >/dev/null 2>"$W/server.err" &
	p=$!
	sleep 0.3
	rps=$(taskset -c 1 bin/hello-bench --port "$2" --connections 50 --duration 2 --json 2>/dev/null |
		"$PYTHON" -c 'import json,sys; print(int(json.load(sys.stdin)["rps"]))')
	kill "$p"
	wait "$p" || { echo "evbench: $1 exited $? after SIGTERM: $(tail -3 "$W/server.err")" >&2; exit 1; }
	[ -n "$rps" ] || { echo "evbench: no result from hello-bench against $1" >&2; exit 1; }
	echo "$rps"
}
rounds=()
for r in $(seq "$EVBENCH_ROUNDS"); do
	before=$(run "$OLD" 9001) || exit 1
	now=$(run bin/hello-tcp-server 9002) || exit 1
	echo "round $r before: $before  now: $now"
	rounds+=("{\"before\": $before, \"now\": $now}")
done
"$PYTHON" - "$OUT" "$(IFS=,; echo "${rounds[*]}")" "$(git -C "$ROOT" describe --always --dirty 2>/dev/null)" <<'PY'
import datetime, json, os, platform, sys
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
d = {"tool": "tools/evbench.sh", "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
     "cpus": os.cpu_count(), "cpu_model": cpu, "kernel": platform.release(), "load_avg_at_end": list(os.getloadavg()),
     "commit": sys.argv[3] or None, "connections": 50, "duration_s": 2, "rounds": json.loads("[" + sys.argv[2] + "]")}
with open(sys.argv[1] + ".tmp", "w") as f:
    json.dump(d, f, indent=1)
    f.write("\n")
os.replace(sys.argv[1] + ".tmp", sys.argv[1])
print("wrote", sys.argv[1])
PY
