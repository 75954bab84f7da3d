#!/usr/bin/env bash
# Lab 06: the pager fired; roll back to the last known good, confirm it by live signals once customers reach it,
# close, tidy the working copy.
source "$(dirname "$0")/../lib.sh"
incident=$("$L" incident list --json | grep -o '"id" : "INC-[0-9]*"' | tail -1 | cut -d'"' -f4)
"$L" rollback --reason "restore escalations for legal threats and big refunds"
"$L" traffic --requests 100 --seed 7
"$L" incident confirm "$incident"
"$L" incident close "$incident" --resolution "rolled back to the last known good; the escalation list goes back in"
rm -rf system
"$L" checkout production system
