"""The guarded chunk stream as an Anthropic Messages answer: named SSE events, or one message.

Streamed: `message_start`, `ping`, then per content block `content_block_start`,
`content_block_delta` (`text_delta`, or `input_json_delta` for a tool_use block's input) and
`content_block_stop`; at the end `message_delta` (stop_reason, stop_sequence, usage) and
`message_stop`. A guard's stop mid-stream becomes an `error` event in Anthropic's shape.
"""

from __future__ import annotations

import json
from typing import Any

from keepgate.adapters.base import (
    FINISH,
    REFUSAL,
    REPORT,
    TEXT,
    TOOL_ARGS,
    TOOL_NAME,
    TOOL_START,
    USAGE,
    ChunkReader,
    merge_report,
    new_id,
    sse_event,
    usage_numbers,
)
from keepgate.adapters.messages.errors import error_body
from keepgate.errors import APIError
from keepgate.jsontypes import Chunk, JsonObject

STOP_REASONS = {
    "stop": "end_turn",
    "length": "max_tokens",
    "tool_calls": "tool_use",
    "function_call": "tool_use",
    "content_filter": "refusal",
}


class MessageBuilder:
    """One answer's content blocks; `emit=False` (a non-streamed answer) skips the events."""

    def __init__(self, model: str, notes: JsonObject, *, emit: bool, input_tokens: int = 0) -> None:
        self.message: JsonObject = {
            "id": new_id("msg_"),
            "type": "message",
            "role": "assistant",
            "model": model,
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "usage": {"input_tokens": input_tokens, "output_tokens": 0},
        }
        self.notes = notes  # what a native upstream said that chunks cannot carry
        self.emit = emit
        self.reader = ChunkReader()
        self.block: JsonObject | None = None  # the open block
        #: The open block's position in `content`, and its chat tool index if it is a
        #: tool_use block (red team round 6: each was found by scanning every block or
        #: tool so far, per delta and per close: quadratic in an answer of many calls).
        self.block_at = 0
        self.block_tool: int | None = None
        #: Each tool_use block's position in `content`, by chat tool index.
        self.tool_at: dict[int, int] = {}
        self.texts: list[str] = []
        self.tools: dict[int, JsonObject] = {}  # tool_use blocks by chat tool index
        self.args: dict[int, list[str]] = {}
        self.finish: str | None = None
        self.usage: JsonObject | None = None
        self.report: JsonObject = {}
        self.out: list[bytes] = []
        self.done = False

    def _ev(self, kind: str, fields: dict[str, Any]) -> None:
        if self.emit:
            fields["type"] = kind
            self.out.append(sse_event(kind, fields))

    def _flush(self) -> bytes:
        if not self.out:
            return b""
        data = b"".join(self.out)
        self.out.clear()
        return data

    def start(self) -> bytes:
        self._ev("message_start", {"message": self.message})
        self._ev("ping", {})
        return self._flush()

    def feed(self, chunk: Chunk) -> bytes:
        for op, a, b, c in self.reader.read(chunk):
            if op == TEXT or op == REFUSAL:
                self._text(a)
            elif op == TOOL_ARGS:
                self._tool_args(a, b)
            elif op == TOOL_START:
                self._tool_start(a, b, c)
            elif op == FINISH:
                self.finish = a
            elif op == USAGE:
                self.usage = a
            elif op == REPORT:
                merge_report(self.report, a)
            elif op == TOOL_NAME and a in self.tools:
                self.tools[a]["name"] += b
        return self._flush()

    def end(self) -> bytes:
        self._close_block()
        m = self.message
        m["stop_reason"] = STOP_REASONS.get(self.finish or "stop", "end_turn")
        if self.tools and m["stop_reason"] == "end_turn":
            m["stop_reason"] = "tool_use"
        if m["stop_reason"] == "end_turn" and self.notes.get("stop_sequence"):
            m["stop_reason"] = "stop_sequence"
            m["stop_sequence"] = self.notes["stop_sequence"]
        usage = m["usage"]
        if self.usage is not None:
            prompt, completion, cached, _ = usage_numbers(self.usage)
            usage["input_tokens"] = prompt - cached
            usage["output_tokens"] = completion
            if cached:
                usage["cache_read_input_tokens"] = cached
        if self.report:
            m["keepgate"] = self.report
        self._ev(
            "message_delta",
            {
                "delta": {"stop_reason": m["stop_reason"], "stop_sequence": m["stop_sequence"]},
                "usage": dict(usage),
                **({"keepgate": self.report} if self.report else {}),
            },
        )
        self._ev("message_stop", {})
        self.done = True
        return self._flush()

    def fail(self, err: APIError) -> bytes:
        self.out.append(sse_event("error", error_body(err)))
        return self._flush()

    def result(self) -> JsonObject:
        if not self.done:
            self.end()
        return self.message

    # -- blocks ----------------------------------------------------------------------------

    def _open(self, block: dict[str, Any], start: dict[str, Any], tool: int | None = None) -> None:
        self.block = block
        self.block_at = len(self.message["content"])
        self.block_tool = tool
        self.message["content"].append(block)
        self._ev("content_block_start", {"index": self.block_at, "content_block": start})

    def _text(self, text: str) -> None:
        if self.block is None or self.block["type"] != "text":
            self._close_block()
            self._open({"type": "text", "text": ""}, {"type": "text", "text": ""})
        self.texts.append(text)
        self._ev(
            "content_block_delta",
            {
                "index": len(self.message["content"]) - 1,
                "delta": {"type": "text_delta", "text": text},
            },
        )

    def _tool_start(self, index: int, tool_id: str, name: str) -> None:
        self._close_block()
        block = {"type": "tool_use", "id": tool_id, "name": name, "input": {}}
        self.tools[index] = block
        self.args[index] = []
        self.tool_at[index] = len(self.message["content"])
        self._open(block, {"type": "tool_use", "id": tool_id, "name": name, "input": {}}, index)

    def _tool_args(self, index: int, piece: str) -> None:
        block = self.tools.get(index)
        if block is None:
            return
        self.args[index].append(piece)
        self._ev(
            "content_block_delta",
            {
                "index": self.tool_at[index],
                "delta": {"type": "input_json_delta", "partial_json": piece},
            },
        )

    def _close_block(self) -> None:
        block = self.block
        if block is None:
            return
        if block["type"] == "text":
            block["text"] = "".join(self.texts)
            self.texts = []
        elif self.block_tool is not None:
            block["input"] = _input("".join(self.args.get(self.block_tool, ())))
        self._ev("content_block_stop", {"index": self.block_at})
        self.block = None


def _input(arguments: str) -> dict[str, Any]:
    """A tool_use block's input: the call's JSON arguments (an object; else empty)."""
    try:
        value = json.loads(arguments or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
