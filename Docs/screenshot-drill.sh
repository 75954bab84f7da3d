#!/usr/bin/env bash
# Renders the drill dashboard (GET /drill on the drill's service) in headless Chromium mid-drill, after the alarm
# has fired and the commander has acknowledged it, so the room's big screen can be checked as a picture.
# Usage: Docs/screenshot-drill.sh [OUTPUT.png]   (default: drill-screenshot.png in the current folder)
# Needs chromium (or chromium-browser / google-chrome) on PATH; CI does not run this. Takes about a minute.
set -euo pipefail
OUT="$(realpath -m "${1:-drill-screenshot.png}")"
cd "$(dirname "$0")/.."
BROWSER="$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)"
if [ -z "$BROWSER" ]; then
    echo "Error: no chromium on PATH; install it (for example 'apt-get install chromium') and run again." >&2
    exit 1
fi
swift build -c release --product LabRunner >/dev/null
# The real path: a drill runs its children from the resolved binary (/proc/self/exe), so pgrep can find them.
LR="$(realpath .build/release/LabRunner)"
WORK="$(mktemp -d)"
DRILL=""
cleanup() {
    if [ -n "$DRILL" ] && kill -0 "$DRILL" 2>/dev/null; then kill -INT "$DRILL"; wait "$DRILL" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT
cd "$WORK"
"$LR" init room >/dev/null
cd room
# The fault ships 20–25 s in; the monitor compares 20 s windows, so the alarm follows within about a minute.
"$LR" drill start --fault prompt --seed 7 --window 25s --as gm >"$WORK/drill.log" 2>&1 &
DRILL=$!
URL=""
for _ in $(seq 1 300); do
    URL="$(python3 -c 'import json; print(json.load(open(".labrunner/drills/active.json")).get("url") or "")' 2>/dev/null || true)"
    [ -n "$URL" ] && break
    sleep 0.1
done
[ -n "$URL" ] || { echo "Error: the drill did not start; see its output:" >&2; cat "$WORK/drill.log" >&2; exit 1; }
cd drills/D-0001
"$LR" drill join commander --as ana >/dev/null
"$LR" drill join scribe --as sam >/dev/null
"$LR" drill join operator --as omar >/dev/null
# Acknowledge as soon as there is an alarm to acknowledge (refused, writing nothing, until then).
for _ in $(seq 1 120); do
    "$LR" drill ack --as ana >/dev/null 2>&1 && break
    sleep 1
done
"$LR" drill status --once | grep -q "acknowledged .* ana" || { echo "Error: no alarm was acknowledged." >&2; exit 1; }
sleep 4
# One big screen: 1920×1080.
"$BROWSER" --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1920,1080 \
    --screenshot="$OUT" "$URL/drill" >/dev/null 2>&1
"$LR" drill end --as ana >/dev/null
wait "$DRILL"
DRILL=""
# The drill's service, traffic and monitor stop with it.
sleep 0.5
if pgrep -f "$LR" >/dev/null; then
    echo "Error: LabRunner processes are left after the drill ended:" >&2
    pgrep -af "$LR" >&2
    exit 1
fi
echo "$OUT"
