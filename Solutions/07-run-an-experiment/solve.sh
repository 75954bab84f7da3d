#!/usr/bin/env bash
# Lab 07: a formal tone as an experiment, compared fairly with production, then ended.
source "$(dirname "$0")/../lib.sh"
"$L" experiment start formal-tone --from production --ttl 3d
# Start from exactly what production serves, so the experiment changes one thing.
rm -rf system
"$L" checkout production system
sed -i.bak 's/^tone: friendly$/tone: formal/' system/prompt.md
rm -f system/prompt.md.bak
"$L" register --experiment formal-tone --parent production --owner "$ME" --reason "does a formal tone change quality?"
"$L" eval compare production exp-formal-tone
"$L" experiment end formal-tone
rm -rf system
"$L" checkout production system
