"""Torch re-implementation of the exported graphs, used to (1) check the export math against the training
model and (2) emulate the int8 graph exactly as ONNX Runtime computes it:
- weights: int8, symmetric, one scale per output column (export.quantize_columns);
- activations: DynamicQuantizeMatMul quantises A per tensor to uint8, asymmetric:
  scale = (max(A, 0) - min(A, 0)) / 255, zero_point = round(-min(A, 0) / scale) clamped to [0, 255],
  A_q = clamp(round(A / scale) + zero_point, 0, 255); the product is exact in int32, then scaled back.
  The gateway runs one text per call (batch 1, no padding), so the range is taken per text over its tokens;
- embedding table: int8 with one scale per row.
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from export import encoder_arrays, quantize_columns, quantize_rows, rotary_onnx_tables


class ExportedForward:
    def __init__(self, model, int8: bool, arrays=None):
        """model: the training Encoder, or (with arrays from export.encoder_arrays_from_onnx) its EncoderConfig."""
        cfg = model if arrays is not None else model.cfg
        self.cfg, self.int8 = cfg, int8
        a = arrays if arrays is not None else encoder_arrays(model)
        t = lambda x: torch.from_numpy(np.ascontiguousarray(x))
        if int8:
            q, s = quantize_rows(a["E"])
            self.E = t(q.astype(np.float32) * s)
        else:
            self.E = t(a["E"])
        self.layers = []
        for L in a["layers"]:
            d = {}
            for k in ("Wqkv", "Wo", "Wi", "Wd"):
                if int8:
                    q, s = quantize_columns(L[k])
                    d[k] = t(q.astype(np.float32)) * t(s)[None, :]
                else:
                    d[k] = t(L[k])
            d["attn_norm"] = None if L["attn_norm"] is None else t(L["attn_norm"])
            d["mlp_norm"] = t(L["mlp_norm"])
            self.layers.append(d)
        self.final_norm = t(a["final_norm"])
        C, S, R = rotary_onnx_tables(cfg)
        self.C, self.S, self.R = t(C), t(S), t(R)

    def _act_quant(self, x, mask):
        """Per-text uint8 asymmetric quantise-dequantise of x [B, S, K] over each text's real tokens."""
        if not self.int8:
            return x
        m = mask[:, :, None].bool()
        big = torch.finfo(x.dtype).max
        lo = torch.where(m, x, torch.full_like(x, big)).amin(dim=(1, 2)).clamp(max=0.0)
        hi = torch.where(m, x, torch.full_like(x, -big)).amax(dim=(1, 2)).clamp(min=0.0)
        scale = ((hi - lo) / 255.0).clamp(min=1e-12)
        zp = torch.clamp(torch.round(-lo / scale), 0, 255)
        scale, zp = scale[:, None, None], zp[:, None, None]
        q = torch.clamp(torch.round(x / scale) + zp, 0, 255)
        return (q - zp) * scale

    def _mm(self, x, w, mask):
        return self._act_quant(x, mask) @ w

    @staticmethod
    def _ln(x, w):
        return F.layer_norm(x, (x.shape[-1],), w, None, 1e-5)

    @torch.no_grad()
    def hidden(self, ids, mask):
        cfg = self.cfg
        B, S = ids.shape
        H, nh = cfg.hidden, cfg.heads
        dh = H // nh
        x = self.E[ids]
        bias = ((1 - mask.float()) * -10000.0)[:, None, None, :]
        pos = mask.cumsum(1)
        cos, sin = self.C[pos], self.S[pos]
        h = x
        for i, L in enumerate(self.layers):
            if i > 0:
                h = self._ln(x, L["attn_norm"])
            qkv = self._mm(h, L["Wqkv"], mask).view(B, S, 3 * nh, dh)
            qkv = qkv * cos + (qkv @ self.R) * sin
            qkv = qkv.transpose(1, 2)
            q, k, v = qkv[:, :nh], qkv[:, nh:2 * nh], qkv[:, 2 * nh:]
            p = torch.softmax(q @ k.transpose(-1, -2) + bias, -1)
            ctx = (p @ v).transpose(1, 2).reshape(B, S, H)
            x = x + self._mm(ctx, L["Wo"], mask)
            h = self._ln(x, L["mlp_norm"])
            a, g = self._mm(h, L["Wi"], mask).chunk(2, -1)
            x = x + self._mm(F.gelu(a) * g, L["Wd"], mask)
        return self._ln(x, self.final_norm)

    @torch.no_grad()
    def pooled(self, ids, mask, normalize=True):
        h = self.hidden(ids, mask)
        m = mask.unsqueeze(-1).float()
        e = (h * m).sum(1) / m.sum(1).clamp(min=1.0)
        return F.normalize(e, dim=-1) if normalize else e


def embed_with(forward, seqs, batch=256):
    """Embeds token-id sequences with an ExportedForward (batched by similar length)."""
    from train_encoder import pad_batch
    order = sorted(range(len(seqs)), key=lambda i: len(seqs[i]))
    out = torch.zeros(len(seqs), forward.cfg.hidden)
    for s in range(0, len(order), batch):
        idx = order[s:s + batch]
        ids, mask = pad_batch([seqs[j] for j in idx])
        out[idx] = forward.pooled(ids, mask)
    return out
