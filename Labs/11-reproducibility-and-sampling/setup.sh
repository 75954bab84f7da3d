#!/usr/bin/env bash
# In challenge mode a colleague has retrained production's weights with a seed of her own, so the seed to
# reproduce is this workspace's, not the kit's default. Guided mode (seed 42) changes nothing.
set -euo pipefail
L="${LABRUNNER:-LabRunner}"
seed="${LABRUNNER_VARIANT_SEED:-42}"
[ "$seed" = 42 ] && exit 0
rm -rf system
"$L" checkout production system
"$L" train --seed "$seed" > /dev/null
"$L" register --parent production --owner erin --reason "retrained the weights with another seed" > /dev/null
"$L" promote latest --approver a-reviewer > /dev/null
