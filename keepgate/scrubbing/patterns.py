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


def extra_recognizers() -> list[PatternRecognizer]:
    return [PhoneShapeRecognizer()]
