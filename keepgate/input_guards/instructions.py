"""Instruction-in-data detector: does a tool result or document tell the assistant what to do?

An injected instruction is a small part of a long document, so a whole-document bag of
n-grams dilutes it. This stage cuts the text into segments (lines, sentences, JSON/dict
values), scores each with a logistic model and takes the maximum. The model sees only
*structure* cues, no vocabulary (word n-grams memorised the training sources' phrasing and
did not transfer to held-out document sources), so it carries over to unseen phrasings:

* is it an imperative or a request ("send…", "please forward…", "can you…", "you must…")?
* is it addressed to the assistant ("AI", "assistant", "model", "your reply")?
* does it name an action target (an e-mail address, URL, amount, account, tool name)?
* does it try to override ("ignore", "instead", "new instructions", "IMPORTANT")?
* does it break the document's register (an imperative in a document of statements)?

and their pairwise combinations. Human-directed imperatives inside documents (CLI pages,
READMEs, procedures) are the negatives it learned from, so "Delete old branches after
merging" in a README stays benign while "Please email my file to x@y" in a review does not.

Numpy only at run time; the artefact is an `.npz` of plain arrays. `train.py` fits it.
"""

from __future__ import annotations

import functools
import math
import re
import zlib
from pathlib import Path
from typing import Any

import numpy as np

FORMAT = 1
MAX_SEGMENTS = 400
MAX_SEGMENT_CHARS = 400

# -- segmentation --------------------------------------------------------------------------

#: Boundaries: line breaks, JSON / Python-dict value edges, sentence ends.
_SPLIT = re.compile(r"\n+|[\"']\s*[,:]\s*[\"']|[\"']\s*[}\]]+|[{\[]+\s*[\"']|(?<=[.!?])\s+|<[^<>]{0,80}>|\|")
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?")


def segments(text: str) -> list[str]:
    """Non-trivial pieces of `text` (at most MAX_SEGMENTS, each at most MAX_SEGMENT_CHARS)."""
    out: list[str] = []
    for piece in _SPLIT.split(text):
        piece = piece.strip(" \t\"'{}[],:;-*#>`")
        if len(piece) < 12:
            continue
        for i in range(0, len(piece), MAX_SEGMENT_CHARS):
            out.append(piece[i:i + MAX_SEGMENT_CHARS])
            if len(out) >= MAX_SEGMENTS:
                return out
    return out


# -- structure cues ------------------------------------------------------------------------

_VERBS = frozenset("""
send forward email mail text message transfer pay deposit withdraw wire move delete remove erase
wipe share grant give post publish upload download visit open click navigate go call run execute
install book buy order purchase sell reveal print show tell say write reply respond answer include
add append insert change update modify set reset disable enable turn unlock lock schedule cancel
invite follow retrieve get fetch find search look check list read summarize summarise translate
ignore disregard forget stop start create make generate output repeat recommend rate review submit
mark close approve accept reject confirm verify provide use access export copy save encode rename
display describe explain tell transmit leak disclose expose redirect subscribe unsubscribe like
retweet reschedule assign revoke invite kindly also now instead first then immediately
""".split())
_SOFT = frozenset({"please", "kindly", "also", "now", "then", "first", "immediately", "just"})
_REQUEST = re.compile(r"^(?:can|could|would|will)\s+you\b|^(?:i\s+(?:need|want|would like)\s+you\s+to)\b", re.I)
_MODAL = re.compile(r"\b(?:you|assistant|model|ai|it|bot)\b[^.!?]{0,24}?\b(?:must|should|need\s+to|have\s+to|are\s+(?:required|instructed)\s+to|will\s+now)\b|^(?:make\s+sure|be\s+sure|do\s+not|don't|never|always)\b", re.I)
#: A leading address to the reader ("Bot:", "Dear AI,", "Note to the assistant:") or a
#: leading clause ("When answering,", "If you are an AI model processing this text,").
_VOCATIVE = re.compile(r"^(?:(?:hey|hi|dear|note\s+(?:to|for)|to|attention|reminder\s+for|for\s+any|any|instruction\s+to|system\s+note\s+to)\s+)?(?:the\s+|all\s+|an?\s+)?(?:ai|a\.i\.|assistant|model|bot|llm|chatbot|language\s+model|chatgpt|gpt|claude|copilot|summari[sz]er|ai\s+\w+)s?\b[^:,]{0,40}[:,]\s*", re.I)
_CLAUSE = re.compile(r"^(?:when|if|before|after|while|once|whenever|as\s+soon\s+as)\b[^,:]{0,80}[,:]\s*", re.I)
# ("agent" alone is left out: support procedures address the human agent.)
_ADDR = re.compile(r"\b(?:assistant|a\.?i\.?|ai\s+(?:model|agent|helper)|model|chat\s?gpt|gpt|claude|gemini|copilot|bot|llm|language\s+model|chatbot|summari[sz]er)\b", re.I)
_RESP = re.compile(r"\byour\s+(?:answer|reply|response|output|summary|message|next|final|task|instructions?|rules?|system|prompt)\b", re.I)
_OVR = re.compile(r"\b(?:ignore|disregard|forget|override|bypass)\b[^.!?]{0,30}?\b(?:instructions?|prompts?|rules|guidelines|directions|tasks?|context|system|question|request|user|everything|above)\b|\binstead\b|\bnew\s+(?:task|instructions?|rules?|objective)\b", re.I)
_ALARM = re.compile(r"\b(?:important|attention|urgent|priority|warning)\b\W*[:!]", re.I)
_FIRST_PERSON = re.compile(r"\b(?:my|me|i'm|mine)\b", re.I)
_SECRECY = re.compile(r"\b(?:do\s+not|don't|never|without)\s+(?:tell|mention|inform|tell(?:ing)?|let)\b|\bsilently\b|\bsecretly\b", re.I)
_TARGETS = {
    "T_EMAIL": re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+"),
    "T_URL": re.compile(r"https?://|www\.|\b[\w-]+\.(?:com|net|org|io|example|xyz|ru|cn)\b", re.I),
    "T_MONEY": re.compile(r"[$€£]\s?\d|\b\d[\d,.]*\s?(?:usd|eur|dollars|euros|btc|bitcoin)\b", re.I),
    "T_NUM": re.compile(r"\b\d[\d\s-]{7,}\d\b"),
    "T_TOOL": re.compile(r"\b[A-Z][a-z]+(?:[A-Z][a-z]+){2,}\b|\b(?:tool|function\s+call)\b"),
    "T_SECRET": re.compile(r"\b(?:password|api\s?key|token|credentials?|secret|card\s+number|ssn|address)\b", re.I),
}
_MAIN = ("IMP", "REQ", "MODAL")
#: Literals (lower case) one of which every match of a cue pattern contains: a substring
#: test in C skips most of the pattern searches, which dominate the stage's cost.
_LITERALS: dict[str, tuple[str, ...]] = {
    "ADDR": ("ai", "a.i", "assistant", "model", "gpt", "claude", "gemini", "copilot", "bot", "llm", "summari"),
    "RESP": ("your",),
    "OVR": ("ignore", "disregard", "forget", "override", "bypass", "instead", "new"),
    "ALARM": ("important", "attention", "urgent", "priority", "warning"),
    "SECRET_ACT": ("not", "don't", "never", "without", "silently", "secretly"),
    "MODAL": ("must", "should", "need", "have", "required", "instructed", "will", "sure", "not", "don't",
              "never", "always"),
    "MY": ("my", "me", "i'm", "mine"),
    "T_EMAIL": ("@",),
    "T_URL": ("http", "www.", ".com", ".net", ".org", ".io", ".example", ".xyz", ".ru", ".cn"),
    "T_MONEY": ("$", "€", "£", "usd", "eur", "dollar", "btc", "bitcoin"),
    "T_SECRET": ("password", "api", "token", "credential", "secret", "card", "ssn", "address"),
}


def _may(name: str, low: str) -> bool:
    lits = _LITERALS.get(name)
    return lits is None or any(x in low for x in lits)


def _cues(seg: str, words: list[str]) -> list[str]:
    cues = []
    body = seg
    m = _VOCATIVE.match(body)
    if m:
        cues.append("VOC")
        body = body[m.end():]
    m = _CLAUSE.match(body)
    if m:
        cues.append("CLAUSE")
        body = body[m.end():]
    if body is not seg:
        words = _WORD.findall(body)
    lw = [w.lower() for w in words[:4]]
    first = lw[0] if lw else ""
    k = 0
    while k < len(lw) - 1 and lw[k] in _SOFT:
        k += 1
    if lw and (lw[k] in _VERBS or first in ("please", "kindly")):
        cues.append("IMP")
    if _REQUEST.search(body):
        cues.append("REQ")
    low = seg.lower()
    if _may("MODAL", low) and _MODAL.search(seg):
        cues.append("MODAL")
    others: list[str] = []
    for name, rx in (("ADDR", _ADDR), ("RESP", _RESP), ("OVR", _OVR), ("ALARM", _ALARM)):
        if _may(name, low) and rx.search(seg):
            others.append(name)
    if "VOC" in cues:
        others.append("VOC")
    if _may("SECRET_ACT", low) and _SECRECY.search(seg):
        others.append("SECRET_ACT")
    for name, rx in _TARGETS.items():
        if _may(name, low) and rx.search(seg):
            others.append(name)
    return _finish(seg, low, cues, others)


def _finish(seg: str, low: str, cues: list[str], others: list[str]) -> list[str]:
    if seg[:1].isupper() and seg.isupper() is False and sum(c.isupper() for c in seg[:30]) > 12:
        others.append("SHOUT")
    cues += others
    mains = [c for c in cues if c in _MAIN]
    if mains and _may("MY", low) and _FIRST_PERSON.search(seg):
        others.append("MY")
    cues += [f"{m}&{o}" for m in mains for o in others]
    cues += [f"{a}&{b}" for i, a in enumerate(others) for b in others[i + 1:]]
    return cues


@functools.lru_cache(maxsize=8192)
def _hash(token: str, bits: int) -> int:
    # Tokens are cue names and their pairs: a small closed set, so the cache always hits.
    return zlib.crc32(token.encode("utf-8", "surrogatepass")) >> (32 - bits)


def segment_slots(segs: list[str], bits: int) -> list[list[int]]:
    """The distinct hashed feature slots of each segment of one document."""
    parsed = []
    for s in segs:
        words = _WORD.findall(s)
        parsed.append((s, words, _cues(s, words)))
    n = len(parsed)
    imp_rate = (sum(1 for _, _, c in parsed if "IMP" in c or "REQ" in c) / n) if n else 0.0
    doc = "DOC_IMP_LOW" if imp_rate < 0.2 else ("DOC_IMP_MID" if imp_rate < 0.5 else "DOC_IMP_HIGH")
    out = []
    for i, (_, _, cues) in enumerate(parsed):
        pos = "POS_ONLY" if n == 1 else ("POS_FIRST" if i == 0 else ("POS_LAST" if i == n - 1 else "POS_MID"))
        toks = cues + [doc, pos] + [f"{c}&{doc}" for c in cues if c in _MAIN or c in ("ADDR", "OVR")]
        out.append(sorted({_hash(t, bits) for t in toks}))
    return out


def segment_features(segs: list[str], bits: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Sparse rows (indices, values) for each segment of one document (training)."""
    return [(np.asarray(idx, dtype=np.int64), np.full(len(idx), 1.0 / math.sqrt(len(idx)), dtype=np.float32))
            for idx in segment_slots(segs, bits)]


# -- the model -----------------------------------------------------------------------------

class InstructionDetectorError(RuntimeError):
    """The artefact is missing or malformed."""


class InstructionDetector:
    """Max over segments of a logistic segment model; score in [0, 1]."""

    def __init__(self, weights: np.ndarray, bias: float, bits: int) -> None:
        if weights.shape != (1 << bits,):
            raise InstructionDetectorError(f"weights have shape {weights.shape}, expected ({1 << bits},)")
        self.weights = weights.astype(np.float32)
        self.bias = float(bias)
        self.bits = bits
        #: Python floats: a segment has a dozen slots, cheaper summed in Python than in numpy.
        self._w = self.weights.tolist()

    @classmethod
    def load(cls, path: Path) -> "InstructionDetector":
        try:
            with np.load(path, allow_pickle=False) as z:
                if int(z["format"]) != FORMAT or str(z["kind"]) != "instructions":
                    raise InstructionDetectorError(f"{path}: not an instruction-detector artefact")
                return cls(z["weights"], float(z["bias"]), int(z["bits"]))
        except (OSError, KeyError, ValueError) as exc:
            raise InstructionDetectorError(f"cannot load instruction detector {path}: {exc}") from None

    def save(self, path: Path, **meta: str) -> None:
        arrays: dict[str, Any] = {
            "format": np.int32(FORMAT), "kind": np.str_("instructions"),
            "weights": self.weights.astype(np.float16), "bias": np.float32(self.bias),
            "bits": np.int32(self.bits), **{k: np.str_(v) for k, v in meta.items()}}
        np.savez_compressed(path, **arrays)

    def segment_scores(self, text: str) -> list[tuple[float, str]]:
        segs = segments(text)
        out = []
        w = self._w
        for seg, idx in zip(segs, segment_slots(segs, self.bits)):
            z = sum(w[i] for i in idx) / math.sqrt(len(idx)) + self.bias
            out.append((1.0 / (1.0 + math.exp(-max(min(z, 40.0), -40.0))), seg))
        return out

    def score(self, text: str) -> float:
        scores = self.segment_scores(text)
        return max((s for s, _ in scores), default=0.0)

    def score_embedded(self, text: str, min_segments: int = 3) -> float:
        """For a message that is a request by design (a user turn): the highest segment
        score of the document pasted into it. A text of fewer than `min_segments` segments
        is a request, not a document (0.0); the first segment — the writer's own "summarise
        this:" — is left out. The register cues still see the whole text, so a persona
        prompt (imperative throughout) reads differently from an e-mail with one."""
        scores = self.segment_scores(text)
        if len(scores) < min_segments:
            return 0.0
        return max(s for s, _ in scores[1:])
