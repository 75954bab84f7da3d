#!/usr/bin/env bash
# Two colleagues' changes reach production, then two complaints arrive: one about each. The lab's variant
# (challenge mode) decides who breaks which guide of the index, and which change comes first; guided mode is erin's
# prompt note, then dana's tidy-up of the returns guide.
set -euo pipefail
L="${LABRUNNER:-LabRunner}"
innocent="${LABRUNNER_VARIANT_INNOCENT:-erin}"
regressor="${LABRUNNER_VARIANT_REGRESSOR:-dana}"
guide="${LABRUNNER_VARIANT_GUIDE:-returns.md}"
words="${LABRUNNER_VARIANT_COMPLAINT:-Customers asking how to return something get no policy at all.}"
order="${LABRUNNER_VARIANT_ORDER:-noise-first}"
# Registers system/ and prints the version as #N (the same one when a reset registers identical content again).
register() { echo "#$("$L" register "$@" --json | grep -o '"seq" : [0-9]*' | tail -1 | grep -o '[0-9]*$')"; }
stamp() { date -u +%Y-%m-%dT%H:%M:%SZ; }
note() {
    printf '\nStyle note: prefer plain words over jargon.\n' >> system/prompt.md
    # Behind a docs change already in production the gate fails whatever comes next, so the note is forced too.
    "$L" promote "$(register --parent production --owner "$innocent" --reason "prompt: a plain-words style note")" \
        --approver a-reviewer "$@"
}
tidy() {
    rm "system/index/$guide"
    "$L" promote "$(register --parent production --owner "$regressor" --reason "tidy the knowledge base")" \
        --approver dana-lead --force --reason "the eval is flaky on docs changes"
}
noise="Since $innocent's prompt change the answers feel worse. Can we roll it back?"

rm -rf system
"$L" checkout production system
if [ "$order" = noise-first ]; then note; first="$noise"; second="$words"; else tidy; first="$words"; second="$noise"; fi
"$L" traffic --requests 100 --seed 10 > /dev/null
sleep 1
onset_a=$(stamp)
sleep 1
reported_a=$(stamp)
sleep 1
if [ "$order" = noise-first ]; then tidy; else note --force --reason "the gate fails on the index already in production"; fi
sleep 1
onset_b=$(stamp)
cat > complaints.txt <<TEXT
Two complaints reached the support lead today.

Complaint A: "$first"
onset-a: $onset_a
reported-a: $reported_a

Complaint B (just arrived): "$second"
onset-b: $onset_b
TEXT
