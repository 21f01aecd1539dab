"""One conversation across both routes: `x-keepgate-session` on `/v1/chat/completions`.

An agent that calls a model through `/v1/chat/completions` and tools through `/mcp`
sends the same `x-keepgate-session` on both. Then taint flows both ways: an MCP result
the input guard flagged taints the model conversation (the tool-call policy sees
`facts.tainted` on the model's next tool calls), and a `tool` message the input guard
flags in a chat request taints the MCP session (the next side-effecting MCP call is held
or denied). The guard runs after the input guard, so it sees that request's findings.

The chat request's system and user messages also join the session's history (each once,
the last `PROMPT_MESSAGES` user messages of a request): MCP calls carry no prompt, so
without them a value only the user typed would count as model-made for an MCP call. A
request the input guard refused never gets here, so a flagged prompt vouches for nothing.
"""

from __future__ import annotations

import logging

from keepgate.mcp.sessions import BadSessionId, Sessions, chat_session
from keepgate.mcp.store import StoreUnavailable
from keepgate.pipeline.content_text import message_text
from keepgate.pipeline.call import Call, Outcome
from keepgate.pipeline.guard import Guard, GuardBlocked
from keepgate.pipeline.verdict import Verdict

SID_KEY, KNOWN_KEY = "_mcp_session", "_mcp_session_known"
#: User messages of one chat request recorded into the session (the latest ones).
PROMPT_MESSAGES = 20
_PROMPT_ROLES = {"system": "system", "developer": "system", "user": "user"}
log = logging.getLogger("keepgate.mcp")


class SessionLink(Guard):
    name = "mcp_session"

    def __init__(self, sessions: Sessions) -> None:
        self.sessions = sessions

    async def check_request(self, call: Call) -> None:
        raw = call.session
        if raw is None:
            return
        try:
            sid = chat_session({"x-keepgate-session": raw})
        except BadSessionId as exc:
            v = call.add(Verdict(self.name, "block", rule="session.invalid_id", reason=str(exc)))
            raise GuardBlocked(v, status=400, code="invalid_session_id", message=str(exc)) from None
        assert sid is not None
        call.state[SID_KEY] = sid
        try:
            known = await self.sessions.taint_sources(call.principal.key_id, sid)
        except StoreUnavailable as exc:
            v = call.add(
                Verdict(
                    self.name,
                    "error",
                    rule="session.store_unavailable",
                    reason=str(exc),
                    detail={"mode": "closed"},
                )
            )
            raise GuardBlocked(
                v,
                status=503,
                code="session_store_unavailable",
                type="service_unavailable",
                message="Keepgate cannot read this session's facts right now "
                "(its store is unreachable).",
            ) from None
        await self._record_prompt(call, sid)
        if known:
            call.facts.tainted = True
            call.facts.taint_sources.extend(known)
            call.state[KNOWN_KEY] = {id(s) for s in known}
            call.add(
                Verdict(
                    self.name,
                    "flag",
                    rule="session.tainted",
                    reason="the session was tainted earlier",
                    detail={"sources": len(known)},
                )
            )

    async def _record_prompt(self, call: Call, sid: str) -> None:
        """The request's system and (latest) user messages into the session's history; if
        the store is down, MCP calls simply see less (stricter), so the request goes on."""
        prompt = [
            (_PROMPT_ROLES[m["role"]], message_text(m.get("content")))
            for m in call.body.get("messages") or ()
            if isinstance(m, dict) and m.get("role") in _PROMPT_ROLES
        ]
        users = [i for i, (role, _) in enumerate(prompt) if role == "user"]
        skip = set(users[:-PROMPT_MESSAGES])
        try:
            for i, (role, text) in enumerate(prompt):
                if i not in skip:
                    await self.sessions.record_prompt(call.principal.key_id, sid, role, text)
        except StoreUnavailable as exc:
            log.error(
                "mcp: could not record the chat prompt in the session (%s)",
                exc,
                extra={"request_id": call.id},
            )

    async def finish(self, call: Call, outcome: Outcome) -> None:
        """Findings of this request taint the session, even when the input guard blocked
        the request: its tool results came from a source that is now known to be hostile."""
        sid = call.state.get(SID_KEY)
        if sid is None and call.session is not None:
            try:  # blocked before this guard's check ran
                sid = chat_session({"x-keepgate-session": call.session})
            except BadSessionId:
                return
        if sid is None:
            return
        known = call.state.get(KNOWN_KEY) or set()
        fresh = [s for s in call.facts.taint_sources if id(s) not in known]
        try:
            for source in fresh:
                await self.sessions.taint(
                    call.principal.key_id, sid, {**source, "route": call.route}
                )
        except StoreUnavailable as exc:
            log.error(
                "mcp: could not record the session's taint (%s)", exc, extra={"request_id": call.id}
            )
