"""Scrub a text that arrives in pieces, holding back only what a split entity could need.

Entities that can contain spaces (spaced card numbers, IBANs, phone numbers) start with a
digit-led word (`4111`, `GB82`, `+1`, `(212)`); all others (emails, URLs, keys, JWTs) are
single words. So at any moment the text that may still grow into an entity is:

* the last word, while no whitespace follows it;
* any digit-led word that starts within `hold_chars` of the end (a spaced entity that long
  could still be running on);
* an unterminated `-----BEGIN ... PRIVATE KEY-----` block, up to its END line.

Everything before that is analysed (with `context_chars` of already released text on the
left, for keyword rules like `password: ...`), scrubbed and released at once. An entity
found across the cut moves the cut before it. With a spaCy NER model configured, names
have no such shape, so every word within `hold_chars` of the end is held.
"""

from __future__ import annotations

from collections import Counter

import regex as re

from gateway.scrubbing.engine import Span
from gateway.scrubbing.scrubber import Scrubber
from gateway.scrubbing.secrets import PEM_BEGIN, PEM_END

#: Released text kept as left context for the next analysis.
CONTEXT_CHARS = 64
_WORD = re.compile(r"\S+")
_LAST_SPACE = re.compile(r"(?r)\s")  # searched from the end: O(last word), not O(text)
_PEM_HEADER = re.compile(r"-----BEGIN([A-Z ]{0,40})-----")


def _digit_led(word: str) -> bool:
    """`4111`, `+1`, `(212)`, `GB82`, `"4111`: a word a spaced entity can start with."""
    return any(c.isdigit() for c in word[:4])


class StreamScrubber:
    """Per-choice state: feed deltas in, get releasable scrubbed text out, flush at the end."""

    def __init__(self, scrubber: Scrubber, hold_chars: int = 48, hold_all_words: bool = False,
                 counts: Counter[str] | None = None) -> None:
        self.scrubber = scrubber
        self.hold_chars = hold_chars
        self.hold_all_words = hold_all_words
        self.counts: Counter[str] = counts if counts is not None else Counter()
        self.pending = ""  # original text not yet released
        self.context = ""  # tail of the original text already released

    def feed(self, delta: str) -> str:
        """Add `delta`; return the scrubbed text that is now safe to send (maybe "")."""
        if not delta:
            return ""
        self.pending += delta
        cut = self._safe_cut(self.pending)
        return self._release(cut, final=False) if cut > 0 else ""

    def flush(self) -> str:
        """The end of the text: scrub and return everything still held."""
        return self._release(len(self.pending), final=True) if self.pending else ""

    @property
    def held(self) -> int:
        """Characters currently held back (for the first-token delay figures)."""
        return len(self.pending)

    def _safe_cut(self, text: str) -> int:
        cut = len(text)
        if not text[-1].isspace():  # the last word may still grow
            last = _LAST_SPACE.search(text)
            cut = last.end() if last else 0
        horizon = len(text) - self.hold_chars
        for m in _WORD.finditer(text, max(0, horizon - 1)):
            if m.start() >= horizon and m.start() < cut and (
                    self.hold_all_words or _digit_led(m.group())):
                cut = m.start()
                break
        pem = text.rfind(PEM_BEGIN)
        if pem != -1 and pem < cut and self._pem_open(text, pem):
            cut = pem
        return cut

    @staticmethod
    def _pem_open(text: str, begin: int) -> bool:
        """A `-----BEGIN` that may still be a private-key block without its END line."""
        header = _PEM_HEADER.match(text, begin)
        if header and "PRIVATE KEY" not in header.group(1):
            return False  # a certificate or public key: nothing secret follows
        return PEM_END.search(text, begin) is None

    def _release(self, cut: int, final: bool) -> str:
        window = self.context + self.pending
        off = len(self.context)
        spans = self.scrubber.analyze(window)
        if not final:
            for s in spans:  # an entity across the cut: cut before it
                if s.start < off + cut < s.end:
                    cut = max(0, s.start - off)
            if cut == 0:
                return ""
        end = off + cut
        local = [Span(max(s.start, off) - off, s.end - off, s.entity, s.score)
                 for s in spans if s.end > off and s.start < end]
        released, self.pending = self.pending[:cut], self.pending[cut:]
        self.context = (self.context + released)[-CONTEXT_CHARS:]
        return self.scrubber.redact(released, local, self.counts)
