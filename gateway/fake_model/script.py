"""What the fake model says: the default echo, or the `fake` object a request scripts."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Script:
    reply: str | None
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    chunk_chars: int = 16
    delay_ms: float = 0.0
    error: int | None = None
    malformed: bool = False
    usage: dict[str, int] | None = None


def last_user_text(messages: list[dict[str, Any]]) -> str:
    for m in reversed(messages or []):
        if m.get("role") == "user":
            c = m.get("content")
            if isinstance(c, str):
                return c
            if isinstance(c, list):
                return "".join(p.get("text", "") for p in c if isinstance(p, dict))
    return ""


def _turn(raw: dict[str, Any], messages: Any) -> dict[str, Any]:
    """Multi-turn scripts: `turns[n]` applies on the conversation's turn n, where n is the
    number of assistant messages so far (the last entry repeats). Other keys are defaults."""
    turns = raw.get("turns")
    if not isinstance(turns, list) or not turns:
        return raw
    n = sum(1 for m in messages or () if isinstance(m, dict) and m.get("role") == "assistant")
    step = turns[min(n, len(turns) - 1)]
    base = {k: v for k, v in raw.items() if k != "turns"}
    return {**base, **step} if isinstance(step, dict) else base


def parse_script(body: dict[str, Any]) -> Script:
    raw = body.get("fake") or {}
    if not isinstance(raw, dict):
        raw = {}
    raw = _turn(raw, body.get("messages"))
    calls = []
    batch = secrets.token_hex(6)  # ids unique per answer, like a real provider's
    for i, tc in enumerate(raw.get("tool_calls") or []):
        args = tc.get("arguments", {})
        calls.append({"id": tc.get("id") or f"call_{batch}_{i}", "name": tc["name"],
                      "arguments": args if isinstance(args, str) else json.dumps(args)})
    reply = raw.get("reply")
    if reply is None and not calls:
        reply = last_user_text(body.get("messages") or [])
    return Script(reply=reply, tool_calls=calls, chunk_chars=max(1, int(raw.get("chunk_chars", 16))),
                  delay_ms=float(raw.get("delay_ms", 0)), error=raw.get("error"),
                  malformed=bool(raw.get("malformed")), usage=raw.get("usage"))


def count_tokens(text: str) -> int:
    """A stable, cheap token estimate (~4 chars a token) — the fake needs no tokenizer."""
    return max(1, (len(text) + 3) // 4) if text else 0


def prompt_tokens(body: dict[str, Any]) -> int:
    return sum(count_tokens(json.dumps(m.get("content"))) + 4 for m in body.get("messages") or [])
