"""Every provider that does not speak the OpenAI wire protocol, through litellm.

Typed event streams (Responses, Messages) are plain HTTP to the provider's own API, so
they go through the HTTP transport given here.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from keepgate.config.model import ModelDeployment
from keepgate.jsontypes import Chunk
from keepgate.upstream.errors import UpstreamError, from_status
from keepgate.upstream.protocol import Transport


class LitellmTransport:
    def __init__(self, events: Transport, timeout: float) -> None:
        self.events = events
        self.timeout = timeout

    async def _call(self, fn: str, d: ModelDeployment, body: dict[str, Any], **extra: Any) -> Any:
        """`litellm.<fn>` with the deployment's model, base, key and timeout; errors mapped."""
        import litellm  # imported lazily: it is slow to import and off the lean path

        p = d.litellm_params
        kwargs = {k: v for k, v in body.items() if k != "model"}
        try:
            return await getattr(litellm, fn)(
                model=p.model,
                api_base=p.api_base,
                api_key=p.resolved_api_key(),
                timeout=p.timeout or self.timeout,
                **extra,
                **kwargs,
            )
        except Exception as exc:  # noqa: BLE001 - litellm raises many types; map by status
            raise from_litellm(exc) from None

    async def open_chat(self, d: ModelDeployment, body: dict[str, Any]) -> AsyncIterator[Chunk]:
        extra = dict(d.litellm_params.model_extra or {})
        stream = await self._call("acompletion", d, body, num_retries=0, **extra)
        return self._chunks(stream)

    async def _chunks(self, stream: Any) -> AsyncIterator[Chunk]:
        try:
            async for chunk in stream:
                yield chunk.model_dump(exclude_none=False)
        except Exception as exc:  # noqa: BLE001
            raise from_litellm(exc) from None

    async def open_events(
        self, d: ModelDeployment, url: str, body: dict[str, Any], headers: dict[str, str]
    ) -> AsyncIterator[list[Chunk]]:
        return await self.events.open_events(d, url, body, headers)

    async def embed(self, d: ModelDeployment, body: dict[str, Any]) -> dict[str, Any]:
        out = await self._call("aembedding", d, body)
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
