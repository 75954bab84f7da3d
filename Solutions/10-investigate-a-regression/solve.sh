#!/usr/bin/env bash
# Lab 10: two complaints. One is noise (keep the change); one is a regression in the index (roll it back).
source "$(dirname "$0")/../lib.sh"
onset_a=$(grep '^onset-a:' complaints.txt | cut -d' ' -f2)
reported_a=$(grep '^reported-a:' complaints.txt | cut -d' ' -f2)
onset_b=$(grep '^onset-b:' complaints.txt | cut -d' ' -f2)
"$L" investigate --onset "$onset_a" --reported-at "$reported_a"
"$L" investigate --onset "$onset_b" --category returns
"$L" rollback --reason "the returns guide vanished from the index in dana's tidy-up"
rm -rf system
"$L" checkout production system
