#!/usr/bin/env bash
# tests/render/regen.sh: rebuilds the renderer fixtures and their golden files.
#   bash tests/render/regen.sh      (from anywhere; uses $HELLO_BIN, $HELLO_BUILD, $PYTHON)
# Fixed pcaps and socket-call records (scapy, fixed ports/ISNs/times) -> hello-trace -r --events
# --notes -> trace.json; the hand-made traces from make_fixtures.py; then the unit suite
# rewrites the expected outputs.
set -eu
cd "$(dirname "$0")/../.."
: "${HELLO_BIN:=$PWD/bin}" "${HELLO_BUILD:=$PWD/build}" "${PYTHON:=/usr/bin/python3}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$PYTHON" tests/render/make_pcaps.py "$tmp"
for name in tcp-hello tcp-retx udp-hello; do
	mkdir -p "tests/render/$name"
	cp "$tmp/$name.pcap" "tests/render/$name/trace.pcap"
	cp "$tmp/$name-client.jsonl" "tests/render/$name/events-client.jsonl"
	cp "$tmp/$name-server.jsonl" "tests/render/$name/events-server.jsonl"
	# the path is relative, so capture.file is the same wherever the tree lives
	"$HELLO_BIN/hello-trace" -r "tests/render/$name/trace.pcap" --events "tests/render/$name/events-client.jsonl" \
		--events "tests/render/$name/events-server.jsonl" --notes -o "tests/render/$name/trace.json"
done
"$PYTHON" tests/render/make_fixtures.py
HELLO_UPDATE_GOLDEN=1 "$HELLO_BUILD/tests/test_render"
git status --short tests/render
