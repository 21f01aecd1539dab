"""Calls the policy holds for a human: created on the first attempt, decided through the
approvals API (or `/ui`), executed once when the client retries the same call.

One store and one API for both routes that hold calls: MCP `tools/call` (`mcpap_` ids) and
the model's tool calls on the proxy routes (`tcap_` ids, `keepgate.policy.held`).
"The same call" is the same key, session, server, tool and arguments (canonical JSON):
the client just sends its `tools/call` (or its chat request) again after the approval. An approved call runs
at most once (`put_new` on a `used:` marker holds across replicas); a further identical
call needs a new approval. Records show arguments scrubbed, as the agent's approvals do.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from typing import Any

from keepgate.jsontypes import JsonObject, JsonValue
from keepgate.mcp.store import Store


def call_digest(key_id: str, sid: str, server: str, tool: str, arguments: JsonValue) -> str:
    raw = json.dumps(
        [key_id, sid, server, tool, arguments],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]


class ApprovalNotFound(Exception):
    pass


class ApprovalConflict(Exception):
    pass


class Approvals:
    def __init__(self, store: Store, ttl_s: float) -> None:
        self.store = store
        self.ttl_s = ttl_s

    async def lookup(self, key_id: str, digest: str) -> JsonObject | None:
        aid = await self.store.get(f"apd:{key_id}:{digest}")
        return await self.store.get(f"ap:{aid}") if isinstance(aid, str) else None

    async def create(
        self,
        *,
        key_id: str,
        role: str,
        session: str,
        server: str,
        tool: str,
        shown_arguments: JsonValue,
        reasons: list[str],
        rule: str,
        digest: str,
        tool_call_id: str,
        route: str = "mcp",
    ) -> JsonObject:
        mcp = route == "mcp"
        record = {
            "id": ("mcpap_" if mcp else "tcap_") + uuid.uuid4().hex[:20],
            "object": "mcp.approval" if mcp else "tool_call.approval",
            "route": route,
            "status": "pending",
            "key_id": key_id,
            "role": role,
            "session": session,
            "server": server,
            "tool": tool,
            "arguments": shown_arguments,
            "reasons": reasons,
            "rule": rule,
            "tool_call_id": tool_call_id,
            "created_at": time.time(),
            "digest": digest,
        }
        await self.store.put(f"ap:{record['id']}", record, self.ttl_s)
        await self.store.put(f"apd:{key_id}:{digest}", record["id"], self.ttl_s)
        return record

    async def consume(self, record: JsonObject) -> bool:
        """True exactly once for an approved record (the retry that runs it)."""
        if record.get("status") != "approved":
            return False
        return await self.store.put_new(f"used:{record['id']}", True, self.ttl_s)

    async def forget(self, record: JsonObject) -> None:
        """After use: a further identical call starts a new approval."""
        await self.store.delete(f"apd:{record['key_id']}:{record['digest']}")

    async def get(self, approval_id: str) -> JsonObject:
        record = await self.store.get(f"ap:{approval_id}")
        if not isinstance(record, dict):  # absent (the store keeps JSON objects)
            raise ApprovalNotFound(approval_id)
        return record

    async def decide(self, approval_id: str, approve: bool, by: str, comment: str) -> JsonObject:
        record = await self.get(approval_id)
        if record["status"] != "pending":
            raise ApprovalConflict(record["status"])
        # One decision per approval, claimed atomically: two deciders that both read it
        # pending (an owner's approve and an admin's deny) both wrote, the last one won
        # and both were audited as decided (red team 8).
        if not await self.store.put_new(f"decided:{approval_id}", by, self.ttl_s):
            raise ApprovalConflict("decided")
        record.update(
            status="approved" if approve else "denied",
            decided_at=time.time(),
            decided_by=by,
            comment=comment[:500],
        )
        await self.store.put(f"ap:{approval_id}", record, self.ttl_s)
        return record

    async def list(self, key_id: str | None = None, status: str | None = None) -> list[JsonObject]:
        found = [
            r
            for _, r in await self.store.scan("ap:")
            if (key_id is None or r["key_id"] == key_id)
            and (status is None or r["status"] == status)
        ]
        return sorted(found, key=lambda r: r["created_at"])


def public(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k != "digest"}
