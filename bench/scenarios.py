"""The load each target gets: prompt size × streaming, over a concurrency sweep.

The fake model echoes the last user message, so the answer is as long as the prompt and
the output guards (PII scrubbing) work on every chunk of it. The long prompt carries an
e-mail address and a phone number, so the scrubbers of both gateways have something to do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SHORT = "Summarise the meeting notes in one short sentence, please."

_PARAGRAPH = (
    "The quarterly planning meeting covered the migration of the billing service, the new "
    "on-call rota and the budget for the observability stack. The team agreed to move the "
    "nightly batch jobs to the new scheduler before the end of the month, to review the "
    "alert thresholds that paged people twice last week, and to write down the runbook for "
    "the database failover. ")
PII_MARK = "maria.jensen@example.org"
LONG = (_PARAGRAPH * 6 + f"Questions go to {PII_MARK} or +1 415 555 0134. "
        + _PARAGRAPH * 2).strip()


@dataclass(frozen=True)
class Scenario:
    prompt: str  # "short" | "long"
    stream: bool

    @property
    def name(self) -> str:
        return f"{self.prompt}/{'stream' if self.stream else 'json'}"

    def body(self) -> dict[str, Any]:
        text = SHORT if self.prompt == "short" else LONG
        body: dict[str, Any] = {"model": "demo", "messages": [
            {"role": "system", "content": "You are a concise assistant."},
            {"role": "user", "content": text}]}
        if self.stream:
            body["stream"] = True
            body["stream_options"] = {"include_usage": True}
        return body


ALL = (Scenario("short", False), Scenario("short", True), Scenario("long", False),
       Scenario("long", True))
QUICK = (Scenario("short", False), Scenario("long", True))
