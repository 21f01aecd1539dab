"""Every uvicorn server we hand a pre-bound socket to answers without Nagle's delay.

asyncio turns Nagle off (TCP_NODELAY) on an accepted socket only when the listening socket's
proto says TCP; `socket.socket(AF_INET, SOCK_STREAM)` has proto 0. Then a response written in
two parts (headers, then body) waits for the client's delayed ACK: 40 ms a request on Linux,
which was ~170 s of the fuzz layer's 200. The check reads the socket option of the server's
side of a live connection, so it does not depend on timing.
"""

from __future__ import annotations

import asyncio
import socket
from typing import Any, cast

import uvicorn
from starlette.applications import Starlette

from tests.servers import ThreadServer, free_port


def _nodelay(server: uvicorn.Server) -> list[int]:
    """TCP_NODELAY of the server's side of each open connection."""
    out = []
    for conn in server.server_state.connections:
        sock = conn.transport.get_extra_info("socket")  # type: ignore[attr-defined]
        out.append(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
    return out


async def _one_request(host: str, port: int) -> tuple[asyncio.StreamWriter, bytes]:
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(b"GET /nothing HTTP/1.1\r\nhost: x\r\n\r\n")
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    return writer, head


def test_the_test_thread_server_turns_nagle_off() -> None:
    server = ThreadServer(Starlette()).start()
    try:
        with socket.create_connection(("127.0.0.1", server.port)) as client:
            client.sendall(b"GET /nothing HTTP/1.1\r\nhost: x\r\n\r\n")
            assert client.recv(65536).startswith(b"HTTP/1.1 404")
            assert _nodelay(server.server) == [1]
    finally:
        server.stop()


async def test_the_in_process_demo_servers_turn_nagle_off() -> None:
    """The fake model and demo MCP upstream of `keepgate demo`, and the metrics listener,
    run inside the gateway's loop, which is plain asyncio when uvloop is not used."""
    from keepgate.fake_model.serve import BackgroundFakeModel
    from keepgate.mcp.demo_server import BackgroundDemoMcp
    from keepgate.observability.metrics_listener import MetricsListener

    fake, mcp = BackgroundFakeModel(), BackgroundDemoMcp()
    metrics = MetricsListener(cast(Any, None), "127.0.0.1", free_port())
    await fake.start()
    await mcp.start()
    await metrics.start()
    try:
        for server, port in (
            (fake.server, fake.port),
            (mcp.server, mcp.sock.getsockname()[1]),
            (metrics.server, metrics.port),
        ):
            writer, head = await _one_request("127.0.0.1", port)
            assert head.startswith(b"HTTP/1.1 "), head
            assert _nodelay(server) == [1], port
            writer.close()
            await writer.wait_closed()
    finally:
        await metrics.aclose()
        await mcp.stop()
        await fake.stop()
