"""Held tool calls on the proxy routes: an approval id, a human decision, the retry released.

With `on_approval: hold` a `require_approval` call never reaches the client. Like MCP's held
calls (same store, same API: `keepgate.mcp.approvals`, `/v1/approvals`), the first time a
call is held it gets an approval record (`tcap_…`), named in the text that replaces the
call, in `keepgate.policy[].approval_id` and in the audit. An operator approves or denies
it; when the client sends the conversation again and the model asks for the same call, the
approved call is released once (a further identical call needs a new approval), a denied
one is refused with the approver's comment.

"The same call" is the same key, conversation, tool and arguments (canonical JSON), never
the tool-call id (models mint a new one per answer). The conversation is the request's
`x-keepgate-session` when it sends one, else a digest of its system/developer messages and
its first user message: a retry, with or without the held turn appended, is the same
conversation; another conversation of the same key asking for the same call is not.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from keepgate.jsontypes import JsonObject, JsonValue
from keepgate.mcp.approvals import Approvals, call_digest
from keepgate.mcp.store import StoreUnavailable
from keepgate.pipeline.call import Call
from keepgate.policy.decision import PolicyDecision, reason_text
from keepgate.pipeline.content_text import message_text

log = logging.getLogger("keepgate.policy")

#: What a held call became: released after approval, refused by a human, still waiting.
APPROVED, DENIED, PENDING = "approved", "denied", "pending"


def conversation_key(call: Call) -> str:
    """The session header, else a digest of how the conversation starts."""
    sid = call.session
    if sid is not None and sid.strip():
        return "session:" + sid.strip()[:200]
    opening: list[Any] = []
    for m in call.body.get("messages") or ():
        if not isinstance(m, dict):
            continue
        role = m.get("role")
        if role in ("system", "developer"):
            opening.append([role, message_text(m.get("content"))])
        elif role == "user":
            opening.append([role, message_text(m.get("content"))])
            break
    raw = json.dumps(opening, ensure_ascii=False, separators=(",", ":"))
    return "conv:" + hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]


def canonical(arguments: JsonValue) -> JsonValue:
    """The arguments as compared: parsed JSON (key order and spacing do not matter)."""
    if isinstance(arguments, str):
        try:
            parsed: JsonValue = json.loads(arguments)
        except ValueError:
            return arguments
        return parsed
    return arguments


class HeldCalls:
    """The proxy routes' side of the approvals store."""

    def __init__(self, approvals: Approvals) -> None:
        self.approvals = approvals

    async def settle(
        self,
        call: Call,
        tool: str,
        arguments: JsonValue,
        decision: PolicyDecision,
        tool_call_id: str,
        shown: JsonValue,
    ) -> tuple[str, JsonObject | None]:
        """(state, record) for a call the policy holds. An approved record is consumed here
        (at most once, across replicas); a pending one is reused; a missing or used one is
        created. Store down: (PENDING, None) -- the call stays held, without an id."""
        key_id = call.principal.key_id or ""
        digest = call_digest(key_id, conversation_key(call), "", tool, canonical(arguments))
        try:
            record = await self.approvals.lookup(key_id, digest)
            if record is not None and record.get("status") == APPROVED:
                if await self.approvals.consume(record):
                    await self.approvals.forget(record)
                    return APPROVED, record
                record = None  # used by a concurrent retry: this one needs a new approval
            if record is not None and record.get("status") == DENIED:
                await self.approvals.forget(record)
                return DENIED, record
            if record is None or record.get("status") != PENDING:
                record = await self.approvals.create(
                    key_id=key_id,
                    role=call.principal.role,
                    session=conversation_key(call),
                    server="",
                    tool=tool,
                    shown_arguments=shown,
                    reasons=[reason_text(r) for r in decision.approval],
                    rule=decision.rule,
                    digest=digest,
                    tool_call_id=tool_call_id,
                    route=call.route,
                )
            return PENDING, record
        except StoreUnavailable as exc:
            log.warning(
                "policy: approvals store unreachable (%s): the call stays held "
                "without an approval id",
                exc,
                extra={"request_id": call.id},
            )
            return PENDING, None
