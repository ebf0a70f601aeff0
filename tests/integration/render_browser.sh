#!/usr/bin/env bash
# tests/integration/render_browser.sh: the pictures in a real browser: the Mermaid text rendered
# by the real mermaid library (npm mermaid@11) in Debian's headless chromium, never a "Syntax
# error in text"; the HTML reports and the compare page load with no console error, make no
# network request, show an event on click, and step with → (the note changes each time, the
# row is highlighted, "back" goes back); the SVGs draw their arrows. Screenshots go to
# $HELLO_BUILD/render-shots/. Skips (77) only when chromium, node/npm or the npm packages
# cannot be had.
source "$(dirname "$0")/../lib/common.sh"

# The browser and its page scripts are the same in both passes; the sanitized hello-trace
# draws every format in render.sh and test_render. make test keeps its 10 minutes.
[ -n "${HELLO_SANITIZED:-}" ] && t_skip "the browser check ran in the plain pass; the sanitized renderers run in render.sh"
TRACE="$HELLO_BIN/hello-trace"
FIX="$HELLO_ROOT/tests/render"
CHECKER="$HELLO_ROOT/tools/render-check"
[ -x "$TRACE" ] || t_skip "$TRACE not built"
command -v chromium >/dev/null || t_skip "chromium not installed (make deps installs it)"
command -v node >/dev/null || t_skip "node not installed"
command -v npm >/dev/null || t_skip "npm not installed"

# The npm packages live in one cache shared by the plain and the sanitizer runs (not in git):
# installed from the committed lock file, again only when the lock file changes.
NPM_DIR="$HELLO_ROOT/build/npm"
mkdir -p "$NPM_DIR"
npm_ready() {
	[ -f "$NPM_DIR/node_modules/mermaid/dist/mermaid.min.js" ] &&
		[ -f "$NPM_DIR/node_modules/playwright-core/package.json" ] &&
		cmp -s "$CHECKER/package-lock.json" "$NPM_DIR/.installed-lock"
}
(
	flock -w 300 9 || exit 1
	npm_ready && exit 0
	cp "$CHECKER/package.json" "$CHECKER/package-lock.json" "$NPM_DIR/"
	# --ignore-scripts: no install step may fetch a browser; Debian's chromium is the one used
	(cd "$NPM_DIR" && timeout 300 npm ci --no-audit --no-fund --ignore-scripts --loglevel=error) >"$NPM_DIR/install.log" 2>&1 || exit 1
	cp "$CHECKER/package-lock.json" "$NPM_DIR/.installed-lock"
) 9>"$NPM_DIR/.lock" || { tail -5 "$NPM_DIR/install.log" 2>/dev/null; t_skip "npm could not install mermaid and playwright-core (no registry?)"; }
npm_ready || t_skip "npm packages incomplete in $NPM_DIR"

SHOTS="${HELLO_BUILD:-$HELLO_ROOT/build}/render-shots"
rm -rf "$SHOTS" && mkdir -p "$SHOTS"
TMP=$(mktemp -d)
t_on_exit 'rm -rf "$TMP"'

mmd=() html=() svg=()
for dir in "$FIX"/*/; do
	name=$(basename "$dir")
	[ -f "$dir/trace.json" ] || continue
	n=$(cat "$dir/arrows")
	"$TRACE" render -f mermaid --notes "$dir/trace.json" -o "$TMP/$name.mmd" && mmd+=("$TMP/$name.mmd=$n")
	"$TRACE" render -f html --notes "$dir/trace.json" -o "$TMP/$name.html" && html+=("$TMP/$name.html=$n")
	"$TRACE" render -f svg "$dir/trace.json" -o "$TMP/$name.svg" && svg+=("$TMP/$name.svg=$n")
done
"$TRACE" render --compare "$FIX/tcp-hello/trace.json" "$FIX/udp-hello/trace.json" -o "$TMP/compare.html" &&
	html+=("$TMP/compare.html=30")
t_check "rendered every fixture in every format" test "${#mmd[@]}" -ge 5 -a "${#html[@]}" -ge 6 -a "${#svg[@]}" -ge 5

# check.mjs MODE FILE=ARROWS...: one "ok: ..." / "FAIL: ..." line per check (t_checker).
run_checker() {
	local mode=$1; shift
	HELLO_NPM="$NPM_DIR" timeout 200 node "$CHECKER/check.mjs" "$mode" "$SHOTS" "$@"
}
# Mermaid: rendered by mermaid in chromium, no syntax error, every arrow drawn.
t_checker "Mermaid" run_checker mermaid "${mmd[@]}"
# HTML: no console error, no network request, click shows the event, → steps.
t_checker "HTML" run_checker html "${html[@]}"
# SVG: opens in chromium with every arrow.
t_checker "SVG" run_checker svg "${svg[@]}"
t_check "a screenshot of each picture in $SHOTS" test "$(ls "$SHOTS"/*.png 2>/dev/null | wc -l)" -ge 16

t_done
