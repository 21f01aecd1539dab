"""Cut long text into windows, so that every step of a scan handles a bounded slice.

Two shapes: `cuts` tiles the text without overlap, cutting just after whitespace where
there is some near the window edge (so a word, an encoded run or a combining sequence is
rarely split), for stages whose state can be carried across a cut (the normaliser);
`overlapping` tiles it with overlap, for stages that score a window on its own (the
classifier), so a phrase shorter than the overlap is always whole in some window.
Both cover every character: there is no head-and-tail sampling an attacker could pad.
"""

from __future__ import annotations


def cuts(text: str, size: int, lookback: int) -> list[tuple[int, int]]:
    """Consecutive [start, end) spans covering `text`, each at most `size` characters;
    a span ends just after the last space or newline within `lookback` of its edge."""
    spans: list[tuple[int, int]] = []
    start, n = 0, len(text)
    while n - start > size:
        edge = start + size
        low = max(start + 1, edge - lookback)
        cut = max(text.rfind(" ", low, edge), text.rfind("\n", low, edge))
        end = cut + 1 if cut >= low else edge
        spans.append((start, end))
        start = end
    spans.append((start, n))
    return spans


def overlapping(n: int, size: int, overlap: int) -> list[tuple[int, int]]:
    """[start, end) windows of `size` over a text of length `n`, consecutive windows
    sharing `overlap` characters; the last window ends at `n`."""
    if n <= size:
        return [(0, n)]
    step = max(1, size - overlap)
    spans = [(i, i + size) for i in range(0, n - size, step)]
    spans.append((n - size, n))
    return spans
