"""E-mail addresses written out to dodge filters: `john at example dot com`,
`olaf [at] posteo [dot] de`, `t.nguyen(at)uni-heidelberg(dot)de`, `kofi @ proton . me`.

People write an address this way exactly when it is theirs and they do not want a crawler
to read it, so it is as personal as the plain form. Prose is full of `at` and `dot`
(`meet at the dot com bubble`, `look at example.com`), so the shape alone is not enough:

* the domain, with its separators read as dots, must end in a suffix of the public suffix
  list (tldextract's bundled snapshot, already Presidio's) and have a name under it;
* a *marked* separator (`[at]`, `(at)`, `{at}`, `<at>`, an upper-case `AT`, a spaced `@`)
  says "address" by itself;
* a bare `at` needs more: a local part shaped like one (a `.`, `_`, `-`, `+` or a digit in
  it: `jane.doe at gmail.com`) or a domain spelled with `dot`; and neither the local part
  nor a domain label may be a function word (`the dot com`), nor may the local part follow
  an article (`the resolver at cloudflare dot com` is a thing, not a mailbox).

One regex, linear (RE2 locates it on the whole text: `engine.TRIGGERS`).
"""

from __future__ import annotations

import re2
import regex as re
import tldextract
from presidio_analyzer import Pattern, PatternRecognizer

from keepgate.scrubbing.re2text import re2_safe

#: A bracket may be escaped (`jane\[at\]acme\[dot\]io`: markdown, as models write it).
_OPEN, _CLOSE = r"\\?[\[({<]", r"\\?[\])}>]"
#: `[at]`, `(at)`, a spaced `@`, ` AT `, or a bare ` at `.
_AT = (
    rf"(?:[ \t]{{0,2}}{_OPEN}[ \t]?(?i:at)[ \t]?{_CLOSE}[ \t]{{0,2}}"
    r"|[ \t]{1,2}@[ \t]{1,2}|[ \t]{1,2}(?i:at)[ \t]{1,2})"
)
#: `[dot]`, ` dot `, `.`, or ` . ` (`home. It` is not one; ` . ` only with a spaced `@`; checked in `validate_result`).
_DOT = (
    rf"(?:[ \t]{{0,2}}{_OPEN}[ \t]?(?i:dot)[ \t]?{_CLOSE}[ \t]{{0,2}}"
    r"|[ \t]{1,2}(?i:dot)[ \t]{1,2}|\.|[ \t]\.[ \t])"
)
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?"
_LOCAL = r"[A-Za-z0-9](?:[A-Za-z0-9._%+\-]{0,63}[A-Za-z0-9])?"
#: Words that are never a mailbox or a domain label in running text.
FUNCTION_WORDS = frozenset(
    "a an the this that these those my your our their his her its some any every no all "
    "and or but of in on at to for from by with as is are was were be been it we you they "
    "he she i me us them look meet see arrive arrived stay stayed".split()
)
#: A function word right before a separator does not start an address: `me at j.smith at
#: example dot com` would otherwise match from `me` (and be refused), hiding the address after it.
_NOT_FUNCTION_WORD = rf"(?!(?i:{'|'.join(sorted(FUNCTION_WORDS, key=len, reverse=True))}){_AT})"
WRITTEN_EMAIL = (
    rf"(?<![\w.%+\-@]){_NOT_FUNCTION_WORD}{_LOCAL}{_AT}{_LABEL}(?:{_DOT}{_LABEL}){{0,4}}{_DOT}[A-Za-z]{{2,24}}"
    r"(?![\w\-@]|[ \t]{1,2}@)"  # not the start of the next one: `me at kofi.mensah @ …`
)
_RX = re.compile(WRITTEN_EMAIL)
_WORD_START = re.compile(r"(?<![\w.%+\-@])[A-Za-z0-9]")


def open_from(text: str, start: int = 0) -> int:
    """Where an address written out that may still be arriving begins, else `len(text)`.

    A stream must not release `d_kowal ` before it knows whether ` at wp.pl` follows: the
    first word from `start` that starts a prefix of a match (regex's partial matching) is
    held. Each try stops at the first character that cannot continue a match (`Send it`
    fails at `it`). A stream passes as `start` what this returned before its last piece:
    a word that did not start a prefix of a match then does not now (more text cannot
    make a dead prefix live), so each piece tries only the words from the earliest one
    still open (`stream.StreamScrubber._address_open`)."""
    for m in _WORD_START.finditer(text, start):
        if _RX.fullmatch(text, m.start(), partial=True):
            return int(m.start())
    return len(text)


#: Every match contains this (RE2 has no look-arounds): `engine.TRIGGERS` locates with it.
TRIGGER = rf"[A-Za-z0-9]{_AT}{_LABEL}(?:{_DOT}{_LABEL}){{0,4}}{_DOT}[A-Za-z]{{2,24}}"
_CUE = re2.compile(r"(?i)[\s\[({<](?:at|@)[\s\])}>\\]")


def may_hold_written_email(text: str) -> bool:
    """A separator word or a spaced `@` somewhere (one RE2 pass) before the locator runs."""
    return _CUE.search(re2_safe(text)) is not None


_MARKED_AT = re.compile(rf"^[ \t]*(?:{_OPEN}|@|AT[ \t])")
_SPLIT = re.compile(
    rf"[ \t]*{_OPEN}[ \t]?(?i:at|dot)[ \t]?{_CLOSE}[ \t]*|[ \t]+(?i:at|dot)[ \t]+|[ \t]*[@.][ \t]*"
)
_SPELLED_DOT = re.compile(rf"(?i)[ \t]dot[ \t]|{_OPEN}[ \t]?dot[ \t]?{_CLOSE}")
_ARTICLE_BEFORE = re.compile(r"(?i)\b(?:a|an|the|this|that|our|your|my|their|its)[ \t]+$")


class WrittenEmailRecognizer(PatternRecognizer):
    def __init__(self) -> None:
        super().__init__(
            supported_entity="EMAIL_ADDRESS",
            name="WrittenEmailRecognizer",
            patterns=[Pattern("e-mail written out", WRITTEN_EMAIL, 0.6)],
        )

    def validate_result(self, pattern_text: str) -> bool | None:
        return is_written_email(pattern_text)

    def analyze(self, text, entities, nlp_artifacts=None, regex_flags=None):  # type: ignore[no-untyped-def]
        """Presidio's analyze, then the article test, which needs the text before a match."""
        results = super().analyze(text, entities, nlp_artifacts, regex_flags)
        return [
            r for r in results if not _ARTICLE_BEFORE.search(text[max(0, r.start - 8) : r.start])
        ]


def is_written_email(value: str) -> bool:
    """Is `value` (a match of WRITTEN_EMAIL) an address rather than prose?"""
    parts = [p for p in _SPLIT.split(value) if p]
    if len(parts) < 3:
        return False
    m = re.search(_AT, value)
    if m is None:
        return False
    local, rest = value[: m.start()], value[m.end() :]
    marked = bool(_MARKED_AT.match(value[m.start() : m.end()] + " "))
    labels = [p for p in _SPLIT.split(rest) if p]
    if " . " in rest.replace("\t", " ") and "@" not in m.group():
        return False  # a spaced full stop is a sentence's end unless the `@` is spaced too
    domain = ".".join(labels).lower()
    ext = tldextract.extract(domain)
    if not ext.suffix or not ext.domain or ext.subdomain.count(".") > 2:
        return False
    if marked:
        return True
    names = [ext.domain, *ext.subdomain.split(".")]  # the suffix may be `it`, `in`, `me`
    if local.lower() in FUNCTION_WORDS or any(x in FUNCTION_WORDS for x in names):
        return False
    if "." in local and tldextract.extract(local).suffix:
        return False  # `app.py at github.com`, `docs.rs at ...`: a file or a host
    shaped = any(c in local for c in "._-+") or any(c.isdigit() for c in local)
    return shaped or bool(_SPELLED_DOT.search(rest))
