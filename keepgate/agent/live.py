"""A run that is executing in this process: its event log, subscribers and approval waits."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any
from keepgate.agent.state import RunState
from keepgate.auth.principal import Principal
from keepgate.proxy.sse import encode

if TYPE_CHECKING:
    from keepgate.agent.redact import Redactor

#: Events that end a run's stream.
FINAL_EVENTS = frozenset({"run.completed", "run.failed"})
MAX_EVENTS = 5000


class LiveRun:
    def __init__(self, state: RunState, principal: Principal) -> None:
        self.state = state
        self.principal = principal
        self.events: list[dict[str, Any]] = []
        self._seq = 0
        self._subscribers: set[asyncio.Queue[dict[str, Any] | None]] = set()
        self.task: asyncio.Task[None] | None = None
        #: tool_call_id -> future resolved with (approve, comment).
        self.waiting: dict[str, asyncio.Future[tuple[bool, str]]] = {}
        #: Why the task is being cancelled: "cancelled" (by a user), "shutdown" or
        #: "lease_lost" (another process took the run over: nothing more is saved here).
        self.stop_reason: str | None = None
        self.lease_lost = False
        #: The run's task ended here (finished, or stopped without finishing: shutdown, a
        #: lease another replica took): its streams end even without a final event.
        self.ended = False
        #: Set when the run paused (approval) or ended; non-streaming callers wait on it.
        self.settled = asyncio.Event()
        #: Seconds spent in model turns and inside tool handlers (the benchmark subtracts them).
        self.model_s = 0.0
        self.tool_s = 0.0
        #: The owner's scrubbing policy (`redact.Redactor`), built on first use.
        self.redactor: Redactor | None = None
        #: tool_call_id -> its arguments as the client may see them (scrubbed in the model
        #: turn, emitted with tool.requested); the last answer's scrubbed text.
        self.shown: dict[str, str] = {}
        self.shown_result: str | None = None

    def emit(self, type: str, **data: Any) -> dict[str, Any]:
        self._seq += 1
        event = {
            "type": type,
            "run_id": self.state.id,
            "seq": self._seq,
            "at": round(time.time(), 3),
            **data,
        }
        self.events.append(event)
        if len(self.events) > MAX_EVENTS:
            del self.events[: len(self.events) - MAX_EVENTS]
        for q in self._subscribers:
            q.put_nowait(event)
        if type in FINAL_EVENTS:
            for q in self._subscribers:
                q.put_nowait(None)
            self.settled.set()
        elif type == "approval.required":
            self.settled.set()
        return event

    @property
    def finished(self) -> bool:
        return bool(self.events) and self.events[-1]["type"] in FINAL_EVENTS

    def end(self) -> None:
        """The task is over: close every stream (a run stopped without finishing emits no
        final event; its clients would otherwise wait for one for good)."""
        self.ended = True
        for q in self._subscribers:
            q.put_nowait(None)
        self.settled.set()

    async def subscribe(self, after: int = 0) -> AsyncIterator[dict[str, Any]]:
        """Events with seq > `after` (replayed from memory), then live ones until the end."""
        q: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
        backlog = [e for e in self.events if e["seq"] > after]
        done = self.finished or self.ended
        if not done:
            self._subscribers.add(q)
        try:
            for e in backlog:
                yield e
            if done:
                return
            while (event := await q.get()) is not None:
                if event["seq"] > after:
                    yield event
        finally:
            self._subscribers.discard(q)


def sse(event: dict[str, Any]) -> bytes:
    """A named SSE event: the proxy's `data:` encoding behind an `event:` line."""
    return b"event: " + str(event["type"]).encode() + b"\n" + encode(event)


SSE_DONE = b"event: done\ndata: [DONE]\n\n"
