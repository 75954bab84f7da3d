"""eval_command: one JSON line per case of evals/cases.jsonl, answered by the version in LABRUNNER_VERSION_DIR."""
import json
import os

import support

system = support.load(os.environ["LABRUNNER_VERSION_DIR"])
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "evals", "cases.jsonl")) as f:
    for line in f:
        case = json.loads(line)
        passed = support.classify(system, case["input"]) == case["intent"]
        print(json.dumps({"case": case["id"], "category": case["category"], "passed": passed}))
