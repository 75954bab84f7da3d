#!/usr/bin/env bash
# Lab 02: new training data, the lineage gate refusing stale weights, then a retrained version.
source "$(dirname "$0")/../lib.sh"
parent=$(latest)
cat >> data/train.csv <<'ROWS'
my lampshade came with a dent,damaged_item
the glass on my table lamp is chipped,damaged_item
the box was soaked and the quilt is ruined,damaged_item
ROWS
if "$L" register --parent "$parent" --owner "$ME" --reason "more damaged-item phrasings"; then
    echo "expected the gate to refuse weights trained on other data" >&2
    exit 1
fi
"$L" train
"$L" register --parent "$parent" --owner "$ME" --reason "retrained with more damaged-item phrasings"
