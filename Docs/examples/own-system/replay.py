"""replay_command: answers a logged request again on the version in LABRUNNER_VERSION_DIR, printing exactly the
bytes the service answered (the service keeps each input under inputs/<sha256>.txt)."""
import os
import sys

import support

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "inputs", os.environ["LABRUNNER_INPUT_SHA256"] + ".txt")) as f:
    text = f.read()
sys.stdout.write(support.answer(support.load(os.environ["LABRUNNER_VERSION_DIR"]), text))
