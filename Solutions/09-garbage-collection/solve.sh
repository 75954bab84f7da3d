#!/usr/bin/env bash
# Lab 09: a short-lived experiment expires; a dry run, then the collection; the metadata stays.
source "$(dirname "$0")/../lib.sh"
"$L" experiment start seed-sweep --from production --ttl 2s
"$L" train --seed 7
"$L" register --experiment seed-sweep --parent production --owner "$ME" --reason "do weights trained with seed 7 do better?"
scratch=$(latest)
"$L" experiment end seed-sweep
sleep 3
"$L" gc --dry-run
"$L" gc --yes
"$L" show "$scratch"
rm -rf system
"$L" checkout production system
