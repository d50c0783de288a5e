"""Classifier heads on the frozen, mean-pooled, L2-normalised sentence embedding."""
from __future__ import annotations

import copy

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class Head(nn.Module):
    def __init__(self, dim, labels, hidden=0, dropout=0.1):
        super().__init__()
        if hidden:
            self.net = nn.Sequential(nn.Linear(dim, hidden), nn.ReLU(), nn.Dropout(dropout), nn.Linear(hidden, labels))
        else:
            self.net = nn.Sequential(nn.Dropout(dropout), nn.Linear(dim, labels))

    def forward(self, x):
        return self.net(x)

    def export_layers(self):
        lins = [m for m in self.net if isinstance(m, nn.Linear)]
        return [(l.weight.detach().numpy().T.copy(), l.bias.detach().numpy().copy()) for l in lins]


def train_head(Xtr, ytr, n_labels, Xva=None, yva=None, metric=None, hidden=256, epochs=60, lr=3e-3, wd=1e-4,
               class_weight=None, batch=256, seed=0, input_noise=0.0):
    """AdamW with a cosine schedule; keeps the epoch with the best validation metric when a validation set is
    given (metric(y, logits) -> higher is better), else the last epoch. ytr: class indices (integers), or for two
    labels a float target in [0, 1] per row, the probability of label 1 (soft labels, e.g. 0.5 for "either")."""
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    model = Head(Xtr.shape[1], n_labels, hidden)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=wd)
    n = Xtr.shape[0]
    steps = epochs * ((n + batch - 1) // batch)
    # OneCycleLR divides by zero when its warm-up is under two steps; tiny runs (few rows, few epochs) get a longer
    # warm-up share instead. Full runs (hundreds of steps) keep pct_start = 0.1.
    steps = max(4, steps)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps, pct_start=max(0.1, 2.0 / steps))
    ya = np.asarray(ytr)
    if np.issubdtype(ya.dtype, np.floating):
        if n_labels != 2:
            raise ValueError("soft (float) targets need exactly two labels")
        y1 = torch.as_tensor(ya, dtype=torch.float32)
        yt = torch.stack([1 - y1, y1], dim=1)
    else:
        yt = torch.as_tensor(ya, dtype=torch.long)
    w = None if class_weight is None else torch.as_tensor(class_weight, dtype=torch.float32)
    best = (-1e9, -1, None)
    for ep in range(epochs):
        model.train()
        perm = torch.randperm(n, generator=g)
        for s in range(0, n, batch):
            idx = perm[s:s + batch]
            x = Xtr[idx]
            if input_noise:
                x = F.normalize(x + input_noise * torch.randn(x.shape, generator=g), dim=-1)
            loss = F.cross_entropy(model(x), yt[idx], weight=w)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
        if Xva is not None:
            score = metric(yva, predict(model, Xva))
            if score > best[0]:
                best = (score, ep, copy.deepcopy(model.state_dict()))
    if Xva is not None:
        model.load_state_dict(best[2])
    model.eval()
    return model, (best[0], best[1])


def predict(model, X):
    model.eval()
    with torch.no_grad():
        return model(X).numpy()


def softmax(z):
    z = z - z.max(1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(1, keepdims=True)
