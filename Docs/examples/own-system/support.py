"""The example system's one answering path: the fitted classifier, the config, the prompt template and the
index, all read from one release folder (a deploy folder's current/, or a checkout LabRunner hands over)."""
import os

import joblib
import yaml


def load(folder):
    with open(os.path.join(folder, "config")) as f:
        config = yaml.safe_load(f)
    with open(os.path.join(folder, "prompt")) as f:
        template = f.read()
    model = joblib.load(os.path.join(folder, "weights", "classifier.joblib"))
    return model, config, template, os.path.join(folder, "index")


def classify(system, text):
    model, config, _, _ = system
    probabilities = model.predict_proba([text])[0]
    best = probabilities.argmax()
    if probabilities[best] < float(config["min_confidence"]):
        return "clarify"
    return str(model.classes_[best])


def answer(system, text):
    _, config, template, index = system
    intent = classify(system, text)
    if intent == "clarify":
        return "Could you tell us a little more about what you need?"
    path = os.path.join(index, intent + ".txt")
    guide = open(path).read().strip() if os.path.exists(path) else ""
    return template.format(topic=intent.replace("_", " "), guide=guide, signature=config["signature"]).strip()
