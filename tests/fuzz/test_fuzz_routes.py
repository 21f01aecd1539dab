"""Fuzz every route: no 5xx but the documented upstream/guard ones, errors in the route's
shape, and the client's keep-alive connection usable after every request.

Two passes per run: a fixed seed (the same requests every run) and a random seed, printed
and written to the test report so a failure can be replayed with
`KEEPGATE_FUZZ_SEED=<seed> scripts/test tests/fuzz` (see docs/development.md).
"""

from __future__ import annotations

import collections
import os
import random
import re
from typing import Any
from urllib.parse import quote

import httpx
import orjson
import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from tests.conftest import Gateway
from tests.fuzz.conftest import DEV
from tests.fuzz.routes import KEYS, NOT_FUZZED, REGISTRY, WEIGHTED, RouteSpec

pytestmark = pytest.mark.slow(cpu_s=28)  # scheduled first: tests/conftest.py

FIXED_SEED = 20261206
#: Requests per pass; two passes per run (fixed + random seed) give >= 2,000.
EXAMPLES = int(os.environ.get("KEEPGATE_FUZZ_EXAMPLES", "1100"))

#: The 5xx a client may see, by status: upstream failures (docs/proxy.md) and guards that
#: fail closed. Anything else (500 above all) is a bug.
ALLOWED_5XX = {502: {"upstream_error"}, 503: {"service_unavailable"}, 504: {"timeout_error"}}


def _routes_of(app: Any) -> set[tuple[str, str]]:
    out = set()
    for route in app.router.routes:
        path = getattr(route, "path", None)
        if path is None:
            continue
        methods = getattr(route, "methods", None) or {"*"}
        out |= {(m, path) for m in methods if m != "HEAD"}
    return out


def test_every_route_is_registered(fuzz_gateway: Gateway) -> None:
    """A route the app serves but the registry does not know fails here: add it to
    tests/fuzz/routes.py (or to NOT_FUZZED with the reason)."""
    registered = {(r.method, r.path) for r in REGISTRY} | set(NOT_FUZZED)
    served = _routes_of(fuzz_gateway.app)
    missing = {
        (m, p)
        for m, p in served
        if (m, p) not in registered and not (m == "*" and any(q == p for _, q in registered))
    }
    assert not missing, f"routes without a fuzz entry: {sorted(missing)}"
    stale = {(m, p) for m, p in registered if (m, p) not in served and ("*", p) not in served}
    assert not stale, f"registry entries for routes the app does not serve: {sorted(stale)}"


class Fuzzer:
    """One keep-alive connection; every request checked as it comes back."""

    def __init__(self, gw: Gateway, live_run: str) -> None:
        self.gw = gw
        self.live_run = live_run
        # No idle expiry: httpx drops a connection idle for 5 s by default, and drawing the
        # next example can take that long on a loaded box (the check below would then fail).
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1, keepalive_expiry=None)
        self.client = gw.http_client(timeout=60, limits=limits)
        self.stream: Any = None
        self.sent = 0
        #: (status, error code) -> count: what the pass exercised, printed at its end.
        self.outcomes: collections.Counter[tuple[int, str]] = collections.Counter()

    def close(self) -> None:
        self.client.close()

    def path(self, spec: RouteSpec, data: st.DataObject) -> str:
        path = spec.path
        for name, strat in spec.params.items():
            value = data.draw(strat, label=name)
            if value == "@live":
                value = self.live_run
            path = re.sub(r"\{" + name + r"(:\w+)?\}", quote(value, safe="") or "x", path)
        return path

    def headers(self, spec: RouteSpec, key: str) -> dict[str, str]:
        h = {"content-type": "application/json", **spec.headers}
        token = {"master": self.gw.master_key, "dev": DEV, "bad": "sk-wrong-key"}.get(key)
        if token:
            h["authorization"] = f"Bearer {token}"
        return h

    def send(self, spec: RouteSpec, data: st.DataObject) -> httpx.Response:
        path = self.path(spec, data)
        key = data.draw(KEYS, label="key")
        body = data.draw(spec.body, label="body") if spec.body is not None else None
        resp = self.client.request(spec.method, path, content=body, headers=self.headers(spec, key))
        self.sent += 1
        self.check(spec, path, resp)
        return resp

    def check(self, spec: RouteSpec, path: str, resp: httpx.Response) -> None:
        where = f"{spec.method} {path} -> {resp.status_code}: {resp.text[:300]!r}"
        stream = resp.extensions.get("network_stream")
        if self.stream is None:
            self.stream = stream
        assert stream is self.stream, f"the keep-alive connection was dropped after {where}"
        assert resp.headers.get("connection", "").lower() != "close", where
        err = _json(resp).get("error") if resp.status_code >= 400 else None
        code = err.get("code") if isinstance(err, dict) else None
        self.outcomes[(resp.status_code, str(code or ""))] += 1
        if resp.status_code >= 500:
            assert (
                isinstance(err, dict)
                and err.get("type") in ALLOWED_5XX.get(resp.status_code, ())
                and code not in (None, "internal_error")
            ), f"unexpected 5xx: {where}"
        if resp.status_code >= 400:
            _check_shape(spec, resp, where)


def _json(resp: httpx.Response) -> dict[str, Any]:
    try:
        body = orjson.loads(resp.content)
    except orjson.JSONDecodeError:
        return {}
    return body if isinstance(body, dict) else {}


def _check_shape(spec: RouteSpec, resp: httpx.Response, where: str) -> None:
    body = _json(resp)
    if spec.shape == "html" and not body:
        assert resp.headers.get("content-type", "").startswith("text/html"), where
        return
    if spec.shape == "anthropic":
        assert body.get("type") == "error", where
        err = body.get("error") or {}
        assert isinstance(err.get("type"), str) and isinstance(err.get("message"), str), where
        return
    if spec.shape == "jsonrpc" and "jsonrpc" in body:
        err = body.get("error") or {}
        assert isinstance(err.get("code"), int) and isinstance(err.get("message"), str), where
        return
    err = body.get("error")
    assert isinstance(err, dict), f"not an OpenAI-shaped error: {where}"
    assert isinstance(err.get("message"), str) and isinstance(err.get("type"), str), where
    assert "code" in err and "param" in err, where
    assert err["type"] != "server_error", where


@pytest.fixture(scope="module")
def live_run(fuzz_gateway: Gateway) -> str:
    """A real run id, so the run routes get past their 404 now and then."""
    with httpx.Client(base_url=fuzz_gateway.url, timeout=60) as c:
        r = c.post(
            "/v1/agent/runs",
            json={"task": "hello", "model": "demo", "stream": False},
            headers={"authorization": f"Bearer {fuzz_gateway.master_key}"},
        )
    assert r.status_code == 200, r.text
    return r.json()["id"]


def _pass(gw: Gateway, live: str, the_seed: int) -> int:
    fuzzer = Fuzzer(gw, live)

    @settings(
        max_examples=EXAMPLES,
        database=None,
        deadline=None,
        derandomize=False,
        phases=[Phase.generate, Phase.shrink],
        print_blob=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(spec=st.sampled_from(WEIGHTED), data=st.data())
    def run(spec: RouteSpec, data: st.DataObject) -> None:
        fuzzer.send(spec, data)
        # The same connection answers the next request, too.
        assert fuzzer.client.get("/healthz").status_code == 200

    try:
        seed(the_seed)(run)()
    finally:
        fuzzer.close()
    top = ", ".join(
        f"{st} {code or '-'}: {n}"
        for (st, code), n in sorted(fuzzer.outcomes.items(), key=lambda kv: -kv[1])[:12]
    )
    print(f"\n[fuzz] seed {the_seed}: {fuzzer.sent} requests; {top}")
    return fuzzer.sent


def test_fuzz_fixed_seed(
    fuzz_gateway: Gateway, live_run: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with capsys.disabled():
        sent = _pass(fuzz_gateway, live_run, FIXED_SEED)
    assert sent >= EXAMPLES


def test_fuzz_random_seed(
    fuzz_gateway: Gateway, live_run: str, record_property: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    the_seed = int(os.environ.get("KEEPGATE_FUZZ_SEED") or random.SystemRandom().randrange(2**32))
    record_property("fuzz_seed", the_seed)
    with capsys.disabled():
        print(f"\n[fuzz] random seed {the_seed} (replay: KEEPGATE_FUZZ_SEED={the_seed})")
        sent = _pass(fuzz_gateway, live_run, the_seed)
    assert sent >= EXAMPLES
