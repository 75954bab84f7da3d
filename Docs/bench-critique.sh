#!/usr/bin/env bash
# Times 'LabRunner critique new' for every scenario family and a few seeds (release build), the figures the
# README quotes; the target is under 5 s for each.
# Usage: Docs/bench-critique.sh [SEEDS]   (default 3: seeds 1..3)
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product LabRunner >/dev/null
LR="$PWD/.build/release/LabRunner"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
SEEDS="${1:-3}"

families=$("$LR" critique list --json | python3 -c 'import json, sys; print(" ".join(f["name"] for f in json.load(sys.stdin)))')
printf '%-14s %s\n' family "wall time per seed (s)"
for family in $families; do
    times=()
    for seed in $(seq 1 "$SEEDS"); do
        start=$(date +%s.%N)
        "$LR" critique new "$family" --seed "$seed" --out "$WORK/$family-$seed" --key "$WORK/$family-$seed.key" >/dev/null
        end=$(date +%s.%N)
        times+=("$(python3 -c "print(f'{$end - $start:.2f}')")")
    done
    printf '%-14s %s\n' "$family" "${times[*]}"
done
