"""The text of a chat message's content, one definition for every reader.

The tool policy's provenance index and the answer scanners' link context both read what a
conversation said; they must read the same text, or a value one of them vouches for is one
the other never saw.
"""

from __future__ import annotations

import json
from collections.abc import Mapping


def message_text(content: object) -> str:
    """The text of a chat message's content (a string or a list of text parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = []
        for p in content:
            if isinstance(p, str):
                parts.append(p)
            elif isinstance(p, Mapping):
                t = p.get("text")
                if isinstance(t, str):
                    parts.append(t)
                elif isinstance(p.get("content"), (str, list)):
                    parts.append(message_text(p["content"]))
        return "\n".join(parts)
    if content is None:
        return ""
    try:
        return json.dumps(content, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return str(content)
