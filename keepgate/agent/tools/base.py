"""What a tool is, and how it fails: errors are data the model reads, never crashes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from keepgate.agent.settings import ToolSettings


class ToolError(Exception):
    """A tool failed in a way the model should hear about.

    `retryable` errors are retried by the engine with backoff (network blips, 5xx);
    everything else goes straight back to the model.
    """

    def __init__(self, code: str, message: str, *, retryable: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.retryable = retryable


@dataclass(frozen=True, slots=True)
class ToolContext:
    """Who runs the tool, for tools that need it (idempotency keys, audit)."""

    run_id: str
    tool_call_id: str
    key_id: str


Handler = Callable[[dict[str, Any], ToolContext], Awaitable[Any]]


@dataclass(slots=True)
class Tool:
    name: str
    description: str
    parameters: dict[str, Any]  # JSON schema of the arguments object
    handler: Handler
    settings: ToolSettings = field(default_factory=ToolSettings)
    #: Safe to run twice with the same arguments (a timeout may then be retried).
    idempotent: bool = True

    def openai_schema(self) -> dict[str, Any]:
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": self.parameters,
            },
        }
