"""Small helpers the per-guard benchmarks share: a percentile and a Markdown table."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def pct(values: Sequence[float], q: float, empty: Any = 0.0) -> Any:
    """The q-th percentile (0-100), nearest rank; `empty` for no samples."""
    if not values:
        return empty
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q / 100 * (len(s) - 1))))]


def table(headers: list[str], rows: list[list[Any]]) -> str:
    """A Markdown table, so a run's output can be pasted into the README as it is."""
    cells = [[str(c) for c in r] for r in [headers, *rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |" for r in cells]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)
