#!/usr/bin/env bash
# Lab 04: customers meet production over HTTP; every answer names the version that gave it.
source "$(dirname "$0")/../lib.sh"
log=$(mktemp)
"$L" serve --port 0 > "$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; rm -f "$log"' EXIT
url=""
for _ in $(seq 100); do
    url=$(grep -o 'http://[0-9.]*:[0-9]*' "$log" | head -1 || true)
    [ -n "$url" ] && break
    sleep 0.1
done
[ -n "$url" ] || { echo "the service did not start: $(cat "$log")" >&2; exit 1; }
"$L" traffic --target "$url" --requests 200 --rate 500 --seed 4
request=$("$L" requests --limit 1 --json | field id)
"$L" audit "$request" --out answers/04-audit.json
