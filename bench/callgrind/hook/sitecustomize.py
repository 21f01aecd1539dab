"""Loaded by the gateway under bench/callgrind/mcp_call.py (on its PYTHONPATH), inert elsewhere.

KG_CG_LIB: the compiled tramp.c. Counts from the start of tools/call number KG_CG_WARM + 1
to that of number KG_CG_WARM + KG_CG_COUNT + 1 (so whole requests, KG_CG_COUNT of them).
KG_CG_PARTS: comma-separated `module:function` or `module:Class.method`, each through its
own kg_part_<n> (`@other.module+...`: modules that imported the function by name).
"""

from __future__ import annotations

import os

if os.environ.get("KG_CG_LIB"):
    import ctypes
    import functools
    import importlib
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

        @functools.wraps(fn)
        def wrapper(*a: Any, **kw: Any) -> Any:
            box: list[Any] = []
            stack.append((fn, a, kw, box))
            try:
                _LIB.kg_enter(k, ccb)
            finally:
                stack.pop()
            ok, value = box[0]
            if ok:
                return value
            raise value

        wrapper._kg_cb = ccb  # type: ignore[attr-defined]
        return wrapper

    def _install() -> None:
        import keepgate.mcp.service as svc

        warm, count = int(os.environ["KG_CG_WARM"]), int(os.environ["KG_CG_COUNT"])
        original = svc.McpGateway.call_tool
        seen = [0]

        async def call_tool(self: Any, *a: Any, **kw: Any) -> Any:
            seen[0] += 1
            if seen[0] == warm + 1:
                _LIB.kg_start()
            elif seen[0] == warm + count + 1:
                _LIB.kg_stop()
            return await original(self, *a, **kw)

        svc.McpGateway.call_tool = call_tool  # type: ignore[method-assign]
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
