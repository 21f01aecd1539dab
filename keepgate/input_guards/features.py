"""Hashed text features shared by training and inference, in numpy only.

Character n-grams (3–5) of the lower-cased, whitespace-collapsed text catch spelling
variants and other languages; word unigrams and bigrams catch phrasing. Both are hashed
into one space of `2**bits` slots, weighted by presence (not counts, so long jailbreak
templates do not dominate), and L2-normalised per block. The n-gram hash is a polynomial
over code points computed with vectorised uint64 arithmetic, so a 1 KB message costs a
few dozen array operations rather than a Python loop over its characters. Distinct slots are
taken with a sort and a neighbour comparison (`sorted_unique`), which returns what
`np.unique` does at a tenth of its cost on these arrays.
"""

from __future__ import annotations

import re
import zlib

import numpy as np

CHAR_NGRAMS = (3, 4, 5)
_TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)?")
_MUL = np.uint64(0x100000001B3)
_SALT = {n: np.uint64(0x9E3779B97F4A7C15 * n & 0xFFFFFFFFFFFFFFFF) for n in range(1, 8)}


def _char_slots(text: str, bits: int) -> np.ndarray:
    # split() and re's \s agree on what is whitespace (str.isspace): the same string as
    # collapsing runs with a regex, at a fifth of the cost
    s = " " + " ".join(text.lower().split()) + " "
    cps = np.frombuffer(s.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    shift = np.uint64(64 - bits)
    with np.errstate(over="ignore"):
        out = [
            ((h ^ _SALT[n]) * _MUL) >> shift
            for n, h in rolling_ngram_hashes(cps, _SALT[1], CHAR_NGRAMS)
        ]
    return sorted_unique(np.concatenate(out)) if out else np.zeros(0, dtype=np.uint64)


def sorted_unique(a: np.ndarray) -> np.ndarray:
    """`np.unique(a)` for a 1-d integer array: numpy 2's `unique` costs ~250 µs on the
    ~3,000 slots of a 1 KB text, a sort and a neighbour comparison ~20 µs."""
    if len(a) < 2:
        return a.copy()
    s = np.sort(a)
    keep = np.empty(len(s), dtype=bool)
    keep[0] = True
    np.not_equal(s[1:], s[:-1], out=keep[1:])
    return s[keep]


def rolling_ngram_hashes(
    cps: np.ndarray, seed: np.uint64, ns: tuple[int, ...]
) -> list[tuple[int, np.ndarray]]:
    """(n, raw hash of the n-gram at each position) for each n in `ns` that fits `cps`.
    One rolling pass: the (n+1)-gram hash extends the n-gram's, so all sizes cost max(ns)
    array steps instead of their sum; callers mix the size in last."""
    out = []
    with np.errstate(over="ignore"):
        h = (cps ^ seed) * _MUL
        for n in range(2, max(ns) + 1):
            m = len(cps) - n + 1
            if m <= 0:
                break
            h = (h[:m] ^ cps[n - 1 : n - 1 + m]) * _MUL
            if n in ns:
                out.append((n, h))
    return out


#: word -> (crc32 of the word, crc32 of its decimal crc, b" <decimal crc>"): a bigram's
#: hash crc32(b"%d %d" % (a, b)) is crc32(b" %d" % b, crc32(b"%d" % a)), so with both
#: halves cached it is one C call. Bounded; words repeat across texts, so it mostly hits.
_WORD_CACHE: dict[str, tuple[int, int, bytes]] = {}
_WORD_CACHE_MAX = 200_000


def _word_entry(w: str) -> tuple[int, int, bytes]:
    h = zlib.crc32(w.encode("utf-8"))
    e = (h, zlib.crc32(b"%d" % h), b" %d" % h)
    if len(_WORD_CACHE) >= _WORD_CACHE_MAX:
        _WORD_CACHE.clear()
    _WORD_CACHE[w] = e
    return e


def _word_slots(text: str, bits: int) -> np.ndarray:
    words = _TOKEN.findall(text.lower())
    if not words:
        return np.zeros(0, dtype=np.uint64)
    get = _WORD_CACHE.get
    ents = [get(w) or _word_entry(w) for w in words]
    crc = zlib.crc32
    grams = [e[0] for e in ents] + [crc(b[2], a[1]) for a, b in zip(ents, ents[1:])]
    arr = np.asarray(grams, dtype=np.uint64)
    with np.errstate(over="ignore"):
        arr = (arr ^ _SALT[7]) * _MUL
    return sorted_unique(arr >> np.uint64(64 - bits))


def featurize(text: str, bits: int) -> tuple[np.ndarray, np.ndarray]:
    """(slot indices, values): a sparse row of the feature matrix."""
    c = _char_slots(text, bits)
    w = _word_slots(text, bits)
    vals = np.concatenate(
        [
            np.full(len(c), 1.0 / np.sqrt(max(len(c), 1)), dtype=np.float32),
            np.full(len(w), 1.0 / np.sqrt(max(len(w), 1)), dtype=np.float32),
        ]
    )
    return np.concatenate([c, w]).astype(np.int64), vals
