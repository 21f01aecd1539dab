"""What the client of a run may see: everything passes the PII guard's scrubber (the
`keepgate.pipeline.capabilities.Redactor` among the guards).

Tools run with the arguments the model actually produced (the tool-call policy decides where
data may go), so the agent's model call skips the pipeline's "pii" guard and the agent scrubs
at its own boundary instead: `model.delta` text, tool-call arguments in events, result
previews, approval payloads, the final result and the run state the API returns. Checkpoints
keep the raw conversation (server-side only).

The scrubber is the guard's own, with the run owner's per-role / per-key overrides. If it
fails, the text is not shown: the run stops (`ScrubFailed`), unless `guards.pii.fail_open`.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from typing import Any

from keepgate.agent.model_call import AgentStop
from keepgate.auth.principal import Principal
from keepgate.pipeline import capabilities
from keepgate.pipeline.call import Call
from keepgate.runtime import Runtime

log = logging.getLogger("keepgate.agent")


class ScrubFailed(AgentStop):
    """The scrubber raised and `fail_open` is false: nothing unscrubbed may be shown."""

    def __init__(self) -> None:
        super().__init__(
            "pii_blocked",
            "The PII scrubber failed; the run was stopped rather "
            "than show unscrubbed text (guards.pii.fail_open is false).",
            {
                "code": "pii_scrubber_unavailable",
                "status": 503,
                "guard": "pii",
                "rule": "scrubber_error",
            },
        )


class Redactor:
    """The scrubbing policy for one principal. Without a pii guard (or with it turned off
    for this principal by an override) every method returns its input."""

    def __init__(self, guard: capabilities.Redactor | None, principal: Principal) -> None:
        self.guard = guard
        self.principal = principal
        self.scrubber = guard.scrubber_for(principal) if guard is not None else None
        self.fail_closed = guard.fail_closed if guard is not None else True

    def _failed(self, exc: BaseException) -> None:
        log.error("agent: pii scrub failed: %s", type(exc).__name__)  # never the text
        if self.fail_closed:
            raise ScrubFailed() from None

    def text(self, text: str, counts: Counter[str] | None = None) -> str:
        if self.scrubber is None or not text:
            return text
        try:
            out, found = self.scrubber.scrub(text)
        except Exception as exc:  # noqa: BLE001 - decided by fail_open
            self._failed(exc)
            return text
        if counts is not None:
            counts.update(found)
        return out

    def arguments(self, raw: str, counts: Counter[str] | None = None) -> str:
        """Tool-call arguments (a JSON text): every string value scrubbed, still valid JSON."""
        if self.scrubber is None or not raw:
            return raw
        try:
            out, found = self.scrubber.scrub_arguments(raw)
        except Exception as exc:  # noqa: BLE001
            self._failed(exc)
            return raw
        if counts is not None:
            counts.update(found)
        return out

    def value(self, value: Any) -> Any:
        """A JSON value (e.g. parsed arguments) with every string in it scrubbed."""
        if self.scrubber is None:
            return value
        raw = json.dumps(value, ensure_ascii=False)
        out = self.arguments(raw)
        return value if out is raw else json.loads(out)

    def stream(self, counts: Counter[str], call: Call | None = None) -> "TextStream":
        """Model text as the client may see it; with `call`, an answer to that call's
        conversation: remote images and links filtered as a proxied answer's are."""
        return TextStream(self, counts, call)

    # -- the run state as the API returns it -------------------------------------------

    def state(self, public: dict[str, Any]) -> dict[str, Any]:
        """`RunState.public()` with model output, tool traffic and results scrubbed. The
        system prompt and the task are the client's own input and are shown as sent."""
        if self.scrubber is None:
            return public
        out = dict(public)
        msgs = public["messages"]
        out["messages"] = [self._message(m, msgs[:i]) for i, m in enumerate(msgs)]
        out["pending_approvals"] = [
            {
                **p,
                "arguments": self.value(p["arguments"]),
                "reasons": [self.text(r) for r in p.get("reasons") or ()],
            }
            for p in public["pending_approvals"]
        ]
        for k in ("result", "message"):
            if isinstance(out.get(k), str):
                out[k] = self.text(out[k])
        if isinstance(out.get("result"), str) and self.guard is not None:
            # The final answer: the last assistant message, against what came before it.
            last = max((i for i, m in enumerate(msgs) if m.get("role") == "assistant"), default=0)
            body = {"messages": msgs[:last]}
            out["result"] = self.guard.answer_text_for(self.principal, body, out["result"])
        return out

    def _message(
        self, m: dict[str, Any], before: list[dict[str, Any]] | None = None
    ) -> dict[str, Any]:
        role = m.get("role")
        if role not in ("assistant", "tool"):
            return m
        out = dict(m)
        if isinstance(m.get("content"), str):
            out["content"] = self.text(m["content"])
            if role == "assistant" and before is not None and self.guard is not None:
                # The answer as it was shown: filtered against the conversation before it.
                body = {"messages": before}
                out["content"] = self.guard.answer_text_for(self.principal, body, out["content"])
        if m.get("tool_calls"):
            out["tool_calls"] = [
                {
                    **tc,
                    "function": {
                        **tc["function"],
                        "arguments": self.arguments(tc["function"].get("arguments") or ""),
                    },
                }
                for tc in m["tool_calls"]
            ]
        return out


class TextStream:
    """Model text arriving in deltas: scrubbed with the guard's own hold-back logic."""

    def __init__(self, redactor: Redactor, counts: Counter[str], call: Call | None = None) -> None:
        self.redactor = redactor
        guard = redactor.guard
        if guard is None or redactor.scrubber is None:
            self.inner: capabilities.StreamingScrubber | None = None
        elif call is None:
            self.inner = guard.stream_for(redactor.principal, counts)
        else:
            self.inner = guard.answer_stream_for(redactor.principal, call, counts)

    def feed(self, delta: str) -> str:
        if self.inner is None:
            return delta
        try:
            return self.inner.feed(delta)
        except Exception as exc:  # noqa: BLE001
            self.redactor._failed(exc)
            pending, self.inner = self.inner.pending, None  # failed open: the rest as is
            return pending

    def flush(self) -> str:
        if self.inner is None:
            return ""
        try:
            return self.inner.flush()
        except Exception as exc:  # noqa: BLE001
            self.redactor._failed(exc)
            pending, self.inner = self.inner.pending, None
            return pending


class OutputScrubber:
    """Finds the PII guard in `rt.guards` and hands out per-principal `Redactor`s."""

    def __init__(self, rt: Runtime) -> None:
        self.guard = capabilities.redactor(rt.guards)

    def for_principal(self, principal: Principal) -> Redactor:
        return Redactor(self.guard, principal)
