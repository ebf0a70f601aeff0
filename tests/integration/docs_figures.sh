#!/usr/bin/env bash
# tests/integration/docs_figures.sh: every figure block of README.md and docs/*.md (a line
# `<!-- figures: COMMAND -->` before a fenced block) is what COMMAND prints from its committed
# saved output (tools/docfigures.py), so no figure there is typed by hand or left behind its data.
. "$(dirname "$0")/../lib/common.sh"

cd "$HELLO_ROOT" || exit 1
n=$(cat README.md docs/*.md | grep -c '^<!-- figures: ')
t_checker "figures" "$PYTHON" tools/docfigures.py --check
t_check "every figure block was checked ($(grep -c '^ok' "$T_CHECKER_OUT") of $n)" \
	[ "$(grep -c "^ok" "$T_CHECKER_OUT")" = "$n" -a "$n" -ge 1 ]
t_done
