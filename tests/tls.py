"""One TLS context per test process for the clients tests make.

`httpx.Client()` (and so `openai.OpenAI()`) builds a fresh SSL context, loading the CA
bundle, on every call: ~28 ms of CPU, for clients that talk plain HTTP to a local gateway.
Each client stays its own (pool, base URL, key, headers); only the context is shared, and
nothing mutates it after it is made."""

from __future__ import annotations

import functools
import ssl
from typing import Any

import httpx
import openai


@functools.cache
def context() -> ssl.SSLContext:
    """httpx's default context (certifi's CAs), made once."""
    return httpx.create_ssl_context()


def http_client(**kw: Any) -> httpx.Client:
    kw.setdefault("verify", context())
    return httpx.Client(**kw)


def async_http_client(**kw: Any) -> httpx.AsyncClient:
    kw.setdefault("verify", context())
    return httpx.AsyncClient(**kw)


def openai_client(**kw: Any) -> openai.OpenAI:
    """`openai.OpenAI(**kw)` on its default HTTP client (timeouts, limits, redirects), less
    the per-client TLS context."""
    kw.setdefault("http_client", openai.DefaultHttpxClient(verify=context()))
    return openai.OpenAI(**kw)


def async_openai_client(**kw: Any) -> openai.AsyncOpenAI:
    kw.setdefault("http_client", openai.DefaultAsyncHttpxClient(verify=context()))
    return openai.AsyncOpenAI(**kw)
