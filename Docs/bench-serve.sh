#!/usr/bin/env bash
# Load test of 'LabRunner serve' on loopback with wrk (installed from Debian's packages when missing):
# keep-alive throughput and latency, then the same load while production flips back and forth.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
swift build -c release --product LabRunner >/dev/null
LR="$PWD/.build/release/LabRunner"
WORK="$(mktemp -d)"
PORT="${PORT:-18777}"
trap 'kill $SERVER 2>/dev/null; rm -rf "$WORK"' EXIT
"$LR" init "$WORK/ws" >/dev/null
cd "$WORK/ws"
"$LR" register --root --owner bench --reason baseline >/dev/null
"$LR" promote '#1' --approver bench >/dev/null
echo "A cosmetic note." >> system/prompt.md
"$LR" register --parent '#1' --owner bench --reason note >/dev/null
cat > "$WORK/ask.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"text": "where is my order LL-48213", "seed": 1}'
wrk.headers["Content-Type"] = "application/json"
LUA
"$LR" serve --port "$PORT" > "$WORK/serve.log" 2>&1 &
SERVER=$!
sleep 1
echo "== keep-alive load, 2 threads, 16 connections, 10 s"
wrk -t2 -c16 -d10s --latency -s "$WORK/ask.lua" "http://127.0.0.1:$PORT/v1/ask" | grep -E "Requests/sec|Latency|99%|Non-2xx|Socket errors"
echo "== 30 s load with 100 alternating promote/rollback moves"
( for n in $(seq 1 50); do
    sleep 0.12; "$LR" tag production '#2' --by bench --reason "flip $n" >/dev/null
    sleep 0.12; "$LR" tag production '#1' --by bench --reason "flop $n" >/dev/null
  done ) &
FLIPPER=$!
wrk -t2 -c16 -d30s --latency -s "$WORK/ask.lua" "http://127.0.0.1:$PORT/v1/ask" | grep -E "Requests/sec|Latency|99%|Non-2xx|Socket errors"
wait "$FLIPPER"
echo "moves: $("$LR" log --kind tag.moved --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))') tag events"
echo "memory: $(ps -o rss= -p $SERVER) KiB resident after the runs"
