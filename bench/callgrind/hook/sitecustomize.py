"""Loaded by the gateway under bench/callgrind/mcp_call.py (on its PYTHONPATH), inert elsewhere.

KG_CG_LIB: the compiled tramp.c. Counts from the start of tools/call number KG_CG_WARM + 1
to that of number KG_CG_WARM + KG_CG_COUNT + 1 (so whole requests, KG_CG_COUNT of them).
KG_CG_PARTS: comma-separated `module:function` or `module:Class.method`, each through its
own kg_part_<n> (`@other.module+...`: modules that imported the function by name).

The clock seam: under callgrind a call takes ~0.3-0.5 s instead of ~2 ms, so the MCP
gateway's time-bounded state (the pins' 2 s verdict cache, the listing's `list_ttl_s`, the
catalogue's remembered answer, the lane's idle connections, the memory store's TTLs)
would expire every few calls, at moments that depend on the box's load (±0.05-0.09 M per
call between runs). `time.monotonic` as those modules read it is replaced by a clock that
starts at the real one and moves KG_CG_STEP seconds (default 0.002, a call at native
speed) per `tools/call`, so every run sees the same expiries: none in the counted window
unless KG_CG_STEP says otherwise.

Timers: what the wall clock drives in the gateway (uvicorn's 0.1 s tick, the policy
files' 1 s reload check) runs ~100x as often per call under callgrind, and more on a busy
box; while counting, their bodies are left out (`kg_pause`/`kg_resume`: before, a run on a
busy box counted ~0.14 M per call more than one on an idle box). Only the event loop's
wake-ups for them stay counted (a few K instructions per call).
"""

from __future__ import annotations

import os

if os.environ.get("KG_CG_LIB"):
    import ctypes
    import functools
    import importlib
    import inspect
    import sys
    from typing import Any

    _LIB = ctypes.CDLL(os.environ["KG_CG_LIB"])
    _CB = ctypes.CFUNCTYPE(ctypes.c_long)
    _LIB.kg_enter.argtypes = [ctypes.c_int, _CB]
    _LIB.kg_enter.restype = ctypes.c_long

    def _through(fn: Any, k: int) -> Any:
        stack: list[tuple[Any, Any, Any, list[Any]]] = []

        def cb() -> int:
            f, a, kw, box = stack[-1]
            try:
                box.append((True, f(*a, **kw)))
            except BaseException as e:  # noqa: BLE001 - handed back below
                box.append((False, e))
            return 0

        ccb = _CB(cb)

        def enter(f: Any, a: Any, kw: Any) -> Any:
            box: list[Any] = []
            stack.append((f, a, kw, box))
            try:
                _LIB.kg_enter(k, ccb)
            finally:
                stack.pop()
            ok, value = box[0]
            if ok:
                return value
            raise value

        @functools.wraps(fn)
        def wrapper(*a: Any, **kw: Any) -> Any:
            return enter(fn, a, kw)

        wrapper._kg_cb = ccb  # type: ignore[attr-defined]
        if not inspect.iscoroutinefunction(fn):
            return wrapper

        class _Steps:
            """A coroutine driven one step (`send` / `throw`) at a time through the
            trampoline: its own work is counted, not what other tasks run while it waits."""

            def __init__(self, coro: Any) -> None:
                self.coro = coro

            def __await__(self) -> Any:
                value: Any = None
                error: BaseException | None = None
                while True:
                    try:
                        if error is not None:
                            out = enter(self.coro.throw, (error,), {})
                        else:
                            out = enter(self.coro.send, (value,), {})
                    except StopIteration as stop:
                        return stop.value
                    error = None
                    try:
                        value = yield out
                    except BaseException as e:  # noqa: BLE001 - thrown into the coroutine
                        value, error = None, e

        @functools.wraps(fn)
        async def stepped(*a: Any, **kw: Any) -> Any:
            return await _Steps(fn(*a, **kw))

        stepped._kg_cb = ccb  # type: ignore[attr-defined]
        return stepped

    #: The modules whose `time.monotonic` follows the calls (see the docstring).
    _CLOCKED = (
        "keepgate.mcp.pins",
        "keepgate.mcp.catalog",
        "keepgate.mcp.upstream",
        "keepgate.mcp.h1",
        "keepgate.mcp.store",
    )

    class _Time:
        """The `time` module, but for a `monotonic` that moves per call."""

        def __init__(self, real: Any, now: Any) -> None:
            self._real = real
            self.monotonic = now

        def __getattr__(self, name: str) -> Any:
            return getattr(self._real, name)

    def _install() -> None:
        import time

        import keepgate.mcp.service as svc

        warm, count = int(os.environ["KG_CG_WARM"]), int(os.environ["KG_CG_COUNT"])
        step = float(os.environ.get("KG_CG_STEP") or 0.002)
        original = svc.McpGateway.call_tool
        seen = [0]
        base = time.monotonic()

        def now() -> float:
            return base + seen[0] * step

        for name in _CLOCKED:
            module = importlib.import_module(name)
            if getattr(module, "time", None) is not time:
                raise RuntimeError(f"{name} no longer reads `time.monotonic`: update the seam")
            module.time = _Time(time, now)  # type: ignore[attr-defined]

        counting = [False]

        async def call_tool(self: Any, *a: Any, **kw: Any) -> Any:
            seen[0] += 1
            if seen[0] == warm + 1:
                _LIB.kg_start()
                counting[0] = True
            elif seen[0] == warm + count + 1:
                counting[0] = False
                _LIB.kg_stop()
            return await original(self, *a, **kw)

        svc.McpGateway.call_tool = call_tool  # type: ignore[method-assign]

        def uncounted(fn: Any) -> Any:
            """`fn` (a coroutine function) with its body left out of the count. Its body
            must not wait (neither the tick nor an embedded policy's reload does): a
            call counted meanwhile would lose its instructions."""

            @functools.wraps(fn)
            async def wrapper(*a: Any, **kw: Any) -> Any:
                if not counting[0]:
                    return await fn(*a, **kw)
                _LIB.kg_pause()
                try:
                    return await fn(*a, **kw)
                finally:
                    _LIB.kg_resume()

            return wrapper

        import uvicorn.server

        from keepgate.policy.engine import PolicyService

        uvicorn.server.Server.on_tick = uncounted(uvicorn.server.Server.on_tick)  # type: ignore[method-assign]
        PolicyService.reload = uncounted(PolicyService.reload)  # type: ignore[method-assign]
        for k, item in enumerate(x for x in os.environ.get("KG_CG_PARTS", "").split(",") if x):
            target, _, users = item.partition("@")
            module, _, qual = target.partition(":")
            owner: Any = importlib.import_module(module)
            attr = qual
            if "." in qual:
                cls, attr = qual.split(".")
                owner = getattr(owner, cls)
            fn = owner.__dict__[attr] if isinstance(owner, type) else getattr(owner, attr)
            wrapped = _through(fn, k)
            setattr(owner, attr, wrapped)
            for user in filter(None, users.split("+")):
                setattr(importlib.import_module(user), attr, wrapped)
            sys.stderr.write(f"callgrind part {k}: {target}\n")

    _install()
