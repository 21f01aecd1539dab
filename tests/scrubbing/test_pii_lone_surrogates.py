"""A lone surrogate in an answer (an upstream's JSON `"\\ud800"`) must not crash the
scrubbers that search with RE2 (written e-mails, CJK names, the NER precision checks, the
link scanner): it was a 500. The surrogate stays as written; the rest is scrubbed."""

from __future__ import annotations

import pytest

from keepgate.scrubbing.guard import build
from keepgate.scrubbing.linkctx import LinkContext
from keepgate.scrubbing.links import LinkNeutraliser
from keepgate.scrubbing.re2text import re2_safe
from keepgate.scrubbing.stream import StreamScrubber

CONFIGS = {"ner": {}, "patterns": {"nlp_model": None}}


@pytest.mark.parametrize("mode", sorted(CONFIGS))
def test_a_lone_surrogate_passes_through_the_scrubber(mode: str) -> None:
    cfg = CONFIGS[mode]
    scrubber = build(cfg, None, None).scrubber_for_section(cfg)
    text = "\ud800 mail olaf [at] posteo [dot] de. 王小明 wrote.\n \udfff"
    out, counts = scrubber.scrub(text)
    assert out.startswith("\ud800 ") and out.endswith(" \udfff")
    assert counts.get("EMAIL_ADDRESS") == 1 and "posteo" not in out
    st = StreamScrubber(scrubber, 48, False, None, False, 0.0)
    streamed = st.feed(text[:10]) + st.feed(text[10:]) + st.flush()
    assert streamed.startswith("\ud800") and "posteo" not in streamed


def test_the_link_scanner_reads_past_a_lone_surrogate() -> None:
    n = LinkNeutraliser(ctx_source=LinkContext, allow=[])
    out = n.feed("\ud800 see https://evil.example/?q=1 ok") + n.flush()
    assert out == "\ud800 see hxxps://evil[.]example/?q=1 ok"


def test_the_copy_keeps_every_offset() -> None:
    text = "a\ud800b\udfffc"
    safe = re2_safe(text)
    assert len(safe) == len(text) and safe == "a\ufffdb\ufffdc"
    assert re2_safe("plain") == "plain"


@pytest.mark.parametrize("mode", sorted(CONFIGS))
@pytest.mark.parametrize(
    "text", ["password: \ud800", "psk=\ud800", "passphrase: \ud800 abc def", "pwd=ab\ud800cd99"]
)
def test_a_lone_surrogate_in_a_field_value(mode: str, text: str) -> None:
    """The field recognizer (`password: …`) searched with RE2 on the raw text and raised."""
    cfg = CONFIGS[mode]
    scrubber = build(cfg, None, None).scrubber_for_section(cfg)
    out, _ = scrubber.scrub(text)
    assert out.startswith(text[:4]), out
    st = StreamScrubber(scrubber, 48, False, None, False, 0.0)
    streamed = st.feed(text[:6]) + st.feed(text[6:]) + st.flush()
    assert streamed == out
