"""Where the link scanner's URLs end (`links._parse`) against the per-character reference.

A URL ends at the first space (`str.isspace`) or quote / bracket after its host. It is now
found by a regex search in C with a memo of the last end (a run of URLs without a space
finds its end once, not once per URL: 4,000 URLs in one run cost ~10 s of CPU before);
the ends must be those of the old character-by-character loop, whatever the text; in an
HTML attribute's quoted value (`_attr_quote`), a URL ends at the value's quote (red team 8).
"""

from __future__ import annotations


from hypothesis import given, settings
from hypothesis import strategies as st

from keepgate.scrubbing.links import (
    MAX_HOLD,
    _START,
    _URL_STOP,
    LinkNeutraliser,
    _attr_quote,
    _parse,
)
from keepgate.scrubbing.linkctx import LinkContext


def _reference_end(s: str, k: int) -> int:
    e = k
    while e < len(s) and not s[e].isspace() and s[e] not in "\"'<>`":
        e += 1
    return e if e < len(s) else -1


def test_the_stop_class_is_str_isspace_and_the_quotes() -> None:
    every = "".join(chr(c) for c in range(0x110000))
    assert _URL_STOP.findall(every) == [c for c in every if c.isspace() or c in "\"'<>`"]


PIECES = st.sampled_from(
    ["https://", "//", "www.", "evil.example", "/p", "?d=", "a", " ", "\u3000", "\u00a0"]
    + ["\n", "'", '"', "<", ">", "`", "(", "=", "@", "http:\\\\", "\u3002", "x" * 5]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(PIECES, max_size=25))
def test_ends_equal_the_reference_with_and_without_the_memo(pieces: list[str]) -> None:
    s = "".join(pieces)
    memo = [len(s) + 1, len(s)]
    for m in _START.finditer(s):
        lead = s[m.start()] in "(\"'=<"
        for u in (_parse(s, m.start(), m.end(), lead), _parse(s, m.start(), m.end(), lead, memo)):
            k = u.host_end if u.host_end >= 0 else len(s)
            quote, _ = _attr_quote(s, u.start)
            if quote:
                q = s.find(quote, k)
                want = q if 0 <= q < k + MAX_HOLD else -1
            else:
                want = _reference_end(s, k)
            assert u.end == want, (s, m.start())


def test_a_long_run_of_links_is_judged_link_by_link() -> None:
    run = "https://evil.example/" * 300
    n = LinkNeutraliser(ctx_source=LinkContext, allow=[])
    out = n.feed(run + " done") + n.flush()
    assert n.counts["LINK"] == 300
    assert "evil.example" not in out and out.endswith(" done")
