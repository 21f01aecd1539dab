"""The OPA server backend: the gateway pushes policies/ and data over OPA's REST API and asks
it for every decision, through opa-python-client.

The server is `tests.opa_server` over real HTTP, evaluating with the real OPA
engine (opa-golib-python-bindings) when installed. Set KEEPGATE_TEST_OPA_URL to a running
`opa run --server` to run the same tests against OPA itself.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import openai
import pytest

from keepgate.policy.bundle import DEFAULT_POLICY_DIR, PolicyLoadError
from tests.opa_server import OpaTestServer
from tests.servers import ThreadServer, free_port

KEYS = [{"key_id": "alice", "key": "sk-alice", "role": "user"}]
TOOLS = [
    {"type": "function", "function": {"name": n, "parameters": {"type": "object"}}}
    for n in ("search", "send_email")
]


@pytest.fixture
def opa_server(request):
    """The stand-in server; tests marked with `indirect` params pick its engine."""
    server = OpaTestServer(getattr(request, "param", None))
    thread = ThreadServer(server.app()).start()
    yield server, thread
    thread.stop()


@pytest.fixture
def opa_url(opa_server) -> str:
    return os.environ.get("KEEPGATE_TEST_OPA_URL") or opa_server[1].url


def opa_gateway(gateway_factory, url: str, **extra):
    policy = {
        "enabled": True,
        "engine": "opa",
        "hot_reload": False,
        # 30 s (the most allowed): a bound on a hang; a slow box is not a slow OPA.
        "opa": {"url": url, "timeout": 30, **extra.pop("opa", {})},
        **extra,
    }
    return gateway_factory({"keys": KEYS, "guards": {"policy": policy}})


def tool_call(client: openai.OpenAI, name: str, args: dict, call_id: str):
    return client.chat.completions.create(
        model="demo",
        messages=[{"role": "user", "content": "go"}],
        tools=TOOLS,
        extra_body={"fake": {"tool_calls": [{"id": call_id, "name": name, "arguments": args}]}},
    )


@pytest.mark.parametrize("opa_server", [None, "regorus"], indirect=True)
def test_decisions_come_from_the_opa_server(gateway_factory, opa_server, opa_url):
    gw = opa_gateway(gateway_factory, opa_url)
    client = gw.client("sk-alice")
    ok = tool_call(client, "send_email", {"to": "bob@example.com"}, "call_o1")
    assert [t.function.name for t in ok.choices[0].message.tool_calls] == ["send_email"]
    denied = tool_call(client, "send_email", {"to": "eve@evil.com"}, "call_o2")
    assert denied.choices[0].message.tool_calls is None
    assert "outside the allowed domains" in denied.choices[0].message.content
    if not os.environ.get("KEEPGATE_TEST_OPA_URL"):
        server = opa_server[0]
        assert server.queries == 2
        # The gateway pushed every module of policies/ and the YAML data under data.keepgate.
        shipped = {
            p.name
            for p in (DEFAULT_POLICY_DIR / "toolcall").glob("*.rego")
            if not p.name.endswith("_test.rego")
        }
        assert {Path(pid).name for pid in server.policies} == shipped
        assert "send_email" in server.data["keepgate"]["tools"]
    assert _get(gw, "/readyz")["checks"]["guard:policy"]["ok"] is True


def test_opa_stopped_fails_closed(gateway_factory):
    server = OpaTestServer()
    thread = ThreadServer(server.app()).start()
    gw = opa_gateway(gateway_factory, thread.url, on_deny="reject")
    client = gw.client("sk-alice")
    assert tool_call(client, "search", {"q": "x"}, "call_a").choices[0].message.tool_calls
    thread.stop()
    with pytest.raises(openai.PermissionDeniedError) as err:
        tool_call(client, "search", {"q": "x"}, "call_b")
    assert err.value.body["code"] == "tool_call_denied"
    assert "policy.opa_unavailable" in err.value.body["message"]
    verdict = [v for v in gw.audit_lines()[-1]["verdicts"] if v["guard"] == "policy"][0]
    assert verdict["decision"] == "error" and verdict["rule"] == "policy.opa_unavailable"
    ready = _get(gw, "/readyz", ok=False)
    assert ready["status"] == "not_ready"
    assert ready["checks"]["guard:policy"]["ok"] is False
    assert (
        "OPA server unhealthy" in ready["checks"]["guard:policy"]["detail"]
        or "OPA server unreachable" in ready["checks"]["guard:policy"]["detail"]
    )
    assert thread.url not in str(ready)  # no addresses in the readiness body


def test_opa_restarted_empty_gets_the_policies_again(gateway_factory):
    """push mode: an OPA that restarts with no policies is re-uploaded on the next decision."""
    first = ThreadServer(OpaTestServer().app()).start()
    gw = opa_gateway(gateway_factory, first.url)
    client = gw.client("sk-alice")
    assert tool_call(client, "search", {"q": "x"}, "call_r1").choices[0].message.tool_calls
    first.stop()
    fresh = OpaTestServer()
    second = ThreadServer(fresh.app(), port=first.port).start()
    try:
        assert not fresh.policies
        res = tool_call(client, "search", {"q": "x"}, "call_r2")
        assert [t.function.name for t in res.choices[0].message.tool_calls] == ["search"]
        assert fresh.policies and "keepgate" in fresh.data
        assert "uploading the policies again" in gw.log_text()
    finally:
        second.stop()


def test_opa_unreachable_fail_open_when_configured(gateway_factory):
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    gw = opa_gateway(gateway_factory, url, fail_open=True)
    raw = gw.client("sk-alice").chat.completions.with_raw_response.create(
        model="demo",
        messages=[{"role": "user", "content": "go"}],
        tools=TOOLS,
        extra_body={
            "fake": {"tool_calls": [{"id": "call_fo", "name": "search", "arguments": {"q": "x"}}]}
        },
    )
    assert raw.parse().choices[0].message.tool_calls  # released: configured to fail open
    assert raw.headers["x-keepgate-policy"] == "search=error"
    verdict = [v for v in gw.audit_lines()[-1]["verdicts"] if v["guard"] == "policy"][0]
    assert verdict["decision"] == "error" and verdict["detail"]["fail_open"] is True


def test_a_connection_closed_before_the_client_saw_it_is_retried_once(opa_server):
    """OPA closes the pooled connection while the gateway's loop is busy: the next decision
    goes out on the dead connection (the client has not read the close yet), fails, and is
    asked once more on a fresh one (OpaServerEngine._query), not denied."""
    import asyncio

    from keepgate.policy.bundle import load_bundle
    from keepgate.policy.remote import OpaServerEngine

    server, thread = opa_server

    async def go():
        engine = OpaServerEngine(thread.url, timeout=60)  # a bound on a hang only
        try:
            await engine.load(load_bundle([DEFAULT_POLICY_DIR]))
            first = await engine.decide(_input("search", {"q": "x"}))
            # Blocks this loop until OPA's side is closed: the client cannot notice before
            # its next request is written.
            assert thread.close_idle_connections() == 1
            return first, await engine.decide(_input("search", {"q": "y"}))
        finally:
            await engine.aclose()

    first, second = asyncio.run(go())
    assert first.allow and second.allow, second
    assert server.queries == 2


def test_slow_opa_times_out_closed(gateway_factory, opa_server):
    server, thread = opa_server
    gw = opa_gateway(gateway_factory, thread.url, opa={"timeout": 0.2})
    client = gw.client("sk-alice")
    tool_call(client, "search", {"q": "warm-up"}, "call_w")  # policies pushed
    server.hold.set()  # OPA answers nothing until the test is done
    try:
        msg = tool_call(client, "search", {"q": "x"}, "call_t").choices[0].message
    finally:
        server.hold.clear()
    assert msg.tool_calls is None and "did not answer in time" in msg.content


@pytest.mark.parametrize("opa_server", [None, "regorus"], indirect=True)
def test_server_rejects_bad_rego_with_location(opa_server):
    """The stand-in answers like OPA: 400, and the error names file, row and column."""
    import requests

    _, thread = opa_server
    bad = "package x\n\nimport rego.v1\n\nallow if {\n\tinput.a ==\n}\n"
    r = requests.put(thread.url + "/v1/policies/bad.rego", data=bad, timeout=60)
    assert r.status_code == 400
    err = r.json()["errors"][0]
    assert err["code"] == "rego_parse_error"
    assert err["location"]["file"] == "bad.rego" and err["location"]["row"] == 7
    assert err["location"]["col"] >= 1
    good = "package x\n\nimport rego.v1\n\nallow if input.a == 1\n"
    assert requests.put(thread.url + "/v1/policies/x.rego", data=good, timeout=60).ok
    q = requests.post(thread.url + "/v1/data/x/allow", json={"input": {"a": 1}}, timeout=60)
    assert q.json() == {"result": True}
    undefined = requests.post(thread.url + "/v1/data/x/nope", json={"input": {}}, timeout=60)
    assert undefined.json() == {}


def test_bad_policy_fails_startup_naming_file_and_line(gateway_factory, tmp_path, opa_url):
    policies = tmp_path / "policies"
    shutil.copytree(DEFAULT_POLICY_DIR, policies)
    broken = policies / "toolcall" / "roles.rego"
    lines = broken.read_text().splitlines()
    n = lines.index('role := object.get(input, ["principal", "role"], "")')
    lines[n] = "role := input.principal.role in"  # an unfinished expression
    broken.write_text("\n".join(lines) + "\n")
    for engine in ("embedded", "opa"):
        with pytest.raises(PolicyLoadError) as err:
            gateway_factory(
                {
                    "keys": KEYS,
                    "guards": {
                        "policy": {
                            "enabled": True,
                            "engine": engine,
                            "policy_dirs": [str(policies)],
                            "opa": {"url": opa_url},
                        }
                    },
                }
            )
        # The parser stops at the next rule's `default`: file, line and column are named.
        assert f"{broken}:{n + 3}:1: unexpected keyword `default`" in str(err.value)


def _get(gw, path: str, ok: bool = True) -> dict:
    r = gw.http.get(path, timeout=60)
    assert r.is_success is ok, r.text
    return r.json()


def test_decision_documents_agree_over_rest(opa_server):
    """opa-python-client's raw answer for an allowed and a denied input, as the engine uses it."""
    import asyncio

    from keepgate.policy.bundle import load_bundle
    from keepgate.policy.remote import OpaServerEngine

    server, thread = opa_server

    async def go():
        engine = OpaServerEngine(thread.url, timeout=60)
        try:
            await engine.load(load_bundle([DEFAULT_POLICY_DIR]))
            inp = json.loads(json.dumps(_input("search", {"q": "x"})))
            allow = await engine.decide(inp)
            deny = await engine.decide(_input("send_email", {"to": "a@evil.com"}))
            return allow, deny
        finally:
            await engine.aclose()

    allow, deny = asyncio.run(go())
    assert allow.allow and allow.outcome == "allow"
    assert not deny.allow and deny.rule == "args.email_domain_not_allowed"


def _input(name: str, args: dict) -> dict:
    from keepgate.policy.inputs import build_policy_input

    return build_policy_input(
        {"key_id": "k", "role": "user"}, name, json.dumps(args), model="demo", call_id="c1"
    )


def test_idle_connection_closed_by_opa_is_not_a_deny(gateway_factory):
    """OPA (like any server) drops idle keep-alive connections; later decisions still work.
    The server closes the gateway's idle connections after each decision, before the next
    (as its idle timeout would; no sleep racing one). The race where the server closes just
    as a request goes out: the next test."""
    server = OpaTestServer()
    thread = ThreadServer(server.app()).start()
    gw = opa_gateway(gateway_factory, thread.url)
    client = gw.client("sk-alice")
    try:
        for i in range(3):
            msg = tool_call(client, "search", {"q": "x"}, f"call_k{i}").choices[0].message
            assert msg.tool_calls, msg.content
            assert thread.close_idle_connections() >= 1  # the gateway's pooled connection
    finally:
        thread.stop()
