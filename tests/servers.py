"""Real servers for the tests: uvicorn on a free loopback port, in a background thread."""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from typing import Any

import pytest
import redis
import uvicorn

from keepgate.serving.prompt_stop import PromptServer


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ThreadServer:
    """Serve an ASGI app on 127.0.0.1:<free port> until `stop()`."""

    def __init__(self, app: Any, port: int | None = None) -> None:
        # The server's own listening socket, bound here and handed to uvicorn: a port found
        # free and bound later could be taken in between by another process on the box.
        # IPPROTO_TCP, not 0: asyncio turns Nagle off (TCP_NODELAY) only on accepted sockets
        # whose proto says TCP; with proto 0 every response written in two parts (headers,
        # body) waited for the client's delayed ACK, 40 ms a request on Linux.
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind(("127.0.0.1", port or 0))
        self.port = self.socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            access_log=False,
            loop="asyncio",
            lifespan="on",
            timeout_graceful_shutdown=2,
            # uvicorn closes a connection idle for 5 s by default; on a loaded box a client
            # can take that long between two requests, and tests that check a connection
            # stays open (the fuzz layer) would then fail by timing. Idle closes are not
            # what any test is about (one that is sets its own: test_policy_opa.py).
            timeout_keep_alive=3600,
        )
        self.server: uvicorn.Server = PromptServer(config)
        self.server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.error: BaseException | None = None
        #: The server's event loop, once it runs (for tests that schedule work on it).
        self.loop: asyncio.AbstractEventLoop | None = None

    def _run(self) -> None:
        async def serve() -> None:
            self.loop = asyncio.get_running_loop()
            await self.server.serve(sockets=[self.socket])

        try:
            asyncio.run(serve())
        except BaseException as exc:  # noqa: BLE001
            self.error = exc

    def start(self) -> "ThreadServer":
        self.thread.start()
        deadline = time.monotonic() + 60  # a bound on a hang, not a timing assert
        while not self.server.started:
            if self.error or not self.thread.is_alive():
                raise RuntimeError(f"server failed to start: {self.error!r}")
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start within 60 s")
            time.sleep(0.01)
        return self

    def close_idle_connections(self) -> int:
        """Close every keep-alive connection that is idle now, as a server's idle timeout
        would (uvicorn's own shutdown step), and return how many: done when this returns,
        instead of a short `timeout_keep_alive` and a sleep that may not outlast it."""
        assert self.loop is not None

        async def close() -> int:
            idle = [c for c in self.server.server_state.connections if _idle(c)]
            for conn in idle:
                conn.shutdown()
            await asyncio.sleep(0)  # the transports' close callbacks run: sockets closed
            return len(idle)

        return asyncio.run_coroutine_threadsafe(close(), self.loop).result(timeout=60)

    def stop(self) -> None:
        if isinstance(self.server, PromptServer):
            self.server.request_exit()  # at once, not at uvicorn's next 0.1 s tick
        self.server.should_exit = True
        self.thread.join(timeout=10)


def _idle(conn: Any) -> bool:
    """A uvicorn connection between two requests (`shutdown()` then closes it at once)."""
    cycle = getattr(conn, "cycle", None)
    return cycle is None or bool(cycle.response_complete)


class OwnRedis:
    """A redis-server of the test's own on a free port, in a temp dir. `stop()` shuts it
    down, `kill()` is SIGKILL (no shutdown save); `start()` again reuses the port and the
    dir, so with `aof` the append-only file is replayed. `close()` also removes the dir."""

    def __init__(self, aof: bool = False) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.dir = tempfile.mkdtemp(prefix="kg-test-redis-")
        self.aof = aof
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> OwnRedis:
        exe = shutil.which("redis-server")
        if not exe:
            pytest.fail("redis-server is needed for the Redis outage tests")
        persistence = (
            ["--appendonly", "yes", "--appendfsync", "always"]
            if self.aof
            else ["--appendonly", "no"]
        )
        self.proc = subprocess.Popen(
            [
                exe,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                *persistence,
                "--dir",
                self.dir,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60  # a real process starting on a loaded box
        while True:
            try:
                if redis.Redis.from_url(self.url, socket_connect_timeout=0.5).ping():
                    return self
            except redis.RedisError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("redis-server did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)
            self.proc = None

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait(10)
        self.proc = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
