"""Dates of birth: a date written after the words that make it one.

A date alone is not personal (`released on 2024-05-01`), a date of birth is one of the
three facts that single out most people (with a postcode and a sex). People write it after
a handful of words in every language an agent meets: `DOB 04/11/1986`, `date of birth:
1990-07-22`, `born on March 3, 1985`, `born 2 March 1951`, `geboren am 12.03.1978`,
`née le 3 mars 1990`, `12-Aug-1974`, `23 de abril de 1991`, `Date of Birth (MM/DD/YYYY):
04/12/1987` (a format hint in brackets is skipped). After such a word (and up to three short words: `on`, `in`, `is`),
the first date in a common layout is redacted as `DATE_OF_BIRTH`: numeric (`1986-11-04`,
`04/11/1986`, `4.11.86`), or with a month name (`2 March 1951`, `March 3, 1985`, `Mar
1985`). A bare year (`born in 1985`) is not redacted: a year alone identifies nobody.
"""

from __future__ import annotations

from typing import Any

import regex as re
from presidio_analyzer import RecognizerResult

from keepgate.scrubbing.local import LocalRecognizer

#: The words a date of birth follows (the detector's trigger, matched case-insensitively).
KEYWORD = re.compile(
    r"(?i)(?<![\w])(?:d\.?o\.?b\b\.?|date[ \-]of[ \-]birth|birth[ \-]?date|birthday|born|"
    r"geburtsdatum|geboren|geb\.|n[ée]e?[ \t]{1,3}le|date[ \-]de[ \-]naissance|"
    r"fecha[ \-]de[ \-]nacimiento|data[ \-]de[ \-]nascimento|data[ \-]di[ \-]nascita|"
    r"f[öo]delsedatum|urodzon[ya])(?![a-z])"
)
#: Every keyword above contains one of these (lower-cased): a cheap check first.
STEMS = (
    "dob", "d.o.b", "birth", "born", "geb", "naissance", "nacimiento", "nasc", "delsedatum",
    "urodzon", "né", "ne le", "nee le",
)  # fmt: skip


def may_hold_birth_date(text: str) -> bool:
    low = text.lower()
    return any(s in low for s in STEMS)


_MONTH = (
    r"(?:jan(?:uary|vier|uar|eiro)?|feb(?:ruary|ruar)?|f[ée]v(?:rier)?|mar(?:ch|s|z|zo|ço)?|"
    r"m[äa]rz|apr(?:il)?|avr(?:il)?|abr(?:il)?|may|mai|mayo|maio|jun(?:e|i|io|ho)?|juin|"
    r"jul(?:y|i|io|ho)?|juil(?:let)?|aug(?:ust)?|ao[uû]t|ago(?:sto)?|sep(?:t(?:ember|iembre)?)?|"
    r"oct(?:ober|obre)?|okt(?:ober)?|out(?:ubro)?|nov(?:ember|iembre|embro)?|"
    r"dec(?:ember)?|d[ée]c(?:embre)?|dez(?:ember|embro)?|dic(?:iembre)?)\.?"
)
#: A month name alone (the stream holds it: a date of birth may follow).
MONTH_WORD = re.compile(r"(?i)" + _MONTH + r",?")
_DAY = r"(?:0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th|er)?"
DATE = re.compile(
    r"(?i)(?:"
    r"(?:19|20)\d\d[\-./](?:0?[1-9]|1[0-2])[\-./](?:0?[1-9]|[12]\d|3[01])"
    r"|(?:0?[1-9]|[12]\d|3[01])[\-./](?:0?[1-9]|1[0-2])[\-./](?:\d{4}|\d\d)"
    r"|(?:0?[1-9]|1[0-2])[\-./](?:0?[1-9]|[12]\d|3[01])[\-./](?:\d{4}|\d\d)"
    r"|"
    + _DAY
    + r"(?:[ \t]+(?:of|de))?[ \t\-./]{1,3}"
    + _MONTH
    + r",?(?:[ \t]+(?:de|of))?[ \t\-./]{1,3}(?:19|20)\d\d"
    r"|" + _MONTH + r"[ \t\-./]{1,3}" + _DAY + r",?[ \t\-./]{1,3}(?:19|20)\d\d"
    r"|" + _MONTH + r",?[ \t]+(?:19|20)\d\d"
    r")(?![\w])"
)
_GAP = re.compile(r"[\s:=\-–—,()\"'`]*")
#: A format hint between the keyword and the date: `(MM/DD/YYYY)`, `[dd.mm.yyyy]`,
#: `(jj/mm/aaaa)`, `(TT.MM.JJJJ)`: skipped like a short word (the gap may have taken the
#: opening bracket; the closing one is required).
_FORMAT_HINT = re.compile(
    r"(?i)[(\[]?[ \t]{0,2}[dmyjatg]{1,4}(?:[ \t]{0,2}[\-./][ \t]{0,2}[dmyjatg]{1,4}){1,2}[ \t]{0,2}[)\]]"
)
_SHORT = frozenset("on in is was the a of at am le el em il his her my your their date".split())
REACH = 64


class DateOfBirthRecognizer(LocalRecognizer):
    """A date after `born`, `DOB`, `date of birth` and their translations."""

    SUPPORTED = ("DATE_OF_BIRTH",)

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: Any = None
    ) -> list[RecognizerResult]:
        out: list[RecognizerResult] = []
        for m in KEYWORD.finditer(text):
            pos, limit = m.end(), min(len(text), m.end() + REACH)
            for _ in range(4):
                gap = _GAP.match(text, pos, limit)
                pos = gap.end() if gap else pos
                if "\n\n" in (gap.group() if gap else ""):
                    break
                d = DATE.match(text, pos, limit)
                if d:
                    out.append(RecognizerResult("DATE_OF_BIRTH", d.start(), d.end(), 0.85))
                    break
                hint = _FORMAT_HINT.match(text, pos, limit)
                if hint:
                    pos = hint.end()
                    continue
                w = re.match(r"[^\s:=,]+", text[pos:limit])
                if not w or w.group().lower().rstrip(".") not in _SHORT:
                    break
                pos += w.end()
        return out
