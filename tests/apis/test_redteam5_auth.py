"""Red team round 5 (2026-12-07): a request that presents two keys. Auth took the first
`Authorization: Bearer` (else `api-key`, else `x-api-key`) while the refusal audit took the
last of each header: with `Authorization: Bearer <own key>` twice, the second a junk value,
a key's refused requests were audited under the junk value's hash, not its key id; and a
request with `Authorization` for one key and `x-api-key` for another was served as the
first, whatever a proxy in front had checked. Now two different keys are a 401 on every
route (OpenAI, Anthropic, MCP, /ui), and the audit names both by hash prefix. The official
SDKs over real HTTP; raw httpx where a header must repeat."""

from __future__ import annotations

from typing import Any

import anthropic
import httpx
import openai
import pytest

from keepgate.auth.keys import hash_key
from tests.conftest import Gateway

ALICE = "sk-redteam5-alice-0001"
BOB = "sk-redteam5-bob-0002"
MESSAGES: Any = [{"role": "user", "content": "hello"}]


@pytest.fixture
def gw(gateway_factory: Any) -> Gateway:
    return gateway_factory(
        {
            "keys": [
                {"key_id": "alice", "key": ALICE, "role": "user"},
                {"key_id": "bob", "key": BOB, "role": "admin"},
            ],
            "mcp_servers": {"demo": {"url": "http://127.0.0.1:9/mcp"}},
            "mcp": {"store": {"backend": "memory"}},
        },
        real_http=True,
    )


def test_bearer_and_x_api_key_for_two_keys_is_a_401(gw: Gateway) -> None:
    client = gw.client(ALICE, default_headers={"x-api-key": BOB})
    with pytest.raises(openai.AuthenticationError) as info:
        client.chat.completions.create(model="demo", messages=MESSAGES)
    assert "More than one API key" in str(info.value)


def test_the_anthropic_route_refuses_two_keys(gw: Gateway) -> None:
    """`x-api-key` (what the Anthropic SDK sends) and a Bearer for another key. (The SDK
    itself sends one: given an `Authorization` header it leaves `x-api-key` out.)"""
    body = {"model": "demo", "max_tokens": 10, "messages": MESSAGES}
    both = {"x-api-key": ALICE, "authorization": f"Bearer {BOB}"}
    with httpx.Client(base_url=gw.url, timeout=60) as http:
        r = http.post("/v1/messages", json=body, headers=both)
    assert r.status_code == 401, r.text
    assert r.json()["type"] == "error"  # Anthropic's error shape
    client = anthropic.Anthropic(base_url=gw.url, api_key=ALICE, max_retries=0)
    assert client.messages.create(model="demo", max_tokens=10, messages=MESSAGES).content


def test_one_key_in_several_headers_is_that_key(gw: Gateway) -> None:
    client = gw.client(ALICE, default_headers={"x-api-key": ALICE})
    r = client.chat.completions.create(model="demo", messages=MESSAGES)
    assert r.choices[0].message.content


def test_a_repeated_authorization_header_cannot_hide_the_key_from_the_audit(gw: Gateway) -> None:
    junk = "sk-redteam5-junk"
    headers = [("authorization", f"Bearer {ALICE}"), ("authorization", f"Bearer {junk}")]
    with httpx.Client(base_url=gw.url, timeout=60) as http:
        r = http.post(
            "/v1/chat/completions", json={"model": "demo", "messages": []}, headers=headers
        )
    assert r.status_code == 401
    line = [a for a in gw.audit_lines() if a.get("http_status") == 401][-1]
    assert "key_id" not in line
    assert line["key_hash_prefixes"] == [
        hash_key(ALICE)[: len(line["key_hash_prefixes"][0])],
        hash_key(junk)[: len(line["key_hash_prefixes"][0])],
    ]


@pytest.mark.parametrize("path", ["/ui/api/mcp/approvals", "/v1/models"])
def test_other_routes_refuse_two_keys(gw: Gateway, path: str) -> None:
    headers = {"authorization": f"Bearer {BOB}", "x-api-key": ALICE}
    with httpx.Client(base_url=gw.url, timeout=60) as http:
        r = http.get(path, headers=headers)
        alone = http.get(path, headers={"authorization": f"Bearer {BOB}"})
    assert r.status_code == 401, r.text
    assert alone.status_code == 200


def test_the_mcp_endpoint_refuses_two_keys(gw: Gateway) -> None:
    ping = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
    accept = {"accept": "application/json, text/event-stream"}
    with httpx.Client(base_url=gw.url, timeout=60) as http:
        r = http.post(
            "/mcp",
            json=ping,
            headers={**accept, "authorization": f"Bearer {BOB}", "x-api-key": ALICE},
        )
    assert r.status_code == 401, r.text
