"""The parts attached to a running gateway (response store, agent runner, MCP gateway, UI,
tracer...), found by their type rather than by a string key, and started and closed with the
app.

A part that another module reads is looked up by its class (`rt.services.get(UIAuth)`): the
reader imports the class, so the dependency is visible and typed. The app starts every part
that has `start()` and closes every part that has `aclose()` (`Startable`, `Closable`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from typing import Protocol, TypeVar, cast, runtime_checkable

T = TypeVar("T")

#: A readiness probe for /readyz: (True, detail) ready, ("degraded", detail) serving in a
#: configured fallback, (False, detail) cannot serve. Details name no paths or URLs.
ReadyCheck = Callable[[], Awaitable[tuple[bool | str, str]]]


@runtime_checkable
class Startable(Protocol):
    async def start(self) -> None: ...


@runtime_checkable
class Closable(Protocol):
    async def aclose(self) -> None: ...


class Services:
    """Attached parts in the order they were added (started in that order)."""

    def __init__(self) -> None:
        self._parts: list[object] = []
        #: kind -> the part found for it: requests look parts up, only start-up adds them.
        self._found: dict[type, object | None] = {}

    def add(self, part: T) -> T:
        self._parts.append(part)
        self._found.clear()
        return part

    def get(self, kind: type[T]) -> T | None:
        """The first part that is a `kind` (a class, or a runtime-checkable protocol), or
        None when that feature is not on."""
        if kind not in self._found:
            self._found[kind] = next((p for p in self._parts if isinstance(p, kind)), None)
        return cast("T | None", self._found[kind])

    def __iter__(self) -> Iterator[object]:
        return iter(list(self._parts))
