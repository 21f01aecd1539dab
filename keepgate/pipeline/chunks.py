"""Helpers over OpenAI `chat.completion.chunk` dicts, the currency of response guards."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from keepgate.jsontypes import Chunk, JsonObject, JsonValue
from keepgate.pipeline.json_shape import JsonShape

#: What a response guard reads of a choice's delta. Text fields are scrubbed by the PII
#: guard, tool calls decided by the policy guard; any other field an upstream sends
#: (legacy `function_call`, `audio`, `annotations`, a vendor's own) is read by no guard, so
#: `keep_read_fields` drops it: a streamed `function_call` reached the client past the
#: tool-call policy, and a `reasoning`-like field past the PII scrubber.
TEXT_FIELDS = ("content", "refusal", "reasoning_content", "reasoning")
DELTA_FIELDS = frozenset(("role", "tool_calls", *TEXT_FIELDS))
_REASONING_FIELDS = ("reasoning_content", "reasoning")


def keep_read_fields(chunk: Chunk) -> list[str]:
    """Drop, in place, every delta field no response guard reads (`DELTA_FIELDS`) and
    every text field that is not a string; the names dropped (for the audit)."""
    dropped: list[str] = []
    for ch in chunk.get("choices") or ():
        delta = ch.get("delta")
        if not isinstance(delta, dict):
            if delta is not None:
                ch["delta"] = {}
                dropped.append("delta")
            continue
        if (
            delta.keys() <= DELTA_FIELDS
            and all(isinstance(delta.get(k), (str, type(None))) for k in TEXT_FIELDS if k in delta)
            and ("tool_calls" not in delta or _plain_calls(delta["tool_calls"]))
        ):
            continue
        for key in list(delta):
            if key not in DELTA_FIELDS or (
                key in TEXT_FIELDS and not isinstance(delta[key], (str, type(None)))
            ):
                del delta[key]
                dropped.append(key)
        calls = delta.get("tool_calls")
        if calls is not None and not _plain_calls(calls):
            if isinstance(calls, list):
                delta["tool_calls"] = [_plain_call(c) for c in calls if isinstance(c, dict)]
            else:
                del delta["tool_calls"]
                dropped.append("tool_calls")
    return dropped


def _plain_calls(calls: Any) -> bool:
    """Tool-call deltas as the API specifies them: objects whose function's name and
    arguments are strings (every consumer concatenates them)."""
    if type(calls) is not list:
        return False
    for c in calls:
        fn = c.get("function") if type(c) is dict else None
        if fn is None and type(c) is dict:
            continue
        if type(fn) is not dict or not all(
            isinstance(fn.get(k), (str, type(None))) for k in ("name", "arguments")
        ):
            return False
    return True


def _plain_call(call: dict[str, Any]) -> dict[str, Any]:
    """One tool-call delta with its name and arguments as text (`_text`): an upstream that
    sends arguments as an object (not the JSON string the API specifies) gets them read as
    their JSON text, so the policy decides on what the client would run."""
    fn = call.get("function")
    fn = fn if isinstance(fn, dict) else {}
    return {
        **call,
        "function": {
            **fn,
            **{k: _text(fn[k]) for k in ("name", "arguments") if fn.get(k) is not None},
        },
    }


def make_chunk(
    template: Chunk | None,
    *,
    index: int = 0,
    delta: JsonObject | None = None,
    finish_reason: str | None = None,
    model: str = "",
    id: str = "",
) -> Chunk:
    """A new chunk shaped like `template` (same id/model/created), with one choice."""
    t = template or {}
    return {
        "id": t.get("id", id),
        "object": "chat.completion.chunk",
        "created": t.get("created", int(time.time())),
        "model": t.get("model", model),
        "choices": [{"index": index, "delta": delta or {}, "finish_reason": finish_reason}],
    }


@dataclass
class ToolCallBuffer:
    """Assembles streamed tool-call deltas into complete calls, per choice and index.

    Argument pieces are kept in a list per call and joined when the call is read
    (`for_choice`, `pop_choice`, `pop`, `arguments`), once per read: adding each delta to
    the text so far copied it every time (red team round 5b: an upstream sending one tiny
    argument delta per read, which merge_deltas cannot fold, made assembling MiBs of
    arguments quadratic on the event loop). A call's `function.arguments` is current only
    once it has been read through one of those."""

    calls: dict[tuple[int, int], JsonObject] = field(default_factory=dict)
    _parts: dict[tuple[int, int], list[str]] = field(default_factory=dict)
    #: Where each call's arguments stand as JSON (read once per piece, `JsonShape`).
    _shape: dict[tuple[int, int], JsonShape] = field(default_factory=dict)
    #: Each choice's calls (red team round 6: `keys_for_choice` scanned every call of
    #: every choice, per chunk: quadratic in an answer that opens many calls).
    _by_choice: dict[int, dict[tuple[int, int], None]] = field(default_factory=dict)

    def add(self, choice_index: int, delta_call: JsonObject) -> None:
        key = (choice_index, delta_call.get("index", 0))
        call = self.calls.get(key)
        if call is None:
            call = self.calls[key] = {
                "index": delta_call.get("index", 0),
                "id": None,
                "type": "function",
                "function": {"name": "", "arguments": ""},
            }
            self._by_choice.setdefault(choice_index, {})[key] = None
        if delta_call.get("id"):
            call["id"] = delta_call["id"]
        if delta_call.get("type"):
            call["type"] = delta_call["type"]
        fn = delta_call.get("function") or {}
        if fn.get("name"):
            call["function"]["name"] += _text(fn["name"])
        if fn.get("arguments"):
            piece = _text(fn["arguments"])
            self._parts.setdefault(key, []).append(piece)
            shape = self._shape.get(key)
            if shape is None:
                shape = self._shape[key] = JsonShape()
            shape.feed(piece)

    def arguments(self, key: tuple[int, int]) -> str:
        """The call's arguments so far, joined (and kept as one piece: a second read with
        nothing new costs nothing)."""
        parts = self._parts.get(key)
        if not parts:
            return ""
        text = "".join(parts)  # one piece: the same string, not a copy
        parts[:] = [text]
        self.calls[key]["function"]["arguments"] = text
        return text

    def may_be_complete(self, key: tuple[int, int]) -> bool:
        """Could the arguments so far be a whole JSON object or array? True once, when
        the top-level container closes (red team round 6: asking whether they end in a
        closing bracket let a string of `}` sent a delta each join and parse the
        arguments at every delta). Read without joining them."""
        shape = self._shape.get(key)
        return shape is not None and shape.take_close()

    def keys_for_choice(self, choice_index: int) -> list[tuple[int, int]]:
        return sorted(self._by_choice.get(choice_index, ()))

    def pop(self, key: tuple[int, int]) -> JsonObject:
        self.arguments(key)
        self._parts.pop(key, None)
        self._shape.pop(key, None)
        keys = self._by_choice.get(key[0])
        if keys is not None:
            keys.pop(key, None)
            if not keys:
                del self._by_choice[key[0]]
        return self.calls.pop(key)

    def for_choice(self, choice_index: int) -> list[JsonObject]:
        out = []
        for key in self.keys_for_choice(choice_index):
            self.arguments(key)
            out.append(self.calls[key])
        return out

    def pop_choice(self, choice_index: int) -> list[JsonObject]:
        return [self.pop(key) for key in self.keys_for_choice(choice_index)]


def parse_arguments(arguments: str) -> tuple[JsonValue, str | None]:
    """Parse tool-call arguments; (value, None) or (None, error message). Strict JSON:
    `NaN`, `Infinity` and numbers no float holds (`1e400`) are errors, since no comparison
    in a policy holds for them (`NaN > 500` is false, so a limit would pass)."""
    try:
        return json.loads(
            arguments or "{}", parse_constant=_no_constant, parse_float=_finite_float
        ), None
    except json.JSONDecodeError as exc:
        return None, f"arguments are not valid JSON: {exc.msg} at position {exc.pos}"
    except ValueError as exc:  # a constant, an overflowing float, an int past 4300 digits
        return None, f"arguments are not valid JSON: {str(exc)[:100]}"
    except RecursionError:
        return None, "arguments are nested too deeply"


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError(f"number out of range ({text[:20]})")
    return value


async def assemble(chunks: AsyncIterator[Chunk]) -> JsonObject:
    """Turn a chunk stream into one `chat.completion` object, as a non-streaming client expects."""
    base: Chunk = {}
    choices: dict[int, dict[str, Any]] = {}
    tools = ToolCallBuffer()
    usage = None
    extra: dict[str, Any] = {}
    async for chunk in chunks:
        if not base and chunk.get("id"):
            base = chunk
        if chunk.get("usage"):
            usage = chunk["usage"]
        for key, value in (chunk.get("keepgate") or {}).items():
            # Guards report in batches on several chunks (per choice, per decision): lists
            # add up, anything else keeps the latest value.
            if isinstance(value, list) and isinstance(extra.get(key), list):
                extra[key] = extra[key] + value
            else:
                extra[key] = value
        for ch in chunk.get("choices") or ():
            i = ch.get("index", 0)
            c = choices.setdefault(
                i,
                {
                    "index": i,
                    "content": [],
                    "role": "assistant",
                    "finish_reason": None,
                },
            )
            delta = ch.get("delta") or {}
            if delta.get("role"):
                c["role"] = delta["role"]
            if delta.get("content"):
                c["content"].append(delta["content"])
            # Pieces in lists, joined once at the end: `a = a + piece` per delta copied the
            # text so far each time (red team round 5: reasoning arrives one token a delta,
            # which merge_deltas does not fold, so quadratic time on the event loop).
            if delta.get("refusal"):
                c.setdefault("refusal_parts", []).append(delta["refusal"])
            for name in _REASONING_FIELDS:
                if delta.get(name):
                    c.setdefault(name, []).append(delta[name])
            for tc in delta.get("tool_calls") or ():
                tools.add(i, tc)
            if ch.get("finish_reason"):
                c["finish_reason"] = ch["finish_reason"]
            if ch.get("logprobs") is not None:
                c["logprobs"] = ch["logprobs"]
    out_choices = []
    for i in sorted(choices):
        c = choices[i]
        message: dict[str, Any] = {
            "role": c["role"],
            "content": "".join(c["content"]) if c["content"] else None,
        }
        if c.get("refusal_parts"):
            message["refusal"] = "".join(c["refusal_parts"])
        for name in _REASONING_FIELDS:
            if c.get(name):
                message[name] = "".join(c[name])
        calls = tools.for_choice(i)
        if calls:
            message["tool_calls"] = [
                {"id": t["id"], "type": t["type"], "function": t["function"]} for t in calls
            ]
        out_choices.append(
            {
                "index": i,
                "message": message,
                "logprobs": c.get("logprobs"),
                "finish_reason": c["finish_reason"] or "stop",
            }
        )
    out: dict[str, Any] = {
        "id": base.get("id", ""),
        "object": "chat.completion",
        "created": base.get("created", int(time.time())),
        "model": base.get("model", ""),
        "choices": out_choices,
    }
    if base.get("system_fingerprint"):
        out["system_fingerprint"] = base["system_fingerprint"]
    if usage:
        out["usage"] = usage
    if extra:
        out["keepgate"] = extra
    return out


def _text(value: Any) -> str:
    """A tool call's name or arguments piece as text: a string as it is, anything else as
    its JSON text."""
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value)
    except (TypeError, ValueError):
        return str(value)
