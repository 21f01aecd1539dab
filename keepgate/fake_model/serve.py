"""Run the fake model on a loopback port inside another process's event loop."""

from __future__ import annotations

import asyncio
import socket

import uvicorn

from keepgate.fake_model.app import create_fake_app
from keepgate.serving.prompt_stop import PromptServer


class BackgroundFakeModel:
    """The demo upstream: a real HTTP server on 127.0.0.1:<ephemeral>."""

    def __init__(self) -> None:
        # proto IPPROTO_TCP: asyncio sets TCP_NODELAY only on accepted sockets whose proto
        # says TCP; with 0, a response sent in two writes waits 40 ms for a delayed ACK.
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/v1"
        cfg = uvicorn.Config(
            create_fake_app(), log_level="warning", access_log=False, lifespan="off"
        )
        self.server = PromptServer(cfg)
        self.task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.task = asyncio.create_task(self.server.serve(sockets=[self.sock]))
        while not self.server.started:
            if self.task.done():
                self.task.result()
            await asyncio.sleep(0.005)

    async def stop(self) -> None:
        self.server.request_exit()
        if self.task:
            await self.task
