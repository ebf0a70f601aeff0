#!/bin/bash
# Interleaved rounds: event server before the --events code vs now (flag absent), 50 connections.
# Usage (root): unshare -n bash tools/evbench.sh OLD-SERVER-BINARY   (build OLD from a730bfb^, the commit before --events)
OLD=${1:?usage: tools/evbench.sh OLD-SERVER-BINARY}
ip link set lo up
cd "$(dirname "$0")/.."
run() { # $1 binary $2 port
	taskset -c 0 "$1" -q --backlog 128 --model event --port $2 >/dev/null 2>&1 & local p=$!
	sleep 0.3
	taskset -c 1 bin/hello-bench --port $2 --connections 50 --duration 2 --json 2>/dev/null | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); print(int(d.get("requests_per_s") or d.get("rps") or 0), d.keys() if not (d.get("requests_per_s") or d.get("rps")) else "")'
	kill $p; wait $p 2>/dev/null
}
for r in 1 2 3 4 5; do
	echo "round $r before: $(run "$OLD" 9001)  now: $(run bin/hello-tcp-server 9002)"
done
