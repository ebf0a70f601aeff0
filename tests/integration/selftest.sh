#!/usr/bin/env bash
# tests/integration/selftest.sh: the tests of the tests. Small sub-suites built on the real
# helpers (tests/lib/common.sh) and run by the real tests/run, each against a deliberately
# broken checker, background program, skip or golden file, must fail (or skip) for the
# right reason; their sound twins must pass. No network, no privileges; a few seconds.
. "$(dirname "$0")/../lib/common.sh"

# What it tests is shell (the helpers, tests/run), the same in the sanitizer pass.
[ -n "${HELLO_SANITIZED:-}" ] && t_skip "the helpers it tests are shell; the plain pass ran it"

: "${HELLO_BUILD:=$HELLO_ROOT/build}"
S=$(mktemp -d "${TMPDIR:-/tmp}/hello-selftest.XXXXXX") || exit 1
t_on_exit 'rm -rf "$S"'

# sub NAME WANT-EXIT WANT-TEXT < BODY: writes the sub-suite S/NAME.sh (BODY after sourcing
# common.sh), runs it in a folder of its own, and checks its exit status and that its
# output holds WANT-TEXT.
sub() {
	local name=$1 want=$2 text=$3 rc
	mkdir "$S/$name"
	{ echo '. "$HELLO_ROOT/tests/lib/common.sh"'; cat; } >"$S/$name.sh"
	(cd "$S/$name" && bash "$S/$name.sh" </dev/null >"$S/$name.out" 2>&1)
	rc=$?
	if [ "$rc" = "$want" ] && grep -qF -- "$text" "$S/$name.out"; then
		t_ok "$name: exit $rc, says '$text'"
	else
		t_fail "$name: exit $rc (want $want), '$text' $(grep -qF -- "$text" "$S/$name.out" || echo "not ")said; its output:"
		sed 's/^/  | /' "$S/$name.out" | tail -15
	fi
}

# --- Checkers (t_checker): whatever is not "ok:", "FAIL:" or "note:" fails the suite.
sub checker-sound 0 "ok: sound: b" <<'EOF'
t_checker sound "$PYTHON" -c 'print("ok: a"); print("note: by the way"); print("ok: b")'
t_done
EOF
sub checker-raises 1 "checker said: Traceback" <<'EOF'
t_checker raises "$PYTHON" -c 'print("ok: a"); raise RuntimeError("a bug in the checker")'
t_done
EOF
sub checker-prints-skip 1 "checker said: SKIP: no kernel source" <<'EOF'
t_checker skips "$PYTHON" -c 'print("ok: a"); print("SKIP: no kernel source")'
t_done
EOF
sub checker-exits-1-silently 1 "exited 1 with 0 check(s)" <<'EOF'
t_checker silent "$PYTHON" -c 'import sys; sys.exit(1)'
t_ok "something else passed"
t_done
EOF
sub checker-exits-1-after-ok 1 "exited 1 with 1 check(s)" <<'EOF'
t_checker quits "$PYTHON" -c 'import sys; print("ok: a"); sys.exit(1)'
t_done
EOF
sub checker-stray-line 1 "checker said: 3 packets" <<'EOF'
t_checker stray "$PYTHON" -c 'print("ok: a"); print("3 packets")'
t_done
EOF
sub checker-checks-nothing 1 "exited 0 with 0 check(s)" <<'EOF'
t_checker empty "$PYTHON" -c 'pass'
t_ok "something else passed"
t_done
EOF

# --- A signal to a program the moment it starts reaches a copy of the suite's shell that has
# not exec'd the program yet: that copy must die as the program would, never run the suite's
# end (its folder removed under it, its background programs killed).
sub signal-at-once 0 "the folder and the server outlived 100 programs stopped at once" <<'EOF'
mkdir keep && t_on_exit 'rm -rf "$PWD/keep"'
t_bg sh -c 'trap "exit 0" TERM; touch up; while :; do sleep 0.05; done' >"$PWD/server.log" 2>&1
server=$!
t_wait_file up "$server"
for i in $(seq 100); do
	sleep 5 2>/dev/null &
	kill -TERM $!
	wait $! 2>/dev/null
done
t_check "the folder and the server outlived 100 programs stopped at once" \
	sh -c "[ -d '$PWD/keep' ] && kill -0 $server"
t_done
EOF
t_check "signal-at-once: the suite's own end still removed its folder" [ ! -e "$S/signal-at-once/keep" ]

# --- Background programs (t_bg, t_stop, t_wait_bg, t_done): exit status and sanitizer output.
# The fake servers say they are ready (their SIGTERM trap set) by touching a file, as ours
# listen on their port before a suite goes on.
# A server that stops cleanly on SIGTERM, and a plain program whose 143 was declared.
sub bg-sound 0 "ended after SIGTERM with exit 143" <<'EOF'
t_bg sh -c 'trap "exit 0" TERM; touch up; while :; do sleep 0.05; done' >"$PWD/server.log" 2>&1
p=$!
t_wait_file up $p
t_stop $p
t_bg --exit 143 sh -c 'touch up2; exec sleep 20'
t_wait_file up2 $!
t_done
EOF
sub bg-segv-on-stop 1 "ended after SIGTERM with exit 139, not 0" <<'EOF'
t_bg sh -c 'trap "kill -SEGV \$\$" TERM; touch up; while :; do sleep 0.05; done'
p=$!
t_wait_file up $p
t_stop $p
t_done
EOF
sub bg-segv-unwatched 1 "ended after SIGTERM with exit 139, not 0" <<'EOF'
# It crashes on its own; nobody looks until t_done stops what is left.
t_bg sh -c 'kill -SEGV $$'
while kill -0 $! 2>/dev/null; do sleep 0.01; done
t_ok "the suite's own checks pass"
t_done
EOF
sub bg-asan-report-in-log 1 "a sanitizer report in its output" <<'EOF'
t_bg sh -c 'echo "==7==ERROR: AddressSanitizer: heap-use-after-free on address 0x6020" >&2
	trap "exit 0" TERM; touch up; while :; do sleep 0.05; done' >"$PWD/server.log" 2>&1
p=$!
t_wait_file up $p
t_stop $p
t_done
EOF
sub bg-ubsan-report-unredirected 1 "runtime error: signed integer overflow" <<'EOF'
t_bg sh -c 'echo "x.c:3:5: runtime error: signed integer overflow" >&2; exit 0'
t_wait_bg $!
t_done
EOF
sub bg-leak-report-at-done 1 "ERROR: LeakSanitizer: detected memory leaks" <<'EOF'
t_bg sh -c 'trap "echo ==9==ERROR: LeakSanitizer: detected memory leaks >&2; exit 0" TERM
	touch up; while :; do sleep 0.05; done' >/dev/null 2>&1
t_wait_file up $!
t_ok "the suite's own checks pass"
t_done
EOF
sub bg-wrong-exit 1 "ended on its own with exit 3, not 0" <<'EOF'
t_bg sh -c 'exit 3'
t_wait_bg $!
t_done
EOF

# --- Skips: a skip never hides a failure.
sub skip-sound 77 "SKIP: no such device here" <<'EOF'
t_ok "a first check"
t_skip "no such device here"
EOF
sub skip-after-failure 1 "1 check(s) failed before the suite skipped (no such device here)" <<'EOF'
t_fail "a first check"
t_skip "no such device here"
EOF
sub skip-after-crash 1 "ended after SIGTERM with exit 139" <<'EOF'
t_bg sh -c 'kill -SEGV $$'
while kill -0 $! 2>/dev/null; do sleep 0.01; done
t_skip "no such device here"
EOF

# --- tests/run: in CI a skip fails unless listed; a cmocka binary whose tests all skipped is skipped.
RUN=$HELLO_ROOT/tests/run
printf '. "$HELLO_ROOT/tests/lib/common.sh"\nt_skip "not here"\n' >"$S/skipper.sh"
cp "$S/skipper.sh" "$S/fuzz_short.sh"
run() {	# run WANT-EXIT WANT-TEXT [ENV=...] tests/run ARGS...
	local want=$1 text=$2 rc; shift 2
	env "$@" >"$S/run.out" 2>&1 </dev/null
	rc=$?
	if [ "$rc" = "$want" ] && grep -qF -- "$text" "$S/run.out"; then
		t_ok "tests/run ${*: -1}: exit $rc, '$text'"
	else
		t_fail "tests/run $*: exit $rc (want $want, '$text'); its output:"
		sed 's/^/  | /' "$S/run.out" | tail -8
	fi
}
run 0 "suites: 0 passed, 0 failed, 1 skipped" CI= bash "$RUN" "$S/skipper.sh"
run 1 "suites: 0 passed, 1 failed, 0 skipped" CI=true bash "$RUN" "$S/skipper.sh"
run 0 "may skip in CI: its harnesses carry" CI=true bash "$RUN" --label asan "$S/fuzz_short.sh"
run 1 "suites: 0 passed, 1 failed, 0 skipped" CI=true bash "$RUN" "$S/fuzz_short.sh"
cat >"$S/allskip.c" <<'EOF'
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
static void needs_root(void **state) { (void)state; skip(); }
static void needs_ipv6(void **state) { (void)state; skip(); }
int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(needs_root), cmocka_unit_test(needs_ipv6) };
	return cmocka_run_group_tests_name("allskip", tests, NULL, NULL);
}
EOF
if ${CC:-cc} -o "$S/test_allskip" "$S/allskip.c" $(pkg-config --cflags --libs cmocka 2>/dev/null || echo -lcmocka) 2>"$S/cc.err"; then
	run 0 "skipped in" CI= bash "$RUN" "$S/test_allskip"
	run 1 "may not skip" CI=true bash "$RUN" "$S/test_allskip"
else
	t_fail "a cmocka binary builds: $(head -3 "$S/cc.err")"
fi

# --- Goldens: HELLO_UPDATE_GOLDEN makes test_render fail, and it writes nothing.
sums() { cat "$HELLO_ROOT"/tests/render/*/expected* | md5sum; }
before=$(sums)
HELLO_UPDATE_GOLDEN=1 "$HELLO_BUILD/tests/test_render" >"$S/golden.out" 2>&1
rc=$?
t_check "test_render with HELLO_UPDATE_GOLDEN set fails (exit $rc) and says why" \
	bash -c "[ $rc != 0 ] && grep -q 'HELLO_UPDATE_GOLDEN is set' '$S/golden.out'"
t_check "test_render with HELLO_UPDATE_GOLDEN set writes no golden file" [ "$(sums)" = "$before" ]

t_done
