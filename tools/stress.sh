#!/usr/bin/env bash
# tools/stress.sh: `make stress`: the long forms of the hardening suites, each timed by tests/run:
# 10,000 idle connections (hostile.sh), 1,000,000 distinct flows (trace_fire.sh) and 500
# signals at random moments of a live capture (trace_fire_signals.sh). Needs root (namespaces).
# The sizes can be set: HOSTILE_IDLE, TRACE_FIRE_FLOWS, TRACE_FIRE_SIGNALS.
set -u
cd "$(dirname "$0")/.."
export HOSTILE_IDLE=${HOSTILE_IDLE:-10000}
export TRACE_FIRE_FLOWS=${TRACE_FIRE_FLOWS:-1000000}
export TRACE_FIRE_SIGNALS=${TRACE_FIRE_SIGNALS:-500}
echo "stress: $HOSTILE_IDLE idle connections, $TRACE_FIRE_FLOWS flows, $TRACE_FIRE_SIGNALS signals"
exec bash tests/run --label stress tests/integration/hostile.sh tests/integration/trace_fire.sh \
	tests/integration/trace_fire_signals.sh
