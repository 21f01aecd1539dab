"""Every provider that does not speak the OpenAI wire protocol, through litellm.

Typed event streams (Responses, Messages) are plain HTTP to the provider's own API, so
they go through the HTTP transport given here.

One answer has the bounds the HTTP transport gives its own (red team round 6: a chat
answer through litellm had neither): `max_answer_seconds` from the request to the last
chunk, on a clock seam, and `max_answer_bytes` counted as the JSON text of the chunks
litellm hands over (litellm reads the bytes itself; the chunks are what the gateway holds).
An embeddings answer, which litellm reads whole, has the deadline only.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import orjson

from keepgate.config.model import ModelDeployment
from keepgate.jsontypes import Chunk
from keepgate.upstream.errors import UpstreamError, from_status, timed_out
from keepgate.upstream.http import MAX_ANSWER_BYTES, MAX_ANSWER_SECONDS, within
from keepgate.upstream.protocol import Transport


def load_litellm() -> Any:
    """litellm, imported (seconds of CPU the first time in a process)."""
    import litellm

    return litellm


class LitellmImport:
    """A start-up part (`keepgate.services`): litellm is imported when the served app
    starts, in a gateway with a deployment that goes through it (`build_runtime`).

    Imported by that deployment's first request instead, the import ran on the event loop,
    and every request the gateway was serving, `/healthz` too, waited for its seconds of
    CPU: the route fuzzer's first Responses call to an `anthropic/` deployment held the loop
    14-25 s at load 12, past the fuzzer's 60 s read timeout at load 45 (docs/development.md,
    "What the route fuzzer found"). Start-up runs before the server accepts connections."""

    async def start(self) -> None:
        load_litellm()


class LitellmTransport:
    def __init__(
        self,
        events: Transport,
        timeout: float,
        max_answer_bytes: int = MAX_ANSWER_BYTES,
        max_answer_seconds: float = MAX_ANSWER_SECONDS,
    ) -> None:
        self.events = events
        self.timeout = timeout
        self.max_answer_bytes = max_answer_bytes
        self.max_answer_seconds = max_answer_seconds
        #: The clock the answer's deadline is read on (a seam: tests move it by hand).
        self.clock: Callable[[], float] = time.monotonic

    async def _call(
        self, fn: str, d: ModelDeployment, body: dict[str, Any], end: float, **extra: Any
    ) -> Any:
        """`litellm.<fn>` with the deployment's model, base, key and timeout, waiting at
        most until `end`; errors mapped."""
        # Imported at start-up by `LitellmImport` (a gateway built without it still works).
        litellm = load_litellm()
        p = d.litellm_params
        kwargs = {k: v for k, v in body.items() if k != "model"}
        left = end - self.clock()
        if left <= 0:
            raise timed_out()
        try:
            async with asyncio.timeout(left):
                out = await getattr(litellm, fn)(
                    model=p.model,
                    api_base=p.api_base,
                    api_key=p.resolved_api_key(),
                    timeout=p.timeout or self.timeout,
                    **extra,
                    **kwargs,
                )
        except TimeoutError:
            raise timed_out() from None
        except Exception as exc:  # noqa: BLE001 - litellm raises many types; map by status
            raise from_litellm(exc) from None
        if self.clock() > end:
            raise timed_out()
        return out

    async def open_chat(self, d: ModelDeployment, body: dict[str, Any]) -> AsyncIterator[Chunk]:
        extra = dict(d.litellm_params.model_extra or {})
        end = self.clock() + self.max_answer_seconds
        stream = await self._call("acompletion", d, body, end, num_retries=0, **extra)
        return self._chunks(stream, end)

    async def _chunks(self, stream: Any, end: float) -> AsyncIterator[Chunk]:
        size = 0
        limit = self.max_answer_bytes
        try:
            async for chunk in within(stream, end, self.clock):
                out: Chunk = chunk.model_dump(exclude_none=False)
                size += len(orjson.dumps(out, default=str))
                if size > limit:
                    raise UpstreamError(
                        502, f"upstream answer larger than {limit} bytes", "upstream_too_large"
                    )
                yield out
        except UpstreamError:
            raise
        except Exception as exc:  # noqa: BLE001
            raise from_litellm(exc) from None
        finally:
            close = getattr(stream, "aclose", None)
            if close is not None:  # a client that stops reading releases the upstream now
                with contextlib.suppress(Exception):
                    await close()

    async def open_events(
        self, d: ModelDeployment, url: str, body: dict[str, Any], headers: dict[str, str]
    ) -> AsyncIterator[list[Chunk]]:
        return await self.events.open_events(d, url, body, headers)

    async def embed(self, d: ModelDeployment, body: dict[str, Any]) -> dict[str, Any]:
        out = await self._call("aembedding", d, body, self.clock() + self.max_answer_seconds)
        result: dict[str, Any] = out.model_dump()
        return result

    async def aclose(self) -> None:
        pass  # litellm keeps its own clients; the events transport is closed by its owner


def from_litellm(exc: Exception) -> UpstreamError:
    name = type(exc).__name__
    if "Timeout" in name:
        return UpstreamError(504, "upstream timed out", "upstream_timeout")
    status = getattr(exc, "status_code", None)
    if isinstance(status, int) and 400 <= status < 500 and status not in (408, 429):
        return from_status(status)
    if status == 429:
        return UpstreamError(429, "upstream rate limit reached", "upstream_rate_limited")
    if "APIConnectionError" in name or "ServiceUnavailable" in name or "InternalServer" in name:
        return UpstreamError(502, f"upstream unreachable: {name}", "upstream_unreachable")
    return UpstreamError(502, f"upstream error: {name}", "upstream_http_error")
