"""One upstream interface over several transports, with retries before the first byte.

Each deployment is served by a `Transport` (keepgate/upstream/protocol.py): the lean
aiohttp path for OpenAI-compatible providers with an `api_base`, litellm for the rest, or
a transport pinned to the deployment at start-up (the built-in fake model runs in-process).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import TypeVar

from keepgate.config.model import ModelDeployment
from keepgate.jsontypes import Chunk, JsonObject
from keepgate.upstream.aiohttp_sender import AiohttpSender
from keepgate.upstream.errors import UpstreamError
from keepgate.upstream.http import MAX_ANSWER_BYTES, MAX_ANSWER_SECONDS, HttpTransport
from keepgate.upstream.http import base_url as _base_url
from keepgate.upstream.litellm_transport import LitellmTransport
from keepgate.upstream.protocol import Transport

__all__ = ["OPENAI_COMPATIBLE", "Upstream", "UpstreamError", "uses_direct"]

log = logging.getLogger("keepgate.upstream")

#: litellm providers that speak the OpenAI wire protocol, so the lean path can serve them.
OPENAI_COMPATIBLE = {"openai", "hosted_vllm", "openai_like", "text-completion-openai"}
T = TypeVar("T")


def uses_direct(d: ModelDeployment) -> bool:
    p = d.litellm_params
    if p.transport != "auto":
        return p.transport == "direct"
    return p.provider in OPENAI_COMPATIBLE and bool(p.api_base)


class Upstream:
    """Chat streams, event streams and embeddings for every configured deployment.

    `direct` replaces the aiohttp transport for OpenAI-compatible deployments (and for the
    event streams of the others); `pinned` maps a deployment name to its own transport.
    """

    def __init__(
        self,
        *,
        timeout: float,
        num_retries: int,
        retry_backoff: float,
        direct: Transport | None = None,
        pinned: Mapping[str, Transport] | None = None,
        max_answer_bytes: int = MAX_ANSWER_BYTES,
        max_answer_seconds: float = MAX_ANSWER_SECONDS,
    ) -> None:
        self.timeout = timeout
        self.num_retries = num_retries
        self.retry_backoff = retry_backoff
        self.direct: Transport = direct or HttpTransport(AiohttpSender(timeout))
        self.litellm: Transport = LitellmTransport(self.direct, timeout)
        self.pinned: dict[str, Transport] = dict(pinned or {})
        for t in (self.direct, self.litellm, *self.pinned.values()):
            if isinstance(t, (HttpTransport, LitellmTransport)):
                t.max_answer_bytes = max_answer_bytes
                t.max_answer_seconds = max_answer_seconds

    def transport(self, d: ModelDeployment) -> Transport:
        pinned = self.pinned.get(d.model_name)
        if pinned is not None:
            return pinned
        return self.direct if uses_direct(d) else self.litellm

    async def aclose(self) -> None:
        for t in {id(t): t for t in (self.direct, self.litellm, *self.pinned.values())}.values():
            await t.aclose()

    def base_url(self, d: ModelDeployment, default: str) -> str:
        """The deployment's api_base, else `default` (the provider's public API)."""
        return _base_url(d, default)

    async def _retrying(self, attempt_fn: Callable[[], Awaitable[T]], label: str) -> T:
        delay = self.retry_backoff
        for attempt in range(self.num_retries + 1):
            try:
                return await attempt_fn()
            except UpstreamError as exc:
                if not exc.retryable or attempt == self.num_retries:
                    raise
                log.warning(
                    "upstream %s failed (%s), retry %d/%d",
                    label,
                    exc.kind,
                    attempt + 1,
                    self.num_retries,
                )
                await asyncio.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")

    async def stream_chat(self, d: ModelDeployment, body: JsonObject) -> AsyncIterator[Chunk]:
        """Open the upstream stream (with retries) and return its chunk iterator."""
        body = {
            **body,
            "model": d.litellm_params.upstream_model,
            "stream": True,
            "stream_options": {**(body.get("stream_options") or {}), "include_usage": True},
        }
        t = self.transport(d)
        return await self._retrying(lambda: t.open_chat(d, body), d.model_name)

    async def stream_events(
        self, d: ModelDeployment, url: str, body: JsonObject, headers: dict[str, str]
    ) -> AsyncIterator[list[Chunk]]:
        """POST `body` to an upstream that answers with typed SSE events (with retries
        before the first byte); returns the events, one list per network read."""
        t = self.transport(d)
        return await self._retrying(lambda: t.open_events(d, url, body, headers), d.model_name)

    async def embeddings(self, d: ModelDeployment, body: JsonObject) -> JsonObject:
        body = {**body, "model": d.litellm_params.upstream_model}
        t = self.transport(d)
        return await self._retrying(lambda: t.embed(d, body), d.model_name)
