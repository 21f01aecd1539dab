"""Scrub a text that arrives in pieces, holding back only what a split entity could need.

Entities that can contain spaces (spaced card numbers, IBANs, phone numbers, id numbers)
start with a digit-led word (`4111`, `GB82`, `+1`, `(212)`) or a short upper-case one (`QQ`
in `QQ 12 34 56 C`); all others (emails, URLs, keys, JWTs) are single words. Distances
are counted as the detector reads the text (folded: a whitespace run between digit groups is
one character; see `_horizon`). Names (the NER) have no shape: with NER on, every word
within `hold_chars` is held. So at any moment the text that may still grow into an entity is:

* the last word, while no whitespace follows it;
* any digit-led word that starts within `hold_chars` of the end (a spaced entity that long
  could still be running on);
* an unterminated `-----BEGIN ... PRIVATE KEY-----` block, up to its END line;
* a bare `name` value in a JSON object still open whose keys so far say neither person
  nor thing (`fields.undecided_value`): a later sibling (`email`) decides it.

Everything before that is safe to release. Cost is proportional to the text, not to the
number of chunks: each new piece is matched once against the detector's cheap *gate* (a
digit, `@`, `:`, `_`, an in-word `.`/`-`, a key prefix, a `password`-style keyword).
While no gate match lies in the released context or the held text, nothing can be found,
so text is released as it arrives without analysis. Near a match, the held text is
analysed (with `context_chars` of released text on the left, for `password: ...`) only
once at least `MIN_RELEASE` characters can be released, so each character is analysed a
few times at most; an entity found across the cut moves the cut before it. The first
release is never batched (time to first token). Pieces that arrive within `coalesce_ms` of
the last release (a fast upstream's burst) are held and handled together with the next
piece, so they cost one scan and leave as one chunk. With NER on (the default), names
have no such shape: every word within `hold_chars` of the end is held and every release
is analysed, in batches of at least `MIN_RELEASE_NER` characters. The text held at the end is always analysed, so a scrubber that fails does
so on every answer, not only on those with PII in them.

`whole=True` (a non-streamed answer, assembled before the client sees anything) holds
everything and scrubs the whole text once at `flush()`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import time
from collections import Counter

import regex as re

from keepgate.scrubbing.birth import MONTH_WORD
from keepgate.scrubbing.credentials import open_spaced_value
from keepgate.scrubbing.engine import LOCATED, PREFILTERS, TRIGGERS, Span
from keepgate.scrubbing.fields import undecided_value
from keepgate.scrubbing.normalize import fold
from keepgate.scrubbing.scrubber import Scrubber
from keepgate.scrubbing.secrets import PEM_BEGIN, PEM_END
from keepgate.scrubbing.written_email import open_from

#: Released text kept as left context for the next analysis.
CONTEXT_CHARS = 64
#: Recognizers whose value may stand far after their keyword (`the password for the new
#: admin account of the user for the database server here is now set as hunter22`, `DOB
#: (as in the form):  04/11/1986`): while such a keyword's reach is not passed, the
#: context keeps it (from its own left margin), so the value is judged as in the whole
#: text. Nothing is held for it: only the analysed window grows, at most `KEYWORD_CONTEXT`.
REACHING = ("CredentialRecognizer", "AccessCodeRecognizer", "KeywordIdRecognizer", "DATE_OF_BIRTH")
#: The detector reads folded text: a whitespace run before a digit (up to 64 characters)
#: is one space there, so a keyword's reach in the original may be that much longer.
FOLD_SLACK = 64
#: At most this much released text is kept as context for an open keyword.
KEYWORD_CONTEXT = 400
#: Near a gate match, analyse only when at least this much text can be released.
MIN_RELEASE = 32
#: With NER every release is analysed (names have no cheap gate), and the tagger costs
#: ~100 µs a call however short the text: release in larger batches.
MIN_RELEASE_NER = 160
#: Coalescing never holds more than this.
MAX_COALESCE = 512
_WORD = re.compile(r"\S+")
_WORD_REV = re.compile(r"(?r)\S+")
#: Anything in a tail that folds to fewer characters: a whitespace run or a non-ASCII
#: space, an HTML entity, a %-escape, a JSON `\\u` escape, a non-ASCII character.
_FOLDS = re.compile(r"\s\s|[^\x00-\x7f]|[\t\n\r\f\v]|&|%|\\")
#: What `normalize.fold` changes other than whitespace by a digit (a window with a digit
#: in it is near a gate match already): the stream's gate also searches the folded text
#: when the window has one of these.
_FOLDS_CHARS = re.compile(r"[^\x00-\x7f]|&|%|\\")
#: A folded search starts this far before new text at least: an escape split across pieces
#: (`&#6` | `4;`, `%4` | `0`) folds whole (the longest, an HTML entity, is 34 characters).
FOLD_BACK = 40
#: How far back the folded hold-back may reach (whitespace runs between digit groups are
#: folded only up to 64 characters long, 15 gaps in a spaced card).
MAX_HOLD_WALK = 4096
_LAST_SPACE = re.compile(r"(?r)\s")  # searched from the end: O(last word), not O(text)
_PEM_HEADER = re.compile(r"-----BEGIN([A-Z ]{0,40})-----")
if TYPE_CHECKING:
    from collections.abc import Callable

    from keepgate.scrubbing.posts import TextPost


def _reaching() -> list[tuple[re.Pattern[str], "Callable[[str], bool] | None", int, int]]:
    out = []
    for key in REACHING:
        trigger, reach = TRIGGERS[key], LOCATED[key]
        assert isinstance(trigger, str) and reach is not None
        out.append((re.compile(trigger), PREFILTERS.get(key), reach[0], reach[1] + FOLD_SLACK))
    return out


_KEYWORDS = _reaching()

clock = time.monotonic  # module-level so a test can drive it


def _digit_led(word: str) -> bool:
    """`4111`, `+1`, `(212)`, `GB82`, `"4111`, `QQ` (a UK NI number `QQ 12 34 56 C`), a
    capitalised month (`March` of a date of birth `March 3, 1985`): a word a spaced
    entity can start with."""
    return (
        any(c.isdigit() for c in word[:4])
        or (len(word) <= 3 and word.isupper())
        or (word[:1].isupper() and MONTH_WORD.fullmatch(word) is not None)
    )


def _open_from(text: str, start: int = 0) -> int:
    """`written_email.open_from` on `text[start:]`, and on it as the detector reads it
    (`normalize.fold`: full-width letters, no-break and zero-width spaces), mapped back.

    `start`: no address that may still be arriving starts before it (what this returned
    for the text before the last piece: a prefix of a match that stopped being one stays
    so as text is added), so each piece tries the word starts from there, not a whole
    address's length back."""
    cut = open_from(text, start)
    if not _FOLDS.search(text, start):
        return cut
    folded = fold(text[start:])
    if folded.map is None:
        return cut
    f = open_from(folded.text)
    return min(cut, start + folded.span(f, f)[0]) if f < len(folded.text) else cut


class StreamScrubber:
    """Per-choice state: feed deltas in, get releasable scrubbed text out, flush at the end."""

    def __init__(
        self,
        scrubber: Scrubber,
        hold_chars: int = 48,
        hold_all_words: bool = False,
        counts: Counter[str] | None = None,
        whole: bool = False,
        coalesce_ms: float = 0.0,
    ) -> None:
        self.scrubber = scrubber
        self.hold_chars = hold_chars
        self.hold_all_words = hold_all_words
        self.whole = whole
        self.coalesce_s = coalesce_ms / 1000
        self._acted = 0.0  # monotonic time of the last release
        self.counts: Counter[str] = counts if counts is not None else Counter()
        self.pending = ""  # original text not yet released
        self.context = ""  # tail of the original text already released
        self._parts: list[str] = []  # text after `pending` not looked at yet
        self._released = 0  # characters released so far (absolute offset of `pending`)
        self._scanned = 0  # absolute offset up to which the gate has looked
        self._signal_end = -1  # absolute end of the last gate match (-1: none yet)
        self._open = 0  # absolute start of the earliest gate trigger that may still be arriving
        self._fold_open = 0  # the same on the folded text (`_near_signal`)
        self._address_from = 0  # no address written out starts before it (`_open_from`)
        self._keep_from = 0  # absolute start of the context an open keyword needs
        self._keep_until = -1  # absolute offset its reach ends at (-1: none open)

    @classmethod
    def of(
        cls,
        scrubber: Scrubber,
        *,
        hold_all_words: bool,
        counts: Counter[str] | None = None,
        whole: bool = False,
    ) -> "StreamScrubber":
        """One built as the scrubber's settings say (hold, coalescing): the proxy's guard and
        the hosted agent hold text back alike."""
        s = scrubber.settings
        return cls(
            scrubber, s.stream_hold_chars, hold_all_words, counts, whole, s.stream_coalesce_ms
        )

    #: Applied to what is released (remote images and links, `posts.TextPost`), if set.
    post: TextPost | None = None

    def feed(self, delta: str) -> str:
        """Add `delta`; return the scrubbed text that is now safe to send (maybe "")."""
        out = self._feed(delta)
        return self.post.feed(out) if self.post is not None and out else out

    def _feed(self, delta: str) -> str:
        if not delta:
            return ""
        if self.whole or (" " not in delta and "\n" not in delta):
            # Whole: scrubbed at flush. Else the cut only moves on at whitespace, so nothing
            # more can be released yet (kept as parts: a long blob costs O(n), not O(n²)).
            self._parts.append(delta)
            return ""
        if self._parts:
            self._parts.append(delta)
            delta, self._parts = "".join(self._parts), []
        self.pending += delta
        if self.coalesce_s and self._released and len(self.pending) < MAX_COALESCE:
            now = clock()
            if now - self._acted < self.coalesce_s:
                return ""  # a burst: scrub it together with the next piece
            self._acted = now
        if not self.hold_all_words and not self._near_signal():
            # No digit (so no digit-led word) and no PEM header: only the last word is held.
            cut = max(self.pending.rfind(" "), self.pending.rfind("\n")) + 1
            cut = min(cut, self._address_open())  # `d_kowal ` before ` at wp.pl`
            return self._advance(cut) if cut else ""
        cut = self._safe_cut(self.pending)
        if cut <= 0:
            return ""
        if self._released and cut < (MIN_RELEASE_NER if self.hold_all_words else MIN_RELEASE):
            return ""  # near a possible entity: batch, so the text is analysed ~once
        return self._release(cut, final=False)

    def flush(self) -> str:
        """The end of the text: scrub and return everything still held."""
        out = self._flush()
        if self.post is not None:
            out = self.post.feed(out) + self.post.flush()
        return out

    def _flush(self) -> str:
        self.pending, self._parts, self.whole = self._held_text(), [], False
        if not self.pending:
            return ""
        # Always analysed, even plain prose: a broken scrubber fails every answer alike.
        return self._release(len(self.pending), final=True)

    def held_text(self) -> str:
        """The original text not yet released (what `fail_open` passes on unscrubbed)."""
        if self.post is not None and self.post.pending:
            return self.post.pending + self._held_text()
        return self._held_text()

    def _held_text(self) -> str:
        return self.pending + "".join(self._parts) if self._parts else self.pending

    @property
    def held(self) -> int:
        """Characters currently held back (for the first-token delay figures)."""
        post = self.post.held if self.post is not None else 0
        return post + len(self.pending) + sum(map(len, self._parts))

    def _near_signal(self) -> bool:
        """Could the context or the held text contain anything the detector finds?

        The detector's gate searches the new text and the triggers still open at the end of
        the last piece (`Detector.gate`): a trigger split across pieces is found at any
        split, and a piece costs its own length plus its open triggers."""
        left = self._released - len(self.context)  # absolute offset of the window's start
        text = self.context + self.pending
        detector = self.scrubber.detector
        since = max(0, min(self._open, self._scanned) - left)
        scan = detector.gate(text, since)
        if scan is None:
            return True
        end = scan.end
        self._open = left + scan.open
        if end < 0 and _FOLDS_CHARS.search(text):
            # The detector reads folded text: `olaf ａｔ posteo ｄｏｔ de`, no-break spaces,
            # a zero-width space inside `at` hide the trigger from a search of the raw text
            # (red team 7). The folded search starts at its own open trigger, where the raw
            # one started (a trigger's part before the first character that folds reads the
            # same), or `FOLD_BACK` before the new text, whichever comes first.
            start = max(0, min(self._fold_open - left, since, self._scanned - FOLD_BACK - left))
            folded = fold(text[start:])
            if folded.map is not None:
                fscan = detector.gate(folded.text)
                if fscan is not None and fscan.end >= 0:
                    end = len(text)
                if fscan is not None:
                    o = fscan.open
                    self._fold_open = (
                        left
                        + start
                        + (folded.span(o, o)[0] if o < len(folded.text) else len(text) - start)
                    )
            else:
                self._fold_open = left + len(text)
        elif end < 0:
            self._fold_open = left + len(text)  # nothing folds: the raw search saw it all
        if end >= 0:
            self._signal_end = max(self._signal_end, left + end)
        self._scanned = left + len(text)
        return self._signal_end > left

    def _address_open(self) -> int:
        """Where in `pending` an address written out that may still be arriving begins
        (`_open_from`), searched from where the last piece's search found one."""
        start = max(0, self._address_from - self._released)
        cut = _open_from(self.pending, min(start, len(self.pending)))
        self._address_from = self._released + cut
        return cut

    def _advance(self, cut: int) -> str:
        """Release `pending[:cut]` as it is (nothing in it or its context can be an entity)."""
        released, self.pending = self.pending[:cut], self.pending[cut:]
        self._released += cut
        keep = CONTEXT_CHARS
        if self._keep_until > self._released:
            keep = min(KEYWORD_CONTEXT, max(keep, self._released - self._keep_from))
        self.context = (self.context + released)[-keep:]
        return released

    def _note_keywords(self, window: str, start: int, end: int) -> None:
        """Record the keywords in `window[start:end]` (about to be released) whose value may
        still arrive after it (`REACHING`): `_advance` keeps them in the context."""
        left = self._released - len(self.context)
        part = window[start:end]
        for rx, prefilter, before, after in _KEYWORDS:
            if prefilter is not None and not prefilter(part):
                continue
            for m in rx.finditer(window, start, end):
                until = left + m.end() + after
                if until <= self._released:
                    continue
                keep_from = left + max(0, m.start() - before)
                if self._keep_until <= self._released:
                    self._keep_from = keep_from
                else:
                    self._keep_from = min(self._keep_from, keep_from)
                self._keep_until = max(self._keep_until, until)

    def _safe_cut(self, text: str) -> int:
        cut = len(text)
        if not text[-1].isspace():  # the last word may still grow
            last = _LAST_SPACE.search(text)
            cut = last.end() if last else 0
        horizon = self._horizon(text)
        for m in _WORD.finditer(text, max(0, horizon - 1)):
            if (
                m.start() >= horizon
                and m.start() < cut
                and (self.hold_all_words or _digit_led(m.group()))
            ):
                cut = m.start()
                break
        cut = min(cut, self._address_open())  # an address written out may still be arriving
        off = len(self.context)  # a quoted or line passphrase, likewise (its keyword may be out)
        cut = min(cut, max(0, open_spaced_value(self.context + text) - off))
        pem = text.rfind(PEM_BEGIN)
        if pem != -1 and pem < cut and self._pem_open(text, pem):
            cut = pem
        # a bare `name` whose object may still bring the sibling key that decides it
        hold = undecided_value(self.context + text) - off
        if 0 <= hold < cut:
            cut = hold
        return cut

    def _horizon(self, text: str) -> int:
        """Where the last `hold_chars` characters *as the detector reads them* begin.

        The detector reads folded text (`normalize.fold`): a run of whitespace between
        digit groups is one space, and `4 1 1 1 ...` loses its spaces. So the distance is
        counted per word, with each whitespace run as one character and each word at its
        folded length; a card written with tabs and double spaces is held as long as one
        written plainly. The walk looks at most `MAX_HOLD_WALK` characters back.
        """
        n = len(text)
        plain = n - self.hold_chars
        if plain <= 0:
            return 0
        lo = max(0, n - MAX_HOLD_WALK)
        tail = text[lo:]
        if not _FOLDS.search(tail):
            return plain  # nothing that folds: characters are characters
        budget = self.hold_chars
        start = n
        for m in _WORD_REV.finditer(text, lo, n):
            word = m.group()
            budget -= (
                len(fold(word).text)
                if not word.isascii() or "&" in word or "%" in word or "\\" in word
                else len(word)
            )
            if m.end() < n:
                budget -= 1  # the whitespace run after it
            start = int(m.start())
            if budget <= 0:
                return start
        return lo if lo else 0

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
        local = [
            Span(max(s.start, off) - off, s.end - off, s.entity, s.score)
            for s in spans
            if s.end > off and s.start < end
        ]
        released = self.pending[:cut]
        # keywords in the released part (and the context's last words: one split at the
        # context's edge), searched once per release
        self._note_keywords(window, max(0, off - 40), end)
        self._advance(cut)
        return self.scrubber.redact(released, local, self.counts)
