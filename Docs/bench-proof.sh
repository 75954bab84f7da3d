#!/usr/bin/env bash
# Benchmark of `bundle` and `verify` on the full 13-lab history: lab 12 started (labs 00-11 laid down by
# their reference solutions) and solved, in a temporary folder, with a release build. Prints the figures.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
swift build -c release --product LabRunner >/dev/null
bin="$(swift build -c release --show-bin-path)/LabRunner"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
export NO_COLOR=1 USER=learner
"$bin" lab start 12 >/dev/null
(cd lab-workspace && LABRUNNER="$bin" bash "$repo/Solutions/12-capstone-writeup/solve.sh" >/dev/null)
events=$(wc -l < lab-workspace/.labrunner/registry/events.jsonl)

seconds() { local start end; start=$(date +%s.%N); "$@" >/dev/null || { echo "failed: $*" >&2; exit 1; }; end=$(date +%s.%N); awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f", e - s }'; }
bundle_s=$(seconds "$bin" bundle --out history.tar --workspace lab-workspace)
verify_s=$(seconds "$bin" verify history.tar)
size=$(wc -c < history.tar)
members=$(tar -tf history.tar | wc -l)
printf 'history: 13 labs, %s events; bundle: %s members, %s bytes\n' "$events" "$members" "$size"
printf 'bundle: %.2f s\nverify: %.2f s\n' "$bundle_s" "$verify_s"
awk -v b="$bundle_s" -v v="$verify_s" 'BEGIN { exit !(b < 10 && v < 10) }' || { echo "over the 10 s budget" >&2; exit 1; }
