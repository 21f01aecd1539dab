"""Fit the conversation into the model's context window.

Strategy: keep the system prompt and the task (the first user message) pinned, keep the most
recent turns that fit, and DROP whole turns from the middle (an assistant message travels with
its tool results, so no orphaned `tool` message reaches the model). A one-line note tells the
model that something was dropped. No summarising: that would need an extra, unguarded-looking
model call per step, and the dropped text stays in the checkpoint for the record.

Tokens are estimated at ~4 characters each (plus 4 per message) to stay cheap per step; the
budget keeps `reserve_output_tokens` free for the answer.
"""

from __future__ import annotations

import json
from typing import Any

Message = dict[str, Any]


def estimate_tokens(message: Message) -> int:
    size = (
        len(message.get("content") or "")
        if isinstance(message.get("content"), str)
        else len(json.dumps(message.get("content")))
    )
    for tc in message.get("tool_calls") or ():
        fn = tc.get("function") or {}
        size += len(fn.get("name") or "") + len(fn.get("arguments") or "") + 16
    return size // 4 + 4


def _groups(messages: list[Message]) -> list[list[Message]]:
    groups: list[list[Message]] = []
    for m in messages:
        if m.get("role") == "tool" and groups:
            groups[-1].append(m)
        else:
            groups.append([m])
    return groups


def trim(messages: list[Message], budget: int) -> tuple[list[Message], int]:
    """(messages to send, number of messages dropped)."""
    head_len = 0
    while head_len < len(messages) and messages[head_len].get("role") in ("system", "developer"):
        head_len += 1
    if head_len < len(messages) and messages[head_len].get("role") == "user":
        head_len += 1
    head, rest = messages[:head_len], messages[head_len:]
    used = sum(estimate_tokens(m) for m in head)
    if used + sum(estimate_tokens(m) for m in rest) <= budget:
        return messages, 0
    kept: list[list[Message]] = []
    for group in reversed(_groups(rest)):
        cost = sum(estimate_tokens(m) for m in group)
        if kept and used + cost > budget:
            break
        kept.append(group)
        used += cost
    tail = [m for g in reversed(kept) for m in g]
    dropped = len(rest) - len(tail)
    if not dropped:
        return messages, 0
    note = {
        "role": "system",
        "content": f"[keepgate] {dropped} earlier messages of this run "
        "were dropped to fit the model's context window.",
    }
    return [*head, note, *tail], dropped
