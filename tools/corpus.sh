#!/usr/bin/env bash
# tools/corpus.sh: hello-trace -r over every capture of a folder: valid JSON, every whole packet, the documented exit status, no sanitizer report.
#   tools/corpus.sh [--bin DIR] [--jsonl] [--render] [--cuts N] [--seed S] [--keep DIR] [--timeout SEC] DIR
# Each *.pcap, *.pcapng, *.cap (any depth) is traced in document mode (-o); with --jsonl also
# as JSON lines; with --render each document is also drawn (text, svg, html, mermaid:
# exit 0, no sanitizer report); with --cuts N also cut at N random offsets (--seed). A file
# passes when hello-trace exits 0, or 3 with stop_reason truncated/read_error and its
# warning, with JSON that validates against docs/trace.schema.json and packets_seen equal
# to `tcpdump --count` of the same file; or exits 1 on a file tcpdump cannot open either.
# Any other exit (a crash, a timeout, 2) or a sanitizer report on stderr fails it.
# Prints one line per file (and cut), a summary; exits 1 when anything failed.
# --bin build/asan/bin runs the sanitizer build (docs/testing.md).
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${HELLO_BIN:-$ROOT/bin} PYTHON=${PYTHON:-/usr/bin/python3}
JSONL=0 RENDER=0 CUTS=0 SEED=$$ KEEP="" LIMIT=60
usage() { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
	case "$1" in
	--bin) BIN=$2; shift ;;
	--jsonl) JSONL=1 ;;
	--render) RENDER=1 ;;
	--cuts) CUTS=$2; shift ;;
	--seed) SEED=$2; shift ;;
	--keep) KEEP=$2; shift ;;
	--timeout) LIMIT=$2; shift ;;
	-h|--help) usage; exit 0 ;;
	-*) echo "corpus.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
	*) break ;;
	esac
	shift
done
[ $# = 1 ] && [ -d "$1" ] || { usage >&2; exit 2; }
DIR=$1
TRACE=$BIN/hello-trace
[ -x "$TRACE" ] || { echo "corpus.sh: $TRACE is not built" >&2; exit 2; }
command -v tcpdump >/dev/null || { echo "corpus.sh: tcpdump is needed (the packet count to compare with)" >&2; exit 2; }
"$PYTHON" -c 'import jsonschema' 2>/dev/null || { echo "corpus.sh: $PYTHON lacks jsonschema" >&2; exit 2; }
[[ "$CUTS" =~ ^[0-9]+$ && "$SEED" =~ ^[0-9]+$ ]] || { echo "corpus.sh: --cuts and --seed take numbers" >&2; exit 2; }

W=$(mktemp -d /tmp/corpus.XXXXXX) || exit 1
trap 'rm -rf "$W"' EXIT
OUT=${KEEP:-$W/out}
mkdir -p "$OUT" || exit 1
# Sanitizer reports go to stderr (and must not be lost to a leak check's exit code alone).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0} UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
RANDOM=$SEED

# run NAME CAPTURE: one capture through hello-trace (and tcpdump --count), one manifest row:
# name, capture, mode, exit, stderr file, output file, tcpdump's count or -1 if it could not open.
run() {
	local name=$1 cap=$2 mode n rc out err td
	td=$(tcpdump --count -r "$cap" 2>"$W/td.err" | sed -n 's/^\([0-9]*\) packets\{0,1\}$/\1/p')
	grep -q "^reading from file" "$W/td.err" || td=-1
	for mode in doc $([ "$JSONL" = 1 ] && echo jsonl); do
		out=$OUT/$name.$mode err=$OUT/$name.$mode.err
		if [ "$mode" = doc ]; then
			timeout -s KILL "$LIMIT" "$TRACE" --no-kernel -r "$cap" -o "$out" 2>"$err"
		else
			timeout -s KILL "$LIMIT" "$TRACE" --no-kernel -r "$cap" --jsonl -o "$out" 2>"$err"
		fi
		rc=$?
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$cap" "$mode" "$rc" "$err" "$out" "${td:--1}" >>"$W/manifest"
		[ "$mode" = doc ] && [ "$RENDER" = 1 ] && { [ "$rc" = 0 ] || [ "$rc" = 3 ]; } && draw "$name" "$cap" "$out"
	done
}

# draw NAME CAPTURE DOC: the document through every renderer; a manifest row each.
draw() {
	local fmt rc
	for fmt in text svg html mermaid; do
		timeout -s KILL "$LIMIT" "$TRACE" render -f "$fmt" "$3" >/dev/null 2>"$OUT/$1.$fmt.err"
		rc=$?
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "render-$fmt" "$rc" "$OUT/$1.$fmt.err" - - >>"$W/manifest"
	done
}

: >"$W/manifest"
n=0
while IFS= read -r -d '' cap; do
	n=$((n + 1))
	name=$(printf '%04d-%s' "$n" "$(basename "$cap")")
	run "$name" "$cap"
	size=$(stat -c %s "$cap")
	for ((i = 0; i < CUTS && size > 1; i++)); do
		off=$(((RANDOM * 32768 + RANDOM) % (size - 1) + 1))
		head -c "$off" "$cap" >"$W/cut"
		cp "$W/cut" "$OUT/$name.cut$off"
		run "$name.cut$off" "$OUT/$name.cut$off"
	done
done < <(find "$DIR" -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \) -print0 | sort -z)
[ "$n" -gt 0 ] || { echo "corpus.sh: no *.pcap, *.pcapng or *.cap under $DIR" >&2; exit 2; }
echo "corpus.sh: $n captures$([ "$CUTS" -gt 0 ] && echo ", $CUTS cuts each (--seed $SEED)")$([ "$JSONL" = 1 ] && echo ", document and --jsonl"), $TRACE"
"$PYTHON" "$ROOT/tools/corpus_check.py" "$ROOT/docs/trace.schema.json" "$W/manifest"
