"""The upstream transport seam: what `Upstream` calls, and what an HTTP transport sends on.

`Transport` is one way to reach a provider (the aiohttp OpenAI wire protocol, litellm, or
an ASGI app in-process); `Upstream` adds deployment routing and retries on top. An HTTP
transport is further split at `Sender`, the one place bytes meet a network (or not), so the
in-process path runs exactly the SSE parsing and error mapping the network path does.
Transports raise `UpstreamError` for every failure, never their library's exceptions.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol

from keepgate.config.model import ModelDeployment
from keepgate.jsontypes import Chunk, JsonObject


class Transport(Protocol):
    """One way to reach an upstream model."""

    async def open_chat(self, d: ModelDeployment, body: JsonObject) -> AsyncIterator[Chunk]:
        """Send a streaming chat request; return its `chat.completion.chunk` dicts.
        Failures before the first chunk raise here (so they can be retried)."""
        ...

    async def open_events(
        self, d: ModelDeployment, url: str, body: JsonObject, headers: dict[str, str]
    ) -> AsyncIterator[list[Chunk]]:
        """POST to an API that answers with typed SSE events (Responses, Messages); one
        list of events per network read."""
        ...

    async def embed(self, d: ModelDeployment, body: JsonObject) -> JsonObject: ...

    async def aclose(self) -> None: ...


class Reply(Protocol):
    """An HTTP response whose body has not been read yet."""

    status: int

    def chunks(self) -> AsyncIterator[bytes]:
        """The body as it arrives (any sizes); transport failures raise `UpstreamError`."""
        ...

    async def read(self) -> bytes: ...

    async def release(self, complete: bool) -> None:
        """Done with the body: pool the connection if `complete`, else drop it (which
        stops the upstream)."""
        ...


class Sender(Protocol):
    """POSTs bytes somewhere; connection failures raise `UpstreamError`."""

    async def post(self, url: str, body: bytes, headers: dict[str, str]) -> Reply: ...

    async def aclose(self) -> None: ...
