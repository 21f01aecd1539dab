"""Stop a model call whose client disconnects before the answer has started.

Between reading the body and sending the first byte of the answer, a model route does its
heaviest work: limits, the input scan (seconds for a big body, in the offload process
pool), the upstream call, and for a non-streamed answer the whole generation. An ASGI
server does not cancel a request whose client has gone; it only answers `http.disconnect`
to the next `receive()`, which nothing calls in that phase. So that work would run to its
end for nobody, holding a pool process and spending upstream tokens.

`CancelOnDisconnect` wraps such a route: once the app has read the whole body, a watcher
owns the server's `receive` and cancels the route when the client disconnects before the
response starts (the route settles the call as `cancelled`: limits refund what was not
generated, the audit line says so, and the pool abandons the route's tasks). The app's own
later `receive()` calls (an SSE response watching for the disconnect) get the same
`http.disconnect` from the watcher. Once the response has started, the route is left to
end on its own, as before: a streamed answer stops at the disconnect itself (SSEResponse).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import anyio
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route, request_response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from keepgate.proxy.sse import SSEResponse


class CancelOnDisconnect:
    """An ASGI app: `app`, cancelled if its client disconnects before its response starts."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        gone = anyio.Event()
        started = False
        failure: Exception | None = None

        async with anyio.create_task_group() as tg:
            route = anyio.CancelScope()

            async def watch() -> None:
                while (await receive())["type"] != "http.disconnect":
                    pass
                gone.set()
                if not started:
                    route.cancel()

            body_read = False

            async def app_receive() -> Message:
                nonlocal body_read
                if body_read:  # the watcher owns the server's receive from here
                    await gone.wait()
                    return {"type": "http.disconnect"}
                message = await receive()
                if message["type"] == "http.disconnect":
                    gone.set()
                elif not message.get("more_body", False):
                    body_read = True
                    tg.start_soon(watch)
                return message

            async def app_send(message: Message) -> None:
                nonlocal started
                if message["type"] == "http.response.start":
                    started = True
                await send(message)

            try:
                with route:
                    await self.app(scope, app_receive, app_send)
            except Exception as exc:  # noqa: BLE001 - raised below, outside the group's wrapping
                failure = exc
            tg.cancel_scope.cancel()  # the watcher, if it runs
        if failure is not None:
            raise failure


def model_route(
    path: str, endpoint: Callable[[Request], Awaitable[Response | SSEResponse]]
) -> Route:
    """A POST route to a model call, cancelled when its client disconnects first."""
    # request_response runs whatever ASGI app the endpoint returns; its hint says Response.
    app = request_response(endpoint)  # type: ignore[arg-type]
    return Route(path, CancelOnDisconnect(app), methods=["POST"])
