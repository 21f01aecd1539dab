"""The guarded chunk stream as a Responses API answer: typed SSE events, or one `response`.

One builder serves both: fed chunk by chunk it keeps the output items (a `message` with
`output_text` / `refusal` parts, `function_call` items) and, when streaming, writes the
events a Responses client expects, each with its `sequence_number`: `response.created`,
`response.in_progress`, `response.output_item.added`, `response.content_part.added`,
`response.output_text.delta`/`.done`, `response.function_call_arguments.delta`/`.done`,
`response.content_part.done`, `response.output_item.done`, then `response.completed` (or
`response.incomplete` when the model hit its token cap or a content filter). A guard's stop
mid-stream becomes an `error` event and `response.failed`.
"""

from __future__ import annotations

import time
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
from keepgate.errors import APIError
from keepgate.jsontypes import Chunk, JsonObject

INCOMPLETE = {"length": "max_output_tokens", "content_filter": "content_filter"}


def response_skeleton(response_id: str, model: str, echo: dict[str, Any]) -> dict[str, Any]:
    """The `response` object's fields that do not depend on the answer."""
    return {
        "id": response_id,
        "object": "response",
        "created_at": int(time.time()),
        "status": "in_progress",
        "background": False,
        "error": None,
        "incomplete_details": None,
        "instructions": echo.get("instructions"),
        "max_output_tokens": echo.get("max_output_tokens"),
        "max_tool_calls": echo.get("max_tool_calls"),
        "model": model,
        "output": [],
        "parallel_tool_calls": echo.get("parallel_tool_calls", True),
        "previous_response_id": echo.get("previous_response_id"),
        "reasoning": echo.get("reasoning") or {"effort": None, "summary": None},
        "service_tier": echo.get("service_tier") or "default",
        "store": echo.get("store", True),
        "temperature": echo.get("temperature", 1.0),
        "text": echo.get("text") or {"format": {"type": "text"}},
        "tool_choice": echo.get("tool_choice", "auto"),
        "tools": echo.get("tools") or [],
        "top_p": echo.get("top_p", 1.0),
        "truncation": echo.get("truncation") or "disabled",
        "usage": None,
        "user": echo.get("user"),
        "metadata": echo.get("metadata") or {},
    }


class ResponseBuilder:
    """One answer's output items; `emit=False` (a non-streamed answer) skips the events."""

    def __init__(self, response_id: str, model: str, echo: JsonObject, *, emit: bool) -> None:
        self.response = response_skeleton(response_id, model, echo)
        self.emit = emit
        self.seq = 0
        self.items: list[JsonObject] = []
        self.reader = ChunkReader()
        self.msg: JsonObject | None = None  # the open message item
        self.msg_index = 0
        self.part: JsonObject | None = None  # its open content part
        self.texts: list[str] = []  # the open part's text so far
        #: Open function_call items by chat tool index: (output index, item).
        self.calls: dict[int, tuple[int, JsonObject]] = {}
        self.args: dict[int, list[str]] = {}
        self.finish: str | None = None
        self.usage: JsonObject | None = None
        self.report: JsonObject = {}
        self.out: list[bytes] = []

    # -- events ----------------------------------------------------------------------------

    def _ev(self, kind: str, fields: dict[str, Any]) -> None:
        """Write one event now (serialised at once, so later changes to an item do not
        reach events already written)."""
        if self.emit:
            fields["type"] = kind
            fields["sequence_number"] = self.seq
            self.seq += 1
            self.out.append(sse_event(kind, fields))

    def _flush(self) -> bytes:
        if not self.out:
            return b""
        data = b"".join(self.out)
        self.out.clear()
        return data

    def start(self) -> bytes:
        self._ev("response.created", {"response": self.response})
        self._ev("response.in_progress", {"response": self.response})
        return self._flush()

    def feed(self, chunk: Chunk) -> bytes:
        for op, a, b, c in self.reader.read(chunk):
            if op == TEXT:
                self._text(a, "output_text")
            elif op == TOOL_ARGS:
                self._tool_args(a, b)
            elif op == TOOL_START:
                self._tool_start(a, b, c)
            elif op == REFUSAL:
                self._text(a, "refusal")
            elif op == FINISH:
                self.finish = a
            elif op == USAGE:
                self.usage = a
            elif op == REPORT:
                merge_report(self.report, a)
            elif op == TOOL_NAME and a in self.calls:
                self.calls[a][1]["name"] += b
        return self._flush()

    def end(self) -> bytes:
        self._close_message()
        self._close_calls()
        status = "completed"
        if self.finish in INCOMPLETE:
            status = "incomplete"
            self.response["incomplete_details"] = {"reason": INCOMPLETE[self.finish]}
        self._finalise(status)
        self._ev(f"response.{status}", {"response": self.response})
        return self._flush()

    def fail(self, err: APIError) -> bytes:
        body = err.body()["error"]
        self._ev(
            "error",
            {
                "code": err.code,
                "message": err.message,
                "param": err.param,
                **({"keepgate": body["keepgate"]} if "keepgate" in body else {}),
            },
        )
        self._finalise("failed")
        self.response["error"] = {"code": err.code or "server_error", "message": err.message}
        self._ev("response.failed", {"response": self.response})
        return self._flush()

    def result(self) -> JsonObject:
        if self.response["status"] == "in_progress":
            self.end()
        return self.response

    def _finalise(self, status: str) -> None:
        self.response["status"] = status
        self.response["output"] = self.items
        prompt, completion, cached, reasoning = usage_numbers(self.usage)
        if self.usage is not None:
            self.response["usage"] = {
                "input_tokens": prompt,
                "input_tokens_details": {"cached_tokens": cached},
                "output_tokens": completion,
                "output_tokens_details": {"reasoning_tokens": reasoning},
                "total_tokens": prompt + completion,
            }
        if self.report:
            self.response["keepgate"] = self.report

    # -- items -----------------------------------------------------------------------------

    def _add(self, item: dict[str, Any]) -> int:
        self.items.append(item)
        index = len(self.items) - 1
        self._ev("response.output_item.added", {"output_index": index, "item": item})
        return index

    def _text(self, text: str, kind: str) -> None:
        if self.calls:
            self._close_calls()
        if self.msg is None:
            self.msg = {
                "id": new_id("msg_"),
                "type": "message",
                "status": "in_progress",
                "role": "assistant",
                "content": [],
            }
            self.msg_index = self._add(self.msg)
        if self.part is not None and self.part["type"] != kind:
            self._close_part()
        if self.part is None:
            self.part = (
                {"type": "output_text", "text": "", "annotations": [], "logprobs": []}
                if kind == "output_text"
                else {"type": "refusal", "refusal": ""}
            )
            self.msg["content"].append(self.part)
            self._ev("response.content_part.added", {**self._where(), "part": self.part})
        self.texts.append(text)
        self._ev(
            "response.output_text.delta" if kind == "output_text" else "response.refusal.delta",
            {**self._where(), "delta": text, **({"logprobs": []} if kind == "output_text" else {})},
        )

    def _where(self) -> dict[str, Any]:
        assert self.msg is not None
        return {
            "item_id": self.msg["id"],
            "output_index": self.msg_index,
            "content_index": len(self.msg["content"]) - 1,
        }

    def _close_part(self) -> None:
        part = self.part
        if part is None:
            return
        text = "".join(self.texts)
        self.texts = []
        where = self._where()
        if part["type"] == "output_text":
            part["text"] = text
            self._ev("response.output_text.done", {**where, "text": text, "logprobs": []})
        else:
            part["refusal"] = text
            self._ev("response.refusal.done", {**where, "refusal": text})
        self._ev("response.content_part.done", {**where, "part": part})
        self.part = None

    def _close_message(self) -> None:
        if self.msg is None:
            return
        self._close_part()
        self.msg["status"] = "completed"
        self._ev("response.output_item.done", {"output_index": self.msg_index, "item": self.msg})
        self.msg = None

    def _tool_start(self, index: int, call_id: str, name: str) -> None:
        self._close_message()
        item = {
            "id": new_id("fc_"),
            "type": "function_call",
            "status": "in_progress",
            "arguments": "",
            "call_id": call_id,
            "name": name,
        }
        self.calls[index] = (self._add(item), item)
        self.args[index] = []

    def _tool_args(self, index: int, piece: str) -> None:
        if index not in self.calls:
            return  # more arguments for a call already closed: a sane upstream never does it
        out_index, item = self.calls[index]
        self.args[index].append(piece)
        self._ev(
            "response.function_call_arguments.delta",
            {"item_id": item["id"], "output_index": out_index, "delta": piece},
        )

    def _close_calls(self) -> None:
        for index, (out_index, item) in sorted(self.calls.items()):
            item["arguments"] = "".join(self.args.pop(index, ()))
            item["status"] = "completed"
            self._ev(
                "response.function_call_arguments.done",
                {
                    "item_id": item["id"],
                    "output_index": out_index,
                    "name": item["name"],
                    "arguments": item["arguments"],
                },
            )
            self._ev("response.output_item.done", {"output_index": out_index, "item": item})
        self.calls.clear()
