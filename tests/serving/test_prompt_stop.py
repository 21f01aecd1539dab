"""`PromptServer` (keepgate/serving/prompt_stop.py): uvicorn's server, stopped when asked.

What its shutdown must keep from uvicorn's: a request in flight when the stop comes is
answered in full (graceful), an idle keep-alive connection does not hold the stop up, and
the lifespan shutdown runs. No time is asserted: only the order of events."""

from __future__ import annotations

import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from keepgate.serving.prompt_stop import PromptServer
from tests.servers import ThreadServer


def test_a_request_in_flight_is_answered_and_the_lifespan_ends() -> None:
    arrived, release, lifespan_ended = threading.Event(), threading.Event(), threading.Event()

    async def slow(request: Request) -> PlainTextResponse:
        arrived.set()
        while not release.is_set():  # released by the test once the stop has begun
            await _turn()
        return PlainTextResponse("done")

    async def fast(request: Request) -> PlainTextResponse:
        return PlainTextResponse("ok")

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        lifespan_ended.set()

    app = Starlette(routes=[Route("/slow", slow), Route("/fast", fast)], lifespan=lifespan)
    server = ThreadServer(app).start()
    assert isinstance(server.server, PromptServer)
    # A bound on a hang: the request must not be cut off by the grace period on a slow box.
    server.server.config.timeout_graceful_shutdown = 600
    idle = httpx.Client(base_url=server.url, timeout=60)
    assert idle.get("/fast").text == "ok"  # a keep-alive connection, idle from now on
    answers: list[httpx.Response] = []
    client = threading.Thread(
        target=lambda: answers.append(httpx.get(server.url + "/slow", timeout=60))
    )
    client.start()
    assert arrived.wait(60)
    server.server.request_exit()
    # The shutdown closes the idle connection and keeps the one with a request in flight.
    deadline = time.monotonic() + 60  # a bound on a hang, not a timing assert
    while len(server.server.server_state.connections) != 1:
        assert time.monotonic() < deadline, "the idle connection was not closed"
        time.sleep(0.001)
    assert not lifespan_ended.is_set()
    release.set()
    client.join(60)
    server.stop()
    idle.close()
    assert [(a.status_code, a.text) for a in answers] == [(200, "done")]
    assert lifespan_ended.is_set() and not server.thread.is_alive()


async def _turn() -> None:
    import asyncio

    await asyncio.sleep(0.001)
