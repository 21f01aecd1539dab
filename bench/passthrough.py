"""The floor for any Python proxy on this stack: a bare ASGI pass-through, no checks at all.

    python -m bench.passthrough UPSTREAM_CHAT_URL PORT

uvicorn (uvloop + httptools, as `keepgate serve` runs) and one pooled aiohttp session, the
same parts Keepgate's lean upstream path uses. It copies the request body to the upstream
and the upstream's bytes back as they arrive: no auth, no parsing, no guards, no audit, no
metrics. `python -m bench.proxy` measures it beside Keepgate, so the ratio Keepgate reaches
can be read against what a hop in Python costs at all on the same machine.
"""

from __future__ import annotations

import sys
from typing import Any

import aiohttp
import uvicorn


class PassThrough:
    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.session: aiohttp.ClientSession | None = None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        if scope["path"].endswith("/models"):  # the readiness probe
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"{}"})
            return
        body = b""
        more = True
        while more:
            msg = await receive()
            body += msg.get("body", b"")
            more = msg.get("more_body", False)
        if self.session is None:
            self.session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
        async with self.session.post(
            self.upstream, data=body, headers={"content-type": "application/json"}
        ) as resp:
            ctype = resp.headers.get("content-type", "application/json").encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": resp.status,
                    "headers": [(b"content-type", ctype)],
                }
            )
            async for data in resp.content.iter_any():
                await send({"type": "http.response.body", "body": data, "more_body": True})
            await send({"type": "http.response.body", "body": b""})


def main(argv: list[str]) -> None:
    uvicorn.run(
        PassThrough(argv[1]),
        host="127.0.0.1",
        port=int(argv[2]),
        log_level="warning",
        access_log=False,
        loop="uvloop",
        http="httptools",
        lifespan="on",
    )


if __name__ == "__main__":
    main(sys.argv)
