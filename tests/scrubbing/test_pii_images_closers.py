"""The image neutraliser's closing index (`images.Closers`) against the reference scan.

`Closers` answers "which bracket closes the opening at i" for every opening of a text
from one scan, where `_match` scans from each opening to the bound (42 k unclosed `![`
cost ~3 s). It must answer exactly as `_match` for every opening, escaped (`\\[`) or not,
with paragraph breaks, backslash pairs and the bound inside; and the neutraliser's output,
counts and hosts must equal those of the reference path (the per-opening scan) for whole
texts and streamed ones.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keepgate.scrubbing import images
from keepgate.scrubbing.images import Closers, ImageNeutraliser, _match

PAIRS = [("[", "]"), ("(", ")")]
TEXTS = st.text(alphabet="[]()\\\n!a<", max_size=60)


def _openings(s: str, open_: str) -> list[int]:
    return [i for i, c in enumerate(s) if c == open_]


@settings(max_examples=400, deadline=None)
@given(TEXTS, st.integers(min_value=1, max_value=12))
def test_closers_answer_as_the_scan(s: str, bound: int) -> None:
    for open_, close in PAIRS:
        idx = Closers(s, open_, close, bound)
        for i in _openings(s, open_):
            assert idx.match(i) == _match(s, i, open_, close, bound), (s, i, open_)


def test_closers_on_hand_cases() -> None:
    cases = ["\\[a]", "\\\\[a]", "[a\\]b]", "[[a]", "[a\n\nb]", "[a\n\\\n]", "[\\", "([)]"]
    for s in cases:
        for open_, close in PAIRS:
            idx = Closers(s, open_, close)
            for i in _openings(s, open_):
                assert idx.match(i) == _match(s, i, open_, close), (s, i)


class _ScanNeutraliser(ImageNeutraliser):
    """The reference path: every opening scanned to its close or the bound."""

    def _match(self, s: str, i: int, open_: str, close: str) -> int | None:
        return _match(s, i, open_, close)


def _run(
    cls: type[ImageNeutraliser], text: str, chunk: int
) -> tuple[str, dict[str, int], list[str]]:
    n = cls(allow=["example.com"])
    out = "".join(n.feed(text[k : k + chunk]) for k in range(0, len(text), chunk)) + n.flush()
    return out, dict(n.counts), n.hosts


PIECES = st.sampled_from(
    ["![a](https://evil.example/p)", "![x", "[1]: https://evil.example/i\n", "[b]", "(", ")"]
    + ["![a](https://cdn.example.com/i)", "\\", "\n\n", " ", "x", "<img src=//evil.example/>"]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(PIECES, max_size=30), st.sampled_from([1, 3, 7, 10**6]))
def test_neutraliser_equals_the_scan_path(pieces: list[str], chunk: int) -> None:
    text = "".join(pieces)
    assert _run(ImageNeutraliser, text, chunk) == _run(_ScanNeutraliser, text, chunk)


@pytest.mark.parametrize("text", ["![a " * 700, "[a " * 900, "![a](b " * 500])
def test_many_unclosed_openings_equal_the_scan_path(text: str) -> None:
    """Past the bound: held, then released escaped, one by one, as the scan path does."""
    assert images.MAX_HOLD < len(text)
    for chunk in (len(text), 97):
        assert _run(ImageNeutraliser, text, chunk) == _run(_ScanNeutraliser, text, chunk)
