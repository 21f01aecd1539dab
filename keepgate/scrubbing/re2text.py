"""Text RE2 can search: RE2 takes UTF-8, and a lone surrogate (an upstream's JSON `"\\ud800"`)
cannot be encoded, so the search raised and the answer became a 500. The copy has U+FFFD in
place of each lone surrogate: the same length, so every offset found in it is an offset in
the original, which the caller keeps slicing."""

from __future__ import annotations

import re

_SURROGATE = re.compile("[\ud800-\udfff]")


def re2_safe(text: str) -> str:
    """`text`, or a same-length copy with each lone surrogate replaced by U+FFFD."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", text)
    return text
