#!/usr/bin/env bash
# Lab 01: the composite baseline, then a change to the prompt alone.
source "$(dirname "$0")/../lib.sh"
"$L" register --root --owner "$ME" --reason "baseline: the bundled support assistant"
baseline=$(latest)
echo "Reviewed by the support experience team in November." >> system/prompt.md
"$L" register --parent "$baseline" --owner "$ME" --reason "prompt note: who reviewed it"
"$L" diff "$baseline" "$(latest)"
