"""The test kit's clients share one TLS context per process (building one costs ~28 ms of
CPU, on every `httpx.Client()` / `openai.OpenAI()`), and nothing else."""

from __future__ import annotations

import pytest

from tests import tls

pytestmark = pytest.mark.real_http


def test_real_http_clients_share_the_tls_context_but_not_their_state(gateway) -> None:
    a, b = gateway.client("sk-a"), gateway.client("sk-b", default_headers={"x-t": "b"})
    raw = gateway.http_client()
    contexts = {
        id(c._transport._pool._ssl_context)  # type: ignore[attr-defined]
        for c in (a._client, b._client, raw, gateway.async_client()._client)
    }
    assert contexts == {id(tls.context())}
    assert a._client is not b._client and a.api_key == "sk-a" and b.api_key == "sk-b"
    assert "x-t" not in a.default_headers and b.default_headers["x-t"] == "b"
    assert gateway.client().models.list().data  # real requests still go through
