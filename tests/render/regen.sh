#!/usr/bin/env bash
# tests/render/regen.sh: `make golden`: rebuilds the renderer fixtures and rewrites their golden
# files, then shows what changed. The tests only ever read these files.
#   bash tests/render/regen.sh      (from anywhere; uses $HELLO_BIN, $HELLO_BUILD, $PYTHON)
# Fixed pcaps and socket-call records (scapy, fixed ports/ISNs/times) -> hello-trace -r --events
# --notes -> trace.json; the hand-made traces from make_fixtures.py; then every fixture's
# expected outputs from hello-trace render, with the options tests/integration/render.sh
# compares them with; then test_render, which compares the renderers' own output with them.
set -eu
cd "$(dirname "$0")/../.."
: "${HELLO_BIN:=$PWD/bin}" "${HELLO_BUILD:=$PWD/build}" "${PYTHON:=/usr/bin/python3}"
if [ -n "${HELLO_UPDATE_GOLDEN:-}" ]; then
	echo "regen.sh: HELLO_UPDATE_GOLDEN is no longer read; unset it (make golden is the way)" >&2
	exit 2
fi
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
for dir in tests/render/*/; do
	[ -f "$dir/trace.json" ] || continue
	NO_COLOR=1 "$HELLO_BIN/hello-trace" render "$dir/trace.json" >"$dir/expected.txt"
	"$HELLO_BIN/hello-trace" render --ascii --notes "$dir/trace.json" -o "$dir/expected-ascii-notes.txt"
	"$HELLO_BIN/hello-trace" render --format mermaid "$dir/trace.json" >"$dir/expected.mmd"
done
echo "== what changed (git diff --stat tests/render):"
git --no-pager diff --stat -- tests/render
echo "== the golden files (git diff):"
git --no-pager diff -- 'tests/render/*/expected*'
echo "== test_render against the new golden files:"
"$HELLO_BUILD/tests/test_render"
