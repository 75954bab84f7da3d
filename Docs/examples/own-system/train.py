"""train_command: fits a TF-IDF + logistic regression intent classifier on LABRUNNER_DATASET with
LABRUNNER_SEED and saves it with joblib into the folder LABRUNNER_OUTPUT (the `weights` component)."""
import csv
import os

import joblib
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

with open(os.environ["LABRUNNER_DATASET"], newline="") as f:
    rows = list(csv.DictReader(f))
model = make_pipeline(
    TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
    LogisticRegression(max_iter=2000, C=10.0, random_state=int(os.environ.get("LABRUNNER_SEED", "0")) % 2**32),
)
model.fit([row["text"] for row in rows], [row["intent"] for row in rows])
output = os.environ["LABRUNNER_OUTPUT"]
os.makedirs(output, exist_ok=True)
joblib.dump(model, os.path.join(output, "classifier.joblib"))
print(f"trained on {len(rows)} rows")
