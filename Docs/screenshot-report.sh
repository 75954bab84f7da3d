#!/usr/bin/env bash
# Renders the report page of a workspace built by the reference solutions (labs 00–11, laid down by
# 'LabRunner lab start 12') in headless Chromium, so the page can be checked as a picture.
# Usage: Docs/screenshot-report.sh [OUTPUT.png]   (default: report-screenshot.png in the current folder)
# Needs chromium (or chromium-browser / google-chrome) on PATH; CI does not run this.
set -euo pipefail
OUT="$(realpath -m "${1:-report-screenshot.png}")"
cd "$(dirname "$0")/.."
BROWSER="$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)"
if [ -z "$BROWSER" ]; then
    echo "Error: no chromium on PATH; install it (for example 'apt-get install chromium') and run again." >&2
    exit 1
fi
swift build --product LabRunner >/dev/null
LR="$PWD/.build/debug/LabRunner"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
"$LR" lab start 12 >/dev/null
cd lab-workspace
PAGE="$("$LR" report --out "$WORK/page")"
# A second run must give the same bytes.
cp "$PAGE" "$WORK/first.html"
"$LR" report --out "$WORK/page" >/dev/null
cmp -s "$PAGE" "$WORK/first.html" || { echo "Error: two renders of the same registry differ." >&2; exit 1; }
# Tall enough for the whole page; Chromium's default is one screen.
"$BROWSER" --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1000,5200 \
    --screenshot="$OUT" "file://$PAGE" >/dev/null 2>&1
echo "$OUT"
