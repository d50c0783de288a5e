"""Hand-written ONNX graphs (opset 14 + ONNX Runtime com.microsoft contrib ops) for the encoder and the heads.

Encoder graph, per call:
  emb    = Gather(E', input_ids)              E' = the embedding table with the embedding LayerNorm folded in
  bias   = Unsqueeze(Gather([-1e4, 0], attention_mask))      additive attention mask [B,1,1,S]
  pos    = CumSum(attention_mask)             rotary tables are stored shifted by one row, so Gather(cos, pos)
  cos    = Gather(COS, pos), sin = Gather(SIN, pos)         gives position pos-1 (= 0..S-1 for real tokens)
per layer (q columns pre-scaled by 1/sqrt(head_dim); cos = 1 and sin = 0 on the v heads, so rotary is applied to
the whole fused qkv tensor at once; rotate_half is a [dh, dh] signed permutation matrix R):
  qkv = MatMul(h, Wqkv) -> Reshape [B,S,3nh,dh] -> r = qkv*cos + MatMul(qkv, R)*sin -> Transpose -> Split q,k,v
  ctx = MatMul(Softmax(MatMul(q, Transpose(k)) + bias), v) -> Transpose -> Reshape [B,S,H] -> MatMul(Wo)
  h, x = SkipLayerNormalization(attn_out, x)          residual add + pre-norm of the MLP in one op
  a, g = Split(MatMul(h, Wi)); m = MatMul(Gelu(a) * g, Wd)
  h, x = SkipLayerNormalization(m, x)                 residual add + next layer's norm (final norm after the last)
No Shape ops; batch and sequence are dynamic.

int8 variant: every MatMul whose B is a float initializer becomes com.microsoft DynamicQuantizeMatMul with int8
weights, one float scale per output column, zero points 0 (symmetric); the embedding table is stored as int8 with
one scale per row (Gather, Gather, Cast, Mul).
"""
from __future__ import annotations

import re

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

from model import Encoder

OPSET = 14
MS = "com.microsoft"


class GraphBuilder:
    def __init__(self):
        self.nodes, self.inits, self.counter = [], [], 0

    def name(self, base):
        self.counter += 1
        return f"{base}_{self.counter}"

    def const(self, array, base):
        n = self.name(base)
        self.inits.append(numpy_helper.from_array(np.ascontiguousarray(array), n))
        return n

    def op(self, op_type, inputs, base=None, outputs=1, domain=None, **attrs):
        outs = [self.name(base or op_type.lower()) for _ in range(outputs)] if isinstance(outputs, int) else outputs
        self.nodes.append(helper.make_node(op_type, inputs, outs, name=self.name(op_type), domain=domain, **attrs))
        return outs[0] if len(outs) == 1 else outs


def quantize_columns(w: np.ndarray):
    """Symmetric per-column int8: w [K, N] ~= q * scale[N], q in [-127, 127]."""
    amax = np.abs(w).max(axis=0)
    scale = np.where(amax > 0, amax / 127.0, 1.0).astype(np.float32)
    q = np.clip(np.round(w / scale), -127, 127).astype(np.int8)
    return q, scale


def quantize_rows(w: np.ndarray):
    amax = np.abs(w).max(axis=1, keepdims=True)
    scale = np.where(amax > 0, amax / 127.0, 1.0).astype(np.float32)
    q = np.clip(np.round(w / scale), -127, 127).astype(np.int8)
    return q, scale


def matmul(g: GraphBuilder, x, w: np.ndarray, base: str, int8: bool):
    """x @ w with w [K, N] float32 (already transposed from torch's [N, K])."""
    if not int8:
        return g.op("MatMul", [x, g.const(w.astype(np.float32), base + "_W")], base)
    q, scale = quantize_columns(w)
    zp = np.zeros(scale.shape, dtype=np.int8)
    return g.op("DynamicQuantizeMatMul", [x, g.const(q, base + "_Wq"), g.const(scale, base + "_scale"),
                                          g.const(zp, base + "_zp")], base, domain=MS)


def encoder_arrays(model: Encoder):
    """Export-ready numpy arrays (weights transposed to [in, out], q scaled, norms folded)."""
    cfg = model.cfg
    H, nh = cfg.hidden, cfg.heads
    dh = H // nh
    sd = {k: v.detach().float().cpu().numpy() for k, v in model.state_dict().items()}
    E = torch.tensor(sd["embed.weight"])
    E = torch.nn.functional.layer_norm(E, (H,), torch.tensor(sd["embed_norm.weight"]), None, 1e-5).numpy()
    layers = []
    for i in range(cfg.layers):
        p = f"layers.{i}."
        wqkv = sd[p + "Wqkv.weight"].T.copy()  # [H, 3H]
        wqkv[:, :H] *= 1.0 / np.sqrt(dh)
        layers.append({
            "attn_norm": sd.get(p + "attn_norm.weight"),
            "Wqkv": wqkv,
            "Wo": sd[p + "Wo.weight"].T.copy(),
            "mlp_norm": sd[p + "mlp_norm.weight"],
            "Wi": sd[p + "Wi.weight"].T.copy(),
            "Wd": sd[p + "Wd.weight"].T.copy(),
        })
    return {"E": E.astype(np.float32), "layers": layers, "final_norm": sd["final_norm.weight"]}


def encoder_arrays_from_onnx(path: str):
    """(EncoderConfig, arrays) read back from an fp32 encoder graph written by build_encoder: the same arrays
    encoder_arrays returns, so quant.ExportedForward reproduces the shipped encoder (fp32, or int8 emulated)
    without the training checkpoint. The rotary tables are checked against rope_theta = 10000."""
    from model import EncoderConfig
    m = onnx.load(path)
    w = {}
    for init in m.graph.initializer:
        base = re.sub(r"_\d+$", "", init.name)
        w[base] = np.array(numpy_helper.to_array(init))
    if "embed" not in w:
        raise ValueError(f"{path}: not an fp32 encoder graph from build_encoder (no 'embed' initializer)")
    layers = sorted(int(k[1:-6]) for k in w if re.fullmatch(r"l\d+_qkv_W", k))
    vocab, hidden = w["embed"].shape
    rows, heads3, dh = w["rope_cos"].shape
    cfg = EncoderConfig(vocab_size=int(vocab), hidden=int(hidden), layers=len(layers), heads=int(heads3 // 3),
                        intermediate=int(w["l0_wd_W"].shape[0]), max_len=int(rows - 1))
    arrays = {"E": w["embed"].astype(np.float32), "final_norm": w[f"norm{len(layers)}"], "layers": []}
    for i in layers:
        arrays["layers"].append({"attn_norm": w[f"norm{i}"] if i > 0 else None, "Wqkv": w[f"l{i}_qkv_W"],
                                 "Wo": w[f"l{i}_o_W"], "mlp_norm": w[f"l{i}_mlp_norm"], "Wi": w[f"l{i}_wi_W"],
                                 "Wd": w[f"l{i}_wd_W"]})
    C, _, _ = rotary_onnx_tables(cfg)
    if not np.allclose(C, w["rope_cos"], atol=1e-6):
        raise ValueError(f"{path}: rotary tables differ from rope_theta = {cfg.rope_theta}")
    return cfg, arrays


def rotary_onnx_tables(cfg):
    from model import rotary_tables
    dh = cfg.hidden // cfg.heads
    cos, sin = rotary_tables(cfg.max_len, dh, cfg.rope_theta)  # [L, dh]
    cos, sin = cos.numpy(), sin.numpy()
    L, nh = cfg.max_len, cfg.heads
    C = np.ones((L + 1, 3 * nh, dh), np.float32)
    S = np.zeros((L + 1, 3 * nh, dh), np.float32)
    C[1:, :2 * nh, :] = cos[:, None, :]
    S[1:, :2 * nh, :] = sin[:, None, :]
    R = np.zeros((dh, dh), np.float32)  # x @ R == rotate_half(x) == cat(-x2, x1)
    h = dh // 2
    for j in range(h):
        R[j + h, j] = -1.0
        R[j, j + h] = 1.0
    return C, S, R


def build_encoder(model: Encoder, path: str, int8: bool = False) -> onnx.ModelProto:
    cfg = model.cfg
    H, nh, I = cfg.hidden, cfg.heads, cfg.intermediate
    dh = H // nh
    a = encoder_arrays(model)
    g = GraphBuilder()
    eps = 1e-5

    if int8:
        qE, sE = quantize_rows(a["E"])
        e8 = g.op("Gather", [g.const(qE, "embed_q"), "input_ids"], "emb_q", axis=0)
        es = g.op("Gather", [g.const(sE, "embed_scale"), "input_ids"], "emb_s", axis=0)
        x = g.op("Mul", [g.op("Cast", [e8], "emb_f", to=TensorProto.FLOAT), es], "emb")
    else:
        x = g.op("Gather", [g.const(a["E"], "embed"), "input_ids"], "emb", axis=0)

    mask_lut = np.array([-10000.0, 0.0], np.float32)
    bias = g.op("Unsqueeze", [g.op("Gather", [g.const(mask_lut, "mask_lut"), "attention_mask"], "mask_add", axis=0),
                              g.const(np.array([1, 2], np.int64), "axes12")], "mask_bias")
    pos = g.op("CumSum", ["attention_mask", g.const(np.array(1, np.int64), "axis1")], "pos")
    C, S, R = rotary_onnx_tables(cfg)
    cos = g.op("Gather", [g.const(C, "rope_cos"), pos], "cos", axis=0)  # [B,S,3nh,dh]
    sin = g.op("Gather", [g.const(S, "rope_sin"), pos], "sin", axis=0)
    Rn = g.const(R, "rope_rotate_half")
    shape4 = g.const(np.array([0, 0, 3 * nh, dh], np.int64), "shape_qkv")
    shape3 = g.const(np.array([0, 0, H], np.int64), "shape_ctx")
    split_qkv = g.const(np.array([nh, nh, nh], np.int64), "split_qkv")
    split_ff = g.const(np.array([I, I], np.int64), "split_ff")

    h = x
    for i, L in enumerate(a["layers"]):
        qkv = matmul(g, h, L["Wqkv"], f"l{i}_qkv", int8)
        qkv = g.op("Reshape", [qkv, shape4], f"l{i}_qkv4")
        rot = g.op("MatMul", [qkv, Rn], f"l{i}_rot")
        qkv = g.op("Add", [g.op("Mul", [qkv, cos], f"l{i}_qc"), g.op("Mul", [rot, sin], f"l{i}_rs")], f"l{i}_rope")
        qkv = g.op("Transpose", [qkv], f"l{i}_qkvT", perm=[0, 2, 1, 3])
        q, k, v = g.op("Split", [qkv, split_qkv], f"l{i}_split", outputs=3, axis=1)
        kT = g.op("Transpose", [k], f"l{i}_kT", perm=[0, 1, 3, 2])
        sc = g.op("Add", [g.op("MatMul", [q, kT], f"l{i}_scores"), bias], f"l{i}_masked")
        p = g.op("Softmax", [sc], f"l{i}_probs", axis=-1)
        ctx = g.op("MatMul", [p, v], f"l{i}_ctx")
        ctx = g.op("Reshape", [g.op("Transpose", [ctx], f"l{i}_ctxT", perm=[0, 2, 1, 3]), shape3], f"l{i}_ctx3")
        att = matmul(g, ctx, L["Wo"], f"l{i}_o", int8)
        outs = [g.name(f"l{i}_mlp_in"), "", "", g.name(f"l{i}_res1")]
        g.op("SkipLayerNormalization", [att, x, g.const(L["mlp_norm"], f"l{i}_mlp_norm")], outputs=outs,
             domain=MS, epsilon=eps)
        h, x = outs[0], outs[3]
        ff = matmul(g, h, L["Wi"], f"l{i}_wi", int8)
        ga, gg = g.op("Split", [ff, split_ff], f"l{i}_ff", outputs=2, axis=-1)
        act = g.op("Mul", [g.op("Gelu", [ga], f"l{i}_gelu", domain=MS), gg], f"l{i}_geglu")
        mo = matmul(g, act, L["Wd"], f"l{i}_wd", int8)
        last = i == len(a["layers"]) - 1
        norm_w = a["final_norm"] if last else a["layers"][i + 1]["attn_norm"]
        outs = ["last_hidden_state" if last else g.name(f"l{i + 1}_attn_in"), "", "",
                "" if last else g.name(f"l{i}_res2")]
        g.op("SkipLayerNormalization", [mo, x, g.const(norm_w, f"norm{i + 1}")], outputs=outs, domain=MS,
             epsilon=eps)
        h, x = outs[0], outs[3]

    # Trailing empty optional outputs are dropped (ONNX allows omitting them).
    for n in g.nodes:
        while n.output and n.output[-1] == "":
            n.output.pop()
    graph = helper.make_graph(
        g.nodes, "edgerouter_encoder_int8" if int8 else "edgerouter_encoder",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "sequence"]),
         helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "sequence"])],
        [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, ["batch", "sequence", H])],
        g.inits)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET), helper.make_opsetid(MS, 1)],
                          producer_name="edgerouter-models-training")
    m.ir_version = 8
    m.doc_string = ("EdgeRouter sentence encoder (ModernBERT-style, rotary, GeGLU, pre-norm). Mean-pool "
                    "last_hidden_state over attention_mask and L2-normalise to get the sentence embedding.")
    onnx.checker.check_model(m)
    onnx.save(m, path)
    return m


def build_head(layers: list[tuple[np.ndarray, np.ndarray]], path: str, name: str, hidden_act: str = "relu"):
    """MLP head: embedding [batch, dim] -> logits [batch, labels]. layers = [(W [in,out], b [out]), ...]."""
    g = GraphBuilder()
    x = "embedding"
    for i, (w, b) in enumerate(layers):
        y = g.op("Gemm", [x, g.const(w.astype(np.float32), f"W{i}"), g.const(b.astype(np.float32), f"b{i}")],
                 outputs=["logits"] if i == len(layers) - 1 else 1)
        if i < len(layers) - 1:
            y = g.op("Relu", [y], "relu")
        x = y
    dim, labels = layers[0][0].shape[0], layers[-1][0].shape[1]
    graph = helper.make_graph(g.nodes, name,
                              [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["batch", dim])],
                              [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", labels])],
                              g.inits)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                          producer_name="edgerouter-models-training")
    m.ir_version = 8
    onnx.checker.check_model(m)
    onnx.save(m, path)
    return m
