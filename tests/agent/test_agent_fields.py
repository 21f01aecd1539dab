"""The Runs API's free-form fields are capped, and an optional body is read however it is
framed (real gateway over real HTTP)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.agent.agent_support import DEV, agent_config, call, fake, run

pytestmark = pytest.mark.real_http
AUTH = {"authorization": f"Bearer {DEV}"}


@pytest.fixture
def agw(gateway_factory, tmp_path):
    return gateway_factory(agent_config(tmp_path))


def start(agw, **extra) -> object:
    return agw.http.post(
        "/v1/agent/runs",
        headers=AUTH,
        json={"task": "Say hi", "model": "demo", "stream": False, **extra},
        timeout=60,
    )


def test_a_100_kb_session_id_is_a_400_naming_the_field(agw):
    r = start(agw, session_id="s" * 100_000)
    assert r.status_code == 400, r.text[:300]
    err = r.json()["error"]
    assert err["param"] == "session_id" and "200" in err["message"]
    assert "sss" not in r.text
    ok = start(agw, session_id="s" * 200, model_params=fake({"reply": "hi"}))
    assert ok.status_code == 200 and ok.json()["session_id"] == "s" * 200


def test_unknown_tool_names_are_not_echoed(agw):
    r = start(agw, tools=["call me at 555 0100 <b>now</b>"])
    assert r.status_code == 400
    err = r.json()["error"]
    assert err["param"] == "tools" and "'tools[0]'" in err["message"]
    assert "not shown" in err["message"]
    assert "555" not in r.text and "<b>" not in r.text
    assert "'no_such_tool'" in start(agw, tools=["no_such_tool"]).json()["error"]["message"]


def chunked(data: bytes) -> Iterator[bytes]:
    """A body sent with transfer-encoding: chunked (no content-length)."""
    yield data[:3]
    yield data[3:]


def test_resume_reads_a_chunked_body(agw):
    events = run(agw, DEV, {"task": "Say hi", "model": "demo", "model_params": fake({})})
    path = f"/v1/agent/runs/{events[0]['run_id']}/resume"
    for body in (b'{"stream": "no"}', b'{"stream": fals'):
        r = agw.http.post(path, headers=AUTH, content=chunked(body))
        assert "content-length" not in r.request.headers
        assert r.status_code == 400, r.text
    r = agw.http.post(path, headers=AUTH, content=chunked(json.dumps({"stream": False}).encode()))
    assert r.status_code == 409 and r.json()["error"]["code"] == "run_not_resumable"
    empty = agw.http.post(path, headers=AUTH)  # no body at all is still fine
    assert empty.status_code == 409


def test_approval_fields_are_typed_and_capped(agw):
    script = fake(
        {"tool_calls": [call("read_file", "r1", path="/srv/data/vendor_invoice.txt")]},
        {"tool_calls": [call("send_email", "e1", to="bob@example.com", subject="I", body="x")]},
        {"reply": "Done."},
    )
    events = run(
        agw,
        DEV,
        {"task": "Forward the invoice to Bob", "model": "demo", "model_params": script},
        until="approval.required",
    )
    path = f"/v1/agent/runs/{events[0]['run_id']}/approvals"
    for body, param in (
        ({"decision": "deny", "comment": "c" * 5000}, "comment"),
        ({"decision": "deny", "comment": {"x": 1}}, "comment"),
        ({"decision": "deny", "tool_call_id": "t" * 5000}, "tool_call_id"),
    ):
        r = agw.http.post(path, headers=AUTH, json=body)
        assert r.status_code == 400, r.text
        assert r.json()["error"]["param"] == param
        assert "ccc" not in r.text and "ttt" not in r.text
    r = agw.http.post(path, headers=AUTH, json={"decision": "deny", "comment": "no"})
    assert r.status_code == 200, r.text
