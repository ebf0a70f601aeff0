# shellcheck shell=bash
# tests/lib/sanitizer.sh: what AddressSanitizer, LeakSanitizer and UBSan print when they find
# something, and a reader for it. Sourced by tests/lib/common.sh and tools/bench.sh.
T_SAN_RE='ERROR: AddressSanitizer|LeakSanitizer|runtime error:|ERROR: UndefinedBehaviorSanitizer'

# t_san_report FILE [OFFSET]: prints the sanitizer reports in FILE (from byte OFFSET on).
t_san_report() { tail -c +"$((${2:-0} + 1))" "$1" 2>/dev/null | grep -aE -m 20 -A 3 "$T_SAN_RE"; }
