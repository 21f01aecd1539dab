"""Pass a Responses request through to an upstream that speaks it, and read its events back.

The upstream gets the client's request as sent (after `previous_response_id` was expanded by
the gateway's store), always streamed and with `store: false`: the gateway keeps the state, so
every guard sees the whole conversation and a stored answer is the guarded one. If a request
guard rewrote the chat body, the upstream gets the rewritten conversation instead.
The upstream's typed events become chat chunks for the response guards: text deltas,
refusals, function calls (opened by `output_item.added`, filled by argument deltas), the
finish (incomplete answers map to `length` / `content_filter`) and usage.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

from keepgate.adapters.base import Translated, decode_events, fingerprint
from keepgate.jsontypes import Chunk, JsonObject
from keepgate.pipeline.call import Call
from keepgate.pipeline.chunks import make_chunk
from keepgate.pipeline.usage import native_count
from keepgate.upstream.client import Upstream, UpstreamError

#: Fields the gateway owns on the way to a native upstream.
GATEWAY_OWNED = ("previous_response_id", "keepgate")


def native_request(
    call: Call, req: Translated, body: JsonObject, forward_unknown: bool
) -> JsonObject:
    """The body for the native upstream, from the client's (expanded) request and what the
    request guards left in `call.body`."""
    out = {k: v for k, v in body.items() if k not in GATEWAY_OWNED}
    if not forward_unknown:
        out.pop("fake", None)
    if fingerprint(call.body) != req.fingerprint:
        out["input"] = messages_to_items(call.body.get("messages") or [])
        out.pop("instructions", None)
    elif isinstance(out.get("input"), list):
        out["input"] = [_opaque_reasoning(i) for i in out["input"]]
    cap = call.body.get("max_tokens")
    if isinstance(cap, int) and out.get("max_output_tokens") is None:
        out["max_output_tokens"] = cap
    out["model"] = call.target().litellm_params.upstream_model
    out["stream"] = True
    out["store"] = False
    out.pop("stream_options", None)
    return out


def _opaque_reasoning(item: Any) -> Any:
    """A reasoning item as the upstream needs it (id, encrypted content), without the
    readable summary: the input guard does not read reasoning, so no text may ride on it."""
    if not isinstance(item, dict) or item.get("type") != "reasoning":
        return item
    return {k: v for k, v in item.items() if k not in ("summary", "content")} | {"summary": []}


def messages_to_items(messages: list[JsonObject]) -> list[JsonObject]:
    """Chat messages back to input items (only after a guard rewrote the conversation)."""
    items: list[dict[str, Any]] = []
    for m in messages:
        role = m.get("role")
        if role == "tool":
            items.append(
                {
                    "type": "function_call_output",
                    "call_id": m.get("tool_call_id"),
                    "output": _text(m.get("content")),
                }
            )
            continue
        content = m.get("content")
        if content:
            if role == "assistant":
                items.append(
                    {
                        "type": "message",
                        "role": "assistant",
                        "content": [
                            {"type": "output_text", "text": _text(content), "annotations": []}
                        ],
                    }
                )
            else:
                items.append(
                    {
                        "type": "message",
                        "role": role if role in ("user", "system", "developer") else "user",
                        "content": _parts(content),
                    }
                )
        for tc in m.get("tool_calls") or ():
            fn = tc.get("function") or {}
            items.append(
                {
                    "type": "function_call",
                    "call_id": tc.get("id"),
                    "name": fn.get("name"),
                    "arguments": fn.get("arguments") or "",
                }
            )
    return items


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    return "\n".join(p.get("text", "") for p in content or () if isinstance(p, dict))


def _parts(content: Any) -> Any:
    if isinstance(content, str):
        return content
    out = []
    for p in content:
        if p.get("type") == "text":
            out.append({"type": "input_text", "text": p.get("text", "")})
        elif p.get("type") == "image_url":
            out.append(
                {
                    "type": "input_image",
                    "image_url": (p.get("image_url") or {}).get("url"),
                    "detail": (p.get("image_url") or {}).get("detail") or "auto",
                }
            )
    return out


async def open_stream(upstream: Upstream, call: Call, body: JsonObject) -> AsyncIterator[Chunk]:
    d = call.target()
    key = d.litellm_params.resolved_api_key()
    headers = {"content-type": "application/json", "accept": "text/event-stream"}
    if key:
        headers["authorization"] = f"Bearer {key}"
    url = upstream.base_url(d, "https://api.openai.com/v1") + "/responses"
    batches = await upstream.stream_events(d, url, body, headers)
    return decode(batches, call.model)


def decode(batches: AsyncIterator[list[JsonObject]], model: str) -> AsyncIterator[Chunk]:
    """Responses events → chat chunks (one list of chunks per network read, merged)."""
    return decode_events(batches, _State(model), "response.completed")


class _State:
    def __init__(self, model: str) -> None:
        self.template: Chunk = {"id": "", "created": int(time.time()), "model": model}
        self.calls: dict[str, int] = {}  # item id -> chat tool index
        self.sent_args: dict[str, int] = {}  # item id -> argument characters sent
        self.finished = False

    def chunk(self, delta: dict[str, Any], finish: str | None = None) -> Chunk:
        return make_chunk(self.template, delta=delta, finish_reason=finish)

    def read(self, ev: dict[str, Any], out: list[Chunk]) -> None:
        kind = ev.get("type")
        if kind == "response.output_text.delta":
            out.append(self.chunk({"content": ev.get("delta") or ""}))
        elif kind == "response.function_call_arguments.delta":
            item_id = ev.get("item_id")
            if item_id in self.calls and ev.get("delta"):
                self.sent_args[item_id] += len(ev["delta"])
                out.append(
                    self.chunk(
                        {
                            "tool_calls": [
                                {
                                    "index": self.calls[item_id],
                                    "function": {"arguments": ev["delta"]},
                                }
                            ]
                        }
                    )
                )
        elif kind == "response.output_item.added":
            item = ev.get("item") or {}
            if item.get("type") == "function_call":
                self._open_call(item, out)
        elif kind == "response.output_item.done":
            item = ev.get("item") or {}
            if item.get("type") == "function_call":
                if item.get("id") not in self.calls:
                    self._open_call(item, out)
                rest = (item.get("arguments") or "")[self.sent_args.get(item.get("id") or "", 0) :]
                if rest:
                    self.sent_args[item["id"]] += len(rest)
                    out.append(
                        self.chunk(
                            {
                                "tool_calls": [
                                    {
                                        "index": self.calls[item["id"]],
                                        "function": {"arguments": rest},
                                    }
                                ]
                            }
                        )
                    )
        elif kind == "response.refusal.delta":
            out.append(self.chunk({"refusal": ev.get("delta") or ""}))
        elif kind == "response.created":
            resp = ev.get("response") or {}
            self.template["id"] = resp.get("id") or ""
            out.append(self.chunk({"role": "assistant", "content": ""}))
        elif kind in ("response.completed", "response.incomplete"):
            self._finish(ev.get("response") or {}, out)
        elif kind in ("response.failed", "error"):
            raise UpstreamError(
                502, "upstream reported an error mid-stream", "upstream_stream_error"
            )

    def _open_call(self, item: dict[str, Any], out: list[Chunk]) -> None:
        index = len(self.calls)
        item_id = item.get("id") or f"item{index}"
        item["id"] = item_id
        self.calls[item_id] = index
        args = item.get("arguments") or ""
        self.sent_args[item_id] = len(args)
        out.append(
            self.chunk(
                {
                    "tool_calls": [
                        {
                            "index": index,
                            "id": item.get("call_id") or item_id,
                            "type": "function",
                            "function": {"name": item.get("name") or "", "arguments": args},
                        }
                    ]
                }
            )
        )

    def _finish(self, resp: dict[str, Any], out: list[Chunk]) -> None:
        reason = (
            (resp.get("incomplete_details") or {}).get("reason")
            if resp.get("status") == "incomplete"
            else None
        )
        finish = {"max_output_tokens": "length", "content_filter": "content_filter"}.get(
            reason or "", "tool_calls" if self.calls else "stop"
        )
        out.append(self.chunk({}, finish))
        usage = resp.get("usage")
        if isinstance(usage, dict):
            u = make_chunk(self.template)
            u["choices"] = []
            prompt = native_count(usage.get("input_tokens") or 0)
            completion = native_count(usage.get("output_tokens") or 0)
            u["usage"] = {
                "prompt_tokens": prompt,
                "completion_tokens": completion,
                "total_tokens": prompt + completion,
                "prompt_tokens_details": {
                    "cached_tokens": native_count(
                        (usage.get("input_tokens_details") or {}).get("cached_tokens") or 0
                    )
                },
                "completion_tokens_details": {
                    "reasoning_tokens": native_count(
                        (usage.get("output_tokens_details") or {}).get("reasoning_tokens") or 0
                    )
                },
            }
            out.append(u)
        self.finished = True
