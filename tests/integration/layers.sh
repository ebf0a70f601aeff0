#!/usr/bin/env bash
# tests/integration/layers.sh: the layering check (tools/layers.py, docs/architecture.md) passes on the tree and fails on a copy with a wrong include, a circle or a long file.
. "$(dirname "$0")/../lib/common.sh"

CHECK=$HELLO_ROOT/tools/layers.py
S=$(mktemp -d "${TMPDIR:-/tmp}/hello-layers.XXXXXX") || exit 1
t_on_exit 'rm -rf "$S"'

"$PYTHON" "$CHECK" --root "$HELLO_ROOT" >"$S/tree.out" 2>&1; rc=$?
t_check "the tree follows the layers (exit 0)" [ $rc = 0 ]
[ $rc = 0 ] || sed 's/^/  | /' "$S/tree.out"

# broken NAME WANT-TEXT: a copy of the source folders, changed by the commands on stdin,
# must make the check exit 1 naming the problem.
broken() {
	local name=$1 want=$2 d=$S/$1 rc
	mkdir -p "$d"
	for f in core net tcp udp trace kernel view runner bench; do cp -r "$HELLO_ROOT/$f" "$d/"; done
	(cd "$d" && bash) || { t_fail "$name: could not set the copy up"; return; }
	"$PYTHON" "$CHECK" --root "$d" >"$S/$name.out" 2>&1; rc=$?
	if [ $rc = 1 ] && grep -qF -- "$want" "$S/$name.out"; then
		t_ok "$name: exit 1, says '$want'"
	else
		t_fail "$name: exit $rc (want 1), '$want' not said:"
		sed 's/^/  | /' "$S/$name.out" | tail -5
	fi
}

broken core-up 'core/addr.c:2: includes trace/model.h: core/ may include core' <<'SH'
sed -i '1a #include "trace/model.h"' core/addr.c
SH
broken view-model 'includes trace/model.h: view/ may include core, view' <<'SH'
sed -i '1a #include "trace/model.h"' view/ladder_row.c
SH
broken circle 'include circle: view/ladder -> view/ladder_call -> view/ladder_row -> view/ladder' <<'SH'
sed -i 's|#include <stddef.h>|#include <stddef.h>\n#include "view/ladder.h"|' view/ladder_row.h
SH
broken long 'core/addr.c: 601 lines, more than 600' <<'SH'
n=$(wc -l <core/addr.c); for ((i = n; i < 601; i++)); do echo "/* filler */"; done >>core/addr.c
SH
broken no-header 'core/extra.c: no core/extra.h: every module has its own header' <<'SH'
printf '/* core/extra.c: a module without its header. */\nint hello_extra(void) { return 0; }\n' >core/extra.c
SH
# Something outside the source folders (a test) may include anything.
mkdir -p "$S/tests-only" && cp -r "$HELLO_ROOT"/{core,trace} "$S/tests-only/" && mkdir -p "$S/tests-only/tests" &&
	printf '#include "trace/model.h"\n' >"$S/tests-only/tests/t.c"
"$PYTHON" "$CHECK" --root "$S/tests-only" >/dev/null 2>&1
t_check "tests may include any layer (exit 0)" [ $? = 0 ]
t_done
