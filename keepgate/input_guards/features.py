"""Hashed text features shared by training and inference, in numpy only.

Character n-grams (3–5) of the lower-cased, whitespace-collapsed text catch spelling
variants and other languages; word unigrams and bigrams catch phrasing. Both are hashed
into one space of `2**bits` slots, weighted by presence (not counts, so long jailbreak
templates do not dominate), and L2-normalised per block. The n-gram hash is a polynomial
over code points computed with vectorised uint64 arithmetic, so a 1 KB message costs a
few dozen array operations rather than a Python loop over its characters. Distinct slots are
taken with a sort and a neighbour comparison (`sorted_unique`), which returns what
`np.unique` does at a tenth of its cost on these arrays (on 32-bit copies of the slots,
which sort twice as fast as 64-bit ones: a slot is below `2**bits`). The text is lower-cased
once for both views, and ASCII text (most of it) is cut into words by a byte translation
and `split` instead of a Unicode regex, six times cheaper and the same words (see
`_ascii_words`).
"""

from __future__ import annotations

import array
import re
import unicodedata
import zlib
from typing import Any, Literal

import numpy as np

CHAR_NGRAMS = (3, 4, 5)

#: Blocks that hold every combining mark of the scripts people write in (Latin, Greek,
#: Cyrillic and Arabic diacritics, Hebrew points, every Indic script, Thai, Lao, Tibetan,
#: Myanmar, Khmer, kana voicing marks, Hangul tone marks, variation selectors): scanned once
#: at import (~5 ms; all 1.1 M code points would take 0.6 s).
_MARK_BLOCKS = (
    (0x0300, 0x2000),
    (0x20D0, 0x2100),
    (0x2CEF, 0x2E00),
    (0x302A, 0x3030),
    (0x3099, 0x309B),
    (0xA66F, 0xAB00),
    (0xFB1E, 0xFB1F),
    (0xFE00, 0xFE30),
)


def _class_ranges(codes: list[int]) -> str:
    """A regex character class body (`a-b` runs) for sorted code points."""
    out: list[str] = []
    i = 0
    while i < len(codes):
        j = i
        while j + 1 < len(codes) and codes[j + 1] == codes[j] + 1:
            j += 1
        out.append(f"\\U{codes[i]:08x}" + (f"-\\U{codes[j]:08x}" if j > i else ""))
        i = j + 1
    return "".join(out)


_MARKS = _class_ranges(
    [
        c
        for lo, hi in _MARK_BLOCKS
        for c in range(lo, hi)
        if unicodedata.category(chr(c)).startswith("M")
    ]
)
#: Scripts written without spaces between words (Han, kana, Thai, Lao, Myanmar, Khmer): a
#: "word" there is one character with its marks, so the word view holds character unigrams
#: and bigrams, the usual units for these scripts without a dictionary segmenter.
_UNSPACED = (
    r"\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3005\u3040-\u30ff\u31f0-\u31ff"
    r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
)
#: A word: letters and digits with the combining marks inside them (Hindi's and Bengali's
#: vowel signs, Thai's tone marks are not word characters for `\w`, so without them a word
#: falls apart at each sign), joined by at most one apostrophe. "_" is read as a space first.
_TOKEN = re.compile(rf"[\w{_MARKS}]+(?:'[\w{_MARKS}]+)?")
_HAS_UNSPACED = re.compile(rf"[{_UNSPACED}]")
#: Inside a word with unspaced script: each such character with its marks, and the runs of
#: other word characters between them.
_UNSPACED_PART = re.compile(rf"[{_UNSPACED}][{_MARKS}]*|[^{_UNSPACED}']+(?:'[^{_UNSPACED}']+)?")


def unicode_words(low: str) -> list[str]:
    """The words of `low` (lower-cased text) by `_TOKEN`, unspaced scripts cut into
    characters: the reference that the fast paths of `_words` reproduce."""
    words = _TOKEN.findall(low.replace("_", " ") if "_" in low else low)
    if not _HAS_UNSPACED.search(low):
        return words
    out: list[str] = []
    for w in words:
        if _HAS_UNSPACED.search(w):
            out.extend(_UNSPACED_PART.findall(w))
        else:
            out.append(w)
    return out


_MUL = np.uint64(0x100000001B3)
_SALT = {n: np.uint64(0x9E3779B97F4A7C15 * n & 0xFFFFFFFFFFFFFFFF) for n in range(1, 8)}


def _char_slots(low: str, bits: int) -> np.ndarray:
    """Distinct slots of the character n-grams of `low` (the text, lower-cased)."""
    # split() and re's \s agree on what is whitespace (str.isspace): the same string as
    # collapsing runs with a regex, at a fifth of the cost
    s = " " + " ".join(low.split()) + " "
    cps = np.frombuffer(s.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if CHAR_NGRAMS != (3, 4, 5) or len(cps) < 5:
        return _char_slots_by_size(cps, bits)
    # The 3-, 4- and 5-gram hashes of `rolling_ngram_hashes`, written into one buffer and
    # mixed there (size salt, multiply, shift: the same uint64 arithmetic) instead of
    # three arrays mixed apart and concatenated: 15 numpy calls instead of 20, ~6 µs of
    # call overhead per text. numpy's integer array arithmetic wraps without a warning.
    n = len(cps)
    m3, m4, m5 = n - 2, n - 3, n - 4
    buf = np.empty(m3 + m4 + m5, dtype=np.uint64)
    h3, h4, h5 = buf[:m3], buf[m3 : m3 + m4], buf[m3 + m4 :]
    h = (cps ^ _SALT[1]) * _MUL
    h = (h[: n - 1] ^ cps[1:]) * _MUL
    np.multiply(h[:m3] ^ cps[2:], _MUL, out=h3)
    np.multiply(h3[:m4] ^ cps[3:], _MUL, out=h4)
    np.multiply(h4[:m5] ^ cps[4:], _MUL, out=h5)
    h3 ^= _SALT[3]
    h4 ^= _SALT[4]
    h5 ^= _SALT[5]
    buf *= _MUL
    buf >>= np.uint64(64 - bits)
    return _distinct(buf, bits)


def _char_slots_by_size(cps: np.ndarray, bits: int) -> np.ndarray:
    """`_char_slots` one n-gram size at a time (any `CHAR_NGRAMS`, texts under 5 code
    points)."""
    shift = np.uint64(64 - bits)
    with np.errstate(over="ignore"):
        out = [
            ((h ^ _SALT[n]) * _MUL) >> shift
            for n, h in rolling_ngram_hashes(cps, _SALT[1], CHAR_NGRAMS)
        ]
    return _distinct(np.concatenate(out), bits) if out else np.zeros(0, dtype=np.uint64)


def _distinct(slots: np.ndarray, bits: int) -> np.ndarray:
    """`sorted_unique(slots)` on the narrowest copy every slot fits (the same values):
    16-bit slots are sorted by numpy's radix sort (`kind="stable"` on 16-bit integers),
    ~3x faster than its quicksort on the ~3,000 slots of a 1 KB text; 32-bit ones sort
    twice as fast as 64-bit."""
    if bits <= 16:
        return sorted_unique(slots.astype(np.uint16), kind="stable")
    return sorted_unique(slots.astype(np.uint32) if bits <= 32 else slots)


def sorted_unique(a: np.ndarray, kind: Literal["stable"] | None = None) -> np.ndarray:
    """`np.unique(a)` for a 1-d integer array: numpy 2's `unique` costs ~250 µs on the
    ~3,000 slots of a 1 KB text, a sort and a neighbour comparison ~20 µs."""
    if len(a) < 2:
        return a.copy()
    s = np.sort(a, kind=kind)
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
#: Keyed by the word's str, or by its UTF-8 bytes on the ASCII path (same entry).
_WORD_CACHE: dict[str | bytes, tuple[int, int, bytes]] = {}
_WORD_CACHE_MAX = 200_000


def _word_entry(w: str | bytes) -> tuple[int, int, bytes]:
    h = zlib.crc32(w.encode("utf-8") if isinstance(w, str) else w)
    e = (h, zlib.crc32(b"%d" % h), b" %d" % h)
    if len(_WORD_CACHE) >= _WORD_CACHE_MAX:
        _WORD_CACHE.clear()
    _WORD_CACHE[w] = e
    return e


#: Bytes that can be part of a `_TOKEN` in lower-cased ASCII text (a-z, 0-9 and the
#: apostrophe) kept, every other byte turned into a space.
_ASCII_WORD_BYTES = bytes(
    c if c < 128 and (chr(c).isalnum() or c == 0x27) else 0x20 for c in range(256)
)
#: `_TOKEN` for ASCII bytes; as linear as it: a run of one class, then at most one
#: apostrophe and another run, nothing retried inside a run.
_ASCII_TOKEN = re.compile(rb"[A-Za-z0-9]+(?:'[A-Za-z0-9]+)?")
#: An `array` type code of 8-byte unsigned integers: "L" where a C long is 8 bytes (its
#: conversion is the faster one), else "Q".
_U64 = "L" if array.array("L").itemsize == 8 else "Q"


def _ascii_words(data: bytes) -> list[bytes]:
    """`unicode_words` of lower-cased ASCII text, as bytes. For ASCII, `_TOKEN`'s class
    less "_" is [a-z0-9] (no upper case after `lower`), so a token never spans a byte outside
    [a-z0-9']: the tokens of the text are the tokens of its runs of those bytes, in order,
    and a run without an apostrophe is exactly one token."""
    runs = data.translate(_ASCII_WORD_BYTES).split()
    if b"'" not in data:
        return runs
    out: list[bytes] = []
    for r in runs:
        if b"'" in r:
            out.extend(_ASCII_TOKEN.findall(r))
        else:
            out.append(r)
    return out


#: `_ASCII_WORD_BYTES` that keeps the bytes of non-ASCII characters (>= 0x80) as they are.
_WORD_OR_HIGH_BYTES = bytes(
    c if c >= 128 or chr(c).isalnum() or c == 0x27 else 0x20 for c in range(256)
)


def _words(low: str) -> list[str] | list[bytes]:
    """`unicode_words(low)`, the words of `low` (lower-cased text), some as UTF-8 bytes.

    ASCII text is cut by `_ascii_words`. Text with some non-ASCII characters (accents,
    curly quotes, dashes) is cut the same way at the ASCII bytes that cannot be part of a
    token (a space, a comma, "_"), which never sit inside a character's UTF-8 bytes nor a
    token, so the tokens of the text are the tokens of the runs between them, in order;
    only a run with a non-ASCII character goes through the Unicode regex. Text that is
    mostly non-ASCII (or not encodable: lone surrogates) goes through it whole."""
    if low.isascii():
        return _ascii_words(low.encode("ascii"))
    try:
        data = low.encode("utf-8")
    except UnicodeEncodeError:
        return unicode_words(low)
    if len(data) - len(low) > len(low) // 8:
        return unicode_words(low)
    out: list[Any] = []
    for run in data.translate(_WORD_OR_HIGH_BYTES).split():
        if not run.isascii():
            out.extend(unicode_words(run.decode("utf-8")))
        elif b"'" in run:
            out.extend(_ASCII_TOKEN.findall(run))
        else:
            out.append(run)
    return out


def _word_slots(low: str, bits: int) -> np.ndarray:
    """Distinct slots of the word unigrams and bigrams of `low` (the text, lower-cased)."""
    words = _words(low)
    if not words:
        return np.zeros(0, dtype=np.uint64)
    get = _WORD_CACHE.get
    ents = [get(w) or _word_entry(w) for w in words]
    crc = zlib.crc32
    grams = [e[0] for e in ents] + [crc(b[2], a[1]) for a, b in zip(ents, ents[1:])]
    # crc32 values (< 2**32) into an 8-byte C array, read by numpy as uint64: the same
    # array as np.asarray(grams, dtype=np.uint64), at half its cost
    arr = np.frombuffer(array.array(_U64, grams), dtype=np.uint64)
    arr = (arr ^ _SALT[7]) * _MUL  # numpy's integer array arithmetic wraps silently
    arr >>= np.uint64(64 - bits)
    return _distinct(arr, bits)


def featurize(text: str, bits: int) -> tuple[np.ndarray, np.ndarray]:
    """(slot indices, values): a sparse row of the feature matrix."""
    low = text.lower()
    c = _char_slots(low, bits)
    w = _word_slots(low, bits)
    nc, nw = len(c), len(w)
    # float32 blocks of 1/sqrt(n), as np.full(n, 1.0 / np.sqrt(n), dtype=np.float32) fills
    vals = np.empty(nc + nw, dtype=np.float32)
    vals[:nc] = 1.0 / np.sqrt(max(nc, 1))
    vals[nc:] = 1.0 / np.sqrt(max(nw, 1))
    idx = np.empty(nc + nw, dtype=np.int64)
    idx[:nc] = c
    idx[nc:] = w
    return idx, vals
