"""A pattern's span is exact, the tagger's is not: a name span that overlaps an e-mail (or
any pattern entity) keeps only its parts outside it (`engine.clip_names`, red team 7).

With NER on, `mail olaf [at] posteo [dot] de, 王小明 x` came out `mail <EMAIL_ADDRESS>`: the
tagger read `de, 王小明 x` as a place, and merging overlapping spans stretched the e-mail
over the rest of the line.
"""

from __future__ import annotations

import pytest

from keepgate.scrubbing.engine import Span, clip_names
from keepgate.scrubbing.guard import build

pytestmark = pytest.mark.slow(cpu_s=0)  # scheduled first: tests/conftest.py

SCRUBBER = build({}, None, None).scrubber_for_section({})


@pytest.mark.parametrize(
    "text",
    [
        "mail olaf [at] posteo [dot] de, 王小明 x",
        "mail olaf [at] posteo [dot] de, 王小明 x and more",
        "write olaf@posteo.de, Hans Müller will answer",
    ],
)
def test_the_email_span_ends_at_the_address(text: str) -> None:
    address_end = text.index(",")
    spans = SCRUBBER.analyze(text)
    emails = [s for s in spans if s.entity == "EMAIL_ADDRESS"]
    assert [(s.start, s.end) for s in emails] == [(5 + text.startswith("write"), address_end)]
    out, counts = SCRUBBER.scrub(text)
    assert counts["EMAIL_ADDRESS"] == 1 and "posteo" not in out
    assert out.split("<EMAIL_ADDRESS>", 1)[1].startswith(", "), out


def test_a_name_after_the_address_is_still_redacted_on_its_own() -> None:
    out, counts = SCRUBBER.scrub("write olaf@posteo.de, Hans Müller will answer")
    assert out == "write <EMAIL_ADDRESS>, <PERSON> will answer", out


def test_clip_names_keeps_the_outside_parts_of_a_name_trimmed_to_words() -> None:
    text = "aaa bbbb@cc.de, Name Here x"
    email = Span(4, 14, "EMAIL_ADDRESS", 1.0)
    place = Span(11, len(text), "LOCATION", 0.8)  # starts inside the address
    inside = Span(4, 8, "PERSON", 0.9)  # all inside: dropped
    got = sorted(clip_names([email, place, inside], text), key=lambda s: s.start)
    assert [(text[s.start : s.end], s.entity) for s in got] == [
        ("bbbb@cc.de", "EMAIL_ADDRESS"),
        ("Name Here x", "LOCATION"),
    ]
    short = Span(11, 18, "LOCATION", 0.8)  # `de, Na`: `Na` is too short to stand alone
    assert clip_names([email, short], text) == [email]
    assert clip_names([place], text) == [place]  # no pattern span: unchanged
