#!/usr/bin/env bash
# Lab 05: a worse prompt, the gate refusing it, a recorded override, and the damage measured.
source "$(dirname "$0")/../lib.sh"
sed -i.bak 's/^escalate: refund_over_500, legal_threat, account_takeover$/escalate: account_takeover/' system/prompt.md
rm -f system/prompt.md.bak
"$L" register --parent production --owner "$ME" --reason "shorter escalation list"
bad=$(latest)
if "$L" promote "$bad" --approver a-reviewer; then
    echo "expected the gate to refuse a worse version" >&2
    exit 1
fi
"$L" promote "$bad" --approver a-reviewer --force --reason "manufactured incident for the lab"
"$L" traffic --requests 300 --seed 5
"$L" eval run --version production
