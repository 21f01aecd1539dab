"""A uvicorn server that stops as soon as it is asked, for the servers run inside a process
that goes on (the demo's fake model and MCP upstream, the metrics listener, the tests').

uvicorn's `Server` looks at `should_exit` every 0.1 s, then its shutdown sleeps 0.1 s after
asking the connections to close and polls every 0.1 s until they and the tasks are done:
~0.2 s of doing nothing per stop, which the test suite paid ~100 times a run. `PromptServer`
wakes its main loop when `request_exit()` is called, and its shutdown takes the same steps
in the same order (stop accepting, close idle connections, let in-flight requests finish
within `timeout_graceful_shutdown`, then the lifespan shutdown), waiting for each condition
instead of for fixed sleeps.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Callable

import uvicorn

logger = logging.getLogger("uvicorn.error")


class PromptServer(uvicorn.Server):
    _wake: asyncio.Event | None = None
    _loop: asyncio.AbstractEventLoop | None = None

    def request_exit(self) -> None:
        """Stop serving (from any thread): `should_exit`, and the main loop woken now."""
        self.should_exit = True
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None:
            with contextlib.suppress(RuntimeError):  # the loop has already closed
                loop.call_soon_threadsafe(wake.set)

    async def main_loop(self) -> None:
        self._loop, self._wake = asyncio.get_running_loop(), asyncio.Event()
        counter = 0
        should_exit = await self.on_tick(counter)
        while not should_exit:
            counter = (counter + 1) % 864000
            # uvicorn's tick (the Date header, max-requests) stays at 0.1 s; an exit
            # request ends the wait at once.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(0.1):
                    await self._wake.wait()
            should_exit = await self.on_tick(counter)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        logger.info("Shutting down")
        for server in self.servers:
            server.close()
        for sock in sockets or []:
            sock.close()
        for connection in list(self.server_state.connections):
            connection.shutdown()
        try:
            async with asyncio.timeout(self.config.timeout_graceful_shutdown):
                await _until(lambda: not self.server_state.connections or self.force_exit)
                await _until(lambda: not self.server_state.tasks or self.force_exit)
                for server in self.servers:
                    await server.wait_closed()
        except TimeoutError:
            logger.error(
                "Cancel %s running task(s), timeout graceful shutdown exceeded",
                len(self.server_state.tasks),
            )
            for t in self.server_state.tasks:
                t.cancel(msg="Task cancelled, timeout graceful shutdown exceeded")
        if not self.force_exit:
            await self.lifespan.shutdown()


async def _until(done: Callable[[], bool]) -> None:
    """Wait for `done()`: a few loop turns first (an idle connection closes in one or two),
    then polls that back off to uvicorn's own 0.1 s."""
    for _ in range(3):
        if done():
            return
        await asyncio.sleep(0)
    delay = 0.001
    while not done():
        await asyncio.sleep(delay)
        delay = min(delay * 2, 0.1)
