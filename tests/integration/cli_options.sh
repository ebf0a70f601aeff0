#!/usr/bin/env bash
# tests/integration/cli_options.sh: every command line's --help lists exactly the long options
# it takes, each with its text, and a bad number is a usage error naming its option.
# Nothing here gets past option parsing: no network, no root.
source "$(dirname "$0")/../lib/common.sh"
# Some 600 runs that each end in option parsing: a check of the tables, not of memory. The
# parser itself runs under the sanitizers in test_core_opt.
[ -n "${HELLO_SANITIZED:-}" ] && t_skip "about 600 short runs of the option tables; the plain pass ran them and test_core_opt checks the parser under ASan"
t_workdir hello-cli-options

# Every program, and every subcommand with a command line of its own.
CMDS=(hello-tcp-server hello-tcp-client hello-udp-server hello-udp-client hello-bench
	hello-bench-epoll hello-bench-udp hello-bench-mkpcap hello-trace "hello-trace render"
	hello-lab "hello-lab list" "hello-lab show" "hello-lab run" "hello-lab check" "hello-lab compare")
# The value names of the options that take a number.
NUMERIC=" N MS SEC PORT KIB PERCENT R "
# Out of range for every option, and for strtol too.
HUGE=99999999999999999999999

# run CMD ARGS...: runs CMD (a program, or "program subcommand") with a time bound; its
# output in OUT, its exit status in RC. Every run here must be a usage error (exit 2):
# anything else is kept in $W/odd.
run() {
	local cmd=$1; shift
	# shellcheck disable=SC2086
	timeout 10 "$HELLO_BIN"/$cmd "$@" >"$W/out" 2>&1 </dev/null
	RC=$?
	OUT=""
	IFS= read -r -d '' OUT <"$W/out"
	[ "$RC" = 2 ] || echo "$cmd $*: exit $RC, not 2: $OUT" >>"$W/odd"
}

# listed FILE: "NAME VALUE" for each long option of a --help text's first Options section
# (VALUE "-" for a flag): hello-lab's sections for its commands are not its own options.
listed() {
	awk '/^Options:$/ { on = 1; next } on && /^$/ { exit }
		on && match($0, /^  (-[[:alnum:]], )?--[a-z0-9][a-z0-9-]*/) {
			flag = substr($0, RSTART, RLENGTH); sub(/^ *(-[[:alnum:]], )?--/, "", flag)
			rest = substr($0, RLENGTH + 1); val = "-"
			if (rest ~ /^ [^ ]/) { split(substr(rest, 2), w, " "); val = w[1] }
			print flag, val }' "$1" | sort
}

# untexted FILE: the option lines of a --help text with no text: "  %-26s %s" puts it at
# column 30, or on the next line there when the flag is longer.
untexted() {
	awk 'function texted(l) { return substr(l, 29, 1) == " " && substr(l, 30, 1) ~ /[^ ]/ }
		wrapped != "" && !(texted($0) && substr($0, 1, 28) ~ /^ *$/) { print wrapped }
		{ wrapped = "" }
		/^  -/ && !texted($0) { wrapped = $0 }
		END { if (wrapped != "") print wrapped }' "$1"
}

# accepted CMD: the long options CMD takes, one per line, asked of getopt itself: each
# letter and digit as an abbreviation, "--a=-@ -@" (a value and an unknown option after it,
# so that nothing runs). Unknown: no option starts with it. Ambiguous: the message lists
# them. A flag: "takes no value" names it. One with a value: "--a" alone, its value missing,
# names it.
accepted() {
	local c
	for c in {a..z} {0..9}; do
		run "$1" "--$c=-@" -@
		if [[ $OUT == *"unknown option '--$c'"* ]]; then
			continue
		elif [[ $OUT =~ option\ \'--$c\'\ is\ ambiguous:\ ([^$'\n']*) ]]; then
			tr -d ' ' <<<"${BASH_REMATCH[1]}" | tr ',' '\n' | sed 's/^--//'
		elif [[ $OUT =~ option\ \'--([a-z0-9-]+)\'\ takes\ no\ value ]]; then
			echo "${BASH_REMATCH[1]}"
		else
			run "$1" "--$c"
			if [[ $OUT =~ option\ \'--([a-z0-9-]+)\'\ needs\ a\ value ]]; then
				echo "${BASH_REMATCH[1]}"
			else
				echo "$1 --$c: neither unknown, ambiguous, a flag nor a value: $OUT" >>"$W/odd"
			fi
		fi
	done | sort -u
}

for cmd in "${CMDS[@]}"; do
	bin=${cmd%% *}
	k=${cmd// /_}
	if [ ! -x "$HELLO_BIN/$bin" ]; then
		t_fail "$HELLO_BIN/$bin is missing (run make)"
		continue
	fi
	# shellcheck disable=SC2086
	"$HELLO_BIN"/$cmd --help >"$W/$k.help" 2>&1
	t_check "$cmd --help: exit 0" [ $? = 0 ]
	listed "$W/$k.help" >"$W/$k.listed"
	t_check "$cmd --help: lists options" [ -s "$W/$k.listed" ]
	bare=$(untexted "$W/$k.help")
	t_check "$cmd --help: every option has its text${bare:+ (not: $bare)}" [ -z "$bare" ]
	accepted "$cmd" >"$W/$k.accepted"
	t_check "$cmd: takes at least one long option" [ -s "$W/$k.accepted" ]
	diff=$(diff <(cut -d' ' -f1 "$W/$k.listed") "$W/$k.accepted" | grep '^[<>]' | paste -sd ' ')
	t_check "$cmd: --help lists exactly the long options it takes${diff:+ (< listed only, > taken only: $diff)}" \
		[ -z "$diff" ]
	# A bad number: exit 2, and the message names the option and the value.
	while read -r name val; do
		case "$NUMERIC" in *" $val "*) ;; *) continue ;; esac
		run "$cmd" "--$name" x
		t_check "$cmd --$name x: exit 2, \"--$name: 'x' is not a number\"" \
			[ "$RC" = 2 -a -n "$(grep -F -- "--$name: 'x' is not a number" "$W/out")" ]
		run "$cmd" "--$name" "$HUGE"
		t_check "$cmd --$name $HUGE: exit 2, out of range" \
			[ "$RC" = 2 -a -n "$(grep -F -- "--$name: $HUGE is out of range" "$W/out")" ]
	done <"$W/$k.listed"
done
t_check "every run ended in a usage error (exit 2)" [ ! -s "$W/odd" ]
[ -s "$W/odd" ] && cat "$W/odd"

# A usage error says what and where the help is.
run "hello-lab run" --loss 101 x
t_check "hello-lab run --loss 101: the range, then where the help is" [ "$OUT" = "hello-lab run: --loss: 101 is out of range 1..100
Try 'hello-lab run --help'.
" ]

t_done
