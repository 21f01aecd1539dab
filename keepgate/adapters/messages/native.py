"""Pass a Messages request through to an upstream that speaks it (Anthropic, or an api_base
declared `api: messages`), and read its events back as chat chunks.

The upstream gets the client's request as sent, streamed, with the deployment's key
(`x-api-key`) and the client's `anthropic-version` / `anthropic-beta` headers; extended
thinking is switched off (see request.py). If a request guard rewrote the chat body, the
upstream gets the rewritten conversation instead. Its events become chunks: text deltas,
tool_use blocks (opened by `content_block_start`, filled by `input_json_delta`), the stop
reason and usage; a `stop_sequence` is kept in the call's notes for the answer.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Any

from keepgate.adapters.base import Translated, decode_events, fingerprint
from keepgate.jsontypes import Chunk, JsonObject
from keepgate.pipeline.call import Call
from keepgate.pipeline.chunks import make_chunk
from keepgate.pipeline.usage import native_count
from keepgate.upstream.client import Upstream, UpstreamError

DEFAULT_VERSION = "2023-06-01"
FINISH = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "tool_use": "tool_calls",
    "refusal": "content_filter",
    "pause_turn": "stop",
}


def native_request(
    call: Call, req: Translated, body: JsonObject, forward_unknown: bool
) -> JsonObject:
    out = {k: v for k, v in body.items() if k not in ("keepgate", "thinking")}
    if not forward_unknown:
        out.pop("fake", None)
    if fingerprint(call.body) != req.fingerprint:
        system, messages = chat_to_messages(call.body.get("messages") or [])
        out["messages"] = messages
        if system:
            out["system"] = system
        else:
            out.pop("system", None)
    else:
        out["messages"] = [_without_thinking(m) for m in out.get("messages") or ()]
    if isinstance(call.body.get("max_tokens"), int):
        out["max_tokens"] = call.body["max_tokens"]
    out["model"] = call.target().litellm_params.upstream_model
    out["stream"] = True
    return out


def _without_thinking(m: Any) -> Any:
    content = m.get("content") if isinstance(m, dict) else None
    if m.get("role") != "assistant" or not isinstance(content, list):
        return m
    return {
        **m,
        "content": [
            b
            for b in content
            if not (isinstance(b, dict) and b.get("type") in ("thinking", "redacted_thinking"))
        ],
    }


def chat_to_messages(messages: list[JsonObject]) -> tuple[str, list[JsonObject]]:
    """Chat messages back to (system, messages) (only after a guard rewrote them)."""
    system: list[str] = []
    out: list[dict[str, Any]] = []

    def add(role: str, block: dict[str, Any]) -> None:
        if out and out[-1]["role"] == role:
            out[-1]["content"].append(block)
        else:
            out.append({"role": role, "content": [block]})

    for m in messages:
        role, content = m.get("role"), m.get("content")
        text = (
            content
            if isinstance(content, str)
            else "\n".join(p.get("text", "") for p in content or () if isinstance(p, dict))
        )
        if role == "system":
            system.append(text)
        elif role == "tool":
            add(
                "user",
                {"type": "tool_result", "tool_use_id": m.get("tool_call_id"), "content": text},
            )
        elif role == "assistant":
            if text:
                add("assistant", {"type": "text", "text": text})
            for tc in m.get("tool_calls") or ():
                fn = tc.get("function") or {}
                try:
                    args = json.loads(fn.get("arguments") or "{}")
                except ValueError:
                    args = {}
                add(
                    "assistant",
                    {
                        "type": "tool_use",
                        "id": tc.get("id"),
                        "name": fn.get("name"),
                        "input": args if isinstance(args, dict) else {},
                    },
                )
        elif text:
            add("user", {"type": "text", "text": text})
    return "\n".join(system), out


def endpoint(upstream: Upstream, call: Call) -> str:
    base = upstream.base_url(call.target(), "https://api.anthropic.com")
    if base.endswith("/v1/messages"):
        return base
    return base + ("/messages" if base.endswith("/v1") else "/v1/messages")


async def open_stream(
    upstream: Upstream,
    call: Call,
    body: JsonObject,
    client_headers: dict[str, str],
    notes: JsonObject,
) -> AsyncIterator[Chunk]:
    headers = {
        "content-type": "application/json",
        "accept": "text/event-stream",
        "anthropic-version": client_headers.get("anthropic-version") or DEFAULT_VERSION,
    }
    if client_headers.get("anthropic-beta"):
        headers["anthropic-beta"] = client_headers["anthropic-beta"]
    key = call.target().litellm_params.resolved_api_key()
    if key:
        headers["x-api-key"] = key
    batches = await upstream.stream_events(call.target(), endpoint(upstream, call), body, headers)
    return decode(batches, call.model, notes)


def decode(
    batches: AsyncIterator[list[JsonObject]], model: str, notes: JsonObject
) -> AsyncIterator[Chunk]:
    """Messages events → chat chunks (one list of chunks per network read, merged)."""
    return decode_events(batches, _State(model, notes), "message_stop")


class _State:
    def __init__(self, model: str, notes: dict[str, Any]) -> None:
        self.template: Chunk = {"id": "", "created": int(time.time()), "model": model}
        self.notes = notes
        self.tools: dict[Any, int] = {}  # block index (as the upstream sent it) -> chat tool index
        self.tool_args: dict[Any, bool] = {}  # block index -> any arguments sent
        self.prompt = 0
        self.cached = 0
        self.written = 0  # prompt tokens written to the provider's cache (billed too)
        self.completion = 0
        self.finish = "stop"
        self.finished = False

    def chunk(self, delta: dict[str, Any], finish: str | None = None) -> Chunk:
        return make_chunk(self.template, delta=delta, finish_reason=finish)

    def read(self, ev: dict[str, Any], out: list[Chunk]) -> None:
        kind = ev.get("type")
        if kind == "content_block_delta":
            delta = ev.get("delta") or {}
            index = ev.get("index")
            if delta.get("type") == "text_delta":
                out.append(self.chunk({"content": delta.get("text") or ""}))
            elif delta.get("type") == "input_json_delta" and index in self.tools:
                piece = delta.get("partial_json") or ""
                if piece:
                    self.tool_args[index] = True
                    out.append(
                        self.chunk(
                            {
                                "tool_calls": [
                                    {"index": self.tools[index], "function": {"arguments": piece}}
                                ]
                            }
                        )
                    )
        elif kind == "content_block_start":
            block = ev.get("content_block") or {}
            if block.get("type") == "text" and block.get("text"):
                out.append(self.chunk({"content": block["text"]}))
            elif block.get("type") == "tool_use":
                index = ev.get("index")
                self.tools[index] = len(self.tools)
                start = block.get("input")
                args = json.dumps(start) if isinstance(start, dict) and start else ""
                self.tool_args[index] = bool(args)
                out.append(
                    self.chunk(
                        {
                            "tool_calls": [
                                {
                                    "index": self.tools[index],
                                    "id": block.get("id"),
                                    "type": "function",
                                    "function": {
                                        "name": block.get("name") or "",
                                        "arguments": args,
                                    },
                                }
                            ]
                        }
                    )
                )
        elif kind == "content_block_stop":
            index = ev.get("index")
            if index in self.tools and not self.tool_args.get(index):
                out.append(
                    self.chunk(
                        {
                            "tool_calls": [
                                {"index": self.tools[index], "function": {"arguments": "{}"}}
                            ]
                        }
                    )
                )
                self.tool_args[index] = True
        elif kind == "message_start":
            msg = ev.get("message") or {}
            self.template["id"] = msg.get("id") or ""
            self._usage(msg.get("usage"))
            out.append(self.chunk({"role": "assistant", "content": ""}))
        elif kind == "message_delta":
            delta = ev.get("delta") or {}
            if delta.get("stop_reason"):
                self.finish = FINISH.get(delta["stop_reason"], "stop")
            if delta.get("stop_sequence"):
                self.notes["stop_sequence"] = delta["stop_sequence"]
            self._usage(ev.get("usage"))
        elif kind == "message_stop":
            out.append(self.chunk({}, self.finish))
            u = make_chunk(self.template)
            u["choices"] = []
            prompt = self.prompt + self.cached + self.written
            u["usage"] = {
                "prompt_tokens": prompt,
                "completion_tokens": self.completion,
                "total_tokens": prompt + self.completion,
                "prompt_tokens_details": {"cached_tokens": self.cached},
            }
            out.append(u)
            self.finished = True
        elif kind == "error":
            raise UpstreamError(
                502, "upstream reported an error mid-stream", "upstream_stream_error"
            )

    def _usage(self, usage: Any) -> None:
        if not isinstance(usage, dict):
            return
        if usage.get("input_tokens") is not None:
            self.prompt = native_count(usage["input_tokens"])
        if usage.get("cache_read_input_tokens") is not None:
            self.cached = native_count(usage["cache_read_input_tokens"] or 0)
        if usage.get("cache_creation_input_tokens") is not None:
            self.written = native_count(usage["cache_creation_input_tokens"] or 0)
        if usage.get("output_tokens") is not None:
            self.completion = native_count(usage["output_tokens"])
