"""The guard interface: a request hook, a stream transformer and a settle hook."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import TYPE_CHECKING

from keepgate.jsontypes import Chunk
from keepgate.pipeline.call import Call, Outcome
from keepgate.pipeline.verdict import Verdict

if TYPE_CHECKING:
    from starlette.routing import BaseRoute


class GuardBlocked(Exception):
    """Raised by a guard to stop the call; becomes an OpenAI-shaped error response.

    Raised from `transform` after a streamed response has started, it becomes a final
    SSE `error` event instead.
    """

    def __init__(
        self,
        verdict: Verdict,
        *,
        status: int = 400,
        code: str = "blocked",
        message: str | None = None,
        type: str = "invalid_request_error",
        headers: dict[str, str] | None = None,
    ) -> None:
        self.verdict = verdict
        self.status = status
        self.code = code
        self.type = type
        self.message = message or verdict.reason or f"blocked by {verdict.guard}"
        self.headers = headers or {}
        super().__init__(self.message)


class Guard:
    """Base class: every hook is a no-op, so a guard overrides only what it needs.

    Order in the chain: `check_request` runs first-to-last before the upstream call;
    `transform` wraps the upstream stream so the first guard's transformer sees the
    upstream's chunks first; `finish` always runs, last-to-first, even on errors.
    """

    name: str = "guard"
    #: When the guard cannot decide (its backend is down), fail closed unless False.
    fail_closed: bool = True

    async def check_request(self, call: Call) -> None:
        """Inspect or rewrite `call.body`; raise GuardBlocked to stop the call."""

    def transform(self, call: Call, chunks: AsyncIterator[Chunk]) -> AsyncIterator[Chunk]:
        """Return a stream transformer; the default passes chunks through untouched."""
        return chunks

    async def finish(self, call: Call, outcome: Outcome) -> None:
        """Settle after the call (refund reservations, record usage)."""

    async def ready(self) -> tuple[bool | str, str]:
        """Is the guard's backend reachable? Feeds /readyz: (True, detail) ready,
        ("degraded", detail) serving in a configured fallback or fail-open mode, (False,
        detail) cannot serve (fails closed). Details name no file paths or URLs."""
        return True, "ok"

    async def aclose(self) -> None:
        """Release backend connections at shutdown."""

    def routes(self) -> Sequence[BaseRoute]:
        """Extra HTTP routes the guard serves (e.g. the limits guard's usage endpoints)."""
        return ()


def guard_routes(guard: Guard) -> list[BaseRoute]:
    """The routes a guard adds to the app."""
    return list(guard.routes())
