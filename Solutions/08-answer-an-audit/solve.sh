#!/usr/bin/env bash
# Lab 08: find a request the bad version answered during the incident, audit it and replay it.
source "$(dirname "$0")/../lib.sh"
bad=$("$L" incident list --json | field bad_version)
request=$("$L" requests --version "$bad" --limit 1 --json | field id)
"$L" audit "$request" --replay --out answers/08-audit.json
