"""Fixtures the agent tests share."""

from __future__ import annotations

import pytest

from tests.agent.agent_support import web_app
from tests.servers import ThreadServer


@pytest.fixture(scope="module")
def web():
    """A local web server for the http_get tool: (server, state of what it was asked)."""
    state: dict = {}
    server = ThreadServer(web_app(state)).start()
    yield server, state
    # Requests still hanging end now: the server's stop would wait out its 2 s grace for them.
    state["hang_ok"] = True
    released = state.get("released")
    if released is not None and server.loop is not None:
        server.loop.call_soon_threadsafe(released.set)
    server.stop()
