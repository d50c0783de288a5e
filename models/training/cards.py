"""Writes models/<name>/README.md model cards from the metrics collected by train.py."""
from __future__ import annotations

import os

CMD = "bash models/training/train.sh"

LICENCES = {
    "stsb": "`similarity/stsb.jsonl` (STS benchmark; train for training, val for model selection, test for the "
            "reported metric; some text needs attribution, see SOURCES.md)",
    "nli": "`similarity/snli_cad.jsonl` train+val (Apache-2.0 over SNLI, CC BY-SA 4.0), `similarity/taxinli.jsonl` "
           "(C-UDA; trained models unrestricted), `similarity/snli.jsonl` split val (SNLI, CC BY-SA 4.0), "
           "`similarity/mnli.jsonl` split val (MultiNLI, OANC/permissive; MNLI scores are not reported)",
    "clinc150": "`intents/clinc150.jsonl` (CC BY 3.0): train + oos_train for training, val + oos_val for selection "
                "and the OOS threshold, test + oos_test for the reported metrics",
    "banking77": "`intents/banking77.jsonl` (see SOURCES.md): train minus a carved 10 % val (hash of the text); "
                 "test for the reported metric",
    "snips": "`intents/snips.jsonl` (see SOURCES.md): train minus a carved 10 % val; test (the benchmark's "
             "held-out set) for the reported metric",
    "mmlu": "`router/mmlu.jsonl` split train only (Apache-2.0 RouteLLM data over MMLU), 20 % of it carved as val",
    "injections": "`safety/injections.jsonl` (MIT; prompts from garak, Apache-2.0, and PromptInject, MIT): the 35 "
                  "licensed injection prompts",
}


def pct(x):
    return "—" if x is None else f"{x:.3f}"


def mb(n):
    return f"{n / 1e6:.2f} MB" if n >= 1e5 else f"{n / 1e3:.1f} kB"


def files_table(M, folder):
    rows = [f"| `{k.split('/', 1)[1]}` | {mb(v)} |" for k, v in sorted(M["sizes"].items()) if k.startswith(folder + "/") and not k.endswith("README.md")]
    return "| file | size |\n|---|---:|\n" + "\n".join(rows)


def head_params(M, name, dim, labels):
    h = M["heads"][name].get("hidden", 0)
    return dim * labels + labels if not h else dim * h + h + h * labels + labels


def write(path, text):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text.strip() + "\n")


def tiny_note(tiny):
    return ("\n> **Smoke-test output (`--tiny`)**: tiny model on a tiny data subset; the numbers below are "
            "meaningless.\n" if tiny else "")


def encoder_card(M, tiny):
    c = M["encoder"]["config"]
    s = M["stsb"]
    ort = M["export"].get("onnxruntime", {})
    lat = "\n".join(f"| {k} | {v['latency_ms_32_tokens_1_thread']['median']:.3f} ms | "
                    f"{v['latency_ms_32_tokens_1_thread']['p90']:.3f} ms | {v['min_cosine_to_reference']:.6f} |"
                    for k, v in ort.items()) or "| (not measured: node or the onnxruntime-node tarball missing) | | | |"
    comb = s["combined"]
    calib = "calibration" in s
    i8 = M["int8"]
    tok = M["tokenizer"]
    return f"""
# edgerouter-encoder
{tiny_note(tiny)}
A small ModernBERT-style sentence encoder trained from scratch for EdgeRouter's in-process semantic features
(semantic cache, similarity thresholds) and as the shared backbone of the classifier heads next to it.

- **Architecture**: {c['layers']} layers, hidden {c['hidden']}, {c['heads']} heads (head dim {c['hidden'] // c['heads']}),
  GeGLU feed-forward (inner {c['intermediate']}), rotary position embeddings (theta {c['rope_theta']:.0f}), pre-norm
  LayerNorm without bias, embedding LayerNorm, final LayerNorm, no biases in linear layers, max length {c['max_len']}.
- **Parameters**: {M['encoder']['parameters']:,} (of which token embeddings {c['vocab_size'] * c['hidden']:,}).
- **Tokenizer**: BERT uncased WordPiece pruned to {c['vocab_size']:,} tokens (see below).
- **Output**: `last_hidden_state` [batch, sequence, {c['hidden']}]; the gateway mean-pools over `attention_mask`
  (the [CLS] and [SEP] positions included) and L2-normalises.

## Files

{files_table(M, 'edgerouter-encoder')}

- `model.onnx`: fp32, opset 14 plus ONNX Runtime `com.microsoft` contrib ops (`SkipLayerNormalization`, `Gelu`);
  inputs `input_ids`, `attention_mask` (int64 [batch, sequence], dynamic); output `last_hidden_state`.
  No `token_type_ids` input.
- `model.int8.onnx`: {'shipped' if i8['shipped'] else 'NOT shipped (a metric dropped more than one point)'};
  the same graph with every weight MatMul replaced by `com.microsoft.DynamicQuantizeMatMul` (int8 weights, one
  scale per output column, zero point 0) and the embedding table stored as int8 with one scale per row.
- `tokenizer.json` / `vocab.txt`: the tokenizer (both describe the same vocabulary; ids are line numbers of vocab.txt).
- `encoder.json`: the gateway manifest.
- `reference.jsonl`: {len(M.get('reference', [])) or 21} texts with their token ids and the fp32 embedding
  (`embedding`) {'and the emulated int8 embedding (`embedding_int8`)' if i8['shipped'] else ''} computed in Python;
  the C# tests check the gateway reproduces them.
{'- `calibration.json` + `idf_char.json`: the lexical+embedding similarity combination (see below).' if calib else ''}

## Tokenizer

Pruned from `bert-uncased/vocab.txt` (bert-base-uncased vocabulary as shipped with sentence-transformers/all-MiniLM-L6-v2,
Apache-2.0; file from `continuedev/continue`, see shared/data/tokenizers/SOURCES.md). Kept: [PAD]=0 [UNK]=1 [CLS]=2
[SEP]=3 [MASK]=4, every single-character token and its `##` form ({tok['vocab']['single_char_tokens']} tokens), then
the {tok['vocab']['frequent_pieces_kept']} most frequent word pieces that BERT's own tokenizer produces on the training
text ({tok['pretraining_texts']:,} texts); they cover {tok['vocab']['corpus_piece_coverage'] * 100:.1f} % of the
corpus' BERT pieces. Ids are dense and follow BERT's order within each group.
Pipeline (identical to bert-base-uncased): special tokens matched in the raw text first; BertNormalizer (clean
text, CJK spacing, strip accents, lowercase); BertPreTokenizer; WordPiece (`##`, max 100 chars per word, else
[UNK]); `[CLS] $A [SEP]`. Checks: the Python implementation reproduces all {tok['fixtures']} bert-uncased fixtures
with the full vocabulary; with the pruned vocabulary {tok['round_trip']['identical_words']}/{tok['round_trip']['texts']}
sampled texts spell out exactly the same words (no extra [UNK]); texts get
{tok['round_trip']['tokens_per_text_pruned'] / max(1e-9, tok['round_trip']['tokens_per_text_full']):.3f}x as many tokens.
**Truncation**: at most 128 tokens with the specials; longer texts keep the first 63 and the last 63 content tokens.

## Training

Command: `{CMD}` (all stages; see models/README.md). Data (all licensed for this use; evaluation splits never
trained on):
- MLM pretraining on every text field of the training splits: {LICENCES['stsb']} train, {LICENCES['nli']},
  CLINC150 / Banking77 / SNIPS train, MMLU train prompts, the 35 licensed injection prompts
  ({tok['pretraining_tokens']:,} tokens). {M['mlm']['steps']} steps, 30 % masking, AdamW.
  Final MLM loss {M['mlm']['final_loss']:.3f}.
- Sentence-similarity training with mean pooling: in-batch-negatives contrastive loss (MultipleNegativesRanking,
  scale 20) on NLI entailment pairs (both directions) with the premise's contradiction as hard negative; the same
  loss on same-intent pairs from the CLINC150 / Banking77 / SNIPS train splits (same-intent in-batch candidates
  masked out); CoSENT on STS-B train. {M['similarity']['steps']} steps; the checkpoint with the best STS-B val
  Spearman ({M['similarity']['best_val_spearman']:.4f}, step {M['similarity']['best_step']}) is kept.

## Metrics (STS-B, Spearman of cosine vs gold score)

| system | STS-B val | STS-B test |
|---|---:|---:|
| baseline: character 3-5-gram TF-IDF cosine | {pct(s['baseline_char_tfidf']['val'])} | {pct(s['baseline_char_tfidf']['test'])} |
| baseline: word 1-2-gram TF-IDF cosine | {pct(s['baseline_word_tfidf']['val'])} | {pct(s['baseline_word_tfidf']['test'])} |
| encoder fp32 | {pct(s['encoder_fp32']['val'])} | **{pct(s['encoder_fp32']['test'])}** |
| encoder int8 (emulated) | {pct(s['encoder_int8']['val'])} | {pct(s['encoder_int8']['test'])} |
| {comb['embedding_weight']:.2f} x encoder fp32 + {1 - comb['embedding_weight']:.2f} x char TF-IDF | {pct(comb['fp32']['val'])} | {pct(comb['fp32']['test'])} |
| same with int8 | {pct(comb['int8']['val'])} | {pct(comb['int8']['test'])} |

TF-IDF baselines: IDF fitted on STS-B train sentences, implemented in numpy (scikit-learn's formulas: smooth idf,
L2 rows, `char_wb` n-grams). The weight of the combination is picked on STS-B val.
{'The combination wins on val and ships as `calibration.json`' if calib else 'The combination does not beat the encoder alone by more than 0.005 on val, so none is shipped.'}
Target STS-B test ≥ 0.78: {'met' if (s['encoder_fp32']['test'] or 0) >= 0.78 else 'not met'} (see "Limitations").

## Speed (ONNX Runtime 1.30, 1 intra-op thread, batch 1, 32 tokens, optimisation level all)

| graph | median | p90 | min cosine to Python reference (21 texts) |
|---|---:|---:|---:|
{lat}

Measured by `models/training/ort_check.js` through onnxruntime-node's native binding (the same native library
as the gateway's), on this project's shared 2-core build machine (AMD EPYC, AVX-512), so other jobs add noise.

## int8

Worst drop of any reported metric fp32 -> int8 (emulated in torch with the same int8 weights and scales and per-text
uint8 activation quantisation as ONNX Runtime's DynamicQuantizeMatMul): **{i8['worst_drop_points']:.2f} points**
-> {'shipped' if i8['shipped'] else 'not shipped'}. Per metric (points): {', '.join(f'{k} {v:+.2f}' for k, v in i8['per_metric'].items())}.
On CPUs without AVX-512 VNNI / AVX-VNNI, ONNX Runtime's u8s8 kernels can saturate int16 intermediate sums; the
emulation assumes exact int32 accumulation.

## Limitations

- Trained from scratch on about {tok['pretraining_tokens'] / 1e6:.1f} M tokens of licensed text and a few tens of
  thousands of labelled pairs (no SNLI/MNLI train splits are available here, only their dev sets and 2.2 k
  TaxiNLI pairs), in well under an hour on 2 CPU cores. It is far weaker than pretrained sentence encoders; the
  amount of licensed training text is the main limit.
- English only in practice; accents are stripped, CJK characters and emoji mostly map to single tokens or [UNK].
"""


def intents_card(M, name, title, tiny, oos=False):
    h = M["heads"][f"{name}-head"]
    b = h["baseline_tfidf_logreg"]
    dim = M["encoder"]["config"]["hidden"]
    key = "in_scope_accuracy" if oos else "accuracy"
    rows = [f"| baseline: TF-IDF (word 1-2-grams) + logistic regression | {pct(b['val'][key])} | {pct(b['test'][key])} |",
            f"| head on encoder fp32 | {pct(h['fp32']['val'][key])} | **{pct(h['fp32']['test'][key])}** |",
            f"| head on encoder int8 (emulated) | {pct(h['int8']['val'][key])} | {pct(h['int8']['test'][key])} |"]
    extra = ""
    if oos:
        extra = f"""
Out-of-scope detection: predict `oos` when the top softmax probability is below a threshold. The threshold is
the lowest one that reaches 70 % OOS recall on val (CLINC150 val + oos_val): {h['oos_threshold']:.2f} for the head;
the baseline gets its own, {b['oos_threshold']:.2f}, picked the same way. The in-scope accuracy above is measured
with this threshold applied (an in-scope query predicted `oos` counts as an error); without it (argmax only) the
head scores {pct(h['fp32']['test_no_threshold']['in_scope_accuracy'])} on test.

| system | OOS recall val | OOS recall test (oos_test) | overall accuracy test (in-scope + oos) |
|---|---:|---:|---:|
| baseline: TF-IDF + logistic regression | {pct(b['val']['oos_recall'])} | {pct(b['test']['oos_recall'])} | {pct(b['test']['overall_accuracy'])} |
| head fp32 | {pct(h['fp32']['val']['oos_recall'])} | **{pct(h['fp32']['test']['oos_recall'])}** | {pct(h['fp32']['test']['overall_accuracy'])} |
| head int8 | {pct(h['int8']['val']['oos_recall'])} | {pct(h['int8']['test']['oos_recall'])} | {pct(h['int8']['test']['overall_accuracy'])} |

`calibration.json` holds `oosLabel` and `oosThreshold`: predict `oos` when the top probability is below the
threshold or `oos` itself is the top label. Targets: in-scope accuracy ≥ 0.93, OOS recall ≥ 0.70.
"""
    labels = h["labels"]
    lic = LICENCES[name]
    return f"""
# {name}-head
{tiny_note(tiny)}
{title} classifier on the frozen `edgerouter-encoder` sentence embedding (mean-pooled, L2-normalised, {dim} floats).
{'Linear layer' if not h['hidden'] else f"MLP {dim} -> {h['hidden']} (ReLU) -> {labels}"}, {labels} labels,
{head_params(M, f'{name}-head', dim, labels):,} parameters; input `embedding` float [batch, {dim}], output `logits`
float [batch, {labels}], activation softmax (labels in `head.json`).

## Files

{files_table(M, f'{name}-head')}

## Data

{lic}. {h['train_rows']:,} training rows. Chosen on val: the head shape (linear or MLP) and the epoch.

Command: `{CMD}`.

## Metrics ({'in-scope ' if oos else ''}accuracy)

| system | val | test |
|---|---:|---:|
{chr(10).join(rows)}
{extra}
The baseline (TF-IDF + multinomial logistic regression, L2 picked on val) is implemented in numpy + torch
(L-BFGS) in `models/training/lexical.py`; no scikit-learn.
"""


def router_card(M, tiny):
    h = M["heads"]["router-head"]
    dim = M["encoder"]["config"]["hidden"]
    neg = h["labels"][0]
    shape = "Linear layer" if not h["hidden"] else f"MLP {dim} -> {h['hidden']} -> 2 (ReLU)"
    cv_rows = "\n".join(
        f"| {r['label']} | {'linear' if not r['hidden'] else r['hidden']} | {r['weight_decay']:g} | {r['epochs']} | "
        f"{'**' if r == h['chosen'] else ''}{r['cv_apgr']:.3f} ± {r['cv_apgr_se']:.3f}"
        f"{'**' if r == h['chosen'] else ''} | {r['cv_gain_auc']:.3f} |" for r in h["cv"])
    f32, i8, bl = h["fp32"], h["int8"], h["baseline_length"]
    sp = h["baseline_subject_prior_gain"]["mmlu_test"]

    def row(name, m, bold=False):
        b = "**" if bold else ""
        return (f"| {name} | {b}{m['mmlu_test']['apgr']:.3f}{b} | {b}{m['gsm8k']['apgr']:.3f}{b} | "
                f"{b}{m['mtbench']['apgr']:.3f}{b} | {m['mmlu_test']['gain_auc']:.3f} | "
                f"{m['mmlu_test']['weak_wrong_auc']:.3f} | {m['gsm8k']['gain_auc']:.3f} |")
    return f"""
# router-head
{tiny_note(tiny)}
Scores whether a prompt should go to the strong model (GPT-4-1106-preview) rather than the weak one
(Mixtral-8x7B-Instruct), from the frozen `edgerouter-encoder` embedding. Labels `["{neg}", "needs_strong"]`,
softmax; trained on the label **{h['label']}**: {h['meaning']}. The `learned` router sends a prompt to the strong
model when P(needs_strong) (or its combination with the prompt's length, see the router's `combine` setting)
reaches a threshold τ chosen for the share of strong calls you want (`edgerouter calibrate`). {shape},
{head_params(M, 'router-head', dim, 2):,} parameters; input `embedding` float [batch, {dim}], output `logits` [batch, 2].

## Files

{files_table(M, 'router-head')}

## Data and choices

`router/mmlu.jsonl` split train only (Apache-2.0 RouteLLM data over MMLU): {h['train_rows']:,} rows, of which
{h['gain_rate_train'] * 100:.1f} % are fixed by the strong model (strong right, weak wrong). MMLU test, GSM8K and
MT-Bench are evaluation only; contaminated rows (RouteLLM's list) are excluded from them.

The label, the head's shape and its weight decay were chosen by {h['folds']}-fold cross-validation on those rows
(folds by a hash of the row id), on the metric the router is judged by: mean held-out APGR (RouteLLM's average
performance gap recovered, exact curve; 0.5 = random, 1 = strong quality at every share). The chosen candidate was
then refitted on every training row with the same schedule. Labels tried: `weak_wrong` (the weak model answers
wrong; the first shipped head), `gain` (strong right and weak wrong) and `net_gain` (soft target: 1 when the strong
model fixes the answer, 0 when it breaks it, 0.5 otherwise, so the score ranks by expected gain).

| label | hidden | weight decay | epochs | CV APGR (mean ± s.e.) | CV ROC-AUC (gain) |
|---|---:|---:|---:|---:|---:|
{cv_rows}

The chosen configuration's fold models also score every training row they did not see, on the int8 encoder:
`models/training/router-head-oof.json` (held-out APGR of those out-of-fold probabilities:
{h.get('oof_apgr_int8', float('nan')):.3f}). `edgerouter calibrate` fits the router's combiner, its threshold and the
per-model quality calibration on them, because the head's probabilities on its own training rows are overconfident.

Command: `{CMD} --router-head-only` (this head, on the shipped encoder; `{CMD}` rebuilds everything).

## Held-out metrics (measured once, after every choice above was fixed)

APGR on the exact curve, as `edgerouter eval`'s "APGR (full)"; MT-Bench is routed on the first turn and scored
by the GPT-4 judge. ROC-AUC columns: for "strong right and weak wrong" (gain) and for "weak wrong".

| system | MMLU test APGR | GSM8K APGR | MT-Bench APGR | MMLU ROC-AUC (gain) | MMLU ROC-AUC (weak wrong) | GSM8K ROC-AUC (gain) |
|---|---:|---:|---:|---:|---:|---:|
{row("head on encoder fp32", f32)}
{row("head on encoder int8 (emulated; what the gateway runs)", i8, True)}
| baseline: prompt length (estimated tokens) | {bl['mmlu_test']['apgr']:.3f} | {bl['gsm8k']['apgr']:.3f} | {bl['mtbench']['apgr']:.3f} | {bl['mmlu_test']['gain_auc']:.3f} | {bl['mmlu_test']['weak_wrong_auc']:.3f} | {bl['gsm8k']['gain_auc']:.3f} |
| baseline: per-subject gain rate (needs MMLU's subject) | {sp['apgr']:.3f} | n/a | n/a | {sp['gain_auc']:.3f} | {sp['weak_wrong_auc']:.3f} | n/a |

Rows: MMLU test {f32['mmlu_test']['rows']:,}, GSM8K {f32['gsm8k']['rows']:,}, MT-Bench {f32['mtbench']['rows']:,}.
`bench/router-eval/report.md` (`edgerouter eval`) has the gateway's own numbers for this head alone and combined
with the prompt's length, beside more baselines, with RouteLLM's 10-bin APGR and bootstrap intervals.

## Limitations

Trained on 6.9 k MMLU multiple-choice questions only: it learns which topics and question styles the strong
model fixes, not difficulty in general; GSM8K and MT-Bench show how much of that transfers to other traffic.
P(needs_strong) is a score to threshold, not a calibrated probability of an event{' (with net_gain it estimates (1 + P(fix) − P(break)) / 2)' if h['label'] == 'net_gain' else ''}.
"""


def injection_card(M, tiny):
    h = M["heads"]["injection-head"]
    b = h["baseline_tfidf_logreg"]
    dim = M["encoder"]["config"]["hidden"]

    def row(name, d):
        return f"| {name} | {pct(d['f1'])} | {pct(d['precision'])} | {pct(d['recall'])} | {pct(d['roc_auc'])} |"
    return f"""
# injection-head
{tiny_note(tiny)}
Flags prompt-injection / jailbreak text from the frozen `edgerouter-encoder` embedding. Labels
`["benign", "injection"]`, softmax; linear layer, {head_params(M, 'injection-head', dim, 2):,} parameters; input
`embedding` float [batch, {dim}], output `logits` [batch, 2].

## Data — read this first

**Only {h['positives']} licensed positive examples exist**: {LICENCES['injections']}. There are no licensed benign
prompts of the same style, so the benign class is {h['benign']:,} ordinary user texts (CLINC150, Banking77 and SNIPS
train, MMLU train prompts). The head therefore mostly learns "long, role-play / instruction-override text vs short
everyday requests"; it is a weak screen, not a safety guarantee. `injections_unlicensed.jsonl` has no licence and is
**never trained on**; its test split is used below only as a clearly separate evaluation set.

Command: `{CMD}`.

## Metrics (threshold 0.5 on P(injection))

Stratified 5-fold cross-validation (35 positives + {h['benign']:,} benign texts; each fold's head is trained on the
other four folds; all held-out positives and a fixed 1-in-4 subsample of the held-out benign texts,
{h.get('benign_scored_in_cv', 0):,} in all, are scored):

| system | F1 | precision | recall | ROC-AUC |
|---|---:|---:|---:|---:|
{row('baseline: TF-IDF + logistic regression', b['cv_licensed'])}
{row('head on encoder fp32', h['fp32']['cv_licensed'])}
{row('head on encoder int8 (emulated)', h['int8']['cv_licensed'])}

**Evaluation only, unlicensed data** (`safety/injections_unlicensed.jsonl` split test, 942 rows; different
distribution: its "injection" label also covers harmful requests and jailbreaks, and its benign rows are
security-themed questions), final head trained on all licensed data:

| system | F1 | precision | recall | ROC-AUC |
|---|---:|---:|---:|---:|
{row('baseline: TF-IDF + logistic regression', b['unlicensed_test_EVAL_ONLY'])}
{row('head on encoder fp32', h['fp32']['unlicensed_test_EVAL_ONLY'])}
{row('head on encoder int8 (emulated)', h['int8']['unlicensed_test_EVAL_ONLY'])}

## Files

{files_table(M, 'injection-head')}
"""


def write_all(out, M, tiny=False):
    write(os.path.join(out, "edgerouter-encoder", "README.md"), encoder_card(M, tiny))
    write(os.path.join(out, "clinc150-head", "README.md"),
          intents_card(M, "clinc150", "CLINC150 intent (150 intents + out-of-scope)", tiny, oos=True))
    write(os.path.join(out, "banking77-head", "README.md"), intents_card(M, "banking77", "Banking77 intent", tiny))
    write(os.path.join(out, "snips-head", "README.md"), intents_card(M, "snips", "SNIPS intent", tiny))
    write(os.path.join(out, "router-head", "README.md"), router_card(M, tiny))
    write(os.path.join(out, "injection-head", "README.md"), injection_card(M, tiny))
