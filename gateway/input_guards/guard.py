"""The `input` guard: scan every message that reaches the model before it goes upstream.

Scanned: the roles in `scan_roles` (system, developer, user, tool, function by default),
string contents, text content parts, and for tool results the strings inside a JSON payload
(so `\\u0069gnore` escapes do not hide text). A blocking finding stops the call with a 400
`input_blocked` naming only rule ids; flags pass with `x-keepgate-flags`. Any finding on a
tool result marks the call's context as tainted for the tool-call policy.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

from gateway.config.load import config_error, validation_error
from gateway.config.model import KeepgateConfig
from gateway.input_guards.classifier import ClassifierError
from gateway.input_guards.config import InputConfigError, InputSettings, parse_settings
from gateway.input_guards.judge import Judge, JudgeConfigError
from gateway.input_guards.scanner import Scanner, ScanResult
from gateway.pipeline.call import Call
from gateway.pipeline.guard import Guard, GuardBlocked
from gateway.pipeline.overrides import deep_merge, effective
from gateway.pipeline.verdict import Verdict

log = logging.getLogger("keepgate.input")

TOOL_ROLES = frozenset({"tool", "function"})
_CACHE_SIZE = 4096


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _tool_text(text: str) -> str:
    """A tool result's text; JSON payloads are read as their decoded string values."""
    s = text.lstrip()
    if s[:1] in ("{", "[", '"'):
        try:
            return "\n".join(_strings(json.loads(s)))
        except ValueError:
            pass
    return text


def _content_text(content: Any, tool: bool) -> str:
    parts: list[str] = []
    if isinstance(content, str):
        parts.append(content)
    elif isinstance(content, list):
        for part in content:
            if isinstance(part, str):
                parts.append(part)
            elif isinstance(part, dict):
                t = part.get("text") if isinstance(part.get("text"), str) else None
                if t is None and isinstance(part.get("output"), str):
                    t = part["output"]
                if t is not None:
                    parts.append(t)
    text = "\n".join(parts)
    return _tool_text(text) if tool else text


def messages_to_scan(body: dict[str, Any], roles: set[str]) -> Iterator[tuple[int, str, str, str | None]]:
    """(index, role, text, tool_call_id) for every message a model will read."""
    messages = body.get("messages")
    if messages is None and "input" in body:  # the Responses API shape
        inp = body["input"]
        messages = [{"role": "user", "content": inp}] if isinstance(inp, str) else inp
        if body.get("instructions"):
            messages = [{"role": "system", "content": body["instructions"]}, *(messages or [])]
    for i, msg in enumerate(messages or ()):
        if not isinstance(msg, dict):
            continue
        role = msg.get("role") or ("tool" if msg.get("type") == "function_call_output" else "")
        if role not in roles:
            continue
        tool = role in TOOL_ROLES
        content = msg.get("content", msg.get("output"))
        text = _content_text(content, tool)
        if text.strip():
            yield i, role, text, msg.get("tool_call_id") or msg.get("call_id")


class InputGuard(Guard):
    name = "input"

    def __init__(self, section: dict[str, Any], config: KeepgateConfig | None = None,
                 upstream: Any | None = None) -> None:
        self.section = section
        self.config = config
        #: The gateway's own upstream client (shared pool, built-in fake model routing); a
        #: judge makes its own only where there is none (`keepgate scan`).
        self.upstream = upstream
        self.base = parse_settings(section)
        self.fail_closed = not self.base.fail_open
        self._scanners: dict[str, tuple[InputSettings, Scanner]] = {}
        self._judges: dict[str, Judge] = {}
        self._results: OrderedDict[tuple[str, str, str], ScanResult] = OrderedDict()
        # Build every variant now, so a bad rule dir in a role/key override fails start-up.
        self._scanner_for(section)
        for group in ("roles", "keys"):
            for over in (section.get(group) or {}).values():
                if isinstance(over, dict):
                    self._scanner_for(deep_merge(_base(section), over))

    def _scanner_for(self, eff: dict[str, Any]) -> tuple[InputSettings, Scanner]:
        key = json.dumps(_base(eff), sort_keys=True, default=str)
        hit = self._scanners.get(key)
        if hit is None:
            settings = parse_settings(eff)
            scanner = Scanner(settings, self._judge_for(settings))
            if scanner.classifier_error and not settings.fail_open:
                raise ClassifierError(scanner.classifier_error)
            if scanner.stage_errors and not settings.fail_open:
                raise ClassifierError(str(scanner.stage_errors[0]))
            hit = self._scanners[key] = (settings, scanner)
        return hit

    def _judge_for(self, settings: InputSettings) -> Judge | None:
        if not settings.checks.judge:
            return None
        key = settings.judge.model_dump_json()
        judge = self._judges.get(key)
        if judge is None:
            judge = self._judges[key] = Judge(settings.judge, self.config, self.upstream)
        return judge

    async def aclose(self) -> None:
        for judge in self._judges.values():
            await judge.aclose()

    def scanner(self, principal: Any | None = None) -> Scanner:
        """The scanner that applies to `principal` (the base one when None)."""
        eff = effective(self.section, principal) if principal is not None else self.section
        return self._scanner_for(eff)[1]

    async def _scan(self, scanner: Scanner, text: str, role: str) -> ScanResult:
        key = (str(id(scanner)), role, hashlib.blake2b(text.encode("utf-8", "surrogatepass"),
                                                       digest_size=16).hexdigest())
        hit = self._results.get(key)
        if hit is not None:
            self._results.move_to_end(key)
            return hit
        result = await scanner.ascan(text, role=role)
        if any(f.stage == "error" for f in result.findings):
            return result  # "could not decide" is not an answer worth remembering
        self._results[key] = result
        if len(self._results) > _CACHE_SIZE:
            self._results.popitem(last=False)
        return result

    async def scan_tool_result(self, principal: Any, text: str) -> ScanResult | None:
        """A tool result the hosted agent is about to give the model (None: not scanned).

        The caller's role/key overrides apply, and the result lands in the same cache as
        the request-side scan of that `tool` message on the agent's next model call.
        """
        settings, scanner = self._scanner_for(effective(self.section, principal))
        if not settings.enabled or "tool" not in settings.scan_roles:
            return None
        return await self._scan(scanner, _content_text(text, True), "tool")

    async def check_request(self, call: Call) -> None:
        settings, scanner = self._scanner_for(effective(self.section, call.principal))
        if not settings.enabled:
            return
        mode = "open" if settings.fail_open else "closed"
        blocked: list[str] = []
        flagged: list[str] = []
        errors: list[str] = []
        first_block: Verdict | None = None
        for index, role, text, tool_call_id in messages_to_scan(call.body, set(settings.scan_roles)):
            where = {"message_index": index, "role": role}
            try:
                result = await self._scan(scanner, text, role)
            except Exception as exc:  # noqa: BLE001 - a crash is "cannot decide"
                log.exception("input scan failed")
                v = call.add(Verdict("input", "error", rule="input.internal_error",
                                     reason=f"scan failed: {type(exc).__name__}",
                                     detail={**where, "mode": mode}))
                errors.append("input.internal_error")
                if settings.fail_open:
                    continue
                raise GuardBlocked(v, status=503, code="input_guard_error", type="service_unavailable",
                                   message="input guard could not decide; request refused "
                                           "(guards.input.fail_open is false)") from None
            if not result.findings:
                continue
            for f in result.findings:
                if f.stage == "error":
                    errors.append(f.rule)
                    call.add(Verdict("input", "error", rule=f.rule, reason="stage unavailable",
                                     detail={**where, "mode": mode}))
            found = [f for f in result.findings if f.stage != "error"]
            rules = list(dict.fromkeys(f.rule for f in found))
            block_rules = [f.rule for f in found if f.action == "block"]
            if role in TOOL_ROLES and rules:
                call.facts.tainted = True
                call.facts.taint_sources.append({"guard": "input", "message_index": index,
                                                 "tool_call_id": tool_call_id, "rules": rules})
            if rules:
                decision = "block" if block_rules else "flag"
                v = call.add(Verdict("input", decision, rule=(block_rules or rules)[0],
                                     reason=f"{decision} by {', '.join(rules)}",
                                     detail={**where, "rules": rules,
                                             "score": round(result.score, 4)}))
                if block_rules and first_block is None:
                    first_block = v
            blocked.extend(r for r in block_rules if r not in blocked)
            flagged.extend(r for r in rules if r not in flagged and r not in block_rules)
            if result.blocked and not block_rules and first_block is None:
                # Only a failed stage blocks this message (fail closed).
                err = next(v for v in reversed(call.verdicts) if v.decision == "error")
                raise GuardBlocked(err, status=503, code="input_guard_error", type="service_unavailable",
                                   message=f"input guard could not decide ({', '.join(errors)}); "
                                           "request refused (guards.input.fail_open is false)")
        if errors:
            call.headers["x-keepgate-input-error"] = ",".join(dict.fromkeys(errors))
        if flagged or blocked:
            call.headers["x-keepgate-flags"] = ",".join(dict.fromkeys(flagged + blocked))
        if first_block is not None:
            d = first_block.detail
            raise GuardBlocked(first_block, status=400, code="input_blocked",
                               message=f"input blocked by rule(s) {', '.join(blocked)} "
                                       f"(message {d['message_index']}, role {d['role']})",
                               headers=dict(call.headers))

    async def ready(self) -> tuple[bool, str]:
        scanner = self._scanner_for(self.section)[1]
        if scanner.classifier_error:
            return self.base.fail_open, "classifier unavailable"
        if scanner.stage_errors:
            return self.base.fail_open, f"{scanner.stage_errors[0].name} stage unavailable"
        return True, "ok"


def _base(section: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in section.items() if k not in ("roles", "keys")}


def build(section: dict[str, Any], config: KeepgateConfig | None = None, ctx: Any = None) -> InputGuard:
    """Registry entry point (`gateway.pipeline.registry`); raises on a bad section or rule
    pack, naming the config file and line where there is one."""
    extras = getattr(ctx, "extras", None) or {}
    try:
        return InputGuard(section, config, extras.get("upstream"))
    except InputConfigError as exc:
        if config is None:
            raise
        raise validation_error(config, ("guards", "input"), exc.validation) from None
    except JudgeConfigError as exc:
        if config is None:
            raise
        raise config_error(config, ("guards", "input", "judge", "model"), str(exc)) from None

#: Public name for other parts (the agent loop reads tool results the same way).
tool_text = _tool_text
