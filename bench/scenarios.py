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
    "the database failover. "
)
PII_MARK = "maria.jensen@example.org"
LONG = (
    _PARAGRAPH * 6 + f"Questions go to {PII_MARK} or +1 415 555 0134. " + _PARAGRAPH * 2
).strip()


SYSTEM = "You are a concise assistant."
#: The route's path under /v1, and the deployment that speaks it natively (bench/targets.py).
ROUTES = {
    "chat": ("/chat/completions", "demo"),
    "responses": ("/responses", "demo-responses"),
    "messages": ("/messages", "claude-demo"),
}


@dataclass(frozen=True)
class Scenario:
    prompt: str  # "short" | "long"
    stream: bool
    #: The wire API: "chat" completions, OpenAI "responses" or Anthropic "messages".
    route: str = "chat"
    #: Send it to the deployment that speaks the route natively (pass-through, no translation).
    native: bool = False

    @property
    def name(self) -> str:
        base = f"{self.prompt}/{'stream' if self.stream else 'json'}"
        if self.route == "chat":
            return base
        return f"{self.route}{'-native' if self.native else ''}:{base}"

    @property
    def path(self) -> str:
        return ROUTES[self.route][0]

    @property
    def text(self) -> str:
        return SHORT if self.prompt == "short" else LONG

    def body(self) -> dict[str, Any]:
        model = ROUTES[self.route][1] if self.native else "demo"
        body: dict[str, Any]
        if self.route == "responses":
            body = {"model": model, "instructions": SYSTEM, "input": self.text}
        elif self.route == "messages":
            body = {
                "model": model,
                "system": SYSTEM,
                "max_tokens": 1024,
                "messages": [{"role": "user", "content": self.text}],
            }
        else:
            body = {
                "model": model,
                "messages": [
                    {"role": "system", "content": SYSTEM},
                    {"role": "user", "content": self.text},
                ],
            }
        if self.stream:
            body["stream"] = True
            if self.route == "chat":
                body["stream_options"] = {"include_usage": True}
        return body


ALL = (
    Scenario("short", False),
    Scenario("short", True),
    Scenario("long", False),
    Scenario("long", True),
)
QUICK = (Scenario("short", False), Scenario("long", True))
