"""`/metrics` on its own port (`observability.metrics_port`), beside the API listener.

A second uvicorn server inside the gateway's event loop, started and stopped with the app.
Its socket is bound with SO_REUSEPORT, so the workers of `keepgate serve --workers N` each
serve it too; any of them answers with every worker's samples (see metrics.render).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from typing import TYPE_CHECKING, Any

import uvicorn
from starlette.applications import Starlette
from starlette.routing import Route

from keepgate.errors import APIError
from keepgate.serving.prompt_stop import PromptServer

if TYPE_CHECKING:  # types only: the runtime builds on observability, not the reverse
    from keepgate.runtime import Runtime


class MetricsListener:
    def __init__(self, runtime: Runtime, host: str, port: int) -> None:
        from keepgate.proxy.meta import metrics

        async def _error(request: Any, exc: Exception) -> Any:
            assert isinstance(exc, APIError)
            return exc.response()

        app = Starlette(
            routes=[Route("/metrics", metrics, methods=["GET"])],
            exception_handlers={APIError: _error},
        )
        app.state.keepgate = runtime
        self.host, self.port = host, port
        self.server = PromptServer(
            uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
        )
        # The API server owns the process's signals; this one stops with the app.
        self.server.capture_signals = contextlib.nullcontext  # type: ignore[method-assign,assignment]
        self._task: asyncio.Task[None] | None = None

    def _socket(self) -> socket.socket:
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        # proto IPPROTO_TCP: asyncio sets TCP_NODELAY only on accepted sockets whose proto
        # says TCP; with 0, a response sent in two writes waits 40 ms for a delayed ACK.
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if hasattr(socket, "SO_REUSEPORT"):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((self.host, self.port))
        sock.set_inheritable(True)
        return sock

    async def start(self) -> None:
        sock = self._socket()  # a port in use fails start-up here, clearly
        self._task = asyncio.get_running_loop().create_task(self.server.serve(sockets=[sock]))
        while not self.server.started:
            if self._task.done():
                self._task.result()
                raise RuntimeError(f"metrics listener on {self.host}:{self.port} stopped")
            await asyncio.sleep(0.01)

    async def aclose(self) -> None:
        self.server.request_exit()
        if self._task is not None:
            with contextlib.suppress(Exception):
                await self._task
