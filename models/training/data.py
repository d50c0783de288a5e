"""Loads the shared datasets and applies the project's data rules in one place.

Rules enforced here (see models/README.md):
- rows with split test / oos_test are returned only by the *eval* helpers, never by the *train* helpers;
- router training uses router/mmlu.jsonl split train only (model selection by cross-validation over it);
  contaminated rows are dropped from router evaluation;
- MRPC, SICK, twitter_url, injections_unlicensed (except as a labelled evaluation set), arena_hard, GSM8K and
  MT-Bench are never read for training;
- Banking77 / SNIPS validation splits are carved out of train (10 % per intent, by a hash of the text), and the
  router's validation split out of MMLU train (20 %, by a hash of the id).
"""
from __future__ import annotations

import hashlib
import json
import os
from collections import defaultdict


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _h(s: str) -> int:
    return int(hashlib.sha256(s.encode("utf-8")).hexdigest(), 16)


class Data:
    def __init__(self, root: str, tiny: bool = False):
        self.root = root
        self.tiny = tiny
        self._cache = {}

    def _read(self, rel):
        if rel not in self._cache:
            rows = read_jsonl(os.path.join(self.root, rel))
            self._cache[rel] = rows
        return self._cache[rel]

    def _cap(self, rows, n):
        """--tiny: a deterministic subset."""
        if not self.tiny or len(rows) <= n:
            return rows
        step = len(rows) / n
        return [rows[int(i * step)] for i in range(n)]

    # ---- intents -------------------------------------------------------------------------------------------
    def intents(self, name: str) -> dict:
        """{'train': [(text, label)], 'val': [...], 'test': [...]} ; CLINC150 out-of-scope rows get label 'oos'."""
        rows = self._read(f"intents/{name}.jsonl")
        out = defaultdict(list)
        for r in rows:
            s, label = r["split"], r["intent"]
            if name == "clinc150":
                if s.startswith("oos_"):
                    s, label = s[4:], "oos"
            elif s == "train":
                s = "val" if _h(name + "|" + r["text"]) % 10 == 0 else "train"
            out[s].append((r["text"], label))
        caps = {"train": 1500, "val": 400, "test": 400}
        return {k: self._cap(v, caps[k]) for k, v in out.items()}

    # ---- similarity ----------------------------------------------------------------------------------------
    def stsb(self) -> dict:
        out = defaultdict(list)
        for r in self._read("similarity/stsb.jsonl"):
            out[r["split"]].append((r["s1"], r["s2"], float(r["score"])))
        caps = {"train": 600, "val": 300, "test": 300}
        return {k: self._cap(v, caps[k]) for k, v in out.items()}

    def nli_train_pairs(self) -> list[tuple[str, str, str]]:
        """(premise, hypothesis, label) from the NLI files allowed for training: snli_cad train+val, taxinli,
        snli split val, mnli split val. Conflicting duplicates in snli_cad are dropped."""
        rows = []
        cad = [r for r in self._read("similarity/snli_cad.jsonl") if r["split"] in ("train", "val")]
        labels = defaultdict(set)
        for r in cad:
            labels[(r["s1"], r["s2"])].add(r["label"])
        rows += [(r["s1"], r["s2"], r["label"]) for r in cad if len(labels[(r["s1"], r["s2"])]) == 1]
        rows += [(r["s1"], r["s2"], r["label"]) for r in self._read("similarity/taxinli.jsonl")]
        rows += [(r["s1"], r["s2"], r["label"]) for r in self._read("similarity/snli.jsonl") if r["split"] == "val"]
        rows += [(r["s1"], r["s2"], r["label"]) for r in self._read("similarity/mnli.jsonl") if r["split"] == "val"]
        rows = [r for r in rows if r[2] in ("entailment", "neutral", "contradiction") and r[0] and r[1]]
        return self._cap(rows, 3000)

    # ---- router --------------------------------------------------------------------------------------------
    def mmlu(self) -> dict:
        """train / val (carved from MMLU train) / test (contaminated rows excluded). y = weak model wrong."""
        out = defaultdict(list)
        for r in self._read("router/mmlu.jsonl"):
            y = 0 if r["weak_correct"] else 1
            row = (r["prompt"], y, r["subject"])
            if r["split"] == "train":
                out["val" if _h(r["id"]) % 5 == 0 else "train"].append(row)
            elif not r["contaminated"]:
                out["test"].append(row)
        caps = {"train": 800, "val": 300, "test": 400}
        return {k: self._cap(v, caps[k]) for k, v in out.items()}

    def router(self) -> dict:
        """Strong-vs-weak rows with both models' outcomes, for the router head: 'train' = every MMLU train row (the
        only rows it is trained or tuned on; folds for cross-validation come from router_fold), and the evaluation
        sets 'mmlu_test', 'gsm8k' (contaminated rows excluded) and 'mtbench' (first turn, mean judge scores).
        Rows are (prompt, strong quality, weak quality, id, subject): quality is 1/0 correctness, or MT-Bench's
        1-10 judge scores; subject is MMLU's (None elsewhere)."""
        out = {"train": [], "mmlu_test": [], "gsm8k": [], "mtbench": []}
        for r in self._read("router/mmlu.jsonl"):
            row = (r["prompt"], float(r["strong_correct"]), float(r["weak_correct"]), r["id"], r["subject"])
            if r["split"] == "train":
                out["train"].append(row)
            elif not r["contaminated"]:
                out["mmlu_test"].append(row)
        out["gsm8k"] = [(r["prompt"], float(r["strong_correct"]), float(r["weak_correct"]), r["id"], None)
                        for r in self._read("router/gsm8k.jsonl") if not r["contaminated"]]
        out["mtbench"] = [(r["turns"][0], float(r["strong_score"]), float(r["weak_score"]), r["id"], None)
                          for r in self._read("router/mtbench.jsonl") if not r["contaminated"]]
        caps = {"train": 1100, "mmlu_test": 400, "gsm8k": 300, "mtbench": 80}
        return {k: self._cap(v, caps[k]) for k, v in out.items()}

    @staticmethod
    def router_fold(row_id: str, folds: int) -> int:
        """Cross-validation fold of an MMLU train row (a hash of its id, so folds do not depend on row order)."""
        return _h("router-cv|" + row_id) % folds

    def gsm8k_eval(self) -> list[tuple[str, int]]:
        """Evaluation only (never trained on); contaminated rows excluded."""
        rows = [(r["prompt"], 0 if r["weak_correct"] else 1) for r in self._read("router/gsm8k.jsonl")
                if not r["contaminated"]]
        return self._cap(rows, 300)

    # ---- safety --------------------------------------------------------------------------------------------
    def injections_licensed(self) -> list[str]:
        return [r["text"] for r in self._read("safety/injections.jsonl")]

    def injections_unlicensed_test(self) -> list[tuple[str, int]]:
        """EVALUATION ONLY (no licence): split test of injections_unlicensed.jsonl."""
        rows = [(r["text"], 1 if r["label"] == "injection" else 0)
                for r in self._read("safety/injections_unlicensed.jsonl") if r["split"] == "test"]
        return self._cap(rows, 300)

    # ---- unlabeled text for the tokenizer and MLM ------------------------------------------------------------
    def pretraining_texts(self) -> list[str]:
        """Every text field of the training splits above (deduplicated, order kept). Validation splits used for
        model selection (STS-B val, CLINC150 val, carved Banking77/SNIPS/MMLU val) are left out."""
        texts = []
        for a, b, _ in self.stsb()["train"]:
            texts += [a, b]
        for a, b, _ in self.nli_train_pairs():
            texts += [a, b]
        for name in ("clinc150", "banking77", "snips"):
            texts += [t for t, _ in self.intents(name)["train"]]
        texts += [t for t, _, _ in self.mmlu()["train"]]
        texts += self.injections_licensed()
        seen, out = set(), []
        for t in texts:
            if t and t not in seen:
                seen.add(t)
                out.append(t)
        return out
