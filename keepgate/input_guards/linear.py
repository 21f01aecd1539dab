"""Linear-time regular expressions (RE2) for every pattern that reads request text.

Python's `re` backtracks: a pattern with nested or adjacent quantifiers can take cubic or
exponential time on a crafted input (one rule took 4 s of CPU on 600 spaces, 95 s on 2,000),
and a request handler stuck in it blocks every other request on the worker. RE2 compiles a
pattern to automata and matches in time linear in the input, whatever the pattern; it
refuses the constructs that need backtracking (look-around, back-references, possessive
quantifiers, atomic groups), so linear time holds by construction for every pattern that
compiles here.

RE2 syntax is Perl's minus those constructs. Differences from `re` worth knowing: `\\w`, `\\d`,
`\\b` and `\\s` are ASCII (`\\s` is `[\\t\\n\\f\\r ]`; the normaliser folds every other
whitespace character to a space before matching, and maps look-alike letters to ASCII);
`\\pL` is any letter, `\\pN` any digit; `\\z` is end of text (Python's `\\Z`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Protocol

import re2

from keepgate.config.errors import ConfigError

#: RE2's budget for one compiled pattern (program + DFA cache). Past it RE2 falls back to
#: its NFA, still linear, only slower; 32 MiB keeps the DFA for every shipped rule.
MAX_MEM = 32 << 20

if TYPE_CHECKING:

    class Regex(Protocol):
        """What the gateway uses of a compiled RE2 pattern (`re2` ships no type
        information). Texts may be UTF-8 bytes: RE2 matches them without decoding."""

        @property
        def pattern(self) -> str: ...

        def search(self, text: str | bytes, pos: int = ..., endpos: int = ...) -> Any: ...

        def finditer(
            self, text: str | bytes, pos: int = ..., endpos: int = ...
        ) -> Iterator[Any]: ...
else:  # at run time the class `re2.compile` returns (google-re2 gives it no public name),
    # so `isinstance(x, Regex)` asks "is this RE2?"
    Regex = type(re2.compile(""))

_HINTS = (
    ("invalid perl operator: (?=", "look-ahead assertions"),
    ("invalid perl operator: (?!", "look-ahead assertions"),
    ("invalid perl operator: (?<", "look-behind assertions"),
    ("invalid perl operator: (?>", "atomic groups"),
    ("bad repetition operator: *+", "possessive quantifiers"),
    ("bad repetition operator: ++", "possessive quantifiers"),
    ("bad repetition operator: ?+", "possessive quantifiers"),
    ("invalid escape sequence: \\Z", "\\Z (write \\z)"),
    ("invalid repetition size", "repetition counts above 1000"),
)


class LinearRegexError(ConfigError, ValueError):
    """The pattern is not RE2 syntax; the message says which construct and why."""


def _explain(error: str, pattern: str) -> str:
    hints = list(_HINTS)
    if (
        error.startswith("invalid escape sequence: \\") and error[-1:].isdigit()
    ) or "(?P=" in pattern:
        hints.insert(0, (error, "back-references"))
    for needle, what in hints:
        if needle in error:
            return (
                f"{error} — {what} are not supported: patterns run on RE2, a linear-time "
                "engine, so that no input can make a rule take super-linear time"
            )
    return error


def compile(
    pattern: str,
    *,
    ignore_case: bool = False,
    multiline: bool = False,
    dotall: bool = False,
    longest: bool = False,
) -> Regex:
    """`pattern` compiled by RE2 with Python-like flags; raises LinearRegexError. With
    `longest`, a match is the leftmost-*longest* one (RE2's POSIX mode): the same start as
    the default leftmost-first match, and the furthest end any match from there reaches."""
    flags = ("i" if ignore_case else "") + ("m" if multiline else "") + ("s" if dotall else "")
    options = re2.Options()
    options.log_errors = False
    options.max_mem = MAX_MEM
    options.longest_match = longest
    try:
        compiled: Regex = re2.compile(f"(?{flags}){pattern}" if flags else pattern, options)
        return compiled
    except re2.error as exc:
        raw = exc.args[0] if exc.args else "invalid pattern"
        msg = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
        raise LinearRegexError(_explain(msg, pattern)) from None


def flagged(
    pattern: str, *, ignore_case: bool = False, multiline: bool = False, dotall: bool = False
) -> str:
    """`pattern` as a self-contained group carrying its own flags, for joining several
    patterns with different flags into one alternation."""
    flags = ("i" if ignore_case else "") + ("m" if multiline else "") + ("s" if dotall else "")
    return f"(?{flags}:{pattern})" if flags else f"(?:{pattern})"


def byte_spans(regex: Regex, data: bytes, end: int | None = None) -> Iterator[tuple[int, int]]:
    """(start, end) byte offsets of the non-overlapping matches of `regex` in UTF-8 `data`.

    The wrapper's `finditer` re-encodes the text and maps every match back to str offsets,
    ~3 µs of Python per match; a caller that works in byte offsets (the instruction stage,
    which runs a dozen patterns over each text) calls RE2's matcher directly instead."""
    match, anchor = match_function(regex), UNANCHORED
    pos, n = 0, len(data) if end is None else end
    while pos <= n:
        a, b = match(anchor, data, pos, n)[0]
        if a < 0:
            return
        yield a, b
        pos = b if b > a else b + 1


def compile_set(patterns: list[str]) -> re2.Set:
    """One RE2 automaton for several patterns: `.Match(data)` returns the indices of the
    patterns that occur in `data` (or None), in one linear pass whatever their number."""
    options = re2.Options()
    options.log_errors = False
    options.max_mem = MAX_MEM
    rset = re2.Set.SearchSet(options)
    for p in patterns:
        try:
            rset.Add(p)
        except re2.error as exc:
            raise LinearRegexError(_explain(str(exc.args[0] if exc.args else exc), p)) from None
    rset.Compile()
    return rset


#: RE2's anchor argument for an unanchored search, for callers of `match_function`.
UNANCHORED: Any = re2._Anchor.UNANCHORED
#: ... and for a match that must start at `pos` (`\b` and `^` still read the text before it).
ANCHOR_START: Any = re2._Anchor.ANCHOR_START


def match_function(regex: Regex) -> Callable[[Any, bytes, int, int], list[tuple[int, int]]]:
    """RE2's own matcher of a compiled pattern: `fn(UNANCHORED, data, pos, endpos)[0]` is
    the (start, end) byte span of the first match in UTF-8 `data[pos:endpos]`, (-1, -1) for
    none. For loops that call it per match or per segment (`byte_spans`, the instruction
    stage), where the wrapper's `search` (re-encoding, offset mapping, a match object, ~3 µs)
    would cost more than the search."""
    raw: Any = regex  # the real re2._Regexp (see `Regex`)
    fn: Callable[[Any, bytes, int, int], list[tuple[int, int]]] = raw._regexp.Match
    return fn


def set_match_function(rset: re2.Set) -> Callable[[bytes], list[int]]:
    """RE2's own matcher of a compiled set: `fn(data)` lists the indices of the patterns
    that occur in UTF-8 `data` (empty for none), without the wrapper's frame."""
    raw: Any = rset
    fn: Callable[[bytes], list[int]] = raw._set.Match
    return fn


def found(regex: Regex, data: bytes) -> bool:
    """Whether `regex` matches anywhere in UTF-8 `data`: `regex.search(data) is not None`
    without the wrapper's work per call (re-encoding, offset mapping, a match object),
    which costs more than RE2's own search of a warm 1 KB text."""
    return match_function(regex)(UNANCHORED, data, 0, len(data))[0][0] >= 0
