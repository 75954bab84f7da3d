#!/usr/bin/env bash
# The alert that starts lab 06's clock: the monitor's page, recorded as an incident.
set -euo pipefail
"${LABRUNNER:-LabRunner}" incident open --by pager \
    --symptom "Customers threatening legal action or asking for big refunds are not being escalated"
