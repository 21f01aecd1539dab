"""What every route adapter shares: the translated request, the chunk reader, SSE framing.

`ChunkReader` turns the guarded `chat.completion.chunk` stream into a few plain operations
(text, a tool call starts, more arguments, finish, usage, guard reports), so the answer
builders of each wire format read the pipeline's currency one way and the chunk shape is
known here only.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

import orjson

from keepgate.errors import APIError
from keepgate.jsontypes import Chunk, JsonObject
from keepgate.pipeline.call import Call
from keepgate.upstream.errors import UpstreamError
from keepgate.upstream.merge import merge_deltas

#: Opens the upstream for a call whose upstream speaks the route's API natively.
Opener = Callable[[Call], Awaitable[AsyncIterator[Chunk]]]


def new_id(prefix: str) -> str:
    return prefix + secrets.token_hex(12)


def sse_event(name: str, payload: dict[str, Any]) -> bytes:
    """One named SSE event (both Responses and Messages streams name every event)."""
    return b"event: " + name.encode() + b"\ndata: " + orjson.dumps(payload, default=str) + b"\n\n"


def invalid(
    message: str, param: str | None = None, code: str = "invalid_value", status: int = 400
) -> APIError:
    return APIError(status, message, code=code, param=param, type="invalid_request_error")


def unsupported(message: str, param: str | None = None) -> APIError:
    """A feature the gateway refuses rather than let it bypass a guard (always a 400)."""
    return APIError(
        400, message, code="unsupported_feature", param=param, type="invalid_request_error"
    )


@dataclass
class Translated:
    """A route request mapped to the pipeline: the chat body the guards see, and for an
    upstream that speaks the route's API natively, the body to pass through."""

    chat: JsonObject
    stream: bool
    #: The native request (None: the upstream gets `chat`, translated).
    native: JsonObject | None = None
    #: Request fields echoed in the answer object (instructions, tools, metadata, ...).
    echo: JsonObject = field(default_factory=dict)
    #: What the native decoder learned that the chunk model cannot carry (stop_sequence...).
    notes: JsonObject = field(default_factory=dict)
    #: Client headers the native upstream needs (anthropic-version, anthropic-beta).
    headers: dict[str, str] = field(default_factory=dict)
    #: For a native upstream: the fingerprint of `chat` before the request guards ran, to
    #: tell whether one of them rewrote it (then the upstream gets the rewritten version).
    fingerprint: bytes = b""
    #: Texts of attached documents the translation inlined as plain text parts (an
    #: Anthropic text `document`, a document's title/context): provenance files them as
    #: untrusted data, not as the user's words (`keepgate.policy.provenance.DOCUMENT`).
    documents: list[str] = field(default_factory=list)

    def pass_through(self) -> None:
        """Mark the request for a native upstream (costs a serialisation, so only then)."""
        self.fingerprint = fingerprint(self.chat)


def fingerprint(chat: dict[str, Any]) -> bytes:
    """The chat body minus the completion cap: what a guard rewrite would change."""
    return orjson.dumps(
        {k: v for k, v in chat.items() if k != "max_tokens"},
        option=orjson.OPT_SORT_KEYS,
        default=str,
    )


class Builder(Protocol):
    """Builds a route's answer from the guarded chunks: SSE bytes per step when streaming,
    the whole answer object at the end either way."""

    def start(self) -> bytes: ...
    def feed(self, chunk: Chunk) -> bytes: ...
    def end(self) -> bytes: ...
    def fail(self, err: APIError) -> bytes: ...
    def result(self) -> JsonObject: ...


# -- reading chunks -----------------------------------------------------------------------

TEXT, REFUSAL, TOOL_START, TOOL_ARGS, FINISH, USAGE, REPORT, TOOL_NAME = range(8)


class ChunkReader:
    """Reads choice 0 of each chunk as operations; tool calls keyed by their chat index.

    Released tool calls arrive whole (the policy guard holds them); with the policy guard
    off they arrive as an opening delta and argument pieces: both read the same way.
    """

    __slots__ = ("_started",)

    def __init__(self) -> None:
        self._started: set[int] = set()

    def read(self, chunk: Chunk) -> Iterator[tuple[int, Any, Any, Any]]:
        report = chunk.get("keepgate")
        if report:
            yield REPORT, report, None, None
        for ch in chunk.get("choices") or ():
            if ch.get("index", 0) != 0:
                continue  # Responses and Messages have one answer; `n` is never sent
            delta = ch.get("delta")
            if delta:
                text = delta.get("content")
                if text:
                    yield TEXT, text, None, None
                refusal = delta.get("refusal")
                if refusal:
                    yield REFUSAL, refusal, None, None
                for tc in delta.get("tool_calls") or ():
                    idx = tc.get("index", 0)
                    fn = tc.get("function") or {}
                    if idx not in self._started:
                        self._started.add(idx)
                        yield TOOL_START, idx, tc.get("id") or new_id("call_"), fn.get("name") or ""
                    elif fn.get("name"):  # a name streamed in pieces (rare; OpenAI sends it whole)
                        yield TOOL_NAME, idx, fn["name"], None
                    args = fn.get("arguments")
                    if args:
                        yield TOOL_ARGS, idx, args, None
            if ch.get("finish_reason"):
                yield FINISH, ch["finish_reason"], None, None
        usage = chunk.get("usage")
        if usage:
            yield USAGE, usage, None, None


def merge_report(into: dict[str, Any], report: dict[str, Any]) -> None:
    """Guards report in batches (per decision): lists add up, other values keep the last."""
    for key, value in report.items():
        if isinstance(value, list) and isinstance(into.get(key), list):
            into[key] = into[key] + value
        else:
            into[key] = value


def usage_numbers(usage: dict[str, Any] | None) -> tuple[int, int, int, int]:
    """(prompt, completion, cached prompt, reasoning) tokens of a chat `usage` object."""
    if not usage:
        return 0, 0, 0, 0
    prompt = int(usage.get("prompt_tokens") or 0)
    completion = int(usage.get("completion_tokens") or 0)
    cached = int((usage.get("prompt_tokens_details") or {}).get("cached_tokens") or 0)
    reasoning = int((usage.get("completion_tokens_details") or {}).get("reasoning_tokens") or 0)
    return prompt, completion, cached, reasoning


class EventReader(Protocol):
    """Reads a native API's SSE events (Responses, Messages) into chat chunks."""

    #: The upstream sent its closing event.
    finished: bool

    def read(self, event: dict[str, Any], out: list[Chunk]) -> None:
        """Append the chunks `event` makes to `out`; a malformed event raises
        AttributeError, TypeError, ValueError or KeyError."""
        ...


async def decode_events(
    batches: AsyncIterator[list[dict[str, Any]]], reader: EventReader, last_event: str
) -> AsyncIterator[Chunk]:
    """Native events → chat chunks, one merged list per network read. An event the
    reader cannot read, or a stream that ends before `last_event`, is a 502
    `upstream_malformed`: the guards never see a half-understood answer."""
    async for batch in batches:
        chunks: list[Chunk] = []
        for event in batch:
            try:
                reader.read(event, chunks)
            except (AttributeError, TypeError, ValueError, KeyError):
                raise UpstreamError(
                    502, "upstream sent a malformed event", "upstream_malformed"
                ) from None
        for chunk in merge_deltas(chunks):
            yield chunk
    if not reader.finished:
        raise UpstreamError(502, f"upstream stream ended before {last_event}", "upstream_malformed")
