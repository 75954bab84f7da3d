#!/usr/bin/env bash
# The question the experiment answers, as product asks it: which directive to try, and under what name. The lab's
# variant (challenge mode) picks it; guided mode asks about a formal tone.
set -euo pipefail
cat > experiment.txt <<TEXT
Product asks: would customers be better served if production's prompt said "${LABRUNNER_VARIANT_TO:-tone: formal}"
instead of "${LABRUNNER_VARIANT_FROM:-tone: friendly}"? Try it as an experiment, nothing else changed, and compare.

experiment: ${LABRUNNER_VARIANT_NAME:-formal-tone}
from: ${LABRUNNER_VARIANT_FROM:-tone: friendly}
to: ${LABRUNNER_VARIANT_TO:-tone: formal}
TEXT
