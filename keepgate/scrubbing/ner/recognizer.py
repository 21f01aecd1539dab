"""The shipped tagger as a Presidio recognizer: PERSON, LOCATION, ORGANIZATION offline.

`KeepgateNerRecognizer().analyze(text, entities)` returns Presidio `RecognizerResult`s, so it
sits in a `RecognizerRegistry` or an `AnalyzerEngine` like any other recognizer (it needs no
NLP artifacts). The weights load once per process (`model/keepgate_ner.npz`, ~2 MB).

@-handles: a social-media handle (`@jane_doe`) is a username, which identifies a person
(or an organisation) as surely as a name does; the Broad Twitter Corpus labels 86 % of
them as PERSON, ORGANIZATION or LOCATION. So every handle written as one (`@` right before
it, not after a letter or digit, as in an e-mail) is redacted: with the tagger's label when
it gives one, else as PERSON (score 0.7). The `@` stays visible (`@<PERSON>`). A handle is
skipped when it reads as code: at the start of a line (a Python or Java decorator),
followed by `.`, `(` or `/` (`@app.route(`, `@types/node`), or a well-known at-rule or
directive (`@media`, `@import`, `@param`, `@here`).

Product and tech terms: a span that is exactly a term of `model/product_terms.txt`
(`Windows`, `Docker`, `Android`; case-sensitive, built from general sources by
`training/ner/product_terms.py`, which leaves out any term the gazetteers know as a name
or place) is not a name, unless a title (`Mr`, `Dr.`) or a place phrase (`city of`, `born
in`, `lives in`) stands right before it, or it is a handle or a hashtag (`@SpaceX`).

Names in Chinese, Japanese and Korean script come from `cjk.py` (surname + given name
lists), which the tagger cannot read.

Versions and labels: a span with a dotted version in it or right after it (`Django 4.2`,
`npm 9.6.7`) names software; a one-word span right before `:`/`=` that the field
recognizer reads as a key (`Teléfono:`, `Adresse:`) is a form's label; a run of one letter
(`XXXX`) or a word longer than any name is padding. None of these is redacted.

Also skipped: spans inside code identifiers (`DB_PASSWORD=`, `config.Acme`), spans of fewer
than three letters or digits (`UK`, `ci`), and field names the tagger mistakes for names at
the start of a sentence (`Aadhaar`, `Passport`, `IBAN`) and programming keywords (`def`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import functools
from bisect import bisect_left
from itertools import accumulate

import regex as re

from presidio_analyzer import EntityRecognizer, RecognizerResult

from keepgate.scrubbing.re2text import re2_safe
from keepgate.scrubbing.ner.addresses import merge_addresses
from keepgate.scrubbing.ner.cjk import cjk_names
from keepgate.scrubbing.ner.signoff import greeted_names, signed_names, titled_names
from keepgate.scrubbing.ner.tables import table_names
from keepgate.scrubbing.ner.precision import TITLES, introduced, plausible
from keepgate.scrubbing.ner.shipped import MODEL as MODEL
from keepgate.scrubbing.ner.shipped import shipped_tagger as shipped_tagger
from keepgate.scrubbing.ner.tagger import G_FIRST, G_LAST, LABELS, Entity, Tagger, _id

PRODUCT_TERMS_FILE = MODEL.parent / "product_terms.txt"
_CODE_HANDLES = frozenset(
    "media import font-face keyframes charset supports page layer tailwind apply param "
    "return returns throws throw see since deprecated author version override property "
    "staticmethod classmethod dataclass abstractmethod here channel everyone all "
    "interface implementation end synthesize protocol todo fixme type typedef link "
    "example component injectable input output viewchild hostlistener test before after "
    "beforeeach aftereach mock patch pytest app router get post put delete".split()
)
#: Words the tagger sometimes takes for a name at the start of a sentence, but which name
#: a document or a field (`Aadhaar 2345 …`, `Passport: …`), never a person or a place.
_FIELD_WORDS = frozenset(
    "aadhaar aadhar pan ssn iban bic swift passport password passwd pwd passphrase pin nino "
    "dni nie nif cpf curp bsn pesel personnummer email e-mail mail phone tel mobile fax api "
    "url uri id ids token key secret login username user admin root sql json yaml http https "
    "tcp udp dns ip lan wan vpn ssh ftp smtp imap html css "
    # keywords of programming languages: code in answers is full of them
    "def class import from return async await lambda elif yield self const var let func "
    "function struct enum impl pub fn println printf sudo npm pip".split()
)


@functools.cache
def product_terms() -> frozenset[str]:
    """The product/tech vocabulary (see the module doc), read once per process."""
    lines = PRODUCT_TERMS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(t for t in lines if t and not t.startswith("#"))


#: Words right before a span that make it a person or a place whatever the word is
#: (`Mr Zoom`, `the city of Java`, `born in Windows`, `works for Socrata`): then a product term stays redacted.
_NAME_CONTEXT = re.compile(
    r"(?i)(?:\b(?:" + "|".join(sorted(TITLES)) + r")\.?"
    r"|\b(?:city|town|village|county|state|province|island|republic|region) of"
    r"|\b(?:born|lives?|living|lived|raised|resides?|residing|moved|moving) (?:in|to)"
    r"|\b(?:works?|working|worked|employed|job|interned?) (?:for|at|by|with)"
    r"|\b(?:named|called|dear|hi|hello|hey|thanks|regards|sincerely),?)\s+$"
)


def _product(text: str, e: Entity) -> bool:
    """Is the span exactly a known product/tech term with no name or place cue before it?"""
    if text[e.start : e.end] not in product_terms() or text[max(0, e.start - 2) : e.start].rstrip()[
        -1:
    ] in ("@", "#"):
        return False  # `@SpaceX`, `#Vimeo`: a handle or a tag names an account, a person or a firm
    return _NAME_CONTEXT.search(text[max(0, e.start - 32) : e.start]) is None


#: A dotted version (`4.2`, `9.6.7`, `v3.12`): what follows or sits inside a product's name,
#: never a person's or a place's (an address's numbers are not dotted: `12b`, `1100-053`).
_VERSION = re.compile(r"(?<![\w.])v?\d+(?:\.\d+)+(?![\w.]|\.\w)")
_VERSION_AFTER = re.compile(r"[ \t]{1,3}v?\d+(?:\.\d+)+(?![\w.]|\.\w)")


def _versioned(text: str, e: Entity) -> bool:
    """`Django 4.2`, `npm 9.6.7 fails`, `Install Python 3.12`: a span with a dotted version in
    it or right after it names software (round 5's product terms cannot list every one)."""
    m = _VERSION.search(text, e.start, e.end) or _VERSION_AFTER.match(text, e.end)
    # `930.167.3943` is a phone number written with dots: every group of three or more
    return m is not None and not all(len(g) >= 3 for g in m.group().strip(" \tv").split("."))


#: No word of a real name is longer (the longest surnames on record have ~35 letters).
MAX_NAME_WORD = 40
_LONG_WORD = re.compile(r"\w{%d}" % (MAX_NAME_WORD + 1))


def _degenerate(value: str) -> bool:
    """A run of one letter (`XXXX`, a placeholder or padding: 200,000 `X` read as one place)
    or a word longer than any name's: not a name, whatever the tagger's casing cues say."""
    letters = {c for c in value if c.isalpha()}
    return (len(letters) == 1 and len(value) > 3) or _LONG_WORD.search(value) is not None


def _field_label(text: str, e: Entity) -> bool:
    """A one-word span right before `:` or `=`, or the first of a few words before it, that
    the field recognizer reads as a key (`Teléfono:`, `Adresse:`, `Nachname=`, `Numéro de
    téléphone :`, `Nome completo:`): a form's label, in any of that recognizer's
    languages, not a name. (The value after it is the recognizers' to judge.)"""
    from keepgate.scrubbing.fields import is_label

    value = text[e.start : e.end]
    if not value.isalpha():
        return False
    if text[e.end : e.end + 1] in (":", "="):
        return is_label(value)
    # a label of a few words (`Teléfono de contacto:`, `Numéro de téléphone :`): the
    # field recognizer reads its first word or the whole phrase as a key
    m = _LABEL_TAIL.match(text, e.end, e.end + 48)
    if m is None:
        return False
    if is_label(value):
        return True
    # the phrase alone decides only for a label that starts its line: mid-sentence,
    # `Kevin had given Alma his address:` names a person before `his address`
    line = text.rfind("\n", 0, e.start) + 1
    return not text[line : e.start].strip() and is_label(value + m.group(1))


#: The rest of a form label after its first word: up to three words, then `:` or `=`.
_LABEL_TAIL = re.compile(r"((?:[ \t]+\p{L}+){0,3})[ \t]?[:=]")


#: `Rose and Faith`, `Bill, Dawn & Summer`: a capitalised word joined to a person's name is
#: another (the tagger often takes the first and drops a second that is an ordinary word).
_JOINED = re.compile(
    r"(?:[ \t]*,[ \t]*|[ \t]+(?:and|or|&|und|y|e|et|i|oder|ou|o)[ \t]+)"
    r"(\p{Lu}\p{Ll}+(?:[\-'’]\p{Lu}?\p{Ll}+)?)(?![\w@])"
)


def _joined_names(text: str, people: list[Entity], flags: Callable[[int], int]) -> list[Entity]:
    """Names joined to a person's name found by the tagger (`_JOINED`): a first name or
    surname the gazetteers know, capitalised, even when it is also an ordinary word."""
    out: list[Entity] = []
    for e in people:
        while True:
            m = _JOINED.match(text, e.end)
            if m is None or not flags(_id(m.group(1).lower())) & (G_FIRST | G_LAST):
                break
            e = Entity(m.start(1), m.end(1), "PERSON", e.score)
            out.append(e)
    return out


HANDLE = re.compile(r"(?<![\w@.+\-])@([A-Za-z0-9_]{2,30})(?![\w@])")
HANDLE_SCORE = 0.7


_EDGE = "\"'`“”‘’«»()[]{}<>.,;:!?*"


def _trimmed(text: str, e: Entity) -> Entity:
    """The span without quotes or punctuation at its edges (the tagger sometimes takes a
    closing quote into a name: `"Ada Byron"` in JSON must stay valid JSON)."""
    s, t = e.start, e.end
    while s < t and text[s] in _EDGE:
        s += 1
    while t > s and text[t - 1] in _EDGE and not (text[t - 1] == "." and t - s <= 3):
        t -= 1
    return e if (s, t) == (e.start, e.end) else Entity(s, t, e.label, e.score)


def _in_identifier(text: str, start: int, end: int) -> bool:
    """Part of a code identifier or a key (`DB_PASSWORD=`, `config.Acme`, `$HOME`)?"""
    if start and text[start - 1] == "@":
        return False  # a handle: `_` and `.` after it are normal (`@jane_doe.`)
    if "_" in text[start:end]:
        return True
    before = text[start - 1 : start] if start else ""
    after = text[end : end + 1]
    if before in ("_", "=", "$", "/", "\\", "{", "<", ".") or after in ("_", "=", "(", "/", "\\"):
        return True
    return after == "." and text[end + 1 : end + 2].isalnum()


def _code_handle(text: str, start: int, end: int) -> bool:
    """Is the entity at [start, end) right after an `@` that reads as code?"""
    at = start - 1
    if at < 0 or text[at] != "@":
        return False
    line_start = text.rfind("\n", 0, at) + 1
    line_end = text.find("\n", end)
    rest = text[end : line_end if line_end != -1 else len(text)].strip()
    if not text[line_start:at].strip() and (not rest or rest[0] in "(."):
        return True  # a decorator or annotation alone on its line (`@property`, `@app.get(`)
    if text[end : end + 1] in (".", "(", "/", ":") and text[end + 1 : end + 2].strip():
        return True
    return text[start:end].lower() in _CODE_HANDLES


class KeepgateNerRecognizer(EntityRecognizer):
    """PERSON / LOCATION / ORGANIZATION from the shipped tagger."""

    def __init__(self, tagger: Tagger | None = None, precision: bool = True) -> None:
        self.tagger = tagger or shipped_tagger()
        #: the casing and context checks of `precision.py` (off: the tagger's spans as they are)
        self.precision = precision
        super().__init__(
            supported_entities=list(LABELS), name="KeepgateNerRecognizer", supported_language="en"
        )

    def load(self) -> None:  # weights are loaded in __init__
        pass

    def _names(self, text: str) -> list[Entity]:
        text = re2_safe(text)  # the precision checks search with RE2 (same offsets)
        found = self.tagger.entities(text)
        if not self.precision:
            return found
        flags = self.tagger.gaz.flags
        out = plausible(text, found, flags)
        for e in introduced(text, flags):
            if not any(e.start < o.end and o.start < e.end for o in out):
                out.append(e)
        return out

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: Any = None
    ) -> list[RecognizerResult]:
        wanted = set(entities) & set(LABELS)
        if not wanted:
            return []
        out = kept(text, self._names(text), wanted)
        if "LOCATION" in wanted and self.precision:
            safe = re2_safe(text)
            out = merge_addresses(safe, out)  # postcode tails, street lines (ner/addresses.py)
        if "PERSON" in wanted and self.precision:
            people = [e for e in out if e.label == "PERSON"]
            flags = self.tagger.gaz.flags
            safe = re2_safe(text)
            extra = _joined_names(text, people, flags) + cjk_names(text)
            # after a title, under a closing, after a greeting (ner/signoff.py)
            extra += titled_names(safe, flags) + signed_names(safe, flags)
            extra += greeted_names(safe, flags)
            # lone names in the columns of a table (ner/tables.py)
            from keepgate.scrubbing.fields import is_label

            extra += [e for e in table_names(safe, flags, is_label) if e.label in wanted]
            out += _not_overlapping(out, extra)  # the tagger reads no Han or Hangul (ner/cjk.py)
        return [RecognizerResult(e.label, e.start, e.end, e.score) for e in out]


def _not_overlapping(found: list[Entity], extra: list[Entity]) -> list[Entity]:
    """The entities of `extra` that overlap none of `found` (nor an earlier one of `extra`
    taken): an interval check by bisection, so many names on many lines cost n log n, not
    n × m (`'Mr Okafor and ' * n` gave as many titled names as tagger names)."""
    spans = sorted((o.start, o.end) for o in found)
    starts = [a for a, _ in spans]
    ends = list(accumulate((b for _, b in spans), max))  # furthest end among the first i
    taken: list[Entity] = []
    for e in sorted(extra, key=lambda x: x.start):
        i = bisect_left(starts, e.end)  # spans starting before e ends
        if i and ends[i - 1] > e.start:
            continue
        if taken and taken[-1].end > e.start:
            continue
        taken.append(e)
    return taken


def kept(text: str, found: list[Entity], wanted: set[str]) -> list[Entity]:
    """The tagger's entities this recognizer reports, plus @-handles (see the module doc).
    The trainer scores candidate settings through this too, so they are tuned for what
    the recognizer really redacts."""
    out: list[Entity] = []
    for e in found:
        e = _trimmed(text, e)
        value = text[e.start : e.end]
        if e.label not in wanted or sum(c.isalnum() for c in value) < 3:
            continue  # `ci`, `UK`: too short to identify anyone, often a false alarm
        if value.lower() in _FIELD_WORDS or _in_identifier(text, e.start, e.end):
            continue
        if _degenerate(value) or _product(text, e) or _versioned(text, e):
            continue
        if _field_label(text, e):
            continue
        if not _code_handle(text, e.start, e.end):
            out.append(e)
    if "PERSON" in wanted and "@" in text:
        taken = [(e.start, e.end) for e in out]
        for m in HANDLE.finditer(text):
            s, t = m.span(1)
            if not any(a < t and s < b for a, b in taken) and not _code_handle(text, s, t):
                out.append(Entity(s, t, "PERSON", HANDLE_SCORE))
    return out
