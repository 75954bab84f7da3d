#!/usr/bin/env bash
# Lab 03: the baseline into production, then the retrained version through the gate with a canary.
source "$(dirname "$0")/../lib.sh"
"$L" promote '#1' --approver a-reviewer
"$L" promote "$(latest)" --approver a-reviewer --canary 20 --yes
"$L" log | tail -3
