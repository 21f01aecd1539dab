"""Fold reformatted values back to their plain form before detection, and map offsets back.

An answer can carry a value in a form no pattern expects: full-width digits or `＠` (NFKC
folds them), a zero-width character inside an e-mail, `&#64;` / `&commat;` (HTML
entities), `%40` (URL escapes), a card number with double spaces, tabs, newlines or NBSP
between its groups, or one space per digit. `fold(text)` returns the text the recognizers
read and an `OffsetMap` from its offsets back to the original's, so the scrubber redacts the
*original* characters (`john&#64;acme.io` → `<EMAIL_ADDRESS>`, entity and all).

Two layers, each a single linear regex pass:

1. characters: HTML entities, `%XX` escapes of printable ASCII, JSON `\\uXXXX` escapes
   (an answer in JSON mode is parsed by the client), invisible characters (removed),
   non-ASCII characters (NFKC, then dash-like characters to `-`);
2. whitespace in digit groups: a run of whitespace next to a digit (between two
   alphanumerics) becomes one space (a line break between a digit and a letter stays one
   line break), and six or more single digits separated by whitespace
   (`4 1 1 1 1 1`) are joined.

Text that is ASCII and has none of these shapes takes a fast path: one regex search.
"""

from __future__ import annotations

import html
import re as _re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass

import regex as re

from keepgate.pipeline.invisible import COMBINING, IGNORABLE

#: Characters that render as nothing, and combining marks (after NFKC only decoration on
#: the digits and ASCII letters values are made of): removed before detection.
INVISIBLE = IGNORABLE | COMBINING
_DASHES = str.maketrans({c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63"})
#: Layer 1: the characters to rewrite (named groups say how).
_CHARS = re.compile(
    r"(?P<ent>&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});)"
    r"|(?P<pct>%(?:2[1-9A-Fa-f]|[3-6][0-9A-Fa-f]|7[0-9A-Ea-e]))"
    r"|(?P<uesc>\\u[0-9A-Fa-f]{4})"
    r"|(?P<nonascii>[^\x00-\x7f]+)"
)
_WS_CLASS = r"[ \t\n\r\f\v]"
#: Layer 2: whitespace inside digit groups.
_GROUPS = re.compile(
    r"(?P<spaced>(?<![^\W_])\d(?:" + _WS_CLASS + r"{1,8}\d(?![^\W_])){5,})"
    r"|(?P<ws>(?<=\d)" + _WS_CLASS + r"{2,64}(?=[A-Za-z0-9])"
    r"|(?<=[A-Za-z0-9])" + _WS_CLASS + r"{2,64}(?=\d)"
    r"|(?<=\d)[\t\n\r\f\v](?=[A-Za-z0-9])|(?<=[A-Za-z0-9])[\t\n\r\f\v](?=\d))"
)
#: Anything layer 1 would touch (stdlib `re`: a literal-led scan, fast on prose).
_ANY_CHAR = _re.compile(r"&(?:#|[A-Za-z][A-Za-z0-9]{1,31};)|%[2-7][0-9A-Fa-f]|\\u[0-9A-Fa-f]{4}")
#: Anything layer 2 would touch.
_ANY_GROUP = _re.compile(
    r"\d[ \t\n\r\f\v]{1,8}\d[ \t\n\r\f\v]{1,8}\d"
    r"|\d[ \t\n\r\f\v]{2}|[ \t\n\r\f\v]{2}\d"
    r"|\d[\t\n\r\f\v]|[\t\n\r\f\v]\d"
)
_WS_RUN = re.compile(_WS_CLASS + r"+")


class OffsetMap:
    """Maps offsets in a rewritten text back to the text it was made from.

    Built from pieces `(new_start, new_end, old_start, old_end)`; a piece whose lengths
    agree maps character by character, any other maps as a whole (a span that touches
    it covers all of the original piece). Gaps between pieces are copied text.
    """

    __slots__ = ("_new", "_pieces", "_inner")

    def __init__(
        self, pieces: list[tuple[int, int, int, int]], inner: "OffsetMap | None" = None
    ) -> None:
        self._pieces = pieces
        self._new = [p[0] for p in pieces]
        self._inner = inner

    def _one(self, pos: int, end: bool) -> int:
        i = bisect_right(self._new, pos if not end else pos - 1) - 1
        if i < 0:
            return pos
        ns, ne, os_, oe = self._pieces[i]
        if (pos < ne) if not end else (pos - 1 < ne):
            if ne - ns == oe - os_:
                return os_ + (pos - ns)
            return oe if end else os_
        return oe + (pos - ne)  # in the copied text after piece i

    def start(self, pos: int) -> int:
        """Original offset where the character at new offset `pos` begins."""
        p = self._one(pos, False)
        return self._inner.start(p) if self._inner else p

    def end(self, pos: int) -> int:
        """Original offset where a span ending (exclusive) at new offset `pos` ends."""
        p = self._one(pos, True) if pos > 0 else 0
        return self._inner.end(p) if self._inner else p


@dataclass(frozen=True, slots=True)
class Folded:
    text: str
    map: OffsetMap | None  # None: the text is unchanged

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original [start, end) of the folded [start, end)."""
        if self.map is None:
            return start, end
        return self.map.start(start), self.map.end(end)


def _entity(raw: str) -> str:
    out = html.unescape(raw)
    return raw if out == raw else out


def _json_escape(raw: str) -> str:
    """`\\u0040` as the character a JSON reader makes of it (JSON mode answers: the client
    parses the text, so `jane\\u0040acme.io` is an e-mail); control characters and lone
    surrogates stay as written."""
    code = int(raw[2:], 16)
    if 0x21 <= code <= 0x7E:
        return chr(code)
    if code >= 0xA0 and not 0xD800 <= code <= 0xDFFF:
        return _fold_chars(chr(code))
    return raw


def _char_pass(text: str) -> tuple[str, list[tuple[int, int, int, int]]]:
    out: list[str] = []
    pieces: list[tuple[int, int, int, int]] = []
    pos = n = 0  # pos: in text; n: length of out so far
    for m in _CHARS.finditer(text):
        a, b = m.span()
        kind = m.lastgroup
        raw = m.group()
        if kind == "ent":
            new = _entity(raw)
            if new != raw:
                new = _fold_chars(new) if not new.isascii() else new
        elif kind == "pct":
            new = chr(int(raw[1:], 16))
        elif kind == "uesc":
            new = _json_escape(raw)
        else:
            new = _fold_chars(raw)
        if new == raw:
            continue
        if a > pos:
            out.append(text[pos:a])
            n += a - pos
        if kind == "nonascii" and len(raw) > 1 and any(len(_fold_char(c)) != 1 for c in raw):
            # map per character so one removed or expanded character does not blur a word
            for i, ch in enumerate(raw):
                f = _fold_char(ch)
                pieces.append((n, n + len(f), a + i, a + i + 1))
                out.append(f)
                n += len(f)
        else:
            pieces.append((n, n + len(new), a, b))
            out.append(new)
            n += len(new)
        pos = b
    if not pieces:
        return text, []
    out.append(text[pos:])
    return "".join(out), pieces


def _fold_char(ch: str) -> str:
    if ch in INVISIBLE:
        return ""
    return unicodedata.normalize("NFKC", ch).translate(_DASHES)


def _fold_chars(s: str) -> str:
    return "".join(_fold_char(c) for c in s)


def _one_space(text: str, a: int, b: int) -> str:
    """The one character a whitespace run in a digit group becomes: a space, except a line
    break between a digit and a letter (`1982\nuser: bob`), which stays a line break: a
    value read to the end of its line (`passphrase: fjord salmon kettle 1982`) must end
    there, and no value joins a number to a word across lines (digit to digit still joins:
    a card number broken over lines)."""
    if "\n" not in text[a:b] or a == 0 or b >= len(text):
        return " "
    if text[a - 1].isdigit() and text[b].isdigit():
        return " "
    return "\n"


def _group_pass(text: str) -> tuple[str, list[tuple[int, int, int, int]]]:
    out: list[str] = []
    pieces: list[tuple[int, int, int, int]] = []
    pos = n = 0
    for m in _GROUPS.finditer(text):
        a, b = m.span()
        if m.lastgroup == "spaced":
            raw = m.group()
            # digits keep their own offsets; each whitespace run disappears
            if a > pos:
                out.append(text[pos:a])
                n += a - pos
            last = a
            for w in _WS_RUN.finditer(raw):
                wa, wb = a + w.start(), a + w.end()
                out.append(text[last:wa])
                n += wa - last
                pieces.append((n, n, wa, wb))
                last = wb
            out.append(text[last:b])
            n += b - last
        else:
            if a > pos:
                out.append(text[pos:a])
                n += a - pos
            pieces.append((n, n + 1, a, b))
            out.append(_one_space(text, a, b))
            n += 1
        pos = b
    if not pieces:
        return text, []
    out.append(text[pos:])
    return "".join(out), pieces


def fold(text: str) -> Folded:
    """The text to detect on, and how to map its offsets back (None when unchanged)."""
    chars = not text.isascii() or _ANY_CHAR.search(text) is not None
    folded, pieces = _char_pass(text) if chars else (text, [])
    inner = OffsetMap(pieces) if pieces else None
    if _ANY_GROUP.search(folded) is None:
        return Folded(folded, inner)
    grouped, pieces2 = _group_pass(folded)
    if pieces2:
        return Folded(grouped, OffsetMap(pieces2, inner))
    return Folded(folded, inner)
