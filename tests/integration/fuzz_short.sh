#!/usr/bin/env bash
# tests/integration/fuzz_short.sh: every libFuzzer harness replays its seeds and past crashes, then fuzzes ~10 s.
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

for f in "$HELLO_ROOT"/tests/fuzz/fuzz_*.c; do
	name=${f##*/}; name=${name%.c}
	out=$(bash "$FUZZ" regress "$name" 2>&1)
	t_check "$name: seeds and past crashes replay clean" [ $? = 0 ]
	echo "$out" | grep -v '^  CLANG\|^make' | sed 's/^/  /'
	out=$(bash "$FUZZ" run "$SECS" "$name" 2>&1)
	t_check "$name: $SECS s of fuzzing find nothing" [ $? = 0 ]
	echo "$out" | grep -v '^  CLANG\|^make\|^===' | sed 's/^/  /'
done
t_done
