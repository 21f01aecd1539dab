"""The stream's gate finds a trigger split across pieces, whatever the split (red team 7).

With patterns only (`nlp_model: none`), prose is released unanalysed while the gate finds
no trigger in the held text and its context (`stream.StreamScrubber._near_signal`). The
gate re-read only 16 characters of what it had searched before, and a written-out address
(`olaf [at] posteo [dot] de`, a trigger of 22+ characters with nothing else the gate knows
in it) split at 2-5 characters came out unscrubbed. The gate now keeps a trigger that may
still be arriving open (`Detector.gate`, `GateScan.open`) and searches on from its start,
so these answers are scrubbed alike at every split: two
pieces split anywhere, and pieces of 1-8 characters from every offset, in-process with
and without NER and through the gateway (real HTTP, the openai SDK).
"""

from __future__ import annotations

import openai
import pytest

from keepgate.scrubbing.engine import Detector
from keepgate.scrubbing.guard import build
from keepgate.scrubbing.stream import StreamScrubber

pytestmark = pytest.mark.slow(cpu_s=1.9)  # scheduled first: tests/conftest.py

NO_NER: dict[str, object] = {"nlp_model": None}
SCRUBBERS = {
    "patterns": build(NO_NER, None, None).scrubber_for_section(NO_NER),
    "ner": build({}, None, None).scrubber_for_section({}),
}
#: Written-out addresses with nothing else a gate knows in them (no digit, `@`, `_`, `.x`).
ANSWERS = [
    ("Mail olaf [at] posteo [dot] de or call later, thanks for all the help.", "posteo"),
    ("ANA AT EXAMPLE DOT ORG is the inbox, write there please when you can.", "EXAMPLE"),
    ("Write to anja (at) kowalski (dot) net and wait for her to answer you.", "kowalski"),
    ("It is olaf{at}posteo{dot}de so use that one from now on, please do.", "posteo"),
    # The detector reads folded text; the gate read the raw text and missed these (the
    # stream now also gates, and holds an address still arriving, on the folded text).
    ("Mail olaf ａｔ posteo ｄｏｔ de or call later, thanks for the help.", "posteo"),
    ("Mail olaf\u00a0at\u00a0posteo\u00a0dot\u00a0de or call later, thanks.", "posteo"),
    ("Mail olaf at\u200b posteo dot de or call later, thanks for the help.", "posteo"),
]


def pieces(text: str, size: int, offset: int) -> list[str]:
    return [text[:offset]] + [text[i : i + size] for i in range(offset, len(text), size)]


def splits(text: str) -> list[list[str]]:
    """Two pieces split anywhere, and 1-8 characters a piece from every offset."""
    two = [[text[:k], text[k:]] for k in range(1, len(text))]
    return two + [pieces(text, n, o) for n in range(1, 9) for o in range(n)]


def streamed(scrubber, parts: list[str]) -> str:
    s = StreamScrubber.of(scrubber, hold_all_words=scrubber.detector.has_ner)
    return "".join(s.feed(p) for p in parts) + s.flush()


@pytest.mark.parametrize("mode", ["patterns", "ner"])
@pytest.mark.parametrize("answer", ANSWERS, ids=[a[1] for a in ANSWERS])
def test_a_written_address_is_scrubbed_at_every_split(mode: str, answer: tuple[str, str]) -> None:
    text, part = answer
    scrubber = SCRUBBERS[mode]
    expected, counts = scrubber.scrub(text)
    assert counts == {"EMAIL_ADDRESS": 1} and part not in expected, expected
    for parts in splits(text):
        assert streamed(scrubber, parts) == expected, [len(p) for p in parts]


def test_the_gate_keeps_an_open_trigger_and_reads_only_new_text_after_it() -> None:
    """A piece's search starts at the earliest trigger still open at the end of the text
    searched before (`GateScan.open`), not a trigger's longest match back: the written-out
    address is found at every split, and prose with no trigger open re-reads nothing."""
    d = Detector(nlp_model=None)
    text = "Mail olaf [at] posteo [dot] de now"
    assert d.last_signal(text[:20]) == -1  # nothing yet
    for k in range(1, len(text)):  # the first k characters were searched already
        first = d.gate(text[:k])
        assert first is not None
        second = d.gate(text, min(first.open, k))
        assert second is not None and max(first.end, second.end) >= 0, k
    scan = d.gate("Mail olaf [at] pos")
    assert scan is not None and scan.end == -1 and scan.open == len("Mail ola")
    prose = "we shall meet there later, then "
    scan = d.gate(prose)  # open at most from `n ` (`n at ...` may follow)
    assert scan is not None and scan.end == -1 and scan.open >= len(prose) - 2
    # a date-of-birth keyword with an unbounded gap: open while the gap runs on
    scan = d.gate("she is née   ")
    assert scan is not None and scan.end == -1 and scan.open == len("she is ")


@pytest.fixture(scope="module")
def gw(module_gateway_factory):
    return module_gateway_factory(
        {"guards": {"pii": {"enabled": True, "nlp_model": None, "stream_coalesce_ms": 0}}},
        real_http=True,
    )


def test_a_written_address_through_the_gateway_at_every_chunk_size(gw) -> None:
    """Real HTTP, SSE in and out: 1-8 characters a chunk (the fake model's chunking), with
    coalescing off so each chunk is its own piece (a slow upstream's case)."""
    client: openai.OpenAI = gw.client()
    for text, part in ANSWERS:
        expected, _ = SCRUBBERS["patterns"].scrub(text)
        for size in range(1, 9):
            chunks = client.chat.completions.create(
                model="demo",
                messages=[{"role": "user", "content": "hi"}],
                stream=True,
                extra_body={"fake": {"reply": text, "chunk_chars": size}},
            )
            got = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
            assert got == expected and part not in got, (size, got)


async def test_a_written_address_through_the_guard_transform_at_every_split() -> None:
    """The response guard's transform (chat chunks in, chunks out, coalescing off), as the
    gateway drives it, at every two-piece split and every piece size 1-8: no leak."""
    from tests.scrubbing.test_pii_stream_splits import new_call, run, stream_of, text_of

    guard = build({**NO_NER, "stream_coalesce_ms": 0}, None, None)
    for text, part in ANSWERS:
        expected, _ = SCRUBBERS["patterns"].scrub(text)
        for parts in splits(text):
            got = text_of(await run(guard, new_call(), stream_of(parts)))
            assert got == expected and part not in got, [len(p) for p in parts]
