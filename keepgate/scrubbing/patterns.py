"""PII patterns Presidio's recognizers miss: phone numbers by their shape.

Presidio's `PhoneRecognizer` keeps only numbers `phonenumbers` deems *valid* for one of
eight regions, so `+1-984-182-0190`, `481 7531` or `(88) 684-334` pass unredacted (recall
0.59 on presidio-research's labelled phones). This recognizer adds two shapes:

* the North American / international layout (`+1-984-182-0190x52`, `001-846-853-9089`,
  `151.081.7740`): scored 0.6, reported on its own;
* any group of 7-15 digits in 2-6 separated groups (`481 7531`, `96 237271`): scored 0.3,
  below the default threshold, and reported only with a context word such as `phone`,
  `call`, `fax`, `office` or `mobile` nearby (before or after).

Dates (`2024-05-01`, `01.05.2024`) and plain years are never phones.
"""

from __future__ import annotations

import regex as re
from presidio_analyzer import Pattern, PatternRecognizer

_EXT = r"(?:\s?(?:x|ext\.?|extension)\s?\d{1,6})?"
NANP = (
    r"(?<![\w+.\-])(?:(?:\+|00)\d{1,3}[-. ]?|001[-. ]?)?\(?\d{3}\)?[-. ]\d{3}[-. ]\d{4}"
    + _EXT
    + r"(?![\w.\-]*\d)"
)
GROUPED = (
    r"(?<![\w+.\-])(?:\+\d{1,3}[-. ]?)?(?:\(0\)\s?)?\(?\d{2,5}\)?(?:[-. ]\d{2,6}){1,5}"
    + _EXT
    + r"(?![\w.\-]*\d)"
)
_DATE = re.compile(r"^(?:\d{4}[-./ ]\d{1,2}[-./ ]\d{1,2}|\d{1,2}[-./ ]\d{1,2}[-./ ]\d{2,4})$")

CONTEXT = [
    "phone",
    "telephone",
    "tel",
    "mobile",
    "cell",
    "call",
    "fax",
    "office",
    "desk",
    "reach",
    "contact",
    "answering",
    "whatsapp",
    "sms",
    "text",
    "dial",
    "number",
    "home",
    "work",
    "landline",
]


class PhoneShapeRecognizer(PatternRecognizer):
    def __init__(self) -> None:
        super().__init__(
            supported_entity="PHONE_NUMBER",
            name="PhoneShapeRecognizer",
            patterns=[
                Pattern("phone (nanp layout)", NANP, 0.6),
                Pattern("phone (digit groups)", GROUPED, 0.3),
            ],
            context=CONTEXT,
        )

    def validate_result(self, pattern_text: str) -> bool | None:
        digits = sum(c.isdigit() for c in pattern_text)
        if not 7 <= digits <= 15 or _DATE.match(pattern_text.strip()):
            return False
        return None  # keep the pattern's score; context decides for the weak shape


def luhn(digits: str) -> bool:
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = int(c)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


class MastercardSeries2Recognizer(PatternRecognizer):
    """Mastercard's 2221-2720 range (issued since 2017), which Presidio's card patterns
    (first digit 1, 3, 4, 5 or 6) do not cover: 16 digits, plain or in groups of four,
    passing the Luhn check."""

    def __init__(self) -> None:
        super().__init__(
            supported_entity="CREDIT_CARD",
            name="MastercardSeries2Recognizer",
            patterns=[
                Pattern(
                    "mastercard 2-series",
                    r"(?<![\w\-.])2(?:22[1-9]|2[3-9]\d|[3-6]\d\d|7[01]\d|720)"
                    r"(?:[- ]?\d{4}){3}(?![\w\-]|\.\d)",
                    0.3,
                )
            ],
        )

    def validate_result(self, pattern_text: str) -> bool | None:
        return luhn("".join(c for c in pattern_text if c.isdigit()))


class EmailAnyDomainRecognizer(PatternRecognizer):
    """An e-mail address on a domain no public suffix list knows: `jane@corp.internal`,
    `ops@build.local`, `ana@mail.example`. Presidio's e-mail recognizer drops them (it
    keeps only known top-level domains), but an internal address names a person as well."""

    def __init__(self) -> None:
        super().__init__(
            supported_entity="EMAIL_ADDRESS",
            name="EmailAnyDomainRecognizer",
            patterns=[
                Pattern(
                    "email on any domain",
                    r"(?<![\w.%+\-@])[A-Za-z0-9][A-Za-z0-9._%+\-]{0,63}@"
                    r"[A-Za-z0-9][A-Za-z0-9\-]{0,62}(?:\.[A-Za-z0-9][A-Za-z0-9\-]{0,62}){0,6}"
                    r"\.[A-Za-z]{2,24}(?![\w\-@]|\.[A-Za-z0-9])",
                    0.5,
                )
            ],
        )


def extra_recognizers() -> list[PatternRecognizer]:
    return [PhoneShapeRecognizer(), MastercardSeries2Recognizer(), EmailAnyDomainRecognizer()]
