"""Run one tool call: validate → rate limit → timeout → retry with backoff → truncate.

Every failure becomes a `ToolOutcome` with a structured error the model can read; the engine
never raises for a bad call, so a hijacked or confused model cannot crash the run.
"""

from __future__ import annotations

import asyncio
import functools
import json
import time
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any

from jsonschema import Draft202012Validator

from keepgate.agent.tools.base import Tool, ToolContext, ToolError
from keepgate.jsontypes import JsonObject


@dataclass(slots=True)
class ToolOutcome:
    ok: bool
    result: Any = None
    error: dict[str, Any] | None = None
    attempts: int = 0
    truncated: bool = False
    #: Seconds spent inside the tool's handler (the benchmark subtracts it).
    tool_s: float = 0.0

    def content(self) -> str:
        """The tool message the model reads: a JSON object, ok or error."""
        if self.ok:
            body: dict[str, Any] = {"ok": True, "result": self.result}
            if self.truncated:
                body["truncated"] = True
        else:
            body = {"ok": False, "error": self.error}
        return json.dumps(body, ensure_ascii=False, default=str)


def error(code: str, message: str, **extra: Any) -> ToolOutcome:
    return ToolOutcome(False, error={"type": code, "message": message, **extra})


class TokenBucket:
    """Process-wide calls-per-second limit for one tool."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate, self.burst = rate, float(burst)
        self.tokens, self.at = float(burst), time.monotonic()

    def take(self) -> float:
        """0 when a call may run now, else seconds until one may."""
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


@functools.lru_cache(maxsize=256)
def _check_schema(schema_json: str) -> None:
    """Checking a schema against the metaschema costs ~5 ms; the tools' schemas are the same
    on every start in a process (tests start hundreds of gateways), so each is checked once.
    A bad one raises every time: exceptions are not cached."""
    Draft202012Validator.check_schema(json.loads(schema_json))


@dataclass
class ToolEngine:
    tools: dict[str, Tool]
    #: The deadline each attempt runs under, given the tool's `timeout_s` (a seam: a test
    #: expires an attempt when it chooses instead of waiting the timeout out).
    deadline: Callable[[float], AbstractAsyncContextManager[object]] = asyncio.timeout
    _validators: dict[str, Draft202012Validator] = field(default_factory=dict)
    _buckets: dict[str, TokenBucket] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name, tool in self.tools.items():
            _check_schema(json.dumps(tool.parameters, sort_keys=True))  # bad: start-up fails
            self._validators[name] = Draft202012Validator(tool.parameters)
            if tool.settings.rate_per_s:
                self._buckets[name] = TokenBucket(tool.settings.rate_per_s, tool.settings.burst)

    def schemas(self, names: list[str]) -> list[JsonObject]:
        return [self.tools[n].openai_schema() for n in names]

    def check(
        self, name: str, raw_arguments: str, allowed: list[str]
    ) -> tuple[JsonObject | None, ToolOutcome | None]:
        """Parse and validate the arguments: (arguments, None) or (None, error outcome)."""
        if name not in self.tools or name not in allowed:
            return None, error(
                "unknown_tool",
                f"There is no tool named '{name[:100]}' in this "
                f"run. Available: {', '.join(allowed)}.",
            )
        try:
            args = json.loads(raw_arguments or "{}")
        except json.JSONDecodeError as exc:
            return None, error(
                "invalid_arguments",
                f"Arguments are not valid JSON: {exc.msg} at position {exc.pos}.",
            )
        problems = sorted(self._validators[name].iter_errors(args), key=lambda e: list(e.path))
        if problems:
            listed = [
                {
                    "path": "/".join(str(p) for p in e.absolute_path) or "(root)",
                    "message": e.message[:300],
                }
                for e in problems[:5]
            ]
            return None, error(
                "invalid_arguments",
                "Invalid arguments: " + "; ".join(f"{p['path']}: {p['message']}" for p in listed),
                problems=listed,
            )
        return args, None

    async def execute(self, name: str, args: JsonObject, ctx: ToolContext) -> ToolOutcome:
        tool = self.tools[name]
        s = tool.settings
        bucket = self._buckets.get(name)
        if bucket is not None:
            wait = bucket.take()
            if wait:
                return error(
                    "rate_limited",
                    f"Tool '{name}' is rate limited; retry in {wait:.2f}s.",
                    retry_after_s=round(wait, 3),
                    retryable=True,
                )
        delay = s.backoff_s
        spent = 0.0
        for attempt in range(1, s.retries + 2):
            t0 = time.perf_counter()
            try:
                async with self.deadline(s.timeout_s):
                    result = await tool.handler(args, ctx)
            except TimeoutError:
                spent += time.perf_counter() - t0
                out = error(
                    "timeout",
                    f"Tool '{name}' did not finish within {s.timeout_s:g}s.",
                    retryable=tool.idempotent,
                )
            except ToolError as exc:
                spent += time.perf_counter() - t0
                out = error(exc.code, exc.message, retryable=exc.retryable)
            except Exception as exc:  # noqa: BLE001 - a tool bug is an error for the model
                spent += time.perf_counter() - t0
                out = error("tool_failed", f"Tool '{name}' failed: {type(exc).__name__}.")
            else:
                spent += time.perf_counter() - t0
                return self._truncate(
                    ToolOutcome(True, result, attempts=attempt, tool_s=spent), s.max_result_chars
                )
            out.attempts, out.tool_s = attempt, spent
            if not (out.error or {}).get("retryable") or attempt > s.retries:
                return out
            await asyncio.sleep(delay)
            delay *= 2
        raise AssertionError("unreachable")

    @staticmethod
    def _truncate(out: ToolOutcome, limit: int) -> ToolOutcome:
        text = (
            out.result
            if isinstance(out.result, str)
            else json.dumps(out.result, ensure_ascii=False, default=str)
        )
        if len(text) <= limit:
            return out
        out.result = text[:limit] + f"\n[truncated {len(text) - limit} characters]"
        out.truncated = True
        return out
