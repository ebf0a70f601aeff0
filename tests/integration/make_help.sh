#!/usr/bin/env bash
# tests/integration/make_help.sh: `make help` lists every target of the Makefile's one .PHONY line, each with its text, and names no target that does not exist.
. "$(dirname "$0")/../lib/common.sh"

MK=$HELLO_ROOT/Makefile
phony=$(sed -n 's/^\.PHONY: //p' "$MK")
t_check "one .PHONY line" [ "$(grep -c '^\.PHONY' "$MK")" = 1 ]
help=$(make --no-print-directory -s -C "$HELLO_ROOT" help 2>&1)
t_check "make help exits 0" [ $? = 0 ]
missing="" unknown="" bare=""
for t in $phony; do
	line=$(printf '%s\n' "$help" | grep -E "^make $t( |$)")
	[ -n "$line" ] || missing="$missing $t"
	[ -n "$line" ] && [ -z "$(printf '%s' "${line#make $t}" | tr -d ' ')" ] && bare="$bare $t"
done
for t in $(printf '%s\n' "$help" | sed -n 's/^make \([a-z-]*\) .*/\1/p'); do
	case " $phony " in *" $t "*) ;; *) unknown="$unknown $t" ;; esac
	grep -qE "^$t:" "$MK" || unknown="$unknown $t(no rule)"
done
t_check "every .PHONY target is in make help${missing:+ (missing:$missing)}" [ -z "$missing" ]
t_check "every line of make help says what its target does${bare:+ (bare:$bare)}" [ -z "$bare" ]
t_check "make help names only real targets${unknown:+ (unknown:$unknown)}" [ -z "$unknown" ]
t_done
