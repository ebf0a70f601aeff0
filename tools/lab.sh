#!/usr/bin/env bash
# tools/lab.sh: what `make lab` runs (placeholder until the hello exchange exists).
echo "make lab: nothing to run yet"
