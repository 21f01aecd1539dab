"""The OpenAI wire protocol over HTTP: chat as SSE, typed event streams, embeddings.

Bytes go through a `Sender` (aiohttp on the network, an ASGI app in-process), so both
paths share the SSE parsing, the delta merging and the error mapping here.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from typing import Any, TypeVar

import orjson

from keepgate.config.model import ModelDeployment
from keepgate.jsontypes import Chunk
from keepgate.upstream.errors import UpstreamError, from_status, timed_out
from keepgate.upstream.merge import merge_deltas
from keepgate.upstream.protocol import Reply, Sender
from keepgate.upstream.sse import MalformedStream, OversizedStream, iter_sse_batches

#: Longest single SSE line accepted from an upstream (a whole tool call can be one line).
MAX_SSE_LINE = 8 * 1024 * 1024
OPENAI_BASE = "https://api.openai.com/v1"
#: Default bound on one upstream answer (`general_settings.max_answer_bytes`).
MAX_ANSWER_BYTES = 256 * 1024 * 1024
#: Default bound on one upstream answer's whole time, request sent to last byte
#: (`general_settings.max_answer_seconds`).
MAX_ANSWER_SECONDS = 600.0
T = TypeVar("T")
#: An error answer's body is read (so the connection can be reused) up to this, else dropped.
MAX_ERROR_BODY = 64 * 1024


def base_url(d: ModelDeployment, default: str = OPENAI_BASE) -> str:
    return (d.litellm_params.api_base or default).rstrip("/")


def _headers(d: ModelDeployment) -> dict[str, str]:
    key = d.litellm_params.resolved_api_key()
    headers = {"content-type": "application/json"}
    if key:
        headers["authorization"] = f"Bearer {key}"
    return headers


class HttpTransport:
    """An OpenAI-compatible provider at the deployment's `api_base`."""

    def __init__(
        self,
        sender: Sender,
        max_answer_bytes: int = MAX_ANSWER_BYTES,
        max_answer_seconds: float = MAX_ANSWER_SECONDS,
    ) -> None:
        self.sender = sender
        #: Bytes one answer may have (SSE stream or JSON body); past it a 502.
        self.max_answer_bytes = max_answer_bytes
        #: Seconds one answer may take from the request to its last byte; past it a 504
        #: (the sender's timeout bounds each read only: a byte a minute held a call forever).
        self.max_answer_seconds = max_answer_seconds
        #: The clock the answer's deadline is read on (a seam: tests move it by hand).
        self.clock: Callable[[], float] = time.monotonic

    def _deadline(self) -> float:
        return self.clock() + self.max_answer_seconds

    def _within(self, chunks: AsyncIterator[T], end: float) -> AsyncIterator[T]:
        return within(chunks, end, self.clock)

    async def _post(self, url: str, body: dict[str, Any], headers: dict[str, str]) -> Reply:
        """POST `body` (serialised once, by orjson); an error status raises, body unread."""
        reply = await self.sender.post(url, orjson.dumps(body, default=str), headers)
        if reply.status >= 400:
            # Read (so the connection can go back to the pool) unless it is long: an
            # upstream's error page is not ours to hold in memory.
            try:
                await _read_capped(reply.chunks(), MAX_ERROR_BODY)
            except OversizedStream:
                await reply.release(False)
            else:
                await reply.release(True)
            raise from_status(reply.status)
        return reply

    async def open_chat(self, d: ModelDeployment, body: dict[str, Any]) -> AsyncIterator[Chunk]:
        end = self._deadline()
        reply = await self._post(base_url(d) + "/chat/completions", body, _headers(d))
        return self._chunks(reply, end)

    async def _chunks(self, reply: Reply, end: float) -> AsyncIterator[Chunk]:
        # aclosing: a client that stops reading releases the upstream now, not at GC time.
        async with contextlib.aclosing(self._batches(reply, end)) as batches:
            async for batch in batches:
                for obj in merge_deltas(batch):
                    if "error" in obj and "choices" not in obj:
                        raise UpstreamError(
                            502, "upstream reported an error mid-stream", "upstream_stream_error"
                        )
                    yield obj

    async def open_events(
        self, d: ModelDeployment, url: str, body: dict[str, Any], headers: dict[str, str]
    ) -> AsyncIterator[list[Chunk]]:
        end = self._deadline()
        return self._batches(await self._post(url, body, headers), end)

    async def _batches(self, reply: Reply, end: float) -> AsyncGenerator[list[Chunk], None]:
        complete = False
        try:
            body = capped(self._within(reply.chunks(), end), self.max_answer_bytes)
            async for batch in iter_sse_batches(body, MAX_SSE_LINE):
                yield batch
            complete = True
        except OversizedStream as exc:
            raise UpstreamError(502, str(exc), "upstream_too_large") from None
        except MalformedStream as exc:
            raise UpstreamError(502, str(exc), "upstream_malformed") from None
        finally:
            await reply.release(complete)

    async def embed(self, d: ModelDeployment, body: dict[str, Any]) -> dict[str, Any]:
        end = self._deadline()
        reply = await self._post(base_url(d) + "/embeddings", body, _headers(d))
        complete = False
        try:
            data = await _read_capped(self._within(reply.chunks(), end), self.max_answer_bytes)
            complete = True
        except OversizedStream as exc:
            raise UpstreamError(502, str(exc), "upstream_too_large") from None
        finally:
            await reply.release(complete)
        try:
            result = orjson.loads(data)
        except orjson.JSONDecodeError:
            result = None
        if not isinstance(result, dict):
            raise UpstreamError(
                502,
                "upstream sent an embeddings body that is not a JSON object",
                "upstream_malformed",
            )
        return result

    async def aclose(self) -> None:
        await self.sender.aclose()


async def within(
    items: AsyncIterator[T], end: float, clock: Callable[[], float]
) -> AsyncIterator[T]:
    """`items` until `clock` passes `end`, then `timed_out`: each read waits at most the
    time left, and a read that arrives late is not passed on. Serves the HTTP transport's
    reads and litellm's chunks alike."""
    it = aiter(items)
    got = 0
    while True:
        left = end - clock()
        if left <= 0:
            raise timed_out(mid_stream=got > 0)
        try:
            async with asyncio.timeout(left):
                data = await anext(it)
        except StopAsyncIteration:
            return
        except TimeoutError:
            raise timed_out(mid_stream=got > 0) from None
        if clock() > end:
            raise timed_out(mid_stream=got > 0)
        got += 1
        yield data


async def capped(chunks: AsyncIterator[bytes], limit: int) -> AsyncIterator[bytes]:
    """`chunks` until they pass `limit` bytes in all, then `OversizedStream`: the one
    count of an answer's bytes, for an SSE stream and a body read whole alike."""
    size = 0
    async for data in chunks:
        size += len(data)
        if size > limit:
            raise OversizedStream(f"upstream answer larger than {limit} bytes")
        yield data


async def _read_capped(chunks: AsyncIterator[bytes], limit: int) -> bytes:
    """The whole body `chunks`, or `OversizedStream` once it passes `limit` bytes."""
    return b"".join([data async for data in capped(chunks, limit)])
