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
if [ -f complaint.txt ]; then
    # The customer the complaint describes, by their words (any version may have answered them).
    words=$(grep '^words: ' complaint.txt | cut -d' ' -f2-)
    request=$("$L" requests --limit 100000 --json | awk -v words="$words" '
        # The earliest request with those words: the customer wrote before anything this lab sent.
        /^    "at" : / { split($0, part, "\""); at = part[4] }
        /^    "id" : / { split($0, part, "\""); id = part[4] }
        /^    "input" : / { text = $0; sub(/^    "input" : "/, "", text); sub(/",?$/, "", text)
                            if (text == words && (found == "" || at < earliest)) { found = id; earliest = at } }
        END { print found }')
    [ -n "$request" ] || { echo "no request says: $words" >&2; exit 1; }
else
    request=$("$L" requests --limit 1 --json | field id)
fi
"$L" audit "$request" --out answers/04-audit.json
