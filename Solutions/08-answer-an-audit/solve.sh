#!/usr/bin/env bash
# Lab 08: find the request the bad version answered during the incident (the one complaint.txt describes by the
# customer's words, when there is one), audit it and replay it.
source "$(dirname "$0")/../lib.sh"
bad=$("$L" incident list --json | field bad_version)
if [ -f complaint.txt ]; then
    words=$(grep '^words: ' complaint.txt | cut -d' ' -f2-)
    request=$("$L" requests --version "$bad" --limit 100000 --json | awk -v words="$words" '
        # The earliest request with those words: the customer wrote before anything this lab sent.
        /^    "at" : / { split($0, part, "\""); at = part[4] }
        /^    "id" : / { split($0, part, "\""); id = part[4] }
        /^    "input" : / { text = $0; sub(/^    "input" : "/, "", text); sub(/",?$/, "", text)
                            if (text == words && (found == "" || at < earliest)) { found = id; earliest = at } }
        END { print found }')
    [ -n "$request" ] || { echo "no request of ${bad:0:12} says: $words" >&2; exit 1; }
else
    request=$("$L" requests --version "$bad" --limit 1 --json | field id)
fi
"$L" audit "$request" --replay --out answers/08-audit.json
