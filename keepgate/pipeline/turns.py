"""Give the event loop a turn between slices of per-item work on a big request.

Validating, rendering and hashing tens of thousands of messages is Python (or GIL-holding
pydantic-core) work: a worker thread would hold the interpreter lock the event loop needs,
so the work stays on the loop and yields to it every `EVERY` items instead. Counting items,
not time, keeps the yields where a test can see them (`turn` is looked up on this module at
each call, so a test can replace it to count or hold them).
"""

from __future__ import annotations

import anyio.lowlevel

#: Items (messages, content parts, tools) handled between two turns of the event loop: a
#: few milliseconds of validation or rendering at most.
EVERY = 256


async def turn() -> None:
    """One turn of the event loop for other tasks (`/healthz`, small requests)."""
    await anyio.lowlevel.checkpoint()


class Ticker:
    """Counts items of one request's loop and yields every `EVERY` of them."""

    __slots__ = ("count",)

    def __init__(self) -> None:
        self.count = 0

    async def tick(self, items: int = 1) -> None:
        before = self.count
        self.count += items
        if self.count // EVERY != before // EVERY:
            await turn()
