"""Builds the tiny ONNX models the inference tests load (run with Debian's python3 + python3-onnx):
/usr/bin/python3 make_test_models.py (from this folder). Each model goes into its own folder with the manifest the
gateway reads (encoder.json or head.json) and, for encoders, a 64-token WordPiece vocabulary.

tiny-encoder.onnx: input_ids, attention_mask, token_type_ids (int64 [1, seq]) -> last_hidden_state (float [1, seq, 4])
  where last_hidden_state[0, t, j] = (E[input_ids[t], j] + token_type_ids[t]) * attention_mask[t] and E[i, j] = i + j / 10.
tiny-pooled.onnx: the same, mean-pooled inside the graph -> sentence_embedding (float [1, 4]).
tiny-modulo/model.onnx: input_ids, attention_mask (int64 [1, seq]) -> last_hidden_state (float [1, seq, 4]) with
  last_hidden_state[0, t] = E[input_ids[t] mod 64] * attention_mask[t]: any vocabulary size (a ModernBERT BPE
  tokenizer, ids up to 50,367) maps onto the same small table. No tokenizer in the folder: tests add one.
tiny-words/model.onnx: input_ids, attention_mask -> last_hidden_state (float [1, seq, 16]) = W[input_ids[t]] * mask[t] with
  W a seeded Gaussian table whose special-token rows are zero: a bag-of-words encoder whose sentence embedding (mean
  pooled) is the same for the same words in any order and far apart for different words. The cache tests use it.
tiny-head.onnx: embedding (float [1, 4]) -> probabilities (float [1, 3]) = softmax(embedding @ W + b).
The expected values are recomputed by the tests from these definitions.
"""
import json
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

VOCAB, HIDDEN = 64, 4
E = np.array([[i + j / 10 for j in range(HIDDEN)] for i in range(VOCAB)], dtype=np.float32)
W = np.array([[1, 0, -1], [0, 1, 0], [0.5, -0.5, 0], [0, 0, 1]], dtype=np.float32)
B = np.array([0.1, 0.2, 0.3], dtype=np.float32)


def ids_input(name):
    return helper.make_tensor_value_info(name, TensorProto.INT64, [1, "seq"])


def encoder_nodes():
    return [
        helper.make_node("Gather", ["E", "input_ids"], ["emb"], axis=0),
        helper.make_node("Cast", ["token_type_ids"], ["types_f"], to=TensorProto.FLOAT),
        helper.make_node("Unsqueeze", ["types_f", "axis_last"], ["types_u"]),
        helper.make_node("Add", ["emb", "types_u"], ["shifted"]),
        helper.make_node("Cast", ["attention_mask"], ["mask_f"], to=TensorProto.FLOAT),
        helper.make_node("Unsqueeze", ["mask_f", "axis_last"], ["mask_u"]),
        helper.make_node("Mul", ["shifted", "mask_u"], ["last_hidden_state"]),
    ]


def initializers():
    return [numpy_helper.from_array(E, "E"), numpy_helper.from_array(np.array([-1], dtype=np.int64), "axis_last")]


WORDS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "cat", "sat", "on", "mat", "a", "dog", "ran", "in",
         "park", "hello", "world", "how", "are", "you", "?", "!", ".", ",", "##s", "##ing", "##ed", "good", "morning",
         "is", "it", "to", "be", "or", "not", "and", "i", "we", "they", "big", "small", "red", "blue", "green", "one",
         "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "yes", "no", "play", "run", "jump",
         "walk", "talk", "read", "write", "code"]
assert len(WORDS) == VOCAB


def folder(name, manifest_name, manifest, vocab=True):
    os.makedirs(name, exist_ok=True)
    with open(os.path.join(name, manifest_name), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    if vocab:
        with open(os.path.join(name, "vocab.txt"), "w") as f:
            f.write("\n".join(WORDS) + "\n")
    return name


def save(graph, path):
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)], producer_name="edgerouter-tests")
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, path)


inputs = [ids_input("input_ids"), ids_input("attention_mask"), ids_input("token_type_ids")]
save(helper.make_graph(encoder_nodes(), "tiny_encoder", inputs,
                       [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, [1, "seq", HIDDEN])],
                       initializers()),
     os.path.join(folder("tiny-encoder", "encoder.json", {"model": "model.onnx", "tokenizer": "vocab.txt", "maxTokens": 16,
                                                          "pooling": "mean", "normalize": True}), "model.onnx"))

pooled = encoder_nodes() + [helper.make_node("ReduceMean", ["last_hidden_state"], ["sentence_embedding"], axes=[1], keepdims=0)]
save(helper.make_graph(pooled, "tiny_pooled", inputs,
                       [helper.make_tensor_value_info("sentence_embedding", TensorProto.FLOAT, [1, HIDDEN])],
                       initializers()),
     os.path.join(folder("tiny-pooled", "encoder.json", {"maxTokens": 16, "pooling": "pooled", "normalize": False,
                                                         "output": "sentence_embedding"}), "model.onnx"))

modulo = [
    helper.make_node("Mod", ["input_ids", "modulus"], ["ids_mod"]),
    helper.make_node("Gather", ["E", "ids_mod"], ["emb"], axis=0),
    helper.make_node("Cast", ["attention_mask"], ["mask_f"], to=TensorProto.FLOAT),
    helper.make_node("Unsqueeze", ["mask_f", "axis_last"], ["mask_u"]),
    helper.make_node("Mul", ["emb", "mask_u"], ["last_hidden_state"]),
]
os.makedirs("tiny-modulo", exist_ok=True)
save(helper.make_graph(modulo, "tiny_modulo", [ids_input("input_ids"), ids_input("attention_mask")],
                       [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, [1, "seq", HIDDEN])],
                       initializers() + [numpy_helper.from_array(np.array(VOCAB, dtype=np.int64), "modulus")]),
     os.path.join("tiny-modulo", "model.onnx"))

WORDS_DIM = 16
W_WORDS = np.random.default_rng(7).standard_normal((VOCAB, WORDS_DIM)).astype(np.float32)
W_WORDS[:5] = 0  # [PAD] [UNK] [CLS] [SEP] [MASK]
words = [
    helper.make_node("Gather", ["W", "input_ids"], ["emb"], axis=0),
    helper.make_node("Cast", ["attention_mask"], ["mask_f"], to=TensorProto.FLOAT),
    helper.make_node("Unsqueeze", ["mask_f", "axis_last"], ["mask_u"]),
    helper.make_node("Mul", ["emb", "mask_u"], ["last_hidden_state"]),
]
save(helper.make_graph(words, "tiny_words", [ids_input("input_ids"), ids_input("attention_mask")],
                       [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, [1, "seq", WORDS_DIM])],
                       [numpy_helper.from_array(W_WORDS, "W"), numpy_helper.from_array(np.array([-1], dtype=np.int64), "axis_last")]),
     os.path.join(folder("tiny-words", "encoder.json", {"model": "model.onnx", "tokenizer": "vocab.txt", "maxTokens": 32,
                                                        "pooling": "mean", "normalize": True}), "model.onnx"))

head = [
    helper.make_node("MatMul", ["embedding", "W"], ["logits0"]),
    helper.make_node("Add", ["logits0", "B"], ["logits"]),
    helper.make_node("Softmax", ["logits"], ["probabilities"], axis=-1),
]
save(helper.make_graph(head, "tiny_head", [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, [1, HIDDEN])],
                       [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, [1, 3])],
                       [numpy_helper.from_array(W, "W"), numpy_helper.from_array(B, "B")]),
     os.path.join(folder("tiny-head", "head.json", {"model": "head.onnx", "input": "embedding", "output": "probabilities",
                                                    "labels": ["left", "middle", "right"], "activation": "none"}, vocab=False),
                  "head.onnx"))
print("wrote tiny-encoder/, tiny-pooled/, tiny-modulo/, tiny-words/, tiny-head/")
