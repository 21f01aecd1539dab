"""The in-process transport (tests/inprocess.py) honours the client's read timeout: an app
that never answers, or stops sending mid-stream, fails the request with httpx's
`ReadTimeout` as a socket would, instead of leaving the xdist worker asleep for good
(a full-suite run once sat at 91 % with both workers idle). Each request runs in a daemon
thread joined with a bound (`HANG_S`): without the timeout the join gives up, and the test
fails instead of hanging."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import threading
from collections.abc import Callable

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from tests.inprocess import BASE_URL, AppHost

#: A bound on a hang, not a measured delay: the requests below time out after 0.2 s.
HANG_S = 60


async def _never(request: Request) -> Response:
    await asyncio.Event().wait()
    raise AssertionError("unreachable")


async def _one_chunk_then_nothing(request: Request) -> StreamingResponse:
    async def body() -> AsyncIterator[bytes]:
        yield b"data: first\n\n"
        await asyncio.Event().wait()

    return StreamingResponse(body(), media_type="text/event-stream")


@pytest.fixture(scope="module")
def host():
    app = Starlette(routes=[Route("/never", _never), Route("/stalls", _one_chunk_then_nothing)])
    h = AppHost(app).start()
    yield h
    h.stop()


def _sync_get(host: AppHost, path: str) -> list[bytes]:
    with httpx.Client(transport=host.sync_transport(), base_url=BASE_URL, timeout=0.2) as c:
        with c.stream("GET", path) as r:
            return list(r.iter_raw())


async def _async_get(host: AppHost, path: str) -> list[bytes]:
    transport = host.async_transport()
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL, timeout=0.2) as c:
        async with c.stream("GET", path) as r:
            return [chunk async for chunk in r.aiter_raw()]


def _raised(request: Callable[[], object]) -> BaseException | None:
    """What `request()` raised, run in a daemon thread joined at most HANG_S."""
    found: list[BaseException | None] = []

    def call() -> None:
        try:
            request()
            found.append(None)
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            found.append(exc)

    thread = threading.Thread(target=call, daemon=True)
    thread.start()
    thread.join(HANG_S)
    assert found, f"the request hung (no answer after {HANG_S} s)"
    return found[0]


@pytest.mark.parametrize("path", ["/never", "/stalls"])
def test_a_sync_client_gets_a_read_timeout(host: AppHost, path: str) -> None:
    assert isinstance(_raised(lambda: _sync_get(host, path)), httpx.ReadTimeout)


@pytest.mark.parametrize("path", ["/never", "/stalls"])
def test_an_async_client_gets_a_read_timeout(host: AppHost, path: str) -> None:
    exc = _raised(lambda: asyncio.run(_async_get(host, path)))
    assert isinstance(exc, httpx.ReadTimeout)
