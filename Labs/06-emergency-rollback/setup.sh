#!/usr/bin/env bash
# The alert that starts lab 06's clock: customers meet the bad version, and the monitor's page is recorded as an
# incident.
set -euo pipefail
"${LABRUNNER:-LabRunner}" traffic --requests 100 --seed 6 > /dev/null
"${LABRUNNER:-LabRunner}" incident open --by pager \
    --symptom "Customers threatening legal action or asking for big refunds are not being escalated"
