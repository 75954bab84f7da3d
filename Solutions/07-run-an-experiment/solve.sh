#!/usr/bin/env bash
# Lab 07: the change product asks about (experiment.txt) as an experiment, compared fairly with production, then
# ended.
source "$(dirname "$0")/../lib.sh"
name=$(grep '^experiment:' experiment.txt | cut -d' ' -f2)
from=$(grep '^from:' experiment.txt | cut -d' ' -f2-)
to=$(grep '^to:' experiment.txt | cut -d' ' -f2-)
"$L" experiment start "$name" --from production --ttl 3d
# Start from exactly what production serves, so the experiment changes one thing.
rm -rf system
"$L" checkout production system
sed -i.bak "s/^$from\$/$to/" system/prompt.md
rm -f system/prompt.md.bak
grep -qx "$to" system/prompt.md || { echo "production's prompt has no line '$from' to change" >&2; exit 1; }
"$L" register --experiment "$name" --parent production --owner "$ME" --reason "does '$to' change quality?"
"$L" eval compare production "exp-$name"
"$L" experiment end "$name"
rm -rf system
"$L" checkout production system
