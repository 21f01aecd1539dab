"""Tool definitions pinned by digest at first sight ("rug pull" detection).

The first time the gateway sees a tool it stores the digest of what a model would read of
it — title, description, input schema, annotations — and serves it. A later listing with
another digest is a *change*: the tool is withheld from listings and its calls refused
until an operator approves the new definition (`keepgate mcp approve SERVER TOOL`); the
audit log gets the unified diff once per new definition. A tool whose definition the
input guard flags is *quarantined* the same way, from first sight.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import time
from dataclasses import dataclass
from typing import Any, Callable, Literal

import mcp_types as types

from keepgate.mcp.store import Store

Status = Literal["approved", "changed", "quarantined"]
MAX_DIFF_CHARS = 8000


def definition(tool: types.Tool) -> dict[str, Any]:
    """What of a tool reaches the client, and so its model: the whole definition as it is
    served (a rug pull in `outputSchema` or `_meta` is a change too). The first five keys
    are always there (a digest pinned before the others were added stays the same for a
    tool that has none of them)."""
    out: dict[str, Any] = {
        "name": tool.name,
        "title": tool.title,
        "description": tool.description,
        "inputSchema": tool.input_schema,
        "annotations": tool.annotations.model_dump(mode="json", by_alias=True, exclude_none=True)
        if tool.annotations
        else None,
    }
    for key, value in tool.model_dump(mode="json", by_alias=True, exclude_none=True).items():
        if key not in out:
            out[key] = value
    return out


def digest(defn: dict[str, Any]) -> str:
    raw = json.dumps(defn, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(raw.encode("utf-8")).hexdigest()


def diff(old: dict[str, Any], new: dict[str, Any]) -> str:
    a = json.dumps(old, sort_keys=True, indent=1, ensure_ascii=False).splitlines()
    b = json.dumps(new, sort_keys=True, indent=1, ensure_ascii=False).splitlines()
    out = "\n".join(difflib.unified_diff(a, b, "pinned", "upstream", lineterm="", n=1))
    return out if len(out) <= MAX_DIFF_CHARS else out[:MAX_DIFF_CHARS] + "\n[diff truncated]"


@dataclass(frozen=True, slots=True)
class PinVerdict:
    status: Status
    digest: str
    rules: tuple[str, ...] = ()


class PinNotFound(Exception):
    pass


class Pins:
    """Pin records in the MCP store (`pin:<server>:<tool>`), with a small local cache of
    verdicts so a listing or call does not read the store for every tool."""

    def __init__(
        self, store: Store, audit: Callable[[dict[str, Any]], None], cache_s: float = 2.0
    ) -> None:
        self.store = store
        self.audit = audit
        self.cache_s = cache_s
        self._cache: dict[tuple[str, str, str], tuple[float, PinVerdict]] = {}
        #: Moves whenever a cached verdict is dropped before its time (an approval, the
        #: cache's size cap), so a caller's memo of verdicts knows to ask again.
        self.generation = 0

    def cached_until(self, server: str, tool: str, d: str) -> float:
        """When the cached verdict for this definition expires (0: none is cached)."""
        hit = self._cache.get((server, tool, d))
        return hit[0] if hit is not None else 0.0

    @staticmethod
    def _key(server: str, tool: str) -> str:
        return f"pin:{server}:{tool}"

    async def check(
        self, server: str, defn: dict[str, Any], rules: list[str], d: str | None = None
    ) -> PinVerdict:
        """The verdict for the definition the upstream lists now (`rules`: scan findings;
        `d`: its digest, when the caller has it already)."""
        tool = defn["name"]
        d = d or digest(defn)
        hit = self._cache.get((server, tool, d))
        if hit is not None and hit[0] > time.monotonic():
            return hit[1]
        verdict = await self._check(server, tool, d, defn, rules)
        self._cache[(server, tool, d)] = (time.monotonic() + self.cache_s, verdict)
        if len(self._cache) > 10_000:
            self._cache.clear()
            self.generation += 1
        return verdict

    async def _check(
        self, server: str, tool: str, d: str, defn: dict[str, Any], rules: list[str]
    ) -> PinVerdict:
        key = self._key(server, tool)
        pin = await self.store.get(key)
        if pin is None:
            status: Status = "quarantined" if rules else "approved"
            fresh: dict[str, Any] = {
                "server": server,
                "tool": tool,
                "digest": d,
                "definition": defn,
                "status": status,
                "rules": rules,
                "first_seen": time.time(),
                "pending": None,
            }
            if await self.store.put_new(key, fresh):
                self.audit(
                    {
                        "event": "tool_pinned",
                        "server": server,
                        "tool": tool,
                        "digest": d,
                        "status": status,
                        "rules": rules,
                    }
                )
                return PinVerdict(status, d, tuple(rules))
            pin = await self.store.get(key) or fresh
        if pin["digest"] == d:
            return PinVerdict(pin["status"], d, tuple(pin.get("rules") or ()))
        pending = pin.get("pending") or {}
        if pending.get("digest") != d:
            pin["pending"] = {
                "digest": d,
                "definition": defn,
                "seen_at": time.time(),
                "rules": rules,
            }
            await self.store.put(key, pin)
            self.audit(
                {
                    "event": "tool_changed",
                    "server": server,
                    "tool": tool,
                    "pinned_digest": pin["digest"],
                    "digest": d,
                    "rules": rules,
                    "diff": diff(pin["definition"], defn),
                }
            )
        return PinVerdict("changed", d, tuple(rules))

    async def approve(self, server: str, tool: str, by: str) -> dict[str, Any]:
        """Accept what is pending (a changed definition) or quarantined, as it is now."""
        key = self._key(server, tool)
        pin = await self.store.get(key)
        if pin is None:
            raise PinNotFound(f"no pinned tool '{tool}' on MCP server '{server}'")
        assert isinstance(pin, dict)  # the store keeps JSON objects
        before = pin["digest"]
        if pin.get("pending"):
            p = pin["pending"]
            pin.update(digest=p["digest"], definition=p["definition"], rules=p.get("rules") or [])
        pin.update(status="approved", pending=None, approved_at=time.time(), approved_by=by)
        await self.store.put(key, pin)
        self._cache = {k: v for k, v in self._cache.items() if k[:2] != (server, tool)}
        self.generation += 1
        self.audit(
            {
                "event": "tool_approved",
                "server": server,
                "tool": tool,
                "previous_digest": before,
                "digest": pin["digest"],
                "approved_by": by,
            }
        )
        return pin

    async def list(self, server: str | None = None) -> list[dict[str, Any]]:
        prefix = f"pin:{server}:" if server else "pin:"
        return [public(p) for _, p in await self.store.scan(prefix)]


def public(pin: dict[str, Any]) -> dict[str, Any]:
    """A pin as the admin API shows it (definitions included, they are server metadata)."""
    pending = pin.get("pending")
    status = "changed" if pending else pin["status"]
    out = {
        k: pin.get(k)
        for k in (
            "server",
            "tool",
            "digest",
            "rules",
            "first_seen",
            "approved_at",
            "approved_by",
            "definition",
        )
    }
    out["status"] = status
    if pending:
        out["pending"] = {
            "digest": pending["digest"],
            "seen_at": pending.get("seen_at"),
            "rules": pending.get("rules") or [],
            "diff": diff(pin["definition"], pending["definition"]),
        }
    return out
