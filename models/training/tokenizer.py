"""BERT uncased tokenizer (BertNormalizer + BertPreTokenizer + WordPiece), written to match Hugging Face
`tokenizers` (the Rust library behind tokenizer.json) rule for rule, plus vocabulary pruning and a
tokenizer.json writer.

Rules, in the order the Rust code applies them (tokenizers/src/normalizers/bert.rs, pre_tokenizers/bert.rs,
models/wordpiece/mod.rs):
  1. clean_text: drop U+0000, U+FFFD and "control" characters (Unicode category C*, except \\t \\n \\r);
     map every whitespace character (\\t \\n \\r, space, and Unicode White_Space) to ' '.
  2. handle_chinese_chars: put a space before and after every CJK ideograph (ranges below).
  3. strip_accents (follows lowercase=true): NFD, then drop non-spacing marks (category Mn).
  4. lowercase: per character (Rust char::to_lowercase, no context-dependent final sigma).
  5. pre-tokenize: split on whitespace (removed) and around punctuation (each punctuation char is its own
     word): ASCII punctuation !"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~ or Unicode categories Pc Pd Pe Pf Pi Po Ps.
  6. WordPiece per word: a word longer than 100 characters -> [UNK]; otherwise greedy longest-match-first,
     continuation pieces prefixed '##'; if any position has no match the whole word -> [UNK].
  7. post-process: [CLS] ids [SEP].
  Before all of this, the five special tokens are found in the raw text (exact, case-sensitive, leftmost
  match) and kept as single tokens, as HF does for added tokens with normalized=false; only the text between
  them is normalized and split.
"""
from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter

SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
_SPECIAL_SET = set(SPECIALS)
_SPECIAL_SPLIT = re.compile("(" + "|".join(re.escape(t) for t in SPECIALS) + ")")

# Unicode White_Space property (what Rust's char::is_whitespace tests).
_WHITESPACE = set(map(chr, [0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0x85, 0xA0, 0x1680, *range(0x2000, 0x200B),
                            0x2028, 0x2029, 0x202F, 0x205F, 0x3000]))
_ASCII_PUNCT = set('!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~')
_PUNCT_CATS = {"Pc", "Pd", "Pe", "Pf", "Pi", "Po", "Ps"}


def is_whitespace(c: str) -> bool:
    return c in _WHITESPACE


def is_control(c: str) -> bool:
    if c in "\t\n\r":
        return False
    return unicodedata.category(c).startswith("C")


def is_punctuation(c: str) -> bool:
    return c in _ASCII_PUNCT or unicodedata.category(c) in _PUNCT_CATS


def is_chinese_char(c: str) -> bool:
    cp = ord(c)
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF
            or 0x2A700 <= cp <= 0x2B73F or 0x2B740 <= cp <= 0x2B81F or 0x2B920 <= cp <= 0x2CEAF
            or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F)


def normalize(text: str) -> str:
    out = []
    for c in text:
        if c == "\0" or c == "\ufffd" or is_control(c):
            continue
        if is_whitespace(c):
            out.append(" ")
        elif is_chinese_char(c):
            out.append(" " + c + " ")
        else:
            out.append(c)
    text = unicodedata.normalize("NFD", "".join(out))
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    return "".join(c.lower() for c in text)


def pre_tokenize(text: str) -> list[str]:
    words, cur = [], []
    for c in text:
        if is_whitespace(c):
            if cur:
                words.append("".join(cur))
                cur = []
        elif is_punctuation(c):
            if cur:
                words.append("".join(cur))
                cur = []
            words.append(c)
        else:
            cur.append(c)
    if cur:
        words.append("".join(cur))
    return words


def basic_tokenize(text: str) -> list[str]:
    return pre_tokenize(normalize(text))


class WordPiece:
    def __init__(self, vocab: list[str], max_chars: int = 100):
        self.vocab = list(vocab)
        self.ids = {t: i for i, t in enumerate(self.vocab)}
        self.unk = self.ids["[UNK]"]
        self.cls = self.ids["[CLS]"]
        self.sep = self.ids["[SEP]"]
        self.pad = self.ids["[PAD]"]
        self.mask = self.ids["[MASK]"]
        self.max_chars = max_chars
        self._cache: dict[str, list[str]] = {}

    @classmethod
    def from_file(cls, path: str) -> "WordPiece":
        with open(path, encoding="utf-8") as f:
            return cls([line.rstrip("\n") for line in f])

    def word_pieces(self, word: str) -> list[str]:
        hit = self._cache.get(word)
        if hit is not None:
            return hit
        if len(word) > self.max_chars:
            pieces = ["[UNK]"]
        else:
            pieces, start, n = [], 0, len(word)
            while start < n:
                end, cur = n, None
                while start < end:
                    sub = word[start:end]
                    if start > 0:
                        sub = "##" + sub
                    if sub in self.ids:
                        cur = sub
                        break
                    end -= 1
                if cur is None:
                    pieces = ["[UNK]"]
                    break
                pieces.append(cur)
                start = end
        if len(self._cache) < 500_000:
            self._cache[word] = pieces
        return pieces

    def tokenize(self, text: str) -> list[str]:
        # Added (special) tokens are not normalized: HF matches them in the raw text first (leftmost-longest),
        # and only the text between them goes through the normalizer, pre-tokenizer and WordPiece.
        out: list[str] = []
        for seg in _SPECIAL_SPLIT.split(text):
            if seg in _SPECIAL_SET:
                out.append(seg)
            elif seg:
                out.extend(p for w in basic_tokenize(seg) for p in self.word_pieces(w))
        return out

    def encode(self, text: str, add_special_tokens: bool = True, max_tokens: int | None = None) -> list[int]:
        """Token ids; with max_tokens, longer inputs keep their head and tail (content budget = max_tokens - 2
        specials, head = budget // 2, tail = budget - head)."""
        ids = [self.ids[p] for p in self.tokenize(text)]
        if max_tokens is not None:
            budget = max_tokens - (2 if add_special_tokens else 0)
            if len(ids) > budget:
                head = budget // 2
                tail = budget - head
                ids = ids[:head] + (ids[len(ids) - tail:] if tail > 0 else [])
        if add_special_tokens:
            ids = [self.cls] + ids + [self.sep]
        return ids

    def encode_pair(self, a: str, b: str) -> tuple[list[int], list[int]]:
        ia = [self.ids[p] for p in self.tokenize(a)]
        ib = [self.ids[p] for p in self.tokenize(b)]
        ids = [self.cls] + ia + [self.sep] + ib + [self.sep]
        types = [0] * (len(ia) + 2) + [1] * (len(ib) + 1)
        return ids, types

    def decode_words(self, ids: list[int]) -> list[str]:
        """Joins '##' pieces back into words (specials dropped); for round-trip checks."""
        words: list[str] = []
        for i in ids:
            t = self.vocab[i]
            if t in ("[CLS]", "[SEP]", "[PAD]"):
                continue
            if t.startswith("##") and words:
                words[-1] += t[2:]
            else:
                words.append(t)
        return words


def check_fixtures(full_vocab_path: str, fixtures_path: str) -> tuple[int, int, list[str]]:
    """Runs every bert-uncased fixture through this implementation with the full 30,522 vocabulary."""
    wp = WordPiece.from_file(full_vocab_path)
    ok, total, failures = 0, 0, []
    with open(fixtures_path, encoding="utf-8") as f:
        for line in f:
            case = json.loads(line)
            if case["tokenizer"] != "bert-uncased":
                continue
            total += 1
            special = case.get("add_special_tokens", True)
            if case.get("text_pair") is not None:
                ids, types = wp.encode_pair(case["text"], case["text_pair"])
                if not special:
                    ids = [i for i in ids if i not in (wp.cls, wp.sep)]
                good = ids == case["ids"] and ("type_ids" not in case or not special or types == case["type_ids"])
            else:
                ids = wp.encode(case["text"], add_special_tokens=special)
                good = ids == case["ids"]
            if good:
                ok += 1
            else:
                failures.append(f"{case['text'][:60]!r}: got {ids[:20]} want {case['ids'][:20]}")
    return ok, total, failures


def prune_vocab(full_vocab: list[str], texts, target_size: int) -> tuple[list[str], dict]:
    """Keeps the specials, every single-character token and its '##' form (when BERT has them), then the most
    frequent pieces that BERT's tokenizer produces on `texts`, up to target_size tokens. Ids are renumbered
    densely: specials first ([PAD]=0 [UNK]=1 [CLS]=2 [SEP]=3 [MASK]=4), then single characters in BERT order,
    then the frequent pieces in BERT order."""
    wp = WordPiece(full_vocab)
    counts: Counter = Counter()
    for t in texts:
        counts.update(wp.tokenize(t))
    singles = [t for t in full_vocab if t not in SPECIALS
               and (len(t) == 1 or (t.startswith("##") and len(t) == 3))]
    keep = set(SPECIALS) | set(singles)
    budget = target_size - len(keep)
    ranked = [t for t, _ in sorted(counts.items(), key=lambda kv: (-kv[1], wp.ids[kv[0]]))
              if t not in keep and t != "[UNK]"]
    extra = set(ranked[:max(0, budget)])
    covered = sum(c for t, c in counts.items() if t in keep or t in extra)
    vocab = SPECIALS + [t for t in full_vocab if t in keep and t not in SPECIALS] + \
        [t for t in full_vocab if t in extra]
    stats = {"distinct_pieces_on_corpus": len(counts), "single_char_tokens": len(singles),
             "frequent_pieces_kept": len(extra), "vocab_size": len(vocab),
             "corpus_piece_coverage": covered / max(1, sum(counts.values()))}
    return vocab, stats


def round_trip_check(full_vocab: list[str], pruned_vocab: list[str], texts) -> dict:
    """The pruned tokenizer must spell out the same words as the full one: joining '##' pieces gives the same
    word sequence, and [UNK] appears exactly where the full vocabulary also produced [UNK]."""
    full, pruned = WordPiece(full_vocab), WordPiece(pruned_vocab)
    n = same = 0
    extra_unk = 0
    fails = []
    ratio_full = ratio_pruned = 0
    for t in texts:
        a = full.encode(t)
        b = pruned.encode(t)
        n += 1
        ratio_full += len(a)
        ratio_pruned += len(b)
        wa, wb = full.decode_words(a), pruned.decode_words(b)
        if wa == wb:
            same += 1
        else:
            extra_unk += wb.count("[UNK]") - wa.count("[UNK]")
            if len(fails) < 5:
                fails.append({"text": t[:80], "full": wa[:12], "pruned": wb[:12]})
    return {"texts": n, "identical_words": same, "extra_unk": extra_unk,
            "tokens_per_text_full": ratio_full / max(1, n), "tokens_per_text_pruned": ratio_pruned / max(1, n),
            "examples": fails}


def tokenizer_json(vocab: list[str]) -> dict:
    """A Hugging Face tokenizer.json for the (pruned) vocabulary, same pipeline as bert-base-uncased."""
    ids = {t: i for i, t in enumerate(vocab)}
    added = [{"id": ids[t], "content": t, "single_word": False, "lstrip": False, "rstrip": False,
              "normalized": False, "special": True} for t in SPECIALS]
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added,
        "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True,
                       "strip_accents": True, "lowercase": True},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                       {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
            "special_tokens": {
                "[CLS]": {"id": "[CLS]", "ids": [ids["[CLS]"]], "tokens": ["[CLS]"]},
                "[SEP]": {"id": "[SEP]", "ids": [ids["[SEP]"]], "tokens": ["[SEP]"]},
            },
        },
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                  "max_input_chars_per_word": 100, "vocab": ids},
    }


def write_tokenizer(vocab: list[str], out_dir: str) -> None:
    import os
    with open(os.path.join(out_dir, "vocab.txt"), "w", encoding="utf-8", newline="\n") as f:
        for t in vocab:
            f.write(t + "\n")
    with open(os.path.join(out_dir, "tokenizer.json"), "w", encoding="utf-8", newline="\n") as f:
        json.dump(tokenizer_json(vocab), f, ensure_ascii=False, indent=1)
        f.write("\n")
