"""`McpFront` (keepgate.mcp.endpoint) hands `/mcp` and `/mcp/{server}` requests to the
endpoint without Starlette's route walk: the endpoint must see the scope the router gave
it, and clients the same answers. Two gateways over real HTTP, one with the front switched
off (every request through the router), the same requests to both: answers compared, and
the Starlette keys of the scope each endpoint call saw."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from keepgate.mcp.endpoint import McpFront
from tests.mcp.conftest import KEYS, start_gateway
from tests.mcp.test_mcp_fastpath import PV, _same, call

pytestmark = pytest.mark.slow


def _front(app: Any) -> McpFront:
    node = app.middleware_stack
    while not isinstance(node, McpFront):
        node = node.app
    return node


@pytest.fixture(scope="module")
def pair(
    fake_model_url: str, demo_upstream: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    cfg = {
        "keys": [{"key_id": "dev", "key": KEYS["dev"], "role": "developer"}],
        "guards": {"policy": {"enabled": True}},
        "mcp_servers": {"demo": {"url": demo_upstream.url + "/mcp"}},
        "mcp": {"store": {"backend": "memory"}},
    }
    front = start_gateway(fake_model_url, tmp_path_factory.mktemp("front"), cfg)
    router = start_gateway(fake_model_url, tmp_path_factory.mktemp("router"), copy.deepcopy(cfg))
    seen: dict[str, list[dict[str, Any]]] = {"front": [], "router": []}
    for name, gw in (("front", front), ("router", router)):
        gw.http.get("/healthz")  # the app's middleware is built at the first request
        f = _front(gw.app)
        if name == "router":
            f._checked, f._routes = True, None  # off: the router takes every request
        mcp = f.mcp
        inner = mcp._guarded

        async def spy(
            scope: Any, receive: Any, send: Any, fn: Any, _n=name, _i=inner, _app=gw.app
        ) -> None:
            route = scope.get("route")
            seen[_n].append(
                {
                    "path": getattr(route, "path", None),
                    "endpoint": type(scope.get("endpoint")).__name__,
                    "path_params": dict(scope.get("path_params", {})),
                    "router": scope.get("router") is _app.router,
                    "handlers": "starlette.exception_handlers" in scope,
                }
            )
            await _i(scope, receive, send, fn)

        mcp._guarded = spy
    yield {"front": front, "router": router, "seen": seen}
    front.stop()
    router.stop()


HEADERS = {
    "Authorization": f"Bearer {KEYS['dev']}",
    "Accept": "application/json, text/event-stream",
    "Content-Type": "application/json",
    "MCP-Protocol-Version": PV,
    "Mcp-Method": "tools/call",
    "Mcp-Name": "read_file",
    "x-keepgate-session": "front",
}

REQUESTS: list[tuple[str, str, dict[str, Any] | None, dict[str, str]]] = [
    ("POST", "/mcp/demo", call(), HEADERS),
    ("POST", "/mcp", call(name="demo__read_file"), {**HEADERS, "Mcp-Name": "demo__read_file"}),
    ("POST", "/mcp/nowhere", call(), HEADERS),
    ("POST", "/mcp/demo", call(), {**HEADERS, "Authorization": "Bearer wrong"}),
    ("POST", "/mcp/demo", call(), {k: v for k, v in HEADERS.items() if k != "Authorization"}),
    ("GET", "/mcp/demo", None, HEADERS),
    ("DELETE", "/mcp", None, HEADERS),
    ("POST", "/mcp/sse", call(), HEADERS),
    ("POST", "/mcp/", call(), HEADERS),
    ("POST", "/mcp//demo", call(), HEADERS),
    ("POST", "/mcp/demo/", call(), HEADERS),
    ("POST", "/mcp/de%2Fmo", call(), HEADERS),
    ("POST", "/mcp/de%20mo", call(), HEADERS),
    ("POST", "/mcp/demo/messages/", call(), HEADERS),
    ("POST", "/mcpx", call(), HEADERS),
]


@pytest.mark.parametrize(("method", "path", "body", "headers"), REQUESTS)
def test_the_same_answer_and_scope_with_and_without_the_front(
    pair: dict[str, Any],
    method: str,
    path: str,
    body: dict[str, Any] | None,
    headers: dict[str, str],
) -> None:
    seen = pair["seen"]
    before = {k: len(v) for k, v in seen.items()}
    answers = []
    for name in ("front", "router"):
        gw = pair[name]
        content = httpx.Request("POST", "http://x", json=body).content if body else None
        answers.append(gw.http.request(method, path, headers=headers, content=content, timeout=60))
    a, b = _same(*answers)
    assert a == b
    assert seen["front"][before["front"] :] == seen["router"][before["router"] :]


def test_the_front_takes_the_plain_paths(pair: dict[str, Any]) -> None:
    """Without this the comparison above would pass with the front never used."""
    f = _front(pair["front"].app)
    assert f._routes is not None
    body = httpx.Request("POST", "http://x", json=call()).content
    answer = pair["front"].http.post("/mcp/demo", headers=HEADERS, content=body, timeout=60)
    assert answer.status_code == 200
    last = pair["seen"]["front"][-1]
    assert last == {
        "path": "/mcp/{server}",
        "endpoint": "_Asgi",
        "path_params": {"server": "demo"},
        "router": True,
        "handlers": True,
    }


def test_the_front_handles_exceptions_as_the_apps_exception_middleware(
    pair: dict[str, Any],
) -> None:
    f = _front(pair["front"].app)
    assert f._handled is not None and f._handled is not f.app

    def same(handlers: dict[Any, Any]) -> dict[Any, Any]:
        # Starlette's own HTTPException handlers are methods of each middleware instance.
        return {k: getattr(v, "__func__", v) for k, v in handlers.items()}

    assert same(f._handled._exception_handlers) == same(f.app._exception_handlers)
    assert same(f._handled._status_handlers) == same(f.app._status_handlers)
    assert len(f._handled._exception_handlers) > 2  # the app's own handlers are there too
    assert f._handled.debug == f.app.debug


@pytest.mark.parametrize(
    ("path", "root_path"),
    [
        ("/mcp/demo", ""),
        ("/api/mcp/demo", "/api"),
        ("/api", "/api"),
        ("/apimcp", "/api"),
        ("/other/mcp", "/api"),
        ("/api/", "/api"),
    ],
)
def test_the_route_path_is_starlettes(path: str, root_path: str) -> None:
    from starlette._utils import get_route_path

    from keepgate.mcp.endpoint import _route_path

    scope = {"type": "http", "path": path, "root_path": root_path}
    assert _route_path(scope) == get_route_path(scope)
