#!/usr/bin/env bash
# In challenge mode a complaint describes one customer the canary of lab 03 served, by their words and the minute
# they wrote: which version answered them is the attribution question. Guided mode has no complaint.
set -euo pipefail
if [ -n "${LABRUNNER_TARGET_WORDS:-}" ]; then
    cat > complaint.txt <<TEXT
A customer says the answer they got was strange and asks which assistant gave it. They wrote to us around
${LABRUNNER_TARGET_AT}, in these words:

words: ${LABRUNNER_TARGET_WORDS}

Audit the answer that customer got.
TEXT
fi
