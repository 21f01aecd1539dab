"""The policy input: one JSON document per tool call (documented in policies/README.md).

The agent loop and the proxy guard both build it here, so policies see the same shape.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from gateway.pipeline.chunks import parse_arguments

MAX_NAME = 200


def principal_input(principal: Any) -> dict[str, Any]:
    if principal is None:
        return {"key_id": None, "role": None, "team": None, "metadata": {}}
    if isinstance(principal, Mapping):
        return {"key_id": principal.get("key_id"), "role": principal.get("role"),
                "team": principal.get("team"), "metadata": dict(principal.get("metadata") or {})}
    return {"key_id": principal.key_id, "role": principal.role, "team": principal.team,
            "metadata": dict(principal.metadata or {})}


def offered_tool_names(tools: Iterable[Any] | None) -> list[str]:
    """Names from an OpenAI `tools` list (function tools) or a plain list of names."""
    out = []
    for t in tools or ():
        if isinstance(t, str):
            out.append(t)
        elif isinstance(t, Mapping):
            fn = t.get("function") or {}
            name = fn.get("name") if isinstance(fn, Mapping) else None
            if isinstance(name, str):
                out.append(name)
    return out


def build_policy_input(principal: Any, tool_name: str, arguments: str | Mapping[str, Any] | None,
                       *, offered_tools: Iterable[Any] | None = None, model: str = "",
                       facts: Any = None, metadata: Mapping[str, Any] | None = None,
                       call_id: str | None = None,
                       tool_counts: Mapping[str, int] | None = None) -> dict[str, Any]:
    """Build the input for one tool call.

    `arguments` is the raw JSON string from the model (unparseable -> `arguments_valid:
    false`, which the policy denies) or an already-parsed mapping. `facts` is a
    `gateway.pipeline.call.Facts` or a mapping with the same fields; `tool_counts`
    overrides the counts derived from `facts.tools_called`.
    """
    if isinstance(arguments, Mapping):
        args, valid = dict(arguments), True
    else:
        args, err = parse_arguments(arguments if isinstance(arguments, str) else "")
        valid = err is None
    tools_called = list(_get(facts, "tools_called") or [])
    counts = dict(tool_counts) if tool_counts is not None else dict(Counter(tools_called))
    return {
        "principal": principal_input(principal),
        "tool": {"name": (tool_name or "")[:MAX_NAME], "arguments": args if valid else None,
                 "arguments_valid": valid, "call_id": call_id},
        "tools_offered": offered_tool_names(offered_tools),
        "model": model,
        "facts": {"tainted": bool(_get(facts, "tainted")),
                  "taint_sources": list(_get(facts, "taint_sources") or []),
                  "tools_called": tools_called, "tool_counts": counts},
        "metadata": dict(metadata or {}),
    }


def _get(facts: Any, name: str) -> Any:
    if facts is None:
        return None
    if isinstance(facts, Mapping):
        return facts.get(name)
    return getattr(facts, name, None)
