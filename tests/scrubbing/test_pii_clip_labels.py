"""What `clip_names` leaves of a tagger span around a value is not always a name
(round 11, second half): the tagger reads `PESEL 88072314575` as one place, and clipped off
the value its label `PESEL` became a redaction of its own (a false alarm on held-out sets
1-4, 7 and 10); a short digit group it joined to a value (`… 084 36`) was left in clear.
The value's own label is dropped, the digit group joins the value; a real name next to a
value (`Berlin` before `Tel.`) and the e-mail case `clip_names` was made for stay as they
were (`test_pii_name_clipping.py`).
"""

from __future__ import annotations

import pytest

from keepgate.scrubbing.engine import Span, clip_names, value_label
from keepgate.scrubbing.guard import build

pytestmark = pytest.mark.slow(cpu_s=2)  # scheduled first: tests/conftest.py

SCRUBBER = build({}, None, None).scrubber_for_section({})
CONTEXT = SCRUBBER.detector.context_words


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("PESEL 88072314575, Jan Nowak", "PESEL <PL_PESEL>, <PERSON>"),
        ("SIN 046 186 250 is on file", "SIN <NATIONAL_ID> is on file"),
        ("iban pl65 1090 1014 0000 0712 1981 2899", "iban <CREDIT_CARD>"),
        (
            "user marta.k, password correcthorsebatterystaple, then hit Sign in.",
            "user <PERSON>, password <SECRET>, then hit Sign in.",
        ),
    ],
)
def test_a_values_label_is_not_redacted_as_a_name(text: str, want: str) -> None:
    out, counts = SCRUBBER.scrub(text)
    assert out == want, out
    assert counts.get("LOCATION", 0) == 0


def test_a_digit_group_the_tagger_joined_to_a_value_is_redacted_with_it() -> None:
    out, _ = SCRUBBER.scrub("Numéro de sécurité sociale : 1 85 05 78 006 084 36")
    assert out == "Numéro de sécurité sociale : <NATIONAL_ID>", out


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("password", True),
        ("PESEL", True),
        ("SIN", True),
        ("iban", True),
        ("auth token", True),
        ("Tel", True),
        ("E-mail", True),
        ("Passport no", True),
        ("Codice fiscale", True),
        ("Berlin Tel", False),
        ("Berlin", False),
        ("Hans Müller", False),
        ("St. John Street", False),
        ("王小明 x", False),
    ],
)
def test_value_label(label: str, expected: bool) -> None:
    assert value_label(label, CONTEXT) is expected


def test_clip_names_drops_a_label_and_keeps_a_name_beside_it() -> None:
    text = "Berlin Tel. 030 12345678 office"
    phone = Span(12, 24, "PHONE_NUMBER", 0.75)
    place = Span(0, len(text), "LOCATION", 0.8)  # `Berlin Tel.` before, `office` after
    got = sorted(clip_names([phone, place], text, CONTEXT), key=lambda s: s.start)
    assert [(text[s.start : s.end], s.entity) for s in got] == [
        ("Berlin", "LOCATION"),
        ("030 12345678", "PHONE_NUMBER"),
    ]


def test_clip_names_joins_a_short_digit_group_to_the_value_only() -> None:
    text = "id 1 85 05 78 006 084 36"
    value = Span(3, 21, "NATIONAL_ID", 0.9)
    place = Span(0, len(text), "LOCATION", 0.8)
    got = clip_names([value, place], text, CONTEXT)
    assert sorted((s.start, s.end, s.entity) for s in got) == [
        (3, 21, "NATIONAL_ID"),
        (20, 24, "NATIONAL_ID"),  # overlaps the value: merged into one redaction
    ]
    longer = "id 1 85 05 78 006 084 3612 Main"  # not a short group: a name piece as before
    place = Span(0, len(longer), "LOCATION", 0.8)
    got = clip_names([value, place], longer, CONTEXT)
    assert (22, len(longer), "LOCATION") in [(s.start, s.end, s.entity) for s in got]
