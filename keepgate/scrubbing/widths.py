"""How long a regex's longest match can be, for searches that resume on growing text.

A stream's gate searches each new piece with some of the text before it (`engine.Detector.
last_signal`), and a stream holds a written-out address while it may still be arriving
(`written_email.open_from`). Both need the longest match of a pattern: fixed numbers went
stale when a longer trigger was added (a written-out address, up to ~400 characters, was
searched with 16 characters of overlap and leaked when split). stdlib `re`'s parser
computes the bound from the pattern itself, so it follows every change to it.
"""

from __future__ import annotations

import re._parser as _parser  # type: ignore[import-not-found]  # stdlib, no stub

#: What `longest_match` says of a pattern with no bound (or that stdlib `re` cannot read).
UNBOUNDED = 1 << 30


def longest_match(pattern: str) -> int:
    """The longest text `pattern` can match (look-arounds count nothing); `UNBOUNDED` if
    it has no bound or uses syntax only the `regex` module reads (assume the worst)."""
    try:
        longest = _parser.parse(pattern).getwidth()[1]
    except Exception:  # noqa: BLE001 - `regex`-only syntax
        return UNBOUNDED
    return UNBOUNDED if longest >= _parser.MAXREPEAT else int(longest)


def overlap(pattern: str) -> int:
    """How many characters before new text a search must start at to find every match of
    `pattern` that ends in the new text: its longest match less one."""
    n = longest_match(pattern)
    return n if n == UNBOUNDED else max(0, n - 1)
