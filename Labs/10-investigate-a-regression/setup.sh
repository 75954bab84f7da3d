#!/usr/bin/env bash
# Two colleagues' changes reach production, then two complaints arrive: one about each.
set -euo pipefail
L="${LABRUNNER:-LabRunner}"
# Registers system/ and prints the version as #N (the same one when a reset registers identical content again).
register() { echo "#$("$L" register "$@" --json | grep -o '"seq" : [0-9]*' | tail -1 | grep -o '[0-9]*$')"; }
stamp() { date -u +%Y-%m-%dT%H:%M:%SZ; }

rm -rf system
"$L" checkout production system
printf '\nStyle note: prefer plain words over jargon.\n' >> system/prompt.md
erin=$(register --parent production --owner erin --reason "prompt: a plain-words style note")
"$L" promote "$erin" --approver a-reviewer
"$L" traffic --requests 100 --seed 10 > /dev/null
sleep 1
onset_a=$(stamp)
sleep 1
reported_a=$(stamp)
sleep 1
rm system/index/returns.md
dana=$(register --parent production --owner dana --reason "tidy the knowledge base")
"$L" promote "$dana" --approver dana-lead --force --reason "the eval is flaky on docs changes"
sleep 1
onset_b=$(stamp)
cat > complaints.txt <<TEXT
Two complaints reached the support lead today.

Complaint A: "Since erin's prompt change the answers feel worse. Can we roll it back?"
onset-a: $onset_a
reported-a: $reported_a

Complaint B (just arrived): "Customers asking how to return something get no policy at all."
onset-b: $onset_b
TEXT
