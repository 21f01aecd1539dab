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

from keepgate.jsontypes import Chunk

#: A choice with any other key (provider metadata per chunk) is left alone.
_PLAIN_CHOICE = frozenset({"index", "delta", "logprobs", "finish_reason"})


def merge_deltas(batch: list[Chunk]) -> list[Chunk]:
    """`batch` with each plain continuation folded into the chunk before it (in place)."""
    if len(batch) < 2:
        return batch
    out: list[Chunk] = []
    last: dict[str, Any] | None = None  # the open choice of out[-1], if it can take more
    parts: list[str] = []  # text folded into `last` so far (joined once: no O(n²) concat)
    for chunk in batch:
        ch = _open_choice(chunk)
        if last is not None and ch is not None and _continues(last, ch, parts):
            continue
        _close(last, parts)
        out.append(chunk)
        last = ch
    _close(last, parts)
    return out


def _open_choice(chunk: Chunk) -> dict[str, Any] | None:
    """The chunk's only choice if it is a plain delta (no finish, logprobs or usage)."""
    choices = chunk.get("choices")
    if type(choices) is not list or len(choices) != 1 or chunk.get("usage"):
        return None
    ch = choices[0]
    if (
        type(ch) is not dict
        or ch.get("finish_reason") is not None
        or ch.get("logprobs") is not None
        or type(ch.get("delta")) is not dict
        or not ch.keys() <= _PLAIN_CHOICE
    ):  # e.g. Azure's content_filter_results
        return None
    return ch


def _continues(a: dict[str, Any], b: dict[str, Any], parts: list[str]) -> bool:
    """Does choice `b` only add text to `a` (its content, or its one tool call's arguments)?
    If so its text goes to `parts`."""
    if a.get("index", 0) != b.get("index", 0):
        return False
    da, db = a["delta"], b["delta"]
    if len(db) != 1:
        return False
    if "content" in db:
        text = db["content"]
        if (
            type(text) is str
            and type(da.get("content")) is str
            and da.keys() <= {"role", "content"}
        ):
            parts.append(text)
            return True
        return False
    if "tool_calls" in db and da.keys() == {"tool_calls"}:
        more = _more_arguments(da["tool_calls"], db["tool_calls"])
        if more is not None:
            parts.append(more)
            return True
    return False


def _more_arguments(prev_calls: Any, next_calls: Any) -> str | None:
    """The arguments `next_calls` adds to the one tool call of `prev_calls` (same index, no
    id or name of its own), else None."""
    if not (
        type(prev_calls) is list
        and type(next_calls) is list
        and len(prev_calls) == 1
        and len(next_calls) == 1
    ):
        return None
    p, n = prev_calls[0], next_calls[0]
    if not (
        type(p) is dict
        and type(n) is dict
        and n.keys() <= {"index", "function"}
        and p.get("index") == n.get("index")
    ):
        return None
    pf, nf = p.get("function"), n.get("function")
    if not (
        type(pf) is dict
        and type(nf) is dict
        and nf.keys() == {"arguments"}
        and type(nf["arguments"]) is str
        and type(pf.get("arguments")) is str
    ):
        return None
    return nf["arguments"]


def _close(choice: dict[str, Any] | None, parts: list[str]) -> None:
    """Write the text folded into `choice` back into its delta."""
    if not parts or choice is None:
        parts.clear()
        return
    delta = choice["delta"]
    if "content" in delta:
        delta["content"] = delta["content"] + "".join(parts)
    else:
        fn = delta["tool_calls"][0]["function"]
        fn["arguments"] = fn["arguments"] + "".join(parts)
    parts.clear()
