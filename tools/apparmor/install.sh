#!/bin/sh
# tools/apparmor/install.sh PATH/bin/hello-lab: installs tools/apparmor/hello-lab for that program and loads it (root).
# What `hello-lab doctor` proposes where AppArmor keeps ordinary users' user namespaces from
# programs without a profile (Ubuntu 23.10 and later). Exit 0 installed, 1 failed, 2 usage.
set -eu
[ $# = 1 ] || { echo "usage: sudo sh tools/apparmor/install.sh /ABSOLUTE/PATH/bin/hello-lab" >&2; exit 2; }
prog=$(readlink -f -- "$1") || { echo "install.sh: $1: no such file" >&2; exit 1; }
[ -f "$prog" ] && [ -x "$prog" ] || { echo "install.sh: $prog: not an executable file" >&2; exit 1; }
# the path goes into the profile as it is: refuse what AppArmor would read as syntax
case "$prog" in *[!A-Za-z0-9/._+-]*) echo "install.sh: $prog: a path with spaces or special characters; build hellolab in a plain path" >&2; exit 1 ;; esac
[ "$(id -u)" = 0 ] || { echo "install.sh: run it as root (sudo): it writes /etc/apparmor.d" >&2; exit 1; }
command -v apparmor_parser >/dev/null ||
	{ echo "install.sh: apparmor_parser not found: this system does not run AppArmor and needs no profile" >&2; exit 1; }
dst=/etc/apparmor.d/hellolab-hello-lab
sed "s#@HELLO_LAB@#$prog#" "$(dirname -- "$0")/hello-lab" >"$dst.tmp"
mv "$dst.tmp" "$dst"
apparmor_parser -r "$dst" || { echo "install.sh: apparmor_parser refused $dst" >&2; exit 1; }
echo "installed $dst for $prog"
echo "to remove it: sudo apparmor_parser -R $dst && sudo rm $dst"
