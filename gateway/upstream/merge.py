"""Merge the plain continuation deltas that arrived in one network read into one chunk.

Why: every chunk costs each guard, the SSE encoder and a socket write a few microseconds,
and a fast upstream (or one the gateway fell behind) delivers dozens of events per read.
They are all here already, so merging them delays nothing; the client gets fewer, longer
deltas and the same text. Only continuations merge: one choice with the same index, more
`content` text, or more `arguments` of the same tool call; a chunk with a finish reason,
logprobs, usage, a role change or a new tool call stays a chunk of its own.
"""

from __future__ import annotations

from typing import Any

Chunk = dict[str, Any]


def merge_deltas(batch: list[Chunk]) -> list[Chunk]:
    """`batch` with each plain continuation folded into the chunk before it (in place)."""
    if len(batch) < 2:
        return batch
    out = [batch[0]]
    for chunk in batch[1:]:
        if not _absorb(out[-1], chunk):
            out.append(chunk)
    return out


def _only_choice(chunk: Chunk) -> dict[str, Any] | None:
    choices = chunk.get("choices")
    if (not isinstance(choices, list) or len(choices) != 1 or chunk.get("usage")
            or not isinstance(choices[0], dict)):
        return None
    ch = choices[0]
    if ch.get("finish_reason") is not None or ch.get("logprobs") is not None:
        return None
    return ch if isinstance(ch.get("delta"), dict) else None


def _absorb(prev: Chunk, nxt: Chunk) -> bool:
    """Fold `nxt` into `prev` if it only continues it; True if it did."""
    a, b = _only_choice(prev), _only_choice(nxt)
    if a is None or b is None or a.get("index", 0) != b.get("index", 0):
        return False
    da, db = a["delta"], b["delta"]
    if db.keys() == {"content"}:
        text = db["content"]
        if (isinstance(text, str) and isinstance(da.get("content"), str)
                and da.keys() <= {"role", "content"}):
            da["content"] += text
            return True
        return False
    if db.keys() == {"tool_calls"} and da.keys() == {"tool_calls"}:
        return _absorb_arguments(da["tool_calls"], db["tool_calls"])
    return False


def _absorb_arguments(prev_calls: Any, next_calls: Any) -> bool:
    """More arguments for the tool call the previous delta carried (same index, no id/name)."""
    if not (isinstance(prev_calls, list) and isinstance(next_calls, list)
            and len(prev_calls) == 1 and len(next_calls) == 1):
        return False
    p, n = prev_calls[0], next_calls[0]
    if not (isinstance(p, dict) and isinstance(n, dict) and n.keys() <= {"index", "function"}
            and p.get("index") == n.get("index")):
        return False
    pf, nf = p.get("function"), n.get("function")
    if not (isinstance(pf, dict) and isinstance(nf, dict) and nf.keys() == {"arguments"}
            and isinstance(nf["arguments"], str) and isinstance(pf.get("arguments"), str)):
        return False
    pf["arguments"] += nf["arguments"]
    return True
