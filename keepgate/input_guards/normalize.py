"""Undo the tricks that hide text from pattern matchers, and report each trick as a finding.

The attacker's goal is text the model reads but a filter does not: invisible characters
splitting words, bidi overrides showing reversed text, Unicode tag characters ("ASCII
smuggling"), variation-selector byte smuggling, look-alike letters from other scripts, and
encoded runs (base64, hex, URL escapes, rot13). `normalize` returns the text the later stages
should read (NFKC, invisibles stripped, homoglyphs mapped, decoded payloads appended as extra
lines) and the tricks it saw. A trick is a finding even when its payload is harmless.

Pure-ASCII text without encoded runs takes a fast path: nothing to undo.

No input makes normalisation super-linear. Patterns searched once per window are RE2
(`linear`). Patterns that may match a million times in a crafted text stay on Python's `re`,
whose C loop is ~20x cheaper per match than RE2's Python wrapper, and each is written so
that it cannot backtrack (the reason is next to each; `tests/input_guards/test_input_linear.py`
keeps the list). The old URL-escape pattern `\\S*(?:%XX\\S*){3,}` was quadratic under `re` on a
long run without spaces; runs are now found as whitespace-free tokens. Counting uses
`str.count` and `findall` lengths, never a Python loop per match. Text longer than `WINDOW`
characters is normalised window by window, so no single step holds the interpreter long;
an RLO span that runs across a cut is carried over and read back as one piece.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import functools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import unquote

from keepgate.input_guards import linear
from keepgate.pipeline.invisible import COMBINING_RANGES, IGNORABLE_RANGES, char_class
from keepgate.input_guards.windows import cuts

#: Characters normalised in one piece; longer text is cut (after whitespace) into windows.
WINDOW = 64 * 1024
_LOOKBACK = 4096

# -- character classes -------------------------------------------------------------------
# `re` (C loop) below: every pattern is one character class, repeated, possibly after one
# character that the class excludes; a match can end at the first character outside the
# class and nothing inside a run is retried, so each character is read a bounded number
# of times.

_TAG_CHARS = "[\U000e0000-\U000e007f]"
_TAGS = re.compile(_TAG_CHARS + "+")
#: UTF-16 surrogates: a JSON `\ud800` escape without its pair decodes to one. No UTF-8
#: (RE2, the classifier, a model) can carry it, so it becomes U+FFFD before any stage.
_SURROGATE = re.compile("[\ud800-\udfff]")
_NOT_TAGS = re.compile(f"[^{_TAG_CHARS[1:-1]}]+")
#: Tag characters → the ASCII they smuggle (printable and newline; the rest dropped).
_TAG_DECODE = {
    cp: (chr(cp - 0xE0000) if 0x20 <= cp - 0xE0000 < 0x7F or cp - 0xE0000 == 0x0A else None)
    for cp in range(0xE0000, 0xE0080)
}
#: A run shorter than 4 fails after at most 3 characters; the next start is one further.
_VARSEL = re.compile("[\ufe00-\ufe0f\U000e0100-\U000e01ef]{4,}")
_VARSEL_BYTES = {**{0xFE00 + i: i for i in range(16)}, **{0xE0100 + i: 16 + i for i in range(240)}}
_BIDI_CHARS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_RLO_OPEN = "\u202e\u2067"
_RLO_CLOSE = "\u202c\u2069"
#: An opener, then everything up to a closer: cannot fail once it has started.
_RLO_SPAN = re.compile(f"[{_RLO_OPEN}]([^{_RLO_CLOSE}]*)")
#: Every default-ignorable character but the bidi controls (read as a trick of their own).
_INVISIBLE_CHARS = char_class(IGNORABLE_RANGES, without=_BIDI_CHARS)
_INVISIBLE = linear.compile(f"[{_INVISIBLE_CHARS}]")
#: Starts only on a letter or digit, which the invisible class excludes, so each invisible
#: run is read from one start only.
_SPLIT_WORD = re.compile(f"[A-Za-z0-9][{_INVISIBLE_CHARS}]+[A-Za-z0-9]")
#: Whitespace outside RE2's ASCII `\s` ([\t\n\f\r ]), folded so rules see a plain space.
_LINE_BREAKS = "\x85\u2028\u2029"
_ODD_SPACES = (
    "\x0b\x1c\x1d\x1e\x1f\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
)
_ODD_SPACE = linear.compile(f"[{_ODD_SPACES}{_LINE_BREAKS}]")
_TO_SPACE = re.compile(f"[{_ODD_SPACES}]")  # one class: C-speed substitution
_TO_NEWLINE = re.compile(f"[{_LINE_BREAKS}]")
_STRIP_RE = re.compile("[" + _INVISIBLE_CHARS + _BIDI_CHARS + "]")  # one class: C-speed
_MARKS = char_class(COMBINING_RANGES)
#: Combining marks left on an ASCII letter or digit after NFKC (decoration: `i̲g̲n̲o̲r̲e̲`).
#: A one-character look-behind, then one class repeated: each position is tried once.
_DECORATION = re.compile(f"(?<=[A-Za-z0-9])[{_MARKS}]+")
#: Four decorated letters in a row (decomposed): a styled word (a finding). Not `x̄` in a
#: formula, nor natural accents: Czech `příští` has three in a row, most languages two.
_DECORATED_WORD = re.compile(f"(?:[A-Za-z0-9][{_MARKS}]+){{4,}}")
_MARK_RUN = re.compile(f"[{_MARKS}]+")
#: Any such mark at all (RE2: one DFA pass, ~4x cheaper than `_DECORATION`'s look-behind
#: tried at every position; after NFKC, text with none is the rule).
_ANY_MARK = linear.compile(f"[{_MARKS}]")

#: Upside-down text (`snoıʇɔnɹʇsuı ǝɹouƃᴉ`): letters turned 180°, usually in reverse order.
#: The letters only turned text uses (IPA and Latin Extended, never Turkish `ı` nor Hebrew
#: `ן`, which are ordinary letters there) tell it; three in a window add two views: read
#: back to front and in place, each letter turned back (`u`/`n`, `p`/`d`, `b`/`q` swap).
_UPSIDE_DOWN = {
    "ɐ": "a", "ɔ": "c", "ǝ": "e", "ə": "e", "ɟ": "f", "ƃ": "g", "ɥ": "h", "ᴉ": "i", "ı": "i",
    "ɾ": "j", "ʞ": "k", "ן": "l", "ɯ": "m", "ɹ": "r", "ʇ": "t", "ʌ": "v", "ʍ": "w", "ʎ": "y",
    "∀": "A", "ꓭ": "B", "Ɔ": "C", "ᗡ": "D", "Ǝ": "E", "Ⅎ": "F", "⅁": "G", "ſ": "J", "ꓘ": "K",
    "˥": "L", "Ԁ": "P", "ꓤ": "R", "┴": "T", "∩": "U", "Λ": "V", "⅄": "Y",
    "u": "n", "n": "u", "p": "d", "d": "p", "b": "q", "q": "b", "˙": ".", "¿": "?", "¡": "!",
}  # fmt: skip
_UPSIDE_DOWN_MAP = str.maketrans(_UPSIDE_DOWN)
#: `re` (C loop): one character class, each match one character.
_TURNED = re.compile("[ɐɔǝɟƃɥᴉɾʞɯɹʇʌʍʎ∀ꓭƆᗡƎℲ⅁ꓘ˥ԀꓤΛ⅄]")
_TURNED_MIN = 3

#: Letters from other scripts that render like ASCII (a pragmatic subset of Unicode's
#: confusables.txt: Cyrillic, Greek, Armenian and a few symbols seen in attacks). NFKC
#: already folds fullwidth and mathematical alphanumerics.
_CONFUSABLES = {
    # Cyrillic
    "а": "a",
    "в": "b",
    "с": "c",
    "ԁ": "d",
    "е": "e",
    "һ": "h",
    "і": "i",
    "ј": "j",
    "к": "k",
    "ӏ": "l",
    "м": "m",
    "н": "h",
    "о": "o",
    "р": "p",
    "ԛ": "q",
    "г": "r",
    "ѕ": "s",
    "т": "t",
    "ц": "u",
    "ѵ": "v",
    "ԝ": "w",
    "х": "x",
    "у": "y",
    "ү": "y",
    "ɡ": "g",
    "ո": "n",
    "А": "A",
    "В": "B",
    "С": "C",
    "Е": "E",
    "Н": "H",
    "І": "I",
    "Ј": "J",
    "К": "K",
    "М": "M",
    "О": "O",
    "Р": "P",
    "Ѕ": "S",
    "Т": "T",
    "Х": "X",
    "У": "Y",
    "Ԁ": "D",
    "Ԍ": "G",
    "Ԛ": "Q",
    "Ԝ": "W",
    "ѐ": "e",
    "ё": "e",
    "ї": "i",
    # Greek
    "α": "a",
    "β": "b",
    "ε": "e",
    "ι": "i",
    "κ": "k",
    "ν": "v",
    "ο": "o",
    "ρ": "p",
    "τ": "t",
    "υ": "u",
    "χ": "x",
    "γ": "y",
    "Α": "A",
    "Β": "B",
    "Ε": "E",
    "Ζ": "Z",
    "Η": "H",
    "Ι": "I",
    "Κ": "K",
    "Μ": "M",
    "Ν": "N",
    "Ο": "O",
    "Ρ": "P",
    "Τ": "T",
    "Υ": "Y",
    "Χ": "X",
    # Armenian and Latin extensions
    "օ": "o",
    "ս": "u",
    "հ": "h",
    "ց": "g",
    "զ": "q",
    "ı": "i",
    "ȷ": "j",
    "ʀ": "r",
    "ʏ": "y",
    "ɑ": "a",
    "ɩ": "i",
    "ꓲ": "I",
    "ꓳ": "O",
    # Latin small capitals (phonetic letters; NFKC leaves them): `ɪɢɴᴏʀᴇ ᴀʟʟ` reads as text
    "ᴀ": "a",
    "ʙ": "b",
    "ᴄ": "c",
    "ᴅ": "d",
    "ᴇ": "e",
    "ꜰ": "f",
    "ɢ": "g",
    "ʜ": "h",
    "ɪ": "i",
    "ᴊ": "j",
    "ᴋ": "k",
    "ʟ": "l",
    "ᴍ": "m",
    "ɴ": "n",
    "ᴏ": "o",
    "ᴘ": "p",
    "ꞯ": "q",
    "ꜱ": "s",
    "ᴛ": "t",
    "ᴜ": "u",
    "ᴠ": "v",
    "ᴡ": "w",
    "ᴢ": "z",
}
_CONFUSABLE_MAP = str.maketrans(_CONFUSABLES)
#: Regional indicator symbols (flag halves) read as the letters they show: `🇮​🇬​🇳​🇴​🇷​🇪`
#: (kept apart by invisible characters so no flag forms) spells a word; NFKC leaves them.
_REGIONAL = re.compile("[\U0001f1e6-\U0001f1ff]")  # one class: a C-speed test
_REGIONAL_MAP = str.maketrans({0x1F1E6 + k: chr(ord("a") + k) for k in range(26)})
_CONFUSABLE_SET = frozenset(_CONFUSABLES)
_CONFUSABLE = re.compile("[" + "".join(_CONFUSABLES) + "]")  # one class: a C-speed test
#: A Cyrillic or Greek letter with no Latin look-alike (д, ж, и, л, п, я, λ, π, ω, ...): a line
#: that has one is written in that script, and its words made only of look-alike letters
#: are words of that language ("не", "на", "все", "мне", "у вас", "και", "το"), not
#: disguised English. Mapping them to Latin ("he", "ha", "bce", "mhe", "y bac") broke every
#: Russian, Ukrainian and Greek cue and rule phrase that contains one.
_NATIVE = re.compile(
    "["
    + "".join(
        c
        for c in map(chr, [*range(0x0370, 0x0400), *range(0x0400, 0x0530)])
        if c.isalpha() and c not in _CONFUSABLE_SET and c.lower() not in _CONFUSABLE_SET
    )
    + "]"
)
#: Python's `re` on purpose: one character class repeated cannot backtrack (each start
#: position is tried once and a match ends at the first non-word character), and its C
#: callback loop is ~4x faster than RE2's Python wrapper on all-Cyrillic text.
_WORD = re.compile(r"\w+")


@functools.lru_cache(maxsize=8192)
def _map_word(word: str, native: bool = False) -> tuple[str, bool]:
    """(the word with look-alikes mapped, whether it mixes scripts); cached because natural
    text repeats its words. On a `native` line (written in Cyrillic or Greek) only words
    that mix scripts are mapped."""
    if word.isascii() or not _CONFUSABLE_SET.intersection(word):
        return word, False
    mapped = word.translate(_CONFUSABLE_MAP)
    if mapped.isascii():
        # Mixed scripts inside one word are the tell; a word wholly in another script
        # is mapped for the matchers but is not a finding (it may be ordinary Russian).
        mixed = any(c.isascii() and c.isalpha() for c in word)
        return (mapped if mixed or not native else word), mixed
    return word, False


def _mapped_word(word: str, out: Normalized, native: bool = False) -> str:
    mapped, mixed = (
        _map_word(word, native) if len(word) <= 64 else _map_word.__wrapped__(word, native)
    )
    if mixed:
        out.add("unicode.homoglyph")
    return mapped


def _map_line(line: str, out: Normalized) -> str:
    native = _NATIVE.search(line) is not None
    return _WORD.sub(lambda m: _mapped_word(m.group(), out, native), line)


# -- encoded runs ------------------------------------------------------------------------

#: `\\x` escapes: a failing start reads at most 8 escapes (32 characters) ahead.
_HEX_ESC = re.compile(r"(?:\\x[0-9A-Fa-f]{2}){8,}")
#: Whitespace-free runs with >= 3 '%': starts only at a run's start (look-behind), and every
#: part is '%' or a class without '%' or whitespace, so each character is read once forward
#: and at most once given back.
_URL_RUN = re.compile(r"(?<!\S)[^\s%]*(?:%[^\s%]*){3,}")
_URL_ALNUM = re.compile(r"%(?:[46][1-9A-Fa-f]|[57][0-9Aa]|3[0-9])")
#: rot13 of words that carry injections; seeing them is the tell that a run is rot13.
_ROT13_TELL = linear.compile(
    r"\b(?:vtaber|qvfertneq|vafgehpgvba|cebzcg|flfgrz|cnffjbeq|frperg|"
    r"vtabevat|cerivbhf|wnvyoernx|bireevqr)",
    ignore_case=True,
)


# -- words written so a matcher does not see them -----------------------------------------
# Letters spaced out (`i g n o r e`, `i.g.n.o.r.e`), words glued into an identifier
# (`IgnoreAllPrevious`, `ignore_all_previous`), digits for letters (`1gn0r3`) and text
# written backwards read plainly to a model. Each gets a rewritten view, kept only when it
# shows a word instructions to a model are made of (`_TELL`): ordinary initials, code
# identifiers, part numbers and hashes cost one RE2 pass and add nothing.

_TELL_WORDS = (
    "ignore",
    "disregard",
    "forget",
    "instruction",
    "previous",
    "prompt",
    "system",
    "password",
    "secret",
    "jailbreak",
    "override",
    "bypass",
    "reveal",
)
_TELL = linear.compile("|".join(_TELL_WORDS), ignore_case=True)
#: For identifiers, a verb of an instruction to the model: code is full of `system_prompt`
#: and `password_hash`, whose split view would only dilute what the stages read.
_VERB_TELL = linear.compile(
    "ignore|disregard|forget|override|bypass|reveal|jailbreak", ignore_case=True
)  # the same words as `_VERBS` below
_REVERSED_TELL = linear.compile(
    r"\b(?:" + "|".join(w[::-1] for w in _TELL_WORDS if len(w) > 5) + ")", ignore_case=True
)
#: Four or more single letters, each followed by one to three separator characters.
_SPACED = linear.compile(r"(?:^|[^A-Za-z])((?:[A-Za-z][ .\-_*|/~+]{1,3}){4,}[A-Za-z])\b")
_SPACED_SEP = re.compile(r"[^A-Za-z]+")  # `re`: one class repeated, cannot backtrack
#: Four or more words in one identifier: snake, kebab or dotted case, or camel case.
_GLUED = linear.compile(
    r"\b[A-Za-z][a-z]*(?:[_.\-][A-Za-z][a-z]*){3,}\b|\b[a-z]*(?:[A-Z][a-z]+){4,}\b|"
    r"\b[a-z]+(?:[A-Z][a-z]+){3,}\b"
)
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")  # `re`: a zero-width test per position
_GLUE = str.maketrans("_.-", "   ")
#: Digits and symbols written for letters.
_LEET = {"a": "4@", "b": "8", "e": "3", "g": "96", "i": "1!|", "l": "1|", "o": "0", "s": "5$"}
_LEET.update({"t": "7+", "z": "2"})
_LEET_MAP = str.maketrans(
    {"4": "a", "@": "a", "8": "b", "3": "e", "9": "g", "6": "g", "1": "i", "!": "i", "0": "o"}
    | {"5": "s", "$": "s", "7": "t", "+": "t", "2": "z", "|": "i"}
)


def _leet_word(word: str) -> str:
    """`word` with at least one letter written as a digit or symbol: one alternative per
    letter that has such a form (the letter itself is not enough: that is the plain word)."""
    classes = [f"[{re.escape(c + _LEET.get(c, ''))}]" for c in word]
    alts = []
    for k, c in enumerate(word):
        if c in _LEET:
            forced = f"[{re.escape(_LEET[c])}]"
            alts.append("".join(classes[:k]) + forced + "".join(classes[k + 1 :]))
    return "|".join(alts)


_LEET_TELL = linear.compile("|".join(_leet_word(w) for w in _TELL_WORDS), ignore_case=True)
#: The four tests in one RE2 pass (`_obfuscated` reads a window once; most have none). The
#: spaced and glued tests look for a tell word spaced out or inside an identifier, so text
#: with ordinary initials or identifiers costs no extraction.
_SEP = r"[ .\-_*|/~+]{1,3}"
_VERBS = ("ignore", "disregard", "forget", "override", "bypass", "reveal", "jailbreak")
_SPACED_TELL = "|".join(_SEP.join(w) for w in _TELL_WORDS)
_GLUED_TELL = (
    "(?i:" + "|".join(_VERBS) + ")[_.\\-]|[_.\\-](?i:" + "|".join(_VERBS) + ")|"
    "(?:" + "|".join(v.capitalize() for v in _VERBS) + ")[A-Z]|"
    "[a-z](?:" + "|".join(v.capitalize() for v in _VERBS) + ")"
)
_ANY_OBFUSCATION = linear.set_match_function(
    linear.compile_set(
        [
            linear.flagged(_SPACED_TELL, ignore_case=True),
            _GLUED_TELL,
            linear.flagged(_LEET_TELL.pattern.removeprefix("(?i)"), ignore_case=True),
            linear.flagged(_REVERSED_TELL.pattern.removeprefix("(?i)"), ignore_case=True),
        ]
    )
)


def _unspaced(run: str) -> str:
    """`i g n o r e   a l l` -> `ignore all`: the most frequent separator is the one between
    letters; any other (a longer run, another character) is a word break."""
    seps = _SPACED_SEP.findall(run)
    inner = max(set(seps), key=seps.count)
    words = _SPACED_SEP.sub(lambda m: "" if m.group() == inner else "\n", run)
    return " ".join(w for w in words.split("\n") if w)


def _obfuscated(text: str, data: bytes, out: Normalized, views: list[str]) -> None:
    """Views of words written so a matcher does not see them (see `_TELL`)."""
    hits = _ANY_OBFUSCATION(data)
    if not hits:
        return
    if 0 in hits:
        runs = [_unspaced(m.group(1)) for m in _SPACED.finditer(text)]
        joined = "\n".join(runs)
        if linear.found(_TELL, joined.encode("utf-8")):
            out.add("obfuscation.spaced_letters", len(runs))
            views.append(joined)
    if 1 in hits:
        runs = [
            _CAMEL.sub(" ", m.group()).translate(_GLUE)
            for m in _GLUED.finditer(text)
            if linear.found(_VERB_TELL, m.group().encode("utf-8"))
        ]
        if runs:  # a view, not a finding: `bypass_cache_for_tests` is code
            views.append("\n".join(runs))
    if 2 in hits:
        out.add("obfuscation.leetspeak")
        views.append(text.translate(_LEET_MAP))
    if 3 in hits:
        out.add("encoding.reversed")
        views.append(text[::-1])


@dataclass(slots=True)
class Normalized:
    """The text later stages read, and the tricks found (rule id → occurrences)."""

    text: str
    tricks: dict[str, int] = field(default_factory=dict)

    def add(self, rule: str, n: int = 1) -> None:
        self.tricks[rule] = self.tricks.get(rule, 0) + n


def _plausible_text(raw: bytes) -> str | None:
    """Decoded bytes that read like words (not binary, not a bare JSON blob)."""
    try:
        s = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if (
        len(s) < 8
        or not s.isprintable()
        and sum(c.isprintable() or c in "\n\t" for c in s) < 0.95 * len(s)
    ):
        return None
    letters = sum(c.isalpha() for c in s)
    if letters < 0.6 * len(s.replace(" ", "")) or s.count(" ") < 2:
        return None
    return s


class Normalizer:
    """Precompiled decoders; one instance serves every message."""

    def __init__(
        self, *, unicode: bool = True, encodings: bool = True, min_encoded_len: int = 24
    ) -> None:
        self.unicode = unicode
        self.encodings = encodings
        n = min_encoded_len
        # `re`: a base64 run starts only where the look-behind allows (not inside a run),
        # then is read to its end or fails within n characters.
        self._b64 = re.compile(r"(?<![A-Za-z0-9+/=_-])[A-Za-z0-9+/_-]{%d,}={0,2}" % n)
        # `re`: starts only at a word boundary; a hex run is read once, then given back pair
        # by pair (one pass) when it does not end on a boundary.
        self._hex = re.compile(r"\b(?:[0-9A-Fa-f]{2}){%d,}\b" % max(4, n // 2))
        self._encoded_hint = linear.compile(
            r"[A-Za-z0-9+/_-]{%d,}|%%[0-9A-Fa-f]{2}|\\x[0-9A-Fa-f]{2}" % n
        )

    def normalize(self, text: str, check: Callable[[], None] | None = None) -> Normalized:
        """The text to match and the tricks in it. `check` is called before each window
        of a long text (the scan budget raises from it)."""
        out = Normalized(text)
        if not text.isascii():
            text, n = _SURROGATE.subn("\ufffd", text)
            if n:
                out.add("unicode.lone_surrogates", n)
        views: list[str] = []
        if len(text) <= WINDOW:
            parts = [self._window(text, out, views)]
        else:
            parts = []
            carry: list[str] = []  # an RLO span still open at the end of the last window
            for start, end in cuts(text, WINDOW, _LOOKBACK):
                if check is not None:
                    check()
                piece = text[start:end]
                if carry:
                    carry = _continue_rlo(piece, carry, views)
                parts.append(self._window(piece, out, views))
                if not carry and self.unicode and not piece.isascii():
                    carry = _open_rlo(piece)
            if carry:
                views.append(_reverse(carry))
        text = "".join(parts)
        if views:
            text = text + "\n" + "\n".join(views)
        out.text = text
        return out

    def _window(self, text: str, out: Normalized, views: list[str]) -> str:
        if not text.isascii() or any(c in text for c in "\x0b\x1c\x1d\x1e\x1f"):
            if _ODD_SPACE.search(text):
                text = _TO_NEWLINE.sub("\n", _TO_SPACE.sub(" ", text))
        if self.unicode and not text.isascii():
            text = self._unicode(text, out, views)
        if self.encodings:
            self._decode(text, out, views, depth=0)
        return text

    # -- unicode tricks ------------------------------------------------------------------

    def _unicode(self, text: str, out: Normalized, views: list[str]) -> str:
        runs = _TAGS.findall(text)
        if runs:
            out.add("unicode.tag_chars", len(runs))
            decoded = _NOT_TAGS.sub("\n", text).translate(_TAG_DECODE)
            if decoded.strip():
                views.append(decoded.strip("\n"))
            text = _TAGS.sub("", text)
        runs = _VARSEL.findall(text)
        if runs:
            out.add("unicode.variation_selectors", len(runs))
            for run in runs:
                data = bytes(_VARSEL_BYTES[ord(c)] for c in run)
                decoded = data.decode("utf-8", "ignore")
                if decoded.strip():
                    views.append(decoded)
            text = _VARSEL.sub("", text)
        if len(_TURNED.findall(text, 0, len(text))) >= _TURNED_MIN:
            views.append(text[::-1].translate(_UPSIDE_DOWN_MAP))
            views.append(text.translate(_UPSIDE_DOWN_MAP))
        bidi = sum(text.count(c) for c in _BIDI_CHARS)
        if bidi:
            out.add("unicode.bidi", bidi)
            spans = [g[::-1] for g in _RLO_SPAN.findall(text) if g.strip()]
            if spans:
                views.append(_STRIP_RE.sub("", "\n".join(spans)))
        invisible = _INVISIBLE.search(text) is not None
        if invisible:
            split = len(_SPLIT_WORD.findall(text))
            if split:
                out.add("unicode.zero_width", split)
        if invisible or bidi:
            text = _STRIP_RE.sub("", text)
        text = unicodedata.normalize("NFKC", text)
        if _REGIONAL.search(text):
            text = text.translate(_REGIONAL_MAP)
        if _ANY_MARK.search(text) and _DECORATION.search(text):
            # Marks left on ASCII letters after NFKC (no precomposed letter has them) are
            # decoration. Styled text mixes both kinds (`Ìg̀ǹòr̀è`: some letters compose), so
            # it is read decomposed, where a styled word shows as decorated letters in a row.
            # Natural accents all compose: ordinary French or Czech never takes this path.
            text = unicodedata.normalize("NFKD", text)
            styled = _DECORATED_WORD.findall(text)
            if styled:
                out.add("unicode.combining_marks", len(styled))
                text = _DECORATED_WORD.sub(lambda m: _MARK_RUN.sub("", m.group()), text)
            text = _DECORATION.sub("", unicodedata.normalize("NFC", text))
        if not text.isascii() and _CONFUSABLE.search(text):
            # Word by word, but only on the lines that have a look-alike letter: one Greek
            # letter in a long English document must not cost a callback per word.
            text = "\n".join(
                _map_line(line, out) if not line.isascii() and _CONFUSABLE.search(line) else line
                for line in text.split("\n")
            )
        return text

    # -- encoded runs --------------------------------------------------------------------

    def _decode(self, text: str, out: Normalized, views: list[str], depth: int) -> None:
        found: list[str] = []
        # Both tests read the same text: encoded once (as the wrapper's `search` would
        # encode it twice) and asked of RE2 directly.
        data = text.encode("utf-8")
        if depth == 0:
            _obfuscated(text, data, out, views)
        if linear.found(_ROT13_TELL, data):
            out.add("encoding.rot13")
            found.append(codecs.decode(text, "rot13"))
        if linear.found(self._encoded_hint, data):
            for run in self._b64.findall(text):
                if run.isalpha() and (run.islower() or run.isupper()):
                    continue  # a long word, not base64
                decoded = _b64decode(run)
                if decoded:
                    out.add("encoding.base64")
                    found.append(decoded)
            for run in self._hex.findall(text):
                decoded = _plausible_text(bytes.fromhex(run))
                if decoded:
                    out.add("encoding.hex")
                    found.append(decoded)
            if "\\x" in text:
                for run in _HEX_ESC.findall(text):
                    decoded = _plausible_text(bytes.fromhex(run.replace("\\x", "")))
                    if decoded:
                        out.add("encoding.hex")
                        found.append(decoded)
            if "%" in text:
                runs = _URL_RUN.findall(text)
                if runs:
                    joined = "\n".join(runs)  # one unquote for all: no per-run overhead
                    decoded = unquote(joined)
                    if decoded != joined:
                        found.append(decoded)
                        letters = sum(len(_URL_ALNUM.findall(t)) >= 4 for t in runs)
                        if letters:
                            out.add("encoding.url", letters)
        views.extend(found)
        if depth < 1 and found:
            # One pass over everything decoded (a payload encoded twice), not one per run.
            self._decode("\n".join(found), out, views, depth + 1)


def _b64decode(run: str) -> str | None:
    s = run.rstrip("=")
    decoded = _b64try(s + "=" * (-len(s) % 4))
    if decoded is None and len(s) > 64:
        # A long run cut by a window edge (or glued to a word) may start off the 4-character
        # grid: try the other alignments, dropping the incomplete tail.
        for k in (1, 2, 3):
            body = s[k:]
            decoded = _b64try(body[: len(body) - len(body) % 4])
            if decoded is not None:
                break
    return decoded


def _b64try(s: str) -> str | None:
    try:
        raw = (
            base64.urlsafe_b64decode(s)
            if ("-" in s or "_" in s)
            else base64.b64decode(s, validate=True)
        )
    except (binascii.Error, ValueError):
        return None
    return _plausible_text(raw)


def _reverse(pieces: list[str]) -> str:
    return _STRIP_RE.sub("", "".join(pieces)[::-1])


def _open_rlo(piece: str) -> list[str]:
    """The tail of `piece` inside an RLO/RLI span that is still open at its end, or []."""
    last_close = max(piece.rfind(c) for c in _RLO_CLOSE)
    opens = [i for i in (piece.find(c, last_close + 1) for c in _RLO_OPEN) if i >= 0]
    return [piece[min(opens) + 1 :]] if opens else []


def _continue_rlo(piece: str, carry: list[str], views: list[str]) -> list[str]:
    """Extend an open RLO span into `piece`; when it closes here, read it back as one view."""
    closes = [i for i in (piece.find(c) for c in _RLO_CLOSE) if i >= 0]
    if not closes:
        return [*carry, piece]
    views.append(_reverse([*carry, piece[: min(closes)]]))
    return []
