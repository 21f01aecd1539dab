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
    usage: dict[str, float] | None = None
    #: Send no `usage` at all (not in the JSON answer, no usage chunk even when the stream
    #: asked for one): what some providers and self-hosted servers do.
    omit_usage: bool = False
    #: Raw stream choices sent as they are after the reply (`{"delta": ..., "logprobs":
    #: ...}`), each in its own chunk: what a real upstream may send beyond text and tool
    #: calls (reasoning, refusal, logprobs, legacy `function_call`, vendor fields).
    extra: list[dict[str, Any]] = field(default_factory=list)
    #: Whole stream events sent verbatim after `extra` (any JSON, not only a choice): what a
    #: broken or hostile server sends (a chunk whose `choices` is not a list, an odd `id`).
    raw: list[Any] = field(default_factory=list)


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
    tool_calls = raw.get("tool_calls")
    for i, tc in enumerate(tool_calls if isinstance(tool_calls, list) else []):
        if not isinstance(tc, dict) or not isinstance(tc.get("name"), str):
            continue  # junk a fuzzer put in the script: a real model would ignore it too
        args = tc.get("arguments", {})
        calls.append(
            {
                "id": tc.get("id") or f"call_{batch}_{i}",
                "name": tc["name"],
                "arguments": args if isinstance(args, str) else json.dumps(args),
            }
        )
    reply = raw.get("reply")
    if not isinstance(reply, str):
        reply = None
    if reply is None and not calls:
        reply = last_user_text(body.get("messages") or [])
    usage = raw.get("usage")
    if not isinstance(usage, dict) or not all(
        type(v) in (int, float) for v in usage.values()
    ):  # bool is not a count; a float is how an integer past 64 bits arrives through orjson
        usage = None
    error = raw.get("error")
    return Script(
        reply=reply,
        tool_calls=calls,
        chunk_chars=max(1, int(_number(raw.get("chunk_chars"), 16))),
        delay_ms=float(_number(raw.get("delay_ms"), 0)),
        error=error if type(error) is int and 400 <= error <= 599 else None,
        malformed=bool(raw.get("malformed")),
        usage=usage,
        omit_usage=raw.get("omit_usage") is True,
        extra=[c for c in raw.get("extra") or () if isinstance(c, dict)]
        if isinstance(raw.get("extra"), list)
        else [],
        raw=list(raw["raw"]) if isinstance(raw.get("raw"), list) else [],
    )


def _number(value: Any, default: int) -> float:
    """A scripted size or delay, or the default when the script holds junk (fuzzed bodies)."""
    if type(value) in (int, float) and 0 <= value <= 10**6:
        number: float = value
        return number
    return default


def count_tokens(text: str) -> int:
    """A stable, cheap token estimate (~4 chars a token) — the fake needs no tokenizer."""
    return max(1, (len(text) + 3) // 4) if text else 0


def prompt_tokens(body: dict[str, Any]) -> int:
    return sum(count_tokens(json.dumps(m.get("content"))) + 4 for m in body.get("messages") or [])
