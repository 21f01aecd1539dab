"""Round 10 review (docs/pii.md "Round 10 review"): what the reviewer found in round 10.

A `passphrase:` value read to its line end must end at the *original* line end, also
when it ends in digits (the fold turns a newline after a digit into a space only when a
digit follows it too); checked whole and at every stream split, NER on and patterns only.
"""

from __future__ import annotations

import pytest

from tests.linecount import lines_run_in
from tests.scrubbing.test_pii_round10 import _every_split
from tests.scrubbing.test_pii_stream_splits import GUARD, P_GUARD, P_SCRUBBER, SCRUBBER

pytestmark = pytest.mark.slow(cpu_s=0.4)  # scheduled first: tests/conftest.py

#: (id, text, values that must go, text that must stay as it is)
LINE_PHRASES: list[tuple[str, str, tuple[str, ...], tuple[str, ...]]] = [
    (
        "env_next_line",
        "PASSPHRASE=ocean mango violet 2001\nDB=x",
        ("ocean", "mango", "violet", "2001"),
        ("\nDB=x",),
    ),
    (
        "yaml_next_key",
        "passphrase: fjord salmon kettle 1982\nuser: bob",
        ("fjord", "salmon", "kettle", "1982"),
        ("\nuser: ",),
    ),
    (
        "next_line_words",
        "passphrase: fjord salmon kettle 1982\nsee you",
        ("fjord", "kettle", "1982"),
        ("\nsee you",),
    ),
    (
        "mid_text",
        "hi\npassphrase: tulip ember 42 quartz 77\n\nthanks a lot\nmore",
        ("tulip", "ember", "quartz"),
        ("hi\npassphrase: ", "\n\nthanks a lot"),
    ),
]


@pytest.mark.parametrize("case", LINE_PHRASES, ids=[c[0] for c in LINE_PHRASES])
@pytest.mark.parametrize("ner", [True, False], ids=["ner", "patterns"])
async def test_line_passphrase_ends_at_the_line_end(case, ner: bool) -> None:
    _, text, gone, kept = case
    guard, scrubber = (GUARD, SCRUBBER) if ner else (P_GUARD, P_SCRUBBER)
    out, counts = scrubber.scrub(text)
    assert counts.get("SECRET") == 1, out
    for v in gone:
        assert v not in out, (v, out)
    for w in kept:
        assert w in out, (w, out)
    await _every_split(guard, scrubber, text, gone)


def _recognizer_lines(text: str) -> int:
    with lines_run_in(("scrubbing/ner/recognizer.py",)) as count:
        SCRUBBER.scrub(text)
    return count[0]


def test_extra_names_are_merged_in_linear_work() -> None:
    """Titled names (`Mr Okafor`) as many as the tagger's: each is checked against the
    tagger's entities by bisection, not against all of them (lines of Python run, not time:
    twice the text, about twice the lines; the pairwise loop gave four times)."""
    n = 300
    small = _recognizer_lines("Mr Okafor and " * n)
    large = _recognizer_lines("Mr Okafor and " * (2 * n))
    assert large < 2.5 * small, (small, large)


#: Over-redactions round 10's layout rules made (the base tree left these alone).
LEFT_ALONE = [
    "Dr. Pepper tastes odd.",
    "Sir Mix-a-Lot",
    "Best\nPython Java Rust",
]


@pytest.mark.parametrize("text", LEFT_ALONE, ids=[t[:16] for t in LEFT_ALONE])
async def test_layout_rules_leave_lookalikes_alone(text: str) -> None:
    out, counts = SCRUBBER.scrub(text)
    assert out == text and not counts, out
    await _every_split(GUARD, SCRUBBER, text, ())


def test_addressed_titled_names_are_still_taken() -> None:
    for text, gone in [
        ("Dear Ms Oyebanji,\nyour parcel", "Oyebanji"),
        ("Hi Dr. Nakamura see attached", "Nakamura"),
        ("Mr Okafor and Mrs Bello came", "Okafor"),
    ]:
        out, _ = SCRUBBER.scrub(text)
        assert gone not in out, out


async def test_a_dutch_postcode_goes_whole() -> None:
    """The tagger's place took `1015` of `1015 CJ`; the letters were left behind."""
    text = "Kantoor: Keizersgracht 123, Amsterdam 1015 CJ"
    out, _ = SCRUBBER.scrub(text)
    assert out.startswith("Kantoor: ") and "CJ" not in out and "1015" not in out, out
    await _every_split(GUARD, SCRUBBER, text, ("1015", "CJ"))
