#!/usr/bin/env bash
# Lab 11: retrain production's weights from its recorded data and seed, bit for bit.
source "$(dirname "$0")/../lib.sh"
"$L" show production
"$L" hash data/train.csv
seed=$(grep -o '"seed":[0-9]*' system/weights.json | head -1 | cut -d: -f2)
"$L" train --seed "$seed" --out repro/weights.json
"$L" hash repro/weights.json
mkdir -p answers
printf 'seed: %s\ncompare: interval\n' "$seed" > answers/11-reproducibility.txt
