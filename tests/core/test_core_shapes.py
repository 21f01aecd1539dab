"""Bad request shapes are 400s naming the field, never 500s (the causes the fuzz layer found,
kept here as plain regression tests), and an upstream's bad usage never breaks a call."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.slow(cpu_s=0.4)  # scheduled first: tests/conftest.py

MSG = [{"role": "user", "content": "hi"}]


def _post(gw, path: str, body: bytes | dict[str, Any]) -> httpx.Response:
    kw = {"content": body} if isinstance(body, bytes) else {"json": body}
    return gw.http.post(
        "/v1" + path,
        headers={"authorization": f"Bearer {gw.master_key}", "content-type": "application/json"},
        timeout=60,
        **kw,
    )


@pytest.mark.parametrize(
    "body,param",
    [
        (
            {"model": "demo", "messages": MSG, "stream": True, "stream_options": "x"},
            "stream_options",
        ),
        (
            {"model": "demo", "messages": MSG, "stream_options": {"include_usage": "yes"}},
            "stream_options.include_usage",
        ),
        (
            {
                "model": "demo",
                "messages": [{"role": "assistant", "content": None, "tool_calls": "x"}],
            },
            "messages[0].tool_calls",
        ),
        (
            {"model": "demo", "messages": [{"role": "assistant", "tool_calls": [5]}]},
            "messages[0].tool_calls[0]",
        ),
        (
            {
                "model": "demo",
                "messages": [
                    {
                        "role": "assistant",
                        "tool_calls": [{"id": "c", "type": "function", "function": "lookup"}],
                    }
                ],
            },
            "messages[0].tool_calls[0].function",
        ),
        ({"model": "demo", "messages": MSG, "max_tokens": -1}, "max_tokens"),
        ({"model": "demo", "messages": MSG, "stream": "true"}, "stream"),
        ({"model": "demo", "messages": [{"role": "wizard", "content": "hi"}]}, "messages[0].role"),
        ({"model": 5, "messages": MSG}, "model"),
        # text the input guard reads must be a string (red team, 2026-12-07: an object or a
        # list went to the upstream unscanned)
        (
            {
                "model": "demo",
                "messages": [{"role": "user", "content": [{"type": "text", "text": {"v": "x"}}]}],
            },
            "messages[0].content",
        ),
        (
            {
                "model": "demo",
                "messages": [
                    {
                        "role": "tool",
                        "tool_call_id": "c",
                        "content": [{"type": "text", "text": ["x"]}],
                    }
                ],
            },
            "messages[0].content",
        ),
    ],
)
def test_chat_shape_errors_name_the_field(gateway, body: dict[str, Any], param: str) -> None:
    r = _post(gateway, "/chat/completions", body)
    assert r.status_code == 400, r.text
    err = r.json()["error"]
    assert err["type"] == "invalid_request_error" and err["param"] == param, err


@pytest.mark.parametrize("value", [5, 1.5, True, [], [1, "a"], [[]], {"a": 1}])
def test_embeddings_input_of_the_wrong_type_is_400(gateway, value: Any) -> None:
    r = _post(gateway, "/embeddings", {"model": "demo-embedding", "input": value})
    assert r.status_code == 400, r.text
    assert r.json()["error"]["param"] == "input"


@pytest.mark.parametrize("value", ["hi", ["a", "b"], [1, 2, 3], [[1, 2], [3]]])
def test_embeddings_inputs_openai_accepts_still_work(gateway, value: Any) -> None:
    r = _post(gateway, "/embeddings", {"model": "demo-embedding", "input": value})
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("depth", [128, 255, 600, 1023])
def test_json_nested_deeper_than_the_gateway_writes_is_400(gateway, depth: int) -> None:
    deep = b"[" * depth + b"1" + b"]" * depth
    body = b'{"model": "demo", "messages": [{"role": "user", "content": "hi"}], "x": ' + deep + b"}"
    with gateway.http_client(base_url=gateway.base_url, timeout=60) as client:
        for _ in range(2):  # and the keep-alive connection still answers
            r = client.post(
                "/chat/completions",
                content=body,
                headers={"authorization": f"Bearer {gateway.master_key}"},
            )
            assert r.status_code == 400, r.text
            assert "nested too deeply" in r.json()["error"]["message"]


def test_json_nested_to_the_limit_is_read(gateway) -> None:
    deep = b"[" * 127 + b"1" + b"]" * 127  # with the body object: 128 levels, the limit
    body = b'{"model": "demo", "messages": [{"role": "user", "content": "hi"}], "x": ' + deep + b"}"
    r = _post(gateway, "/chat/completions", body)
    assert r.status_code == 200, r.text


def test_integer_beyond_64_bits_is_400(gateway) -> None:
    """orjson reads it as a float (1e30): not an integer, so the field's check refuses it."""
    r = _post(
        gateway, "/chat/completions", b'{"model": "demo", "messages": [], "n": 1' + b"0" * 30 + b"}"
    )
    assert r.status_code == 400, r.text


@pytest.mark.parametrize("stream", [False, True])
def test_negative_upstream_usage_is_clamped_and_audited(gateway_factory, stream: bool) -> None:
    gw = gateway_factory(
        {
            "general_settings": {"forward_unknown_fields": True},
            "guards": {
                "limits": {
                    "enabled": True,
                    # a key override may only set `defaults`
                    "keys": {"alice": {"defaults": {"usd_per_day": 5}}},
                }
            },
            "keys": [{"key_id": "alice", "key": "sk-alice-usage", "role": "dev"}],
        }
    )
    body = {
        "model": "demo",
        "messages": MSG,
        "stream": stream,
        "stream_options": {"include_usage": True} if stream else None,
        "fake": {"usage": {"prompt_tokens": -5, "completion_tokens": -7}},
    }
    r = gw.http.post(
        "/v1/chat/completions",
        json=body,
        timeout=60,
        headers={"authorization": "Bearer sk-alice-usage"},
    )
    assert r.status_code == 200, r.text
    if not stream:
        usage = r.json()["usage"]
        assert usage["prompt_tokens"] == 0 and usage["completion_tokens"] == 0
        assert float(r.headers["x-keepgate-cost-usd"]) == 0.0
    else:
        assert '"prompt_tokens":-' not in r.text and '"prompt_tokens": -' not in r.text
    metrics = gw.http.get("/metrics").text
    assert "keepgate_tokens_total" in metrics
    rec = _last_audit(gw)
    assert rec["upstream_usage_invalid"]["prompt_tokens"] == -5, rec
    assert rec["usage"] == {"prompt_tokens": 0, "completion_tokens": 0}


def _last_audit(gw) -> dict[str, Any]:
    import time

    deadline = time.monotonic() + 30  # a streamed call settles after its last byte
    while time.monotonic() < deadline:
        lines = [line for line in gw.audit_lines() if line.get("route") == "chat.completions"]
        if lines:
            return lines[-1]
        time.sleep(0.05)
    raise AssertionError("no audit record")
