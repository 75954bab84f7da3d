#!/usr/bin/env bash
# Customers keep arriving after the rollback, so the most recent requests are not the ones to audit. In challenge
# mode a complaint describes one customer of the incident by their words and the minute they wrote.
set -euo pipefail
"${LABRUNNER:-LabRunner}" traffic --requests 50 --seed 8
if [ -n "${LABRUNNER_TARGET_WORDS:-}" ]; then
    cat > complaint.txt <<TEXT
A customer complained that the answer they got during the incident was wrong. They wrote to us around
${LABRUNNER_TARGET_AT}, in these words:

words: ${LABRUNNER_TARGET_WORDS}

Audit the answer that customer got, with a replay.
TEXT
fi
