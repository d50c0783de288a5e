"""Encoder training: (a) masked-language-model pretraining, (b) sentence-similarity fine-tuning with mean
pooling (in-batch-negatives contrastive loss on NLI and same-intent pairs, CoSENT on STS-B train), selected by
STS-B val Spearman."""
from __future__ import annotations

import copy
import math
import random
import time
from collections import defaultdict

import numpy as np
import torch
import torch.nn.functional as F

from lexical import spearman
from model import Encoder, MLMHead


def pad_batch(seqs, pad_id=0):
    n = max(len(s) for s in seqs)
    ids = torch.full((len(seqs), n), pad_id, dtype=torch.long)
    mask = torch.zeros((len(seqs), n), dtype=torch.long)
    for i, s in enumerate(seqs):
        ids[i, :len(s)] = torch.tensor(s)
        mask[i, :len(s)] = 1
    return ids, mask


def length_batches(seqs, tokens_per_batch, rng, max_batch=256):
    """Batches of similar length (sorted within shuffled chunks) with about tokens_per_batch tokens each."""
    idx = list(range(len(seqs)))
    rng.shuffle(idx)
    batches = []
    chunk = 50 * 64
    for c in range(0, len(idx), chunk):
        part = sorted(idx[c:c + chunk], key=lambda i: len(seqs[i]))
        cur, longest = [], 0
        for i in part:
            longest2 = max(longest, len(seqs[i]))
            if cur and (longest2 * (len(cur) + 1) > tokens_per_batch or len(cur) >= max_batch):
                batches.append(cur)
                cur, longest2 = [], len(seqs[i])
            cur.append(i)
            longest = longest2
        if cur:
            batches.append(cur)
    rng.shuffle(batches)
    return batches


def lr_at(step, total, peak, warmup_frac=0.06):
    w = max(1, int(total * warmup_frac))
    if step < w:
        return peak * (step + 1) / w
    return peak * 0.5 * (1 + math.cos(math.pi * min(1.0, (step - w) / max(1, total - w))))


def make_optimizer(params, lr, wd=0.01):
    decay = [p for p in params if p.dim() >= 2]
    no_decay = [p for p in params if p.dim() < 2]
    return torch.optim.AdamW([{"params": decay, "weight_decay": wd}, {"params": no_decay, "weight_decay": 0.0}],
                             lr=lr, betas=(0.9, 0.98), eps=1e-6)


def mlm_pretrain(model: Encoder, seqs, wp, minutes: float, log, peak_lr=1e-3, tokens_per_batch=6144,
                 mask_prob=0.3, seed=0, max_steps=None):
    """Trains until the time budget (minutes) is spent; the LR schedule is laid out for the number of steps
    the budget allows, estimated from the first steps' speed."""
    rng = random.Random(seed)
    torch.manual_seed(seed)
    head = MLMHead(model)
    params = list(model.parameters()) + [p for n, p in head.named_parameters() if not n.startswith("encoder.")]
    opt = make_optimizer(params, peak_lr)
    special = torch.tensor([wp.pad, wp.cls, wp.sep, wp.unk, wp.mask])
    V = model.cfg.vocab_size
    model.train()
    head.train()
    t0 = time.time()
    step, total_steps, epoch, seen_tokens = 0, max_steps, 0, 0
    losses = []
    while True:
        batches = length_batches(seqs, tokens_per_batch, rng)
        for b in batches:
            ids, mask = pad_batch([seqs[i] for i in b], wp.pad)
            labels = ids.clone()
            cand = (mask == 1) & ~torch.isin(ids, special)
            sel = (torch.rand(ids.shape) < mask_prob) & cand
            if not sel.any():
                continue
            r = torch.rand(ids.shape)
            inp = ids.clone()
            inp[sel & (r < 0.8)] = wp.mask
            rand_pos = sel & (r >= 0.8) & (r < 0.9)
            inp[rand_pos] = torch.randint(5, V, (int(rand_pos.sum()),))
            hidden = model(inp, mask)
            logits = head(hidden[sel])
            loss = F.cross_entropy(logits, labels[sel])
            lr = lr_at(step, total_steps, peak_lr)
            for g in opt.param_groups:
                g["lr"] = lr
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            step += 1
            seen_tokens += int(mask.sum())
            losses.append(float(loss))
            if step == 30:
                rate = step / (time.time() - t0)
                log(f"mlm: {rate:.2f} steps/s, {seen_tokens / (time.time() - t0):.0f} tokens/s; "
                    f"{total_steps} steps planned (~{total_steps / rate / 60:.1f} min), cap {minutes} min")
            if time.time() - t0 > minutes * 60 and step < total_steps:
                log(f"mlm: TIME CAP of {minutes} min reached at step {step}/{total_steps}")
                total_steps = step
            if step % 200 == 0:
                log(f"mlm step {step}/{total_steps} epoch {epoch} loss {np.mean(losses[-200:]):.3f} "
                    f"lr {lr:.2e} {time.time() - t0:.0f}s")
            if total_steps is not None and step >= total_steps:
                log(f"mlm done: {step} steps, {seen_tokens} tokens ({seen_tokens / max(1, sum(map(len, seqs))):.1f} "
                    f"epochs), final loss {np.mean(losses[-100:]):.3f}, {time.time() - t0:.0f}s")
                model.eval()
                return {"steps": step, "tokens": seen_tokens, "final_loss": float(np.mean(losses[-100:])),
                        "seconds": time.time() - t0}
        epoch += 1


# ---- sentence-similarity training ------------------------------------------------------------------------------
def embed_texts(model: Encoder, seqs, batch_tokens=8192, pad_id=0):
    model.eval()
    order = sorted(range(len(seqs)), key=lambda i: len(seqs[i]))
    out = torch.zeros(len(seqs), model.cfg.hidden)
    with torch.no_grad():
        i = 0
        while i < len(order):
            n = max(1, min(512, batch_tokens // max(1, len(seqs[order[min(i + 511, len(order) - 1)]]))))
            idx = order[i:i + n]
            ids, mask = pad_batch([seqs[j] for j in idx], pad_id)
            out[idx] = model.pooled(ids, mask)
            i += n
    return out


def sts_spearman(model, enc, pairs):
    a = embed_texts(model, [enc(p[0]) for p in pairs])
    b = embed_texts(model, [enc(p[1]) for p in pairs])
    cos = (a * b).sum(1).numpy()
    return spearman(cos, [p[2] for p in pairs]), cos


def nli_triplets(pairs):
    """(anchor, positive, hard_negative_or_None) from (premise, hypothesis, label): entailment hypotheses are
    positives, a contradiction of the same premise (if any) the hard negative. Also the reverse direction
    (hypothesis -> premise) for entailment pairs."""
    by_premise = defaultdict(lambda: {"entailment": [], "contradiction": []})
    for p, h, l in pairs:
        if l in ("entailment", "contradiction"):
            by_premise[p][l].append(h)
    out = []
    for p, d in by_premise.items():
        for i, h in enumerate(d["entailment"]):
            neg = d["contradiction"][i % len(d["contradiction"])] if d["contradiction"] else None
            out.append((p, h, neg))
            out.append((h, p, neg))
    return out


def intent_pairs(labelled, rng, per_text=1):
    """(text, other text with the same intent, intent key) for every text."""
    by = defaultdict(list)
    for t, l in labelled:
        by[l].append(t)
    out = []
    for l, ts in by.items():
        if len(ts) < 2:
            continue
        for t in ts:
            for _ in range(per_text):
                o = t
                while o == t:
                    o = ts[rng.randrange(len(ts))]
                out.append((t, o, l))
    return out


def mnrl_loss(a, p, n=None, keys=None, scale=20.0):
    """In-batch negatives (MultipleNegativesRanking): anchor i must pick candidate i among all positives (and hard
    negatives). Off-diagonal candidates with the same key (same intent) are masked out as false negatives."""
    cands = p if n is None else torch.cat([p, n], 0)
    sim = a @ cands.T * scale
    if keys is not None:
        B = a.shape[0]
        same = torch.tensor([[keys[i] == keys[j] and i != j for j in range(B)] for i in range(B)])
        if n is not None:
            same = torch.cat([same, torch.zeros_like(same)], 1)
        sim = sim.masked_fill(same, -1e4)
    target = torch.arange(a.shape[0])
    return F.cross_entropy(sim, target)


def cosent_loss(a, b, scores, scale=20.0):
    cos = (a * b).sum(-1) * scale
    diff = cos[None, :] - cos[:, None]  # diff[i, j] = cos_j - cos_i ; penalise when s_i > s_j
    valid = scores[:, None] > scores[None, :]
    diff = diff.masked_fill(~valid, -1e4)
    return torch.logsumexp(torch.cat([torch.zeros(1), diff.flatten()]), 0)


def similarity_train(model: Encoder, enc, nli_pairs, intent_sets, sts_train, sts_val, minutes, log, lr=2e-4,
                     batch=64, seed=0, eval_every=150, max_steps=None):
    rng = random.Random(seed)
    torch.manual_seed(seed)
    trip = nli_triplets(nli_pairs)
    intents = []
    for name, rows in intent_sets.items():
        intents += [(a, b, name + ":" + l) for a, b, l in intent_pairs(rows, rng)]
    cache = {}

    def E(t):
        v = cache.get(t)
        if v is None:
            v = cache[t] = enc(t)
        return v

    def emb(texts):
        ids, mask = pad_batch([E(t) for t in texts])
        return model.pooled(ids, mask)

    params = list(model.parameters())
    opt = make_optimizer(params, lr)
    log(f"similarity: {len(trip)} NLI triplets/pairs, {len(intents)} intent pairs, {len(sts_train)} STS-B pairs")
    # Task mix per step: NLI, intents, STS-B (CoSENT).
    tasks = ["nli"] * 4 + ["intent"] * 3 + ["sts"] * 3
    pools = {"nli": trip, "intent": intents, "sts": sts_train}
    pos = {k: len(v) for k, v in pools.items()}

    def next_batch(k, n):
        pool = pools[k]
        if pos[k] + n > len(pool):
            rng.shuffle(pool)
            pos[k] = 0
        b = pool[pos[k]:pos[k] + n]
        pos[k] += n
        return b

    best = (sts_spearman(model, enc, sts_val)[0], 0, copy.deepcopy(model.state_dict()))
    log(f"similarity: STS-B val Spearman before fine-tuning {best[0]:.4f}")
    t0 = time.time()
    step, total = 0, max_steps
    hist = []
    while True:
        model.train()
        k = tasks[step % len(tasks)]
        if k == "nli":
            b = next_batch("nli", batch)
            a, p = emb([x[0] for x in b]), emb([x[1] for x in b])
            negs = [x[2] for x in b if x[2] is not None]
            # hard negatives: only rows that have one; a row without gets none (in-batch negatives still apply)
            n = emb(negs) if negs else None
            loss = mnrl_loss(a, p, n)
        elif k == "intent":
            b = next_batch("intent", batch)
            loss = mnrl_loss(emb([x[0] for x in b]), emb([x[1] for x in b]), keys=[x[2] for x in b])
        else:
            b = next_batch("sts", batch)
            loss = cosent_loss(emb([x[0] for x in b]), emb([x[1] for x in b]),
                               torch.tensor([x[2] for x in b]))
        cur_lr = lr_at(step, total, lr, 0.05)
        for g in opt.param_groups:
            g["lr"] = cur_lr
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        step += 1
        hist.append(float(loss))
        if step == 20:
            rate = step / (time.time() - t0)
            log(f"similarity: {rate:.2f} steps/s; {total} steps planned (~{total / rate / 60:.1f} min), cap {minutes} min")
        if time.time() - t0 > minutes * 60 and step < total:
            log(f"similarity: TIME CAP of {minutes} min reached at step {step}/{total}")
            total = step
        if step % eval_every == 0 or (total and step >= total):
            sp = sts_spearman(model, enc, sts_val)[0]
            if sp > best[0]:
                best = (sp, step, copy.deepcopy(model.state_dict()))
            log(f"similarity step {step}/{total} loss {np.mean(hist[-eval_every:]):.3f} STS-B val {sp:.4f} "
                f"(best {best[0]:.4f} @ {best[1]}) {time.time() - t0:.0f}s")
        if total and step >= total:
            break
    model.load_state_dict(best[2])
    model.eval()
    return {"best_val_spearman": best[0], "best_step": best[1], "steps": step, "seconds": time.time() - t0}
