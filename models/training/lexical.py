"""Baselines and metrics implemented here with numpy + torch (no scikit-learn / scipy):
TF-IDF (word unigrams+bigrams, or character 3-5-grams inside word boundaries), sparse L2-normalised rows;
multinomial logistic regression (full-batch L-BFGS in torch on the sparse matrix, L2 penalty chosen on the
validation split); Spearman correlation (average ranks for ties); ROC-AUC (Mann-Whitney with tie correction);
macro F1 helpers."""
from __future__ import annotations

import math
import re
from collections import Counter

import numpy as np
import torch

_WORD = re.compile(r"(?u)\b\w\w+\b")


def word_features(text: str) -> list[str]:
    toks = _WORD.findall(text.lower())
    return toks + [a + " " + b for a, b in zip(toks, toks[1:])]


def char_features(text: str) -> list[str]:
    """char_wb 3-5-grams: n-grams inside space-padded words, as scikit-learn's analyzer='char_wb'."""
    out = []
    for w in text.lower().split():
        w = " " + w + " "
        for n in (3, 4, 5):
            if len(w) < n:
                if n == 3:
                    out.append(w)
                continue
            out.extend(w[i:i + n] for i in range(len(w) - n + 1))
    return out


class TfidfVectorizer:
    def __init__(self, analyzer: str = "word", min_df: int = 1, max_features: int | None = 200_000):
        self.feat = word_features if analyzer == "word" else char_features
        self.min_df, self.max_features = min_df, max_features

    def fit(self, texts):
        df = Counter()
        for t in texts:
            df.update(set(self.feat(t)))
        items = [(f, c) for f, c in df.items() if c >= self.min_df]
        items.sort(key=lambda kv: (-kv[1], kv[0]))
        if self.max_features:
            items = items[:self.max_features]
        self.vocab = {f: i for i, (f, _) in enumerate(items)}
        n = len(texts)
        # smooth_idf + sublinear tf off, as scikit-learn's defaults: idf = ln((1+n)/(1+df)) + 1
        self.idf = np.array([math.log((1 + n) / (1 + c)) + 1 for _, c in items], dtype=np.float32)
        return self

    def transform(self, texts) -> torch.Tensor:
        rows, cols, vals = [], [], []
        for r, t in enumerate(texts):
            c = Counter(self.vocab[f] for f in self.feat(t) if f in self.vocab)
            if not c:
                continue
            idx = np.fromiter(c.keys(), dtype=np.int64)
            v = np.fromiter(c.values(), dtype=np.float32) * self.idf[idx]
            v /= np.linalg.norm(v)
            rows.append(np.full(len(idx), r, dtype=np.int64))
            cols.append(idx)
            vals.append(v)
        if rows:
            i = torch.from_numpy(np.stack([np.concatenate(rows), np.concatenate(cols)]))
            v = torch.from_numpy(np.concatenate(vals))
        else:
            i, v = torch.zeros((2, 0), dtype=torch.long), torch.zeros(0)
        return torch.sparse_coo_tensor(i, v, (len(texts), len(self.vocab))).coalesce()


def sparse_row_cosine(a: torch.Tensor, b: torch.Tensor) -> np.ndarray:
    """Cosine of row i of a with row i of b (rows are already L2-normalised)."""
    return torch.sparse.sum(a * b, dim=1).to_dense().numpy() if a._nnz() else np.zeros(a.shape[0])


def tfidf_pair_cosine(train_texts, pairs, analyzer):
    vec = TfidfVectorizer(analyzer).fit(train_texts)
    A = vec.transform([p[0] for p in pairs])
    B = vec.transform([p[1] for p in pairs])
    return sparse_row_cosine(A, B)


# ---- logistic regression ------------------------------------------------------------------------------------
def train_logreg(X, y, n_classes: int, l2: float, iters: int = 100, weights=None):
    """Multinomial logistic regression on X (sparse or dense torch tensor) with L-BFGS; returns (W, b)."""
    torch.manual_seed(0)
    d = X.shape[1]
    W = torch.zeros(d, n_classes, requires_grad=True)
    b = torch.zeros(n_classes, requires_grad=True)
    yt = torch.as_tensor(y, dtype=torch.long)
    wt = None if weights is None else torch.as_tensor(weights, dtype=torch.float32)
    opt = torch.optim.LBFGS([W, b], lr=1.0, max_iter=iters, history_size=20, line_search_fn="strong_wolfe")
    n = X.shape[0]

    def closure():
        opt.zero_grad()
        logits = (torch.sparse.mm(X, W) if X.is_sparse else X @ W) + b
        loss = torch.nn.functional.cross_entropy(logits, yt, weight=wt, reduction="sum") / n
        loss = loss + 0.5 * l2 * (W * W).sum()
        loss.backward()
        return loss

    opt.step(closure)
    return W.detach(), b.detach()


def logreg_predict(X, W, b):
    with torch.no_grad():
        return ((torch.sparse.mm(X, W) if X.is_sparse else X @ W) + b).numpy()


def tfidf_logreg(train, val, tests: dict, analyzer="word", l2_grid=(1e-4, 3e-4, 1e-3, 3e-3), metric=None,
                 class_weight=None):
    """TF-IDF + logistic regression baseline. train/val/tests: lists of (text, label). Picks l2 on val by
    `metric(y, logits)`; returns {name: logits} for each test set, the chosen l2 and the label list."""
    labels = sorted({l for _, l in train})
    index = {l: i for i, l in enumerate(labels)}
    vec = TfidfVectorizer(analyzer).fit([t for t, _ in train])
    Xtr = vec.transform([t for t, _ in train])
    ytr = np.array([index[l] for _, l in train])
    Xva = vec.transform([t for t, _ in val])
    yva = np.array([index.get(l, -1) for _, l in val])
    metric = metric or (lambda y, z: float((z.argmax(1) == y).mean()))
    best = None
    for l2 in l2_grid:
        W, b = train_logreg(Xtr, ytr, len(labels), l2, weights=class_weight)
        score = metric(yva, logreg_predict(Xva, W, b))
        if best is None or score > best[0]:
            best = (score, l2, W, b)
    _, l2, W, b = best
    out = {name: logreg_predict(vec.transform([t for t, _ in rows]), W, b) for name, rows in tests.items()}
    return out, l2, labels


# ---- metrics ------------------------------------------------------------------------------------------------
def rankdata(x) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    order = np.argsort(x, kind="mergesort")
    ranks = np.empty(len(x), dtype=np.float64)
    xs = x[order]
    i = 0
    while i < len(x):
        j = i
        while j + 1 < len(x) and xs[j + 1] == xs[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2.0 + 1
        i = j + 1
    return ranks


def spearman(a, b) -> float:
    ra, rb = rankdata(a), rankdata(b)
    ra -= ra.mean()
    rb -= rb.mean()
    return float((ra * rb).sum() / math.sqrt((ra * ra).sum() * (rb * rb).sum()))


def roc_auc(y, score) -> float:
    y = np.asarray(y)
    r = rankdata(score)
    npos, nneg = int((y == 1).sum()), int((y == 0).sum())
    if npos == 0 or nneg == 0:
        return float("nan")
    return float((r[y == 1].sum() - npos * (npos + 1) / 2) / (npos * nneg))


def f1_binary(y, pred) -> dict:
    y, pred = np.asarray(y), np.asarray(pred)
    tp = int(((pred == 1) & (y == 1)).sum())
    fp = int(((pred == 1) & (y == 0)).sum())
    fn = int(((pred == 0) & (y == 1)).sum())
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"f1": 2 * p * r / (p + r) if p + r else 0.0, "precision": p, "recall": r}
