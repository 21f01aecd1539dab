"""Bad input, bad keys, unknown models and upstream failures get OpenAI-shaped errors."""

from __future__ import annotations

import gzip
import zlib

import httpx
import openai
import pytest

from keepgate.auth.keys import hash_key


def _post(gw, body: bytes | str, key: str | None = None, **headers: str) -> httpx.Response:
    return gw.http.post(
        "/v1/chat/completions",
        content=body,
        headers={
            "authorization": f"Bearer {key or gw.master_key}",
            "content-type": "application/json",
            **headers,
        },
    )


def _assert_openai_error(r: httpx.Response, status: int, code: str) -> dict:
    assert r.status_code == status, r.text
    err = r.json()["error"]
    assert set(err) >= {"message", "type", "code", "param"}
    assert err["code"] == code
    return err


def test_malformed_json(gateway):
    _assert_openai_error(_post(gateway, b"{not json"), 400, "invalid_json")


def test_non_object_body(gateway):
    _assert_openai_error(_post(gateway, b"[1, 2]"), 400, "invalid_request_body")


def test_a_compressed_body_is_refused_clearly(gateway):
    """A gzip body used to fail as 'not valid JSON: ... surrogates not allowed', which sends
    a careless client hunting for an encoding bug in its JSON (red team, 2026-12-07)."""
    body = b'{"model": "demo", "messages": [{"role": "user", "content": "hi"}]}'
    for encoding, data in (("gzip", gzip.compress(body)), ("deflate", zlib.compress(body))):
        err = _assert_openai_error(
            _post(gateway, data, **{"content-encoding": encoding}),
            415,
            "unsupported_content_encoding",
        )
        assert encoding in err["message"] and err["type"] == "invalid_request_error"
    assert _post(gateway, body, **{"content-encoding": "identity"}).status_code == 200


def test_missing_messages(gateway):
    err = _assert_openai_error(
        _post(gateway, '{"model": "demo"}'), 400, "missing_required_parameter"
    )
    assert err["param"] == "messages"


def test_body_over_limit(gateway_factory):
    gw = gateway_factory({"general_settings": {"max_body_bytes": 2048}})
    big = '{"model": "demo", "messages": [{"role": "user", "content": "' + "a" * 4096 + '"}]}'
    _assert_openai_error(_post(gw, big), 413, "request_too_large")


def test_body_over_limit_chunked_without_length(gateway_factory):
    gw = gateway_factory({"general_settings": {"max_body_bytes": 2048}})

    def gen():
        yield b'{"model": "demo", "messages": [{"role": "user", "content": "'
        for _ in range(10):
            yield b"a" * 1024
        yield b'"}]}'

    r = gw.http.post(
        "/v1/chat/completions", content=gen(), headers={"authorization": f"Bearer {gw.master_key}"}
    )
    _assert_openai_error(r, 413, "request_too_large")


def test_unknown_model_is_404(gateway):
    with pytest.raises(openai.NotFoundError) as exc:
        gateway.client().chat.completions.create(
            model="gpt-nope", messages=[{"role": "user", "content": "x"}]
        )
    assert exc.value.body["code"] == "model_not_found"


def test_missing_and_bad_key(gateway):
    r = gateway.http.post("/v1/chat/completions", json={"model": "demo", "messages": []})
    _assert_openai_error(r, 401, "invalid_api_key")
    with pytest.raises(openai.AuthenticationError):
        gateway.client(key="sk-wrong").chat.completions.create(
            model="demo", messages=[{"role": "user", "content": "x"}]
        )


def test_virtual_key_and_model_allowlist(gateway_factory):
    gw = gateway_factory(
        {"keys": [{"key_id": "alice", "key": "sk-alice-123456", "role": "dev", "models": ["demo"]}]}
    )
    client = gw.client("sk-alice-123456")
    assert (
        client.chat.completions.create(model="demo", messages=[{"role": "user", "content": "hi"}])
        .choices[0]
        .message.content
        == "hi"
    )
    # A model the key may not use answers exactly like one that does not exist: a key
    # cannot learn the gateway's model names by probing.
    with pytest.raises(openai.NotFoundError) as hidden:
        client.embeddings.create(model="demo-embedding", input="x")
    with pytest.raises(openai.NotFoundError) as missing:
        client.embeddings.create(model="no-such-model", input="x")
    assert hidden.value.body["code"] == missing.value.body["code"] == "model_not_found"
    assert hidden.value.body["message"].replace("demo-embedding", "M") == missing.value.body[
        "message"
    ].replace("no-such-model", "M")
    assert [m.id for m in client.models.list()] == ["demo"]


def test_upstream_5xx_is_502(gateway):
    with pytest.raises(openai.APIStatusError) as exc:
        gateway.client().chat.completions.create(
            model="demo",
            messages=[{"role": "user", "content": "x"}],
            extra_body={"fake": {"error": 500}},
        )
    assert exc.value.status_code == 502
    assert exc.value.body["code"] == "upstream_http_error"


def test_upstream_4xx_passes_status(gateway):
    with pytest.raises(openai.BadRequestError) as exc:
        gateway.client().chat.completions.create(
            model="demo",
            messages=[{"role": "user", "content": "x"}],
            extra_body={"fake": {"error": 400}},
        )
    assert exc.value.body["code"] == "upstream_rejected"


def test_upstream_unreachable_is_502_after_retries(gateway_factory):
    from tests.servers import free_port

    dead = f"http://127.0.0.1:{free_port()}/v1"
    gw = gateway_factory(
        {
            "model_list": [
                {"model_name": "demo", "litellm_params": {"model": "openai/demo", "api_base": dead}}
            ],
            "general_settings": {"num_retries": 2, "retry_backoff": 0.01},
        }
    )
    with pytest.raises(openai.APIStatusError) as exc:
        gw.client().chat.completions.create(
            model="demo", messages=[{"role": "user", "content": "x"}]
        )
    assert exc.value.status_code == 502
    assert "retry 2/2" in gw.log_text()


def test_upstream_timeout_is_504(gateway_factory):
    # The fake answers after 100 timeouts: the timeout fires first however slow the box, and
    # the fake's answer is done long before its server stops (a minute would hold its
    # graceful shutdown at the end of the session).
    gw = gateway_factory({"general_settings": {"request_timeout": 0.05}})
    with pytest.raises(openai.APIStatusError) as exc:
        gw.client().chat.completions.create(
            model="demo",
            messages=[{"role": "user", "content": "x"}],
            extra_body={"fake": {"delay_ms": 5_000}},
        )
    assert exc.value.status_code == 504


def test_malformed_upstream_stream(gateway):
    stream = gateway.client().chat.completions.create(
        model="demo",
        messages=[{"role": "user", "content": "x"}],
        stream=True,
        extra_body={"fake": {"malformed": True}},
    )
    with pytest.raises(openai.APIError) as exc:
        list(stream)
    assert "malformed" in str(exc.value)


def test_keys_never_logged(gateway_factory):
    gw = gateway_factory({"keys": [{"key_id": "bob", "key": "sk-bob-secret-value", "role": "dev"}]})
    gw.client("sk-bob-secret-value").chat.completions.create(
        model="demo", messages=[{"role": "user", "content": "hi"}]
    )
    with pytest.raises(openai.AuthenticationError):
        gw.client("sk-wrong-secret-value").models.list()
    logs = gw.log_text() + gw.audit_path.read_text()
    for secret in (
        "sk-bob-secret-value",
        "sk-wrong-secret-value",
        gw.master_key,
        hash_key("sk-bob-secret-value"),
    ):
        assert secret not in logs
    assert gw.audit_lines()[0]["key_id"] == "bob"


def test_unknown_route_is_openai_shaped(gateway):
    r = gateway.http.get("/v1/nope")
    _assert_openai_error(r, 404, "unknown_route")


@pytest.mark.real_http  # a socket-level property
def test_an_unexpected_error_is_a_500_that_keeps_the_connection(gateway_factory):
    """A bug is still a bug (500), but the client's keep-alive connection survives it:
    Starlette's last-resort handler would re-raise and the server would drop it."""
    from keepgate.pipeline import Call, Guard

    class Broken(Guard):
        name = "broken"

        async def check_request(self, call: Call) -> None:
            if "boom" in str(call.body["messages"][-1].get("content")):
                raise RuntimeError("a bug")

    gw = gateway_factory(extra_guards=[Broken()])
    with gw.http_client(base_url=gw.base_url, timeout=60) as client:
        auth = {"authorization": f"Bearer {gw.master_key}"}
        r = client.post(
            "/chat/completions",
            headers=auth,
            json={"model": "demo", "messages": [{"role": "user", "content": "boom"}]},
        )
        _assert_openai_error(r, 500, "internal_error")
        stream = r.extensions["network_stream"]
        ok = client.post(
            "/chat/completions",
            headers=auth,
            json={"model": "demo", "messages": [{"role": "user", "content": "fine"}]},
        )
        assert ok.status_code == 200
        assert ok.extensions["network_stream"] is stream  # the same connection


@pytest.mark.real_http  # a socket-level property
def test_a_body_that_never_finishes_is_a_408(gateway_factory):
    """A client that declares a body and stops sending (slow loris) held its connection and
    a coroutine for as long as it liked (red team round 2); now the body has
    `general_settings.body_timeout_s` to arrive. No time is asserted: only the answer."""
    import json
    import socket
    from urllib.parse import urlsplit

    # The body never finishes, so the timeout's length changes only how long this waits.
    gw = gateway_factory({"general_settings": {"body_timeout_s": 0.05}})
    where = urlsplit(gw.url)
    body = b'{"model": "demo", "messages": ['
    with socket.create_connection((where.hostname, where.port), timeout=60) as s:
        s.sendall(
            b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
            b"Authorization: Bearer " + gw.master_key.encode() + b"\r\n"
            b"Content-Type: application/json\r\nContent-Length: 4096\r\n\r\n" + body
        )
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
            piece = s.recv(65536)
            if not piece:
                break
            answer += piece
    head, _, payload = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408"), head
    assert json.loads(payload)["error"]["code"] == "request_timeout"
    assert gw.http.get("/healthz").status_code == 200
