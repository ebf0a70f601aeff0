#!/usr/bin/env bash
# tests/integration/fuzz_short.sh: every libFuzzer harness replays its seeds and past crashes, then fuzzes ~10 s, one harness per core at a time.
# The long form is `make fuzz FUZZ_SECONDS=N` (tools/fuzz.sh run N).
source "$(dirname "$0")/../lib/common.sh"

# The harnesses carry ASan+UBSan themselves: the sanitizer pass of make test has nothing to add.
[ -n "${HELLO_SANITIZED:-}" ] && t_skip "the fuzzers already run under ASan+UBSan in the plain pass"
SECS=${FUZZ_SHORT_SECONDS:-10}
FUZZ=$HELLO_ROOT/tools/fuzz.sh

out=$(bash "$FUZZ" build 2>&1); rc=$?
[ $rc = 77 ] && t_skip "$(echo "$out" | tail -1)"
t_check "the harnesses build with clang -fsanitize=fuzzer,address,undefined" [ $rc = 0 ]
[ $rc = 0 ] || { echo "$out" | tail -20; t_done; }

names=()
for f in "$HELLO_ROOT"/tests/fuzz/fuzz_*.c; do
	name=${f##*/}; names+=("${name%.c}")
done
for name in "${names[@]}"; do
	out=$(bash "$FUZZ" regress "$name" 2>&1)
	t_check "$name: seeds and past crashes replay clean" [ $? = 0 ]
	echo "$out" | grep -v '^  CLANG\|^make' | sed 's/^/  /'
done
# The harnesses fuzz side by side, one per core: each still gets SECS of a whole core, and
# the suite takes SECS per core's share of the harnesses rather than SECS per harness.
T=$(mktemp -d "${TMPDIR:-/tmp}/fuzz_short.XXXXXX") || exit 1
t_on_exit 'rm -rf "$T"'
JOBS=$(nproc 2>/dev/null || echo 1)
for ((i = 0; i < ${#names[@]}; i += JOBS)); do
	pids=()
	for name in "${names[@]:i:JOBS}"; do
		bash "$FUZZ" run "$SECS" "$name" >"$T/$name.out" 2>&1 &
		pids+=($!)
	done
	k=0
	for name in "${names[@]:i:JOBS}"; do
		wait "${pids[k]}"
		t_check "$name: $SECS s of fuzzing find nothing" [ $? = 0 ]
		grep -v '^  CLANG\|^make\|^===' "$T/$name.out" | sed 's/^/  /'
		k=$((k + 1))
	done
done
t_done
