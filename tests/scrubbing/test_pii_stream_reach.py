"""Values far from their keyword, and written-out addresses with escaped brackets, at every
split: the client sees exactly the scrub of the whole answer (red-team leaks, 2026-12-08).

* a password more than 64 characters after its keyword (the stream's left context) was
  judged without the keyword once the keyword had been released: `… set as hunter22` leaked
  at 32 of the splits with patterns only;
* `née` + any number of spaces + `le` was a date-of-birth keyword: its start left the
  context before its end arrived, so the date leaked where the whole answer redacted it;
* `jane\\[at\\]acme\\[dot\\]io` (markdown escapes, as models write brackets) was no address.
"""

from __future__ import annotations

import pytest

from tests.scrubbing.test_pii_stream_splits import (
    GUARD,
    P_GUARD,
    P_SCRUBBER,
    SCRUBBER,
    _every_split,
    new_call,
    run,
    stream_of,
    text_of,
)

pytestmark = pytest.mark.slow(cpu_s=4)

FAR = [
    (
        "SECRET",
        "hunter22",
        "The password for the new admin account of the user for the database server here "
        "is now set as hunter22 ok.",
    ),
    ("DATE_OF_BIRTH", "04/11/1986", "DOB:" + " " * 60 + "04/11/1986 is on file."),
    (
        "DATE_OF_BIRTH",
        "04.11.1986",
        "Die Kundin, Geburtsdatum (TT.MM.JJJJ): " + " " * 30 + "04.11.1986 laut Ausweis.",
    ),
]
ESCAPED = [
    ("EMAIL_ADDRESS", "jane", "Write to jane\\[at\\]acme\\[dot\\]io for details."),
    ("EMAIL_ADDRESS", "nguyen", "Mail t.nguyen\\(at\\)uni-heidelberg\\(dot\\)de please."),
    ("EMAIL_ADDRESS", "doe", "It is jane.doe \\[at\\] acme \\[dot\\] io, thanks."),
]


@pytest.mark.parametrize("ner", [True, False], ids=["ner", "patterns"])
@pytest.mark.parametrize("case", FAR + ESCAPED, ids=[c[2][:24] for c in FAR + ESCAPED])
async def test_a_value_far_from_its_keyword_or_escaped_is_scrubbed_at_every_split(
    case: tuple[str, str, str], ner: bool
) -> None:
    entity, value, text = case
    if ner:
        await _every_split(GUARD, SCRUBBER, entity, value, text)
    else:
        await _every_split(P_GUARD, P_SCRUBBER, entity, value, text)


async def test_a_spaced_out_nee_le_is_judged_alike_whole_and_streamed() -> None:
    """`née` and `le` with a bounded gap (1-3 spaces: how it is written) are a keyword; a
    wider gap is none, whole or streamed, so no split releases what the whole text keeps."""
    text = "Elle est née" + " " * 70 + "le 3 mars 1990 à Lyon, dit le registre."
    expected, _ = P_SCRUBBER.scrub(text)
    for k in range(1, len(text)):
        out = await run(P_GUARD, new_call(), stream_of([text[:k], text[k:]]))
        assert text_of(out) == expected, f"split at {k}"
    near = "Elle est née  le 3 mars 1990 à Lyon."
    assert P_SCRUBBER.scrub(near)[1] == {"DATE_OF_BIRTH": 1}


async def test_an_open_keyword_keeps_a_bounded_context() -> None:
    """The context an open keyword keeps is capped (`KEYWORD_CONTEXT`), and dropped back to
    `CONTEXT_CHARS` once its reach is passed: the analysed window stays bounded."""
    from keepgate.scrubbing.stream import CONTEXT_CHARS, KEYWORD_CONTEXT, StreamScrubber

    s = StreamScrubber(P_SCRUBBER)
    text = "The password for the account is below, " + "and more words here " * 40
    out = []
    for i in range(0, len(text), 5):
        out.append(s.feed(text[i : i + 5]))
        assert len(s.context) <= KEYWORD_CONTEXT
    assert len(s.context) <= CONTEXT_CHARS
    out.append(s.flush())
    assert "".join(out) == text  # no value followed the keyword: nothing altered or lost
