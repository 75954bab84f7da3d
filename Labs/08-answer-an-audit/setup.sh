#!/usr/bin/env bash
# Customers keep arriving after the rollback, so the most recent requests are not the ones to audit.
set -euo pipefail
"${LABRUNNER:-LabRunner}" traffic --requests 50 --seed 8
