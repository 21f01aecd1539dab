"""One upstream interface over two transports, with retries before the first byte.

The lean transport (OpenAI-compatible providers with an `api_base`) uses aiohttp: on this
hot path it costs about half the CPU per request of httpx. Everything else goes through
litellm.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable
from typing import Any

import aiohttp
import orjson

from keepgate.config.model import ModelDeployment
from keepgate.errors import APIError
from keepgate.upstream.merge import merge_deltas
from keepgate.upstream.sse import MalformedStream, iter_sse_batches

log = logging.getLogger("keepgate.upstream")

#: litellm providers that speak the OpenAI wire protocol, so the lean path can serve them.
OPENAI_COMPATIBLE = {"openai", "hosted_vllm", "openai_like", "text-completion-openai"}
RETRYABLE_STATUS = {500, 502, 503, 504, 529}
#: Longest single SSE line accepted from an upstream (a whole tool call can be one line).
MAX_SSE_LINE = 8 * 1024 * 1024
#: How long to wait for an upstream to end its response after `[DONE]`.
DRAIN_TIMEOUT = 1.0


class UpstreamError(APIError):
    """The upstream failed; carries an OpenAI-shaped body and a metrics label."""

    def __init__(self, status: int, message: str, kind: str, code: str | None = None) -> None:
        super().__init__(status, message, code=code or kind)
        self.kind = kind


def uses_direct(d: ModelDeployment) -> bool:
    p = d.litellm_params
    if p.transport != "auto":
        return p.transport == "direct"
    return p.provider in OPENAI_COMPATIBLE and bool(p.api_base)


def _upstream_status(status: int) -> UpstreamError:
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

    def __init__(self, *, timeout: float, num_retries: int, retry_backoff: float) -> None:
        self.timeout = timeout
        self.num_retries = num_retries
        self.retry_backoff = retry_backoff
        self._timeout = aiohttp.ClientTimeout(total=None, connect=min(10.0, timeout),
                                              sock_read=timeout)
        self._http: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        #: Deployments whose api_base was rewritten at start-up (the built-in fake model).
        self.api_base_override: dict[str, str] = {}

    def _session(self) -> aiohttp.ClientSession:
        """One pooled session per event loop, made on first use (aiohttp needs a loop)."""
        loop = asyncio.get_running_loop()
        if self._http is None or self._loop is not loop or self._http.closed:
            self._http = aiohttp.ClientSession(
                timeout=self._timeout,
                connector=aiohttp.TCPConnector(limit=1000, limit_per_host=0, ttl_dns_cache=300))
            self._loop = loop
        return self._http

    async def aclose(self) -> None:
        if self._http is not None and not self._http.closed:
            await self._http.close()
        self._http = None

    def _base(self, d: ModelDeployment) -> str:
        return self.base_url(d, "https://api.openai.com/v1")

    def base_url(self, d: ModelDeployment, default: str) -> str:
        """The deployment's api_base (or the built-in fake model's), else `default`."""
        base = self.api_base_override.get(d.model_name) or d.litellm_params.api_base or default
        return base.rstrip("/")

    def _headers(self, d: ModelDeployment) -> dict[str, str]:
        key = d.litellm_params.resolved_api_key()
        headers = {"content-type": "application/json"}
        if key:
            headers["authorization"] = f"Bearer {key}"
        return headers

    async def _post(self, d: ModelDeployment, path: str, body: dict[str, Any]
                    ) -> aiohttp.ClientResponse:
        """POST `body` (serialised once, by orjson) to the deployment; transport failures
        become 504 / 502."""
        return await _connect(self._session().post(
            self._base(d) + path, data=orjson.dumps(body, default=str), headers=self._headers(d)))

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
        if uses_direct(d):
            return await self._retrying(lambda: self._open_direct(d, body), d.model_name)
        return await self._retrying(lambda: self._open_litellm(d, body), d.model_name)

    async def _open_direct(self, d: ModelDeployment, body: dict[str, Any]
                          ) -> AsyncIterator[dict[str, Any]]:
        resp = await self._post(d, "/chat/completions", body)
        if resp.status >= 400:
            await resp.read()  # unread, the connection could not go back to the pool
            resp.release()
            raise _upstream_status(resp.status)
        return self._direct_chunks(resp)

    async def _direct_chunks(self, resp: aiohttp.ClientResponse) -> AsyncIterator[dict[str, Any]]:
        complete = False
        try:
            async for batch in iter_sse_batches(resp.content.iter_any(), MAX_SSE_LINE):
                for obj in merge_deltas(batch):
                    if "error" in obj and "choices" not in obj:
                        raise UpstreamError(502, "upstream reported an error mid-stream",
                                            "upstream_stream_error")
                    yield obj
            complete = True
        except MalformedStream as exc:
            raise UpstreamError(502, str(exc), "upstream_malformed") from None
        except asyncio.TimeoutError:
            raise UpstreamError(504, "upstream timed out mid-stream", "upstream_timeout") from None
        except aiohttp.ClientError as exc:
            raise UpstreamError(502, f"upstream stream broke: {type(exc).__name__}",
                                "upstream_unreachable") from None
        finally:
            await _release(resp, complete)

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

    # -- native event streams (Responses, Messages) ---------------------------------------

    async def stream_events(self, d: ModelDeployment, url: str, body: dict[str, Any],
                            headers: dict[str, str]) -> AsyncIterator[list[dict[str, Any]]]:
        """POST `body` to an upstream that answers with typed SSE events (with retries
        before the first byte); returns the events, one list per network read."""
        return await self._retrying(lambda: self._open_events(url, body, headers), d.model_name)

    async def _open_events(self, url: str, body: dict[str, Any], headers: dict[str, str]
                           ) -> AsyncIterator[list[dict[str, Any]]]:
        resp = await _connect(self._session().post(
            url, data=orjson.dumps(body, default=str), headers=headers))
        if resp.status >= 400:
            await resp.read()
            resp.release()
            raise _upstream_status(resp.status)
        return self._event_batches(resp)

    async def _event_batches(self, resp: aiohttp.ClientResponse
                             ) -> AsyncIterator[list[dict[str, Any]]]:
        complete = False
        try:
            async for batch in iter_sse_batches(resp.content.iter_any(), MAX_SSE_LINE):
                yield batch
            complete = True
        except MalformedStream as exc:
            raise UpstreamError(502, str(exc), "upstream_malformed") from None
        except asyncio.TimeoutError:
            raise UpstreamError(504, "upstream timed out mid-stream", "upstream_timeout") from None
        except aiohttp.ClientError as exc:
            raise UpstreamError(502, f"upstream stream broke: {type(exc).__name__}",
                                "upstream_unreachable") from None
        finally:
            await _release(resp, complete)

    # -- embeddings ---------------------------------------------------------------------

    async def embeddings(self, d: ModelDeployment, body: dict[str, Any]) -> dict[str, Any]:
        body = {**body, "model": d.litellm_params.upstream_model}
        if uses_direct(d):
            return await self._retrying(lambda: self._embed_direct(d, body), d.model_name)
        return await self._retrying(lambda: self._embed_litellm(d, body), d.model_name)

    async def _embed_direct(self, d: ModelDeployment, body: dict[str, Any]) -> dict[str, Any]:
        async with await self._post(d, "/embeddings", body) as resp:
            if resp.status >= 400:
                raise _upstream_status(resp.status)
            return orjson.loads(await resp.read())

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
        return _upstream_status(status)
    if status == 429:
        return UpstreamError(429, "upstream rate limit reached", "upstream_rate_limited")
    if "APIConnectionError" in name or "ServiceUnavailable" in name or "InternalServer" in name:
        return UpstreamError(502, f"upstream unreachable: {name}", "upstream_unreachable")
    return UpstreamError(502, f"upstream error: {name}", "upstream_http_error")


async def _connect(send: Awaitable[aiohttp.ClientResponse]) -> aiohttp.ClientResponse:
    """Await an upstream request, mapping transport failures to 504 / 502."""
    try:
        return await send
    except asyncio.TimeoutError:
        raise UpstreamError(504, "upstream timed out", "upstream_timeout") from None
    except aiohttp.ClientError as exc:
        raise UpstreamError(502, f"upstream unreachable: {type(exc).__name__}",
                            "upstream_unreachable") from None


async def _release(resp: aiohttp.ClientResponse, complete: bool) -> None:
    """Give the connection back to the pool, or drop it if the stream was abandoned.

    After `[DONE]` the (empty) rest of the body is read first: a closed connection means a
    new TCP connection on the next call, which costs more than the call itself.
    """
    if complete and not resp.content.at_eof():
        try:
            await asyncio.wait_for(resp.content.read(), DRAIN_TIMEOUT)
        except (asyncio.TimeoutError, aiohttp.ClientError):
            pass
    if resp.content.at_eof():
        resp.release()
    else:
        resp.close()  # abandoned mid-stream: dropping the connection stops the upstream
