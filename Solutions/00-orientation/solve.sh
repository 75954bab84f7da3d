#!/usr/bin/env bash
# Lab 00: meet the assistant and measure the baseline.
source "$(dirname "$0")/../lib.sh"
"$L" ask "My parcel has not arrived yet"
"$L" eval run --out results/baseline.json
