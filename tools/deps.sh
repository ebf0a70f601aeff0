#!/bin/sh
# tools/deps.sh: checks the Debian packages hellolab builds and tests with; installs the
# missing ones as root (one apt-get update, one apt-get install), otherwise prints the line.
set -u

BUILD_PKGS="gcc make pkg-config libpcap-dev libjansson-dev libcmocka-dev"
# What the suites run: ip/ss/tc (iproute2), nft, tcpdump, tshark, /usr/bin/python3 with scapy
# and jsonschema, clang and libFuzzer (fuzz_short), pgrep/sysctl (procps), chromium
# (render_browser), unshare/nsenter/flock/taskset (util-linux), script (bsdutils), mount;
# valgrind for make check-valgrind.
TEST_PKGS="iproute2 nftables tcpdump tshark python3 python3-scapy python3-jsonschema clang libclang-rt-14-dev procps chromium util-linux bsdutils mount valgrind"
# Commands that may come from elsewhere than Debian (node from nodesource or nvm brings its
# own npm): present is enough; when absent, Debian's package is installed. COMMAND:PACKAGE.
TEST_CMDS="node:nodejs npm:npm"
PKGS="$BUILD_PKGS $TEST_PKGS"

if ! command -v dpkg-query >/dev/null 2>&1; then
	# Not Debian: check only what the build itself needs, through pkg-config.
	if pkg-config --exists libpcap jansson cmocka 2>/dev/null; then
		exit 0
	fi
	echo "hellolab needs libpcap, jansson and cmocka (with their headers) and pkg-config;" >&2
	echo "install them with your system's package manager, then run make again." >&2
	exit 1
fi

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done
for cp in $TEST_CMDS; do
	command -v "${cp%%:*}" >/dev/null 2>&1 || missing="$missing ${cp#*:}"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "hellolab: missing Debian packages:$missing" >&2
	echo "run as root:  apt-get update && apt-get install -y$missing" >&2
	exit 1
fi

echo "hellolab: installing missing packages:$missing"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer no without a prompt.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections 2>/dev/null || true
if ! apt-get update -q >/dev/null; then
	echo "hellolab: apt-get update failed; cannot install:$missing" >&2
	exit 1
fi
# shellcheck disable=SC2086
if ! apt-get install -y -q --no-install-recommends $missing; then
	echo "hellolab: apt-get install failed for:$missing" >&2
	exit 1
fi
