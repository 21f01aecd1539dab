"""What one MCP session has seen: taint facts and its history, shared with chat calls.

A session is named by the client (`x-keepgate-session`, the same header
`/v1/chat/completions` accepts), else by the transport (`mcp-session-id` of a stateful
Streamable HTTP session, the SSE session), else it is the key's default session. Every
name is scoped to the key, so one key can never read or taint another key's session.

Two append-only lists per session, so concurrent calls (and replicas) never lose a fact:
- taint sources (`{"guard", "rules", "tool_call_id", "tool", "server", "route"}`): any
  entry means the session is tainted, for every later call, until the session expires;
- the history as chat-style messages — an assistant message with the `tool_calls` the
  client made, a `tool` message with the result it received (scrubbed, capped), and the
  system and user messages of linked chat requests (`record_prompt`, each once) — the
  shape a provenance index over a chat conversation reads. So a value the user typed in
  the linked chat vouches for an MCP call's argument as it does for the model's calls.
"""

from __future__ import annotations

import functools
import hashlib
import re
from typing import Any

from keepgate.pipeline.jsontext import dumps_unicode
from keepgate.mcp.deferred import Job, SessionWork
from keepgate.mcp.store import Store

HEADER = "x-keepgate-session"
MCP_SESSION_HEADER = "mcp-session-id"
_VALID = re.compile(r"^[A-Za-z0-9._:@/+=-]{1,128}$")
DEFAULT = "default"


class BadSessionId(ValueError):
    pass


def session_id(headers: Any, query: Any = None) -> str:
    """The session a request belongs to (see the module docstring); 400 on a bad header.
    `query`: the query parameters, or a function that returns them (read only if needed)."""
    own = headers.get(HEADER)
    if own is not None:
        if not _VALID.match(own):
            raise BadSessionId(f"{HEADER} must be 1-128 characters of letters, digits and ._:@/+=-")
        return "c:" + str(own)
    transport = headers.get(MCP_SESSION_HEADER)
    if transport and _VALID.match(transport):
        return "t:" + str(transport)
    if callable(query):
        query = query()
    sse = query.get("session_id") if query is not None else None
    if sse and _VALID.match(sse):
        return "t:" + str(sse)
    return DEFAULT


def chat_session(headers: Any) -> str | None:
    """The client's session on a chat request (None: the header is absent)."""
    own = headers.get(HEADER)
    if own is None:
        return None
    if not _VALID.match(own):
        raise BadSessionId(f"{HEADER} must be 1-128 characters of letters, digits and ._:@/+=-")
    return "c:" + str(own)


class Sessions:
    """Every read and write of a session goes through here, behind the session's deferred
    writes (`later`, keepgate.mcp.deferred): each method first runs the ones queued. When
    writes defer, `taint`, `record_call` and `record_result` queue theirs behind them
    (a write that ran after a failed one would be lost to the failure, or land out of
    order); `record_prompt` needs its answer, so it runs inline (if a queued write fails
    it raises, and the prompt is not recorded: MCP calls see less, which is stricter)."""

    def __init__(
        self,
        store: Store,
        ttl_s: float,
        max_messages: int,
        history_chars: int,
        defer: bool = True,
    ) -> None:
        self.store = store
        self.ttl_s = ttl_s
        self.max_messages = max_messages
        self.history_chars = history_chars
        #: Writes may wait for the answer (a local store only: no other process reads it).
        self.defers = defer and store.local
        self.work = SessionWork(ttl_s)

    @staticmethod
    def _k(kind: str, key_id: str, sid: str) -> str:
        return f"s{kind}:{key_id}:{sid}"

    def later(self, key_id: str, sid: str, job: Job) -> None:
        """Run `job` (a write of this session) after the answer, before its next reader.
        Only when `defers`; the job must not call the public methods (they settle)."""
        self.work.later((key_id, sid), job)

    def settle(self, key_id: str, sid: str) -> None:
        """Run the session's deferred writes now (StoreUnavailable if one fails)."""
        if self.work.queues:
            self.work.settle_now((key_id, sid))

    async def taint_sources(self, key_id: str, sid: str) -> list[dict[str, Any]]:
        self.settle(key_id, sid)
        return await self.store.items(self._k("t", key_id, sid))

    async def history(self, key_id: str, sid: str) -> list[dict[str, Any]]:
        self.settle(key_id, sid)
        return await self.store.items(self._k("h", key_id, sid))

    async def history_unsettled(self, key_id: str, sid: str) -> list[dict[str, Any]]:
        """`history` without settling first (a deferred job's)."""
        return await self.store.items(self._k("h", key_id, sid))

    async def tainted(self, key_id: str, sid: str) -> bool:
        return bool(await self.taint_sources(key_id, sid))

    async def read(self, key_id: str, sid: str) -> tuple[list[Any], list[Any]]:
        """(taint sources, history), both lists in one read (read-only: shared items)."""
        self.settle(key_id, sid)
        sources, history = await self.store.items_many(
            [self._k("t", key_id, sid), self._k("h", key_id, sid)]
        )
        return sources, history

    async def facts(self, key_id: str, sid: str) -> dict[str, Any]:
        """The policy input's `facts` for a call in this session (both lists in one read)."""
        sources, history = await self.read(key_id, sid)
        called = [
            tc["function"]["name"]
            for m in history
            if m.get("role") == "assistant"
            for tc in m.get("tool_calls") or ()
        ]
        return {
            "tainted": bool(sources),
            "taint_sources": sources,
            "tools_called": called,
            "messages": history,
        }

    async def taint(self, key_id: str, sid: str, source: dict[str, Any]) -> None:
        if self.defers:  # behind the session's queued writes, never lost to a failed one
            self.later(key_id, sid, functools.partial(self.add_taint, key_id, sid, source))
            return
        self.settle(key_id, sid)
        await self.add_taint(key_id, sid, source)

    async def add_taint(self, key_id: str, sid: str, source: dict[str, Any]) -> None:
        """`taint` without settling first (a deferred job's)."""
        await self.store.append(self._k("t", key_id, sid), source, max_len=100, ttl_s=self.ttl_s)

    async def record_call(
        self, key_id: str, sid: str, call_id: str, tool: str, arguments: dict[str, Any], server: str
    ) -> None:
        if self.defers:
            job = functools.partial(self.add_call, key_id, sid, call_id, tool, arguments, server)
            self.later(key_id, sid, job)
            return
        self.settle(key_id, sid)
        await self.add_call(key_id, sid, call_id, tool, arguments, server)

    async def add_call(
        self, key_id: str, sid: str, call_id: str, tool: str, arguments: dict[str, Any], server: str
    ) -> None:
        """`record_call` without settling first (a deferred job's)."""
        await self.add_message(key_id, sid, call_message(call_id, tool, arguments, server))

    async def add_message(
        self, key_id: str, sid: str, message: dict[str, Any], kept: list[Any] | None = None
    ) -> None:
        """A history message (`call_message`, `result_message`) without settling first;
        `kept`: where to put it as the store keeps it (the memory store's own object)."""
        stored = await self.store.append(
            self._k("h", key_id, sid), message, max_len=self.max_messages, ttl_s=self.ttl_s
        )
        if kept is not None:
            kept.append(message if stored is None else stored)

    def result_message(self, call_id: str, text: str, server: str, tool: str) -> dict[str, Any]:
        """The history's message for a tool result: its first `history_chars` characters."""
        return {
            "role": "tool",
            "tool_call_id": call_id,
            "content": text[: self.history_chars],
            "keepgate": {"route": "mcp", "server": server, "tool": tool, "trusted": False},
        }

    async def record_result(
        self, key_id: str, sid: str, call_id: str, text: str, server: str, tool: str
    ) -> None:
        if self.defers:
            job = functools.partial(self.add_result, key_id, sid, call_id, text, server, tool)
            self.later(key_id, sid, job)
            return
        self.settle(key_id, sid)
        await self.add_result(key_id, sid, call_id, text, server, tool)

    async def add_result(
        self, key_id: str, sid: str, call_id: str, text: str, server: str, tool: str
    ) -> None:
        """`record_result` without settling first (a deferred job's)."""
        await self.add_message(key_id, sid, self.result_message(call_id, text, server, tool))

    async def record_prompt(self, key_id: str, sid: str, role: str, text: str) -> bool:
        """Add a linked chat request's system or user message to the history, once per
        session (a chat client resends the whole conversation with every request); the
        first `history_chars` characters, like a result. True when it was new."""
        self.settle(key_id, sid)
        text = text[: self.history_chars]
        if not text.strip():
            return False
        digest = hashlib.sha256(f"{role}\0{text}".encode("utf-8")).hexdigest()[:32]
        if not await self.store.put_new(f"{self._k('p', key_id, sid)}:{digest}", True, self.ttl_s):
            return False
        await self.store.append(
            self._k("h", key_id, sid),
            {"role": role, "content": text, "keepgate": {"route": "chat"}},
            max_len=self.max_messages,
            ttl_s=self.ttl_s,
        )
        return True


def call_message(call_id: str, tool: str, arguments: dict[str, Any], server: str) -> dict[str, Any]:
    """The history's message for an MCP call: an assistant message with the tool call."""
    return {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": call_id,
                "type": "function",
                "function": {"name": tool, "arguments": dumps_unicode(arguments)},
            }
        ],
        "keepgate": {"route": "mcp", "server": server},
    }
