#!/usr/bin/env bash
# tools/fuzz.sh: builds and runs the libFuzzer harnesses (tests/fuzz/fuzz_*.c) with ASan+UBSan.
#   tools/fuzz.sh build                    build build/fuzz/fuzz_* with clang (incremental)
#   tools/fuzz.sh run SECONDS [NAME ...]   fuzz each harness SECONDS seconds (default: all)
#   tools/fuzz.sh regress [NAME ...]       run each harness once over its seeds and past crashes
# A run starts from the committed seeds (tests/fuzz/corpus/NAME) plus what earlier runs
# found (build/fuzz/corpus/NAME); crashes are written to build/fuzz/crashes/. Exit 1 when
# any harness crashed, leaked or tripped a sanitizer; 77 when clang's libFuzzer is missing.
set -u
cd "$(dirname "$0")/.."
OUT=build/fuzz
: "${FUZZ_CC:=clang}"

all_names() {
	local f
	for f in tests/fuzz/fuzz_*.c; do f=${f##*/}; echo "${f%.c}"; done
}

build() {
	command -v "$FUZZ_CC" >/dev/null || { echo "SKIP: $FUZZ_CC not found (apt-get install clang)"; exit 77; }
	echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; (void)n; return 0; }' |
		"$FUZZ_CC" -x c -fsanitize=fuzzer -o /dev/null - 2>/dev/null ||
		{ echo "SKIP: $FUZZ_CC cannot link -fsanitize=fuzzer (libFuzzer missing)"; exit 77; }
	make --no-print-directory -f tests/fuzz/fuzz.mk -j2 OUT="$OUT" FUZZ_CC="$FUZZ_CC"
}

# Options every run shares: stop on the first finding, small inputs for packets and text.
fuzz_opts() {
	local name=$1
	printf '%s\n' -timeout=10 -error_exitcode=1 -timeout_exitcode=1 -rss_limit_mb=1024 -print_final_stats=1 \
		"-artifact_prefix=$OUT/crashes/$name-"
	case $name in
	fuzz_offline) echo -max_len=65536 ;;
	fuzz_addr) echo -max_len=300 ;;
	*) echo -max_len=4096 ;;
	esac
	[ -f "tests/fuzz/$name.dict" ] && echo "-dict=tests/fuzz/$name.dict"
}

run() {
	local secs=$1 name rc fail=0 opts
	shift
	mkdir -p "$OUT/crashes"
	local names=("$@")
	[ $# -gt 0 ] || mapfile -t names < <(all_names)
	for name in "${names[@]}"; do
		mkdir -p "$OUT/corpus/$name"
		mapfile -t opts < <(fuzz_opts "$name")
		echo "=== $name: $secs s"
		local t0=$SECONDS
		# The corpus dirs: new inputs go to the first (build/), the seeds are only read.
		ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 UBSAN_OPTIONS=print_stacktrace=1 \
			"$OUT/$name" "${opts[@]}" -max_total_time="$secs" \
			"$OUT/corpus/$name" "tests/fuzz/corpus/$name" >"$OUT/$name.log" 2>&1
		rc=$?
		grep -aE 'stat::number_of_executed_units|stat::peak_rss_mb' "$OUT/$name.log" | tr '\n' ' '
		echo
		if [ $rc -ne 0 ]; then
			fail=1
			echo "FAIL: $name exited $rc after $((SECONDS - t0)) s; the report:"
			grep -aE 'ERROR|SUMMARY|runtime error|Test unit written' "$OUT/$name.log" | head -20
		else
			echo "ok: $name ran $((SECONDS - t0)) s, corpus $(ls "$OUT/corpus/$name" | wc -l) new + $(ls "tests/fuzz/corpus/$name" | wc -l) seeds"
		fi
	done
	return $fail
}

regress() {
	local name fail=0 inputs names=("$@")
	[ $# -gt 0 ] || mapfile -t names < <(all_names)
	for name in "${names[@]}"; do
		inputs=("tests/fuzz/corpus/$name"/*)
		[ -d "tests/fuzz/crashes/$name" ] && inputs+=("tests/fuzz/crashes/$name"/*)
		if ASAN_OPTIONS=detect_leaks=1 "$OUT/$name" -error_exitcode=1 -runs=0 "${inputs[@]}" >"$OUT/$name.regress.log" 2>&1; then
			echo "ok: $name: ${#inputs[@]} inputs"
		else
			fail=1
			echo "FAIL: $name over its seeds and crashes:"
			grep -aE 'ERROR|SUMMARY|runtime error|Running' "$OUT/$name.regress.log" | tail -10
		fi
	done
	return $fail
}

case "${1:-}" in
build) build ;;
run) [ $# -ge 2 ] || { echo "usage: $0 run SECONDS [NAME ...]" >&2; exit 2; }
	build || exit $?; shift; run "$@" ;;
regress) build || exit $?; shift; regress "$@" ;;
*) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
