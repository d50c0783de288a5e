#!/usr/bin/env bash
# CI smoke test of the model pipeline: runs train.sh --tiny into a temp dir (about a minute) and checks that every
# expected file appears and is well-formed. Never touches the shipped models/ artifacts.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="$(mktemp -d -t edgerouter-models-smoke-XXXXXX)"
WORK="$(mktemp -d -t edgerouter-models-smoke-work-XXXXXX)"
trap 'rm -rf "$OUT" "$WORK"' EXIT
bash "$HERE/train.sh" --tiny --out "$OUT" --work "$WORK" "$@"
# The router head alone, retrained on the encoder just written (what ships router-head/ on the shipped encoder).
bash "$HERE/train.sh" --tiny --router-head-only --out "$OUT" --work "$WORK"
/usr/bin/python3 - "$OUT" <<'PY'
import hashlib, json, os, sys
import onnx
out = sys.argv[1]
fails = []
def need(rel):
    p = os.path.join(out, rel)
    if not os.path.isfile(p) or os.path.getsize(p) == 0:
        fails.append(f"missing or empty: {rel}")
        return None
    return p
metrics = json.load(open(need("metrics.json")))
enc = ["model.onnx", "tokenizer.json", "vocab.txt", "encoder.json", "reference.jsonl", "README.md", "NOTICE"]
if metrics["int8"]["shipped"]:
    enc.append("model.int8.onnx")
if "calibration" in metrics["stsb"]:
    enc += ["calibration.json", "idf_char.json"]
for f in enc:
    need(f"edgerouter-encoder/{f}")
heads = {"router-head": None, "clinc150-head": None, "banking77-head": None,
         "snips-head": None, "injection-head": ["benign", "injection"]}
for h, labels in heads.items():
    for f in ("head.onnx", "head.json", "README.md"):
        need(f"{h}/{f}")
    hj = json.load(open(os.path.join(out, h, "head.json")))
    if set(hj) != {"model", "input", "output", "labels", "activation"}:
        fails.append(f"{h}/head.json keys {sorted(hj)}")
    if labels and hj["labels"] != labels:
        fails.append(f"{h}/head.json labels {hj['labels']}")
    m = onnx.load(os.path.join(out, h, "head.onnx"))
    onnx.checker.check_model(m)
    if [i.name for i in m.graph.input] != ["embedding"] or [o.name for o in m.graph.output] != ["logits"]:
        fails.append(f"{h}/head.onnx io names")
    if m.graph.output[0].type.tensor_type.shape.dim[1].dim_value != len(hj["labels"]):
        fails.append(f"{h}/head.onnx label count")
rh = json.load(open(os.path.join(out, "router-head", "head.json")))["labels"]
if rh[1] != "needs_strong" or rh[0] not in ("weak_ok", "no_gain"):
    fails.append(f"router-head/head.json labels {rh}")
oof = json.load(open(need("router-head-oof.json")))
if oof["rows"] != len(oof["pNeedsStrong"]) or not all(0 <= x <= 1 for x in oof["pNeedsStrong"]):
    fails.append("router-head-oof.json content")
rm = metrics["heads"]["router-head"]
if not rm["cv"] or rm["label"] not in ("weak_wrong", "gain", "net_gain") or "router-head-only" not in metrics["stages_seconds"]:
    fails.append("router-head metrics (cross-validation table, label, router-head-only run)")
need("clinc150-head/calibration.json")
ej = json.load(open(os.path.join(out, "edgerouter-encoder", "encoder.json")))
if set(ej) != {"model", "tokenizer", "maxTokens", "pooling", "normalize", "inputs", "output"}:
    fails.append(f"encoder.json keys {sorted(ej)}")
for f in ["model.onnx"] + (["model.int8.onnx"] if metrics["int8"]["shipped"] else []):
    m = onnx.load(os.path.join(out, "edgerouter-encoder", f))
    onnx.checker.check_model(m)
    if [i.name for i in m.graph.input] != ["input_ids", "attention_mask"] or m.graph.output[0].name != "last_hidden_state":
        fails.append(f"{f} io names")
refs = [json.loads(l) for l in open(os.path.join(out, "edgerouter-encoder", "reference.jsonl"), encoding="utf-8")]
if len(refs) < 20 or any(len(r["ids"]) > 128 or not r["embedding"] for r in refs):
    fails.append("reference.jsonl content")
man = json.load(open(need("manifest.json")))
for f in man["files"]:
    p = os.path.join(out, f["path"])
    if not os.path.isfile(p) or hashlib.sha256(open(p, "rb").read()).hexdigest() != f["sha256"]:
        fails.append(f"manifest mismatch: {f['path']}")
if fails:
    print("\n".join(fails))
    print("smoke: 0 passed, 1 failed")
    sys.exit(1)
print(f"every expected file present and valid ({len(man['files'])} files in the manifest)")
print("smoke: 1 passed, 0 failed")
PY
