#!/usr/bin/env bash
# Lab 04: customers meet production; every answer names the version that gave it.
source "$(dirname "$0")/../lib.sh"
"$L" traffic --requests 200 --seed 4
request=$("$L" requests --limit 1 --json | field id)
"$L" audit "$request" --out answers/04-audit.json
