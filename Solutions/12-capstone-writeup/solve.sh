#!/usr/bin/env bash
# Lab 12: the write-up, generated from the registry, with the sections only a person can write, each citing
# a fact the registry backs (the incident, the component it changed).
source "$(dirname "$0")/../lib.sh"
"$L" writeup --out writeup.md
incident=$(grep -o '<!-- incident: [A-Z0-9-]* -->' writeup.md | head -1 | cut -d' ' -f3)
awk -v inc="$incident" '
BEGIN {
    text["Root cause"] = "The shorter escalation list in prompt.md stopped legal threats and refunds over 500 from reaching a person; the gate saw it and was overridden on purpose."
    text["What went well"] = "In " inc " the registry named the last known good at once, the tag move took a second, and the confirming eval proved the restored behaviour before the incident was closed."
    text["What went wrong"] = "A recorded override let a version with a worse prompt.md, which failed its gate, into production, and only traffic and an eval afterwards showed what customers lost."
    text["Where we got lucky"] = "During " inc " the bad version served simulated customers for minutes, not days, and no legal threat went unanswered in the real world."
    text["Decisions and trade-offs"] = "Rolling back " inc " was faster and safer than fixing forward, because the good version was measured; the cost was losing the harmless parts of the change."
    text["What I would change"] = "Overrides of the gate on customer-safety directives in prompt.md should need a second approver and a canary, and the monitor should page on escalation rate."
}
/^<!-- your words: / { print; title = $0; sub(/^<!-- your words: /, "", title); sub(/ -->$/, "", title); getline; print text[title]; next }
{ print }
' writeup.md > writeup.tmp
mv writeup.tmp writeup.md
