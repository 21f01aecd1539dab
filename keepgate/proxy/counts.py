"""Bound how many items a request holds, before any per-item work is done on it.

Validation, the input guard's rendering and hashing, and the translation between APIs all
cost time per message, content part and tool: 60,000 content parts took seconds of event
loop. So the lengths of those lists are counted first (a few list lengths, not a walk of
every string) against `general_settings.max_messages`, `max_content_parts` and
`max_tools` (`max_embedding_inputs` for an embeddings `input`); a request past one is a 400
`too_many_items` naming the field and the limit.
"""

from __future__ import annotations

from typing import Any

from keepgate.config.model import GeneralSettings
from keepgate.errors import APIError


def check_counts(
    body: dict[str, Any], settings: GeneralSettings, messages: str = "messages"
) -> None:
    """Refuse `body` when its `messages` list (`input` on the Responses API), the content
    parts and tool calls inside those, or its `tools` are more than the settings allow."""
    turns = body.get(messages)
    if isinstance(turns, list):
        _over(messages, len(turns), settings.max_messages, "max_messages")
        parts = sum(parts_of(m) for m in turns)
        system = body.get("system")  # Anthropic's system prompt may be a list of blocks
        if isinstance(system, list):
            parts += len(system)
        _over(f"{messages}[].content", parts, settings.max_content_parts, "max_content_parts")
    tools = body.get("tools")
    if isinstance(tools, list):
        _over("tools", len(tools), settings.max_tools, "max_tools")


def check_embedding_inputs(body: dict[str, Any], settings: GeneralSettings) -> None:
    """Refuse an embeddings request whose `input` holds more texts (or arrays of token ids)
    than `max_embedding_inputs`; a flat list of token ids is one input."""
    value = body.get("input")
    if isinstance(value, list) and value and not isinstance(value[0], int):
        _over("input", len(value), settings.max_embedding_inputs, "max_embedding_inputs")


def parts_of(message: Any) -> int:
    """The content parts and tool calls one message holds (0 for anything not a message)."""
    if not isinstance(message, dict):
        return 0
    content, calls = message.get("content"), message.get("tool_calls")
    return (len(content) if isinstance(content, list) else 0) + (
        len(calls) if isinstance(calls, list) else 0
    )


def _over(field: str, count: int, limit: int, setting: str) -> None:
    if count > limit:
        raise APIError(
            400,
            f"Too many items in '{field}': {count}, over this gateway's limit of {limit} "
            f"(general_settings.{setting}).",
            code="too_many_items",
            param=field,
        )
