"""A small ModernBERT-style encoder: rotary position embeddings, GeGLU feed-forward, pre-norm LayerNorm (no
bias), no biases in linear layers, embedding LayerNorm, final LayerNorm."""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class EncoderConfig:
    vocab_size: int = 10000
    hidden: int = 256
    layers: int = 4
    heads: int = 4
    intermediate: int = 512
    max_len: int = 128
    rope_theta: float = 10000.0
    dropout: float = 0.1

    def to_dict(self):
        return asdict(self)


class Norm(nn.Module):
    """LayerNorm with a scale and no bias (ModernBERT's norm_bias=False)."""

    def __init__(self, dim: int, eps: float = 1e-5):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x):
        return F.layer_norm(x, (x.shape[-1],), self.weight, None, self.eps)


def rotary_tables(max_len: int, head_dim: int, theta: float):
    inv = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.float64) / head_dim))
    t = torch.arange(max_len, dtype=torch.float64)
    freqs = torch.outer(t, inv)
    emb = torch.cat([freqs, freqs], dim=-1)
    return emb.cos().float(), emb.sin().float()


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat([-x[..., h:], x[..., :h]], dim=-1)


class Layer(nn.Module):
    def __init__(self, cfg: EncoderConfig, index: int):
        super().__init__()
        h = cfg.hidden
        self.heads = cfg.heads
        self.head_dim = h // cfg.heads
        self.attn_norm = Norm(h) if index > 0 else nn.Identity()
        self.Wqkv = nn.Linear(h, 3 * h, bias=False)
        self.Wo = nn.Linear(h, h, bias=False)
        self.mlp_norm = Norm(h)
        self.Wi = nn.Linear(h, 2 * cfg.intermediate, bias=False)
        self.Wd = nn.Linear(cfg.intermediate, h, bias=False)
        self.drop = nn.Dropout(cfg.dropout)

    def forward(self, x, bias, cos, sin):
        B, S, H = x.shape
        qkv = self.Wqkv(self.attn_norm(x)).view(B, S, 3, self.heads, self.head_dim).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        scores = torch.matmul(q, k.transpose(-1, -2)) * (1.0 / math.sqrt(self.head_dim)) + bias
        p = torch.softmax(scores, dim=-1)
        p = self.drop(p)
        ctx = torch.matmul(p, v).transpose(1, 2).reshape(B, S, H)
        x = x + self.drop(self.Wo(ctx))
        a, g = self.Wi(self.mlp_norm(x)).chunk(2, dim=-1)
        x = x + self.drop(self.Wd(F.gelu(a) * g))
        return x


class Encoder(nn.Module):
    def __init__(self, cfg: EncoderConfig):
        super().__init__()
        self.cfg = cfg
        self.embed = nn.Embedding(cfg.vocab_size, cfg.hidden)
        self.embed_norm = Norm(cfg.hidden)
        self.embed_drop = nn.Dropout(cfg.dropout)
        self.layers = nn.ModuleList([Layer(cfg, i) for i in range(cfg.layers)])
        self.final_norm = Norm(cfg.hidden)
        cos, sin = rotary_tables(cfg.max_len, cfg.hidden // cfg.heads, cfg.rope_theta)
        self.register_buffer("cos", cos, persistent=False)
        self.register_buffer("sin", sin, persistent=False)
        self.apply(self._init)

    @staticmethod
    def _init(m):
        if isinstance(m, nn.Linear):
            nn.init.trunc_normal_(m.weight, std=0.02, a=-0.04, b=0.04)
        elif isinstance(m, nn.Embedding):
            nn.init.trunc_normal_(m.weight, std=0.02, a=-0.04, b=0.04)

    def forward(self, ids, mask):
        S = ids.shape[1]
        x = self.embed_drop(self.embed_norm(self.embed(ids)))
        bias = (1.0 - mask[:, None, None, :].to(x.dtype)) * -10000.0
        cos, sin = self.cos[:S], self.sin[:S]
        for layer in self.layers:
            x = layer(x, bias, cos, sin)
        return self.final_norm(x)

    def pooled(self, ids, mask, normalize=True):
        h = self.forward(ids, mask)
        m = mask.unsqueeze(-1).to(h.dtype)
        e = (h * m).sum(1) / m.sum(1).clamp(min=1.0)
        return F.normalize(e, dim=-1) if normalize else e

    def num_parameters(self):
        return sum(p.numel() for p in self.parameters())


class MLMHead(nn.Module):
    """dense -> GELU -> norm -> decoder tied to the token embeddings (+ bias). Not exported."""

    def __init__(self, encoder: Encoder):
        super().__init__()
        h = encoder.cfg.hidden
        self.dense = nn.Linear(h, h, bias=False)
        self.norm = Norm(h)
        self.bias = nn.Parameter(torch.zeros(encoder.cfg.vocab_size))
        self.encoder = encoder
        nn.init.trunc_normal_(self.dense.weight, std=0.02, a=-0.04, b=0.04)

    def forward(self, hidden):
        x = self.norm(F.gelu(self.dense(hidden)))
        return F.linear(x, self.encoder.embed.weight, self.bias)
