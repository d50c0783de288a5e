#!/usr/bin/env python3
"""Builds an intent-routing config and labeled files from CLINC150 for `edgerouter fit`.

Examples come from the train split, thresholds are fitted on val, and test is only reported on. Out-of-scope rows
(the oos_* splits and every intent the route does not define) are negatives.
"""
import json
import os
import random
import sys

data, out = sys.argv[1], sys.argv[2]
INTENTS = {"balance": "sim/cheap", "transfer": "sim/strong", "translate": "sim/cheap", "weather": "sim/cheap",
           "greeting": "sim/cheap", "report_fraud": "sim/strong"}
EXAMPLES = 10
rows = [json.loads(line) for line in open(os.path.join(data, "intents", "clinc150.jsonl"), encoding="utf-8")]
rng = random.Random(7)
intents = []
for name, model in INTENTS.items():
    train = [r["text"] for r in rows if r["split"] == "train" and r["intent"] == name]
    intents.append({"name": name, "examples": rng.sample(train, EXAMPLES), "threshold": 0.8, "model": model})

config = {
    "inference": {"encoders": {"default": {"path": os.path.abspath(sys.argv[3])}}},
    "providers": [{"name": "sim", "baseUrl": "http://127.0.0.1:18081/v1",
                   "models": [{"name": "cheap", "upstreamName": "sim-cheap"}, {"name": "strong", "upstreamName": "sim-strong"}]}],
    "routes": {"assistant": {"models": ["sim/cheap", "sim/strong"], "stages": [
        {"kind": "intent", "encoder": "default", "intents": intents}, {"kind": "direct"}]}},
}
os.makedirs(out, exist_ok=True)
json.dump(config, open(os.path.join(out, "config.json"), "w"), indent=1)


def labeled(splits, name):
    chosen = [r for r in rows if r["split"] in splits]
    # Keep every in-scope row of the route's intents and a same-sized sample of everything else as negatives.
    positives = [r for r in chosen if r["intent"] in INTENTS]
    negatives = [r for r in chosen if r["intent"] not in INTENTS]
    negatives = rng.sample(negatives, min(len(negatives), 4 * len(positives)))
    with open(os.path.join(out, name), "w", encoding="utf-8") as f:
        for r in positives + negatives:
            label = r["intent"] if r["intent"] in INTENTS else "out_of_scope"
            f.write(json.dumps({"text": r["text"], "label": label}) + "\n")


labeled({"val", "oos_val"}, "val.jsonl")
labeled({"test", "oos_test"}, "test.jsonl")
