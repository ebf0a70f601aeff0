#!/usr/bin/env bash
# tests/integration/docs_figures.sh: every figure block of README.md and docs/*.md (a line
# `<!-- figures: COMMAND -->` before a fenced block) is what COMMAND prints from its committed
# saved output (tools/docfigures.py), so no figure there is typed by hand or left behind its data;
# and every lab sheet links the docs that explain what it asks, each link to a file and a
# heading that exist (tools/doclinks.py).
. "$(dirname "$0")/../lib/common.sh"

cd "$HELLO_ROOT" || exit 1
n=$(cat README.md docs/*.md | grep -c '^<!-- figures: ')
t_checker "figures" "$PYTHON" tools/docfigures.py --check
t_check "every figure block was checked ($(grep -c '^ok' "$T_CHECKER_OUT") of $n)" \
	[ "$(grep -c "^ok" "$T_CHECKER_OUT")" = "$n" -a "$n" -ge 1 ]
n_labs=$(ls labs/*/README.md | wc -l)
t_checker "lab sheets" "$PYTHON" tools/doclinks.py .
t_check "every lab sheet's links were checked ($(grep -c '^ok' "$T_CHECKER_OUT") of $n_labs)" \
	[ "$(grep -c "^ok" "$T_CHECKER_OUT")" = "$n_labs" -a "$n_labs" -ge 1 ]
t_done
