"""The router head: which prompts should go to the strong model (GPT-4-1106-preview) rather than the weak one
(Mixtral-8x7B), from the frozen encoder embedding. Trained and tuned on MMLU train only; the label, head shape and
regularisation are chosen by k-fold cross-validation over those rows, on the metric the router is judged by
(APGR, RouteLLM's average performance gap recovered). Evaluation rows (MMLU test, GSM8K, MT-Bench) are scored
only after every choice is fixed.

Labels (the head always has two outputs, ["<negative>", "needs_strong"], softmax):
- weak_wrong: 1 when the weak model answers wrong (the first shipped head). Includes the prompts both models get
  wrong, where the strong model buys nothing.
- gain: 1 when the strong model answers right and the weak one wrong (the strong model fixes the answer).
- net_gain: a soft target, 1 when the strong model fixes the answer, 0 when it breaks it (weak right, strong
  wrong), 0.5 when both agree; P(needs_strong) then estimates (1 + P(fix) - P(break)) / 2, so ranking by it ranks
  by the expected gain of calling the strong model, which is what APGR rewards.
"""
from __future__ import annotations

import math

import numpy as np

import lexical as LX
from heads import predict, softmax, train_head

LABELS = ("weak_wrong", "gain", "net_gain")
NEGATIVE = {"weak_wrong": "weak_ok", "gain": "no_gain", "net_gain": "no_gain"}
MEANING = {
    "weak_wrong": "the weak model answers wrong",
    "gain": "the strong model answers right and the weak model wrong",
    "net_gain": "the strong model fixes the weak model's answer (1), breaks it (0) or neither (0.5)",
}
# (hidden units, weight decay, epochs at full scale, peak learning rate): a linear layer and three MLPs.
GRID = ((0, 1e-2, 100, 1e-2), (64, 1e-1, 40, 1e-3), (256, 1e-2, 20, 1e-3), (256, 1e-1, 40, 1e-3))
FOLDS = 5


def target(label, strong, weak):
    strong, weak = np.asarray(strong, np.float64), np.asarray(weak, np.float64)
    if label == "weak_wrong":
        return (weak < 0.5).astype(np.int64)
    if label == "gain":
        return ((strong > 0.5) & (weak < 0.5)).astype(np.int64)
    if label == "net_gain":
        return ((strong - weak) + 1.0) / 2.0
    raise ValueError(f"unknown router label {label!r} (known: {', '.join(LABELS)})")


def apgr(score, strong, weak):
    """APGR on the exact curve, as `edgerouter eval`'s "full curve": prompts sorted by descending score go to the
    strong model one group of equal scores at a time (within a group the expected quality is linear), area by
    trapezoids over the strong-call share in [0, 1], normalised so that 0 = weak only and 1 = strong only on
    average; 0.5 is a random router."""
    score, strong, weak = (np.asarray(a, np.float64) for a in (score, strong, weak))
    n = len(score)
    order = np.argsort(-score, kind="stable")
    s_sorted, d = score[order], (strong - weak)[order]
    ends = np.append(np.nonzero(np.diff(s_sorted))[0] + 1, n)
    x = np.concatenate([[0], ends]) / n
    q = (weak.sum() + np.concatenate([[0], np.cumsum(d)[ends - 1]])) / n
    area = float(np.sum((x[1:] - x[:-1]) * (q[1:] + q[:-1]) / 2))
    gap = strong.mean() - weak.mean()
    return (area - weak.mean()) / gap if gap != 0 else float("nan")


def head_score(z):
    """P(needs_strong) from the head's two logits."""
    return softmax(z)[:, 1]


def roc_gain(score, strong, weak):
    y = ((np.asarray(strong) > 0.5) & (np.asarray(weak) < 0.5)).astype(int)
    return LX.roc_auc(y, score)


def cross_validate(X, rows, fold, S, log, labels=LABELS, grid=GRID):
    """Mean held-out APGR (and ROC-AUC for the gain label) of every (label, head) candidate over the folds."""
    strong = np.array([r[1] for r in rows])
    weak = np.array([r[2] for r in rows])
    scale = S["head_epochs"] / 100
    table = []
    for label in labels:
        y = target(label, strong, weak)
        for hidden, wd, epochs, lr in grid:
            ep = max(2, int(round(epochs * scale)))
            a, g = [], []
            for k in range(FOLDS):
                tr, te = np.nonzero(fold != k)[0], np.nonzero(fold == k)[0]
                if len(te) == 0:
                    continue
                h, _ = train_head(X[tr], y[tr], 2, hidden=hidden, epochs=ep, lr=lr, wd=wd)
                p = head_score(predict(h, X[te]))
                a.append(apgr(p, strong[te], weak[te]))
                g.append(roc_gain(p, strong[te], weak[te]))
            row = {"label": label, "hidden": hidden, "weight_decay": wd, "epochs": ep, "lr": lr,
                   "cv_apgr": float(np.mean(a)), "cv_apgr_se": float(np.std(a) / math.sqrt(len(a))),
                   "cv_gain_auc": float(np.mean(g))}
            table.append(row)
            log(f"router CV: label={label} hidden={hidden} wd={wd} epochs={ep} lr={lr}: APGR "
                f"{row['cv_apgr']:.4f} ± {row['cv_apgr_se']:.4f}, gain ROC-AUC {row['cv_gain_auc']:.4f}")
    return table


def evaluate(p, rows, quality):
    """Held-out metrics of router score p on an evaluation set (called only after every choice is fixed)."""
    strong = np.array([r[1] for r in rows])
    weak = np.array([r[2] for r in rows])
    out = {"rows": len(rows), "apgr": apgr(p, strong, weak)}
    if quality == "correct":
        out["gain_auc"] = roc_gain(p, strong, weak)
        out["weak_wrong_auc"] = LX.roc_auc((weak < 0.5).astype(int), p)
    else:
        out["strong_better_auc"] = LX.roc_auc((strong > weak).astype(int), p)
    return out
