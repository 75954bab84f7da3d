#!/usr/bin/env bash
# Lab 12: the write-up, generated from the registry, with the sections only a person can write.
source "$(dirname "$0")/../lib.sh"
"$L" writeup --out writeup.md
awk '
BEGIN {
    text["Root cause"] = "The shorter escalation list in prompt.md stopped legal threats and refunds over 500 from reaching a person; the gate saw it and was overridden on purpose."
    text["What went well"] = "The registry named the last known good at once, the tag move took a second, and the confirming eval proved the restored behaviour before the incident was closed."
    text["What went wrong"] = "A recorded override let a version that failed its gate into production, and only traffic and an eval afterwards showed what customers lost."
    text["Where we got lucky"] = "The bad version served simulated customers for minutes, not days, and no legal threat went unanswered in the real world."
    text["Decisions and trade-offs"] = "Rolling back was faster and safer than fixing forward, because the good version was measured; the cost was losing the harmless parts of the change."
    text["What I would change"] = "Overrides of the gate on customer-safety directives should need a second approver and a canary, and the monitor should page on escalation rate."
}
/^<!-- your words: / { print; title = $0; sub(/^<!-- your words: /, "", title); sub(/ -->$/, "", title); getline; print text[title]; next }
{ print }
' writeup.md > writeup.tmp
mv writeup.tmp writeup.md
