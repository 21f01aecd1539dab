"""One upstream interface over two transports, with retries before the first byte."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable
from typing import Any

import httpx

from gateway.config.model import ModelDeployment
from gateway.errors import APIError
from gateway.upstream.sse import MalformedStream, iter_sse_json

log = logging.getLogger("keepgate.upstream")

#: litellm providers that speak the OpenAI wire protocol, so the lean path can serve them.
OPENAI_COMPATIBLE = {"openai", "hosted_vllm", "openai_like", "text-completion-openai"}
RETRYABLE_STATUS = {500, 502, 503, 504, 529}


class UpstreamError(APIError):
    """The upstream failed; carries an OpenAI-shaped body and a metrics label."""

    def __init__(self, status: int, message: str, kind: str, code: str | None = None) -> None:
        super().__init__(status, message, code=code or kind)
        self.kind = kind


def uses_httpx(d: ModelDeployment) -> bool:
    p = d.litellm_params
    if p.transport != "auto":
        return p.transport == "httpx"
    return p.provider in OPENAI_COMPATIBLE and bool(p.api_base)


def _upstream_status(status: int, text: str) -> UpstreamError:
    if status in RETRYABLE_STATUS or status >= 500:
        return UpstreamError(502, f"upstream returned HTTP {status}", "upstream_http_error")
    if status == 429:
        return UpstreamError(429, "upstream rate limit reached", "upstream_rate_limited")
    # 4xx: the request was wrong for the provider; pass the status through, not the body
    # (it may echo request content).
    return UpstreamError(status, f"upstream rejected the request (HTTP {status})",
                         "upstream_rejected")


class Upstream:
    """Chat streams and embeddings for every configured deployment."""

    def __init__(self, *, timeout: float, num_retries: int, retry_backoff: float,
                 client: httpx.AsyncClient | None = None) -> None:
        self.timeout = timeout
        self.num_retries = num_retries
        self.retry_backoff = retry_backoff
        self._client = client or httpx.AsyncClient(
            timeout=httpx.Timeout(timeout, connect=min(10.0, timeout)),
            limits=httpx.Limits(max_connections=1000, max_keepalive_connections=200))
        #: Deployments whose api_base was rewritten at start-up (the built-in fake model).
        self.api_base_override: dict[str, str] = {}

    async def aclose(self) -> None:
        await self._client.aclose()

    def _base(self, d: ModelDeployment) -> str:
        base = self.api_base_override.get(d.model_name) or d.litellm_params.api_base or \
            "https://api.openai.com/v1"
        return base.rstrip("/")

    def _headers(self, d: ModelDeployment) -> dict[str, str]:
        key = d.litellm_params.resolved_api_key()
        return {"authorization": f"Bearer {key}"} if key else {}

    async def _retrying(self, attempt_fn, label: str):
        delay = self.retry_backoff
        for attempt in range(self.num_retries + 1):
            try:
                return await attempt_fn()
            except UpstreamError as exc:
                retryable = exc.kind in ("upstream_http_error", "upstream_unreachable")
                if not retryable or attempt == self.num_retries:
                    raise
                log.warning("upstream %s failed (%s), retry %d/%d", label, exc.kind,
                            attempt + 1, self.num_retries)
                await asyncio.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")

    # -- chat ---------------------------------------------------------------------------

    async def stream_chat(self, d: ModelDeployment, body: dict[str, Any]
                          ) -> AsyncIterator[dict[str, Any]]:
        """Open the upstream stream (with retries) and return its chunk iterator."""
        body = {**body, "model": d.litellm_params.upstream_model, "stream": True,
                "stream_options": {**(body.get("stream_options") or {}), "include_usage": True}}
        if uses_httpx(d):
            return await self._retrying(lambda: self._open_httpx(d, body), d.model_name)
        return await self._retrying(lambda: self._open_litellm(d, body), d.model_name)

    async def _open_httpx(self, d: ModelDeployment, body: dict[str, Any]
                          ) -> AsyncIterator[dict[str, Any]]:
        req = self._client.build_request("POST", self._base(d) + "/chat/completions",
                                         json=body, headers=self._headers(d))
        resp = await _connect(self._client.send(req, stream=True))
        if resp.status_code >= 400:
            text = (await resp.aread()).decode(errors="replace")
            await resp.aclose()
            raise _upstream_status(resp.status_code, text)
        return self._httpx_chunks(resp)

    async def _httpx_chunks(self, resp: httpx.Response) -> AsyncIterator[dict[str, Any]]:
        try:
            async for obj in iter_sse_json(resp.aiter_lines()):
                if "error" in obj and "choices" not in obj:
                    raise UpstreamError(502, "upstream reported an error mid-stream",
                                        "upstream_stream_error")
                yield obj
        except MalformedStream as exc:
            raise UpstreamError(502, str(exc), "upstream_malformed") from None
        except httpx.TimeoutException:
            raise UpstreamError(504, "upstream timed out mid-stream", "upstream_timeout") from None
        except httpx.HTTPError as exc:
            raise UpstreamError(502, f"upstream stream broke: {type(exc).__name__}",
                                "upstream_unreachable") from None
        finally:
            await resp.aclose()

    async def _open_litellm(self, d: ModelDeployment, body: dict[str, Any]
                            ) -> AsyncIterator[dict[str, Any]]:
        import litellm  # imported lazily: it is slow to import and off the lean path

        p = d.litellm_params
        extra = {k: v for k, v in (p.model_extra or {}).items()}
        kwargs = {k: v for k, v in body.items() if k not in ("model",)}
        try:
            stream = await litellm.acompletion(
                model=p.model, api_base=self.api_base_override.get(d.model_name) or p.api_base,
                api_key=p.resolved_api_key(), timeout=p.timeout or self.timeout,
                num_retries=0, **extra, **kwargs)
        except Exception as exc:  # noqa: BLE001 - litellm raises many types; map by status
            raise _from_litellm(exc) from None
        return self._litellm_chunks(stream)

    async def _litellm_chunks(self, stream: Any) -> AsyncIterator[dict[str, Any]]:
        try:
            async for chunk in stream:
                yield chunk.model_dump(exclude_none=False)
        except Exception as exc:  # noqa: BLE001
            raise _from_litellm(exc) from None

    # -- embeddings ---------------------------------------------------------------------

    async def embeddings(self, d: ModelDeployment, body: dict[str, Any]) -> dict[str, Any]:
        body = {**body, "model": d.litellm_params.upstream_model}
        if uses_httpx(d):
            return await self._retrying(lambda: self._embed_httpx(d, body), d.model_name)
        return await self._retrying(lambda: self._embed_litellm(d, body), d.model_name)

    async def _embed_httpx(self, d: ModelDeployment, body: dict[str, Any]) -> dict[str, Any]:
        resp = await _connect(self._client.post(self._base(d) + "/embeddings", json=body,
                                                headers=self._headers(d)))
        if resp.status_code >= 400:
            raise _upstream_status(resp.status_code, resp.text)
        return resp.json()

    async def _embed_litellm(self, d: ModelDeployment, body: dict[str, Any]) -> dict[str, Any]:
        import litellm

        p = d.litellm_params
        kwargs = {k: v for k, v in body.items() if k != "model"}
        try:
            out = await litellm.aembedding(
                model=p.model, api_base=self.api_base_override.get(d.model_name) or p.api_base,
                api_key=p.resolved_api_key(), timeout=p.timeout or self.timeout, **kwargs)
        except Exception as exc:  # noqa: BLE001
            raise _from_litellm(exc) from None
        return out.model_dump()


def _from_litellm(exc: Exception) -> UpstreamError:
    name = type(exc).__name__
    if "Timeout" in name:
        return UpstreamError(504, "upstream timed out", "upstream_timeout")
    status = getattr(exc, "status_code", None)
    if isinstance(status, int) and 400 <= status < 500 and status not in (408, 429):
        return _upstream_status(status, "")
    if status == 429:
        return UpstreamError(429, "upstream rate limit reached", "upstream_rate_limited")
    if "APIConnectionError" in name or "ServiceUnavailable" in name or "InternalServer" in name:
        return UpstreamError(502, f"upstream unreachable: {name}", "upstream_unreachable")
    return UpstreamError(502, f"upstream error: {name}", "upstream_http_error")


async def _connect(send: Awaitable[httpx.Response]) -> httpx.Response:
    """Await an upstream request, mapping transport failures to 504 / 502."""
    try:
        return await send
    except httpx.TimeoutException:
        raise UpstreamError(504, "upstream timed out", "upstream_timeout") from None
    except httpx.HTTPError as exc:
        raise UpstreamError(502, f"upstream unreachable: {type(exc).__name__}",
                            "upstream_unreachable") from None
