"""A body may hold at most `MAX_CONTAINERS` JSON objects and arrays: parsing builds one
Python object each on the event loop (4 MB of empty objects took ~120 ms). Bodies with more
bracket characters than that are counted in the offload process pool first."""

from __future__ import annotations

import json

import httpx

from keepgate.pipeline.procpool import ProcPool
from keepgate.proxy.body import MAX_CONTAINERS

CHAT = "/v1/chat/completions"


def _post(gw, raw: bytes) -> httpx.Response:
    with gw.http_client(timeout=120) as http:
        return http.post(
            CHAT,
            content=raw,
            headers={
                "authorization": f"Bearer {gw.master_key}",
                "content-type": "application/json",
            },
        )


def test_too_many_objects_is_a_400_counted_in_the_pool(gateway_factory) -> None:
    gw = gateway_factory()
    pool = gw.app.state.keepgate.services.get(ProcPool)
    raw = json.dumps(
        {
            "model": "demo",
            "messages": [{"role": "user", "content": "hi"}],
            "metadata": [{} for _ in range(MAX_CONTAINERS + 10)],
        }
    ).encode()
    r = _post(gw, raw)
    assert r.status_code == 400, r.text
    err = r.json()["error"]
    assert err["code"] == "invalid_request_body" and str(MAX_CONTAINERS) in err["message"]
    assert pool.tasks["json_containers"] == 1
    # The connection-level promise: the next request is served normally.
    ok = _post(
        gw,
        json.dumps(
            {
                "model": "demo",
                "messages": [{"role": "user", "content": "hi"}],
                "fake": {"reply": "fine"},
            }
        ).encode(),
    )
    assert ok.status_code == 200 and ok.json()["choices"][0]["message"]["content"] == "fine"


def test_brackets_inside_strings_do_not_count(gateway_factory) -> None:
    """Code full of braces is text: counted exactly in the pool, then served."""
    gw = gateway_factory()
    pool = gw.app.state.keepgate.services.get(ProcPool)
    code = "if (x) { y[i] = {}; }\n" * (MAX_CONTAINERS // 2)
    r = _post(
        gw,
        json.dumps(
            {
                "model": "demo",
                "messages": [{"role": "user", "content": code}],
                "fake": {"reply": "read"},
            }
        ).encode(),
    )
    assert r.status_code == 200, r.text
    assert r.json()["choices"][0]["message"]["content"] == "read"
    assert pool.tasks["json_containers"] == 1


def test_invalid_json_with_many_brackets_is_a_400(gateway_factory) -> None:
    gw = gateway_factory()
    r = _post(gw, b'{"model": "demo", "x": [' + b"[]," * (MAX_CONTAINERS + 1) + b"}")
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "invalid_json"


def test_without_a_pool_such_a_body_is_parsed_as_before(gateway_factory) -> None:
    gw = gateway_factory({"general_settings": {"offload": {"processes": 0}}})
    code = "{}" * (MAX_CONTAINERS + 10)
    r = _post(
        gw,
        json.dumps(
            {
                "model": "demo",
                "messages": [{"role": "user", "content": code}],
                "fake": {"reply": "read"},
            }
        ).encode(),
    )
    assert r.status_code == 200, r.text
