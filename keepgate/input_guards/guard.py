"""The `input` guard: scan everything a model will read before the call goes upstream.

What is read is listed by `extract` (message content and `name`, assistant turns with their
tool calls, tool results as JSON keys and values, tool definitions, `response_format`
schemas), each under a scan role whose mode (`role_modes`: enforce / monitor / off) says
what a finding does: a blocking finding stops the call with a 400 `input_blocked` naming
only rule ids and where; flags pass with `x-keepgate-flags`. Any finding on a tool result or
a tool definition marks the call's context as tainted for the tool-call policy.

Big items (`offload_chars`) are rendered, hashed and scanned in the app's process pool
(`general_settings.offload`; a worker thread when there is none), small ones inline with a
yield to the event loop every few milliseconds (and every `turns.EVERY` items in the loops
that list, size, render and hash a request's items); a per-request `Budget` (`scan_budget_s`)
bounds the whole scan, time queued for the pool included, and running past it is a
fail-closed 503.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import anyio

from keepgate.config.load import config_error, validation_error
from keepgate.config.model import KeepgateConfig
from keepgate.input_guards import extract
from keepgate.input_guards.budget import Budget, BudgetExceeded
from keepgate.input_guards.classifier import ClassifierError
from keepgate.input_guards.config import (
    InputConfigError,
    InputSettings,
    parse_section,
    parse_settings,
)
from keepgate.input_guards.extract import TOOL_ROLES, Item
from keepgate.input_guards.judge import Judge, JudgeConfigError
from keepgate.input_guards.scanner import Scanner, ScanResult
from keepgate.auth.principal import Principal
from keepgate.pipeline import offload, procpool, procwork, turns
from keepgate.pipeline.call import Call
from keepgate.pipeline.capabilities import PoolScanner, ResultScanner
from keepgate.pipeline.deps import GuardDeps
from keepgate.pipeline.guard import Guard, GuardBlocked
from keepgate.pipeline.overrides import merged, override_key
from keepgate.pipeline.verdict import Verdict

if TYPE_CHECKING:
    from keepgate.upstream.client import Upstream

log = logging.getLogger("keepgate.input")

#: Scan roles whose findings taint the conversation: text from outside the conversation's
#: trusted authors (tool outputs, and tool definitions, which may come from third parties).
TAINTING_ROLES = TOOL_ROLES | {"tool_definition"}
_CACHE_SIZE = 4096
#: Inline scanning yields to the event loop once it has run this long without a break.
_SLICE_S = 0.005

Key = tuple[str, str, str]


#: An item's scan: (cache key, result or None for empty text, whether the cache had it).
Scanned = tuple[Key, ScanResult | None, bool]
T = TypeVar("T")


class InputGuard(Guard, ResultScanner, PoolScanner):
    name = "input"

    def __init__(
        self,
        section: InputSettings | Mapping[str, Any],
        config: KeepgateConfig | None = None,
        upstream: Upstream | None = None,
    ) -> None:
        #: The section, typed (a mapping is validated here, overrides included).
        self.settings = section if isinstance(section, InputSettings) else parse_section(section)
        #: Its options as written, without the overrides: scanners are cached by them.
        self.section = self.settings.written()
        self.config = config
        #: The gateway's own upstream client (shared pool, built-in fake model routing); a
        #: judge makes its own only where there is none (`keepgate scan`).
        self.upstream = upstream
        self.base = parse_settings(self.section)
        self.fail_closed = not self.base.fail_open
        self._scanners: dict[str, tuple[InputSettings, Scanner]] = {}
        self._by_override: dict[tuple[str | None, str | None], tuple[InputSettings, Scanner]] = {}
        self._judges: dict[str, Judge] = {}
        self._results: OrderedDict[Key, ScanResult] = OrderedDict()
        self._lock = threading.Lock()  # the cache is read from scanning threads too
        self._worker_json: dict[int, str] = {}
        #: Called in the scanning thread at every budget check (see `Budget.on_check`).
        self.on_check: Any = None
        #: The clock every scan budget is measured on (see `Budget.clock`).
        self.clock: Callable[[], float] = time.perf_counter
        #: How long a scan sent to the pool is waited for (the budget left; None: no
        #: limit): a seam so a test expires the wait of a queued scan when it is in the
        #: pool, instead of waiting out a budget short enough to expire there.
        self.pool_deadline: Callable[[float | None], AbstractAsyncContextManager[object]] = (
            _fail_after
        )
        # Build every variant now, so a bad rule dir in a role/key override fails start-up.
        self._scanner_for(self.section)
        for group, overrides in (("roles", self.settings.roles), ("keys", self.settings.keys)):
            for name in overrides:
                pair = (name, None) if group == "roles" else (None, name)
                try:
                    self._scanner_for(merged(self.settings, *pair))
                except InputConfigError as exc:
                    raise InputConfigError(exc.validation, (group, str(name))) from None

    def _for(self, principal: Principal | None) -> tuple[InputSettings, Scanner]:
        """Settings and scanner for `principal` (the base ones when None), cached per
        (role, key_id) override pair: one dict lookup per request, no merge or JSON key."""
        if principal is None:
            return self._scanner_for(self.section)
        which = override_key(self.settings, principal)
        hit = self._by_override.get(which)
        if hit is None:
            hit = self._by_override[which] = self._scanner_for(merged(self.settings, *which))
        return hit

    def _scanner_for(self, eff: dict[str, Any]) -> tuple[InputSettings, Scanner]:
        key = json.dumps(eff, sort_keys=True, default=str)
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

    def scanner(self, principal: Principal | None = None) -> Scanner:
        """The scanner that applies to `principal` (the base one when None)."""
        return self._for(principal)[1]

    # -- the result cache ----------------------------------------------------------------

    def _cached(self, key: Key) -> ScanResult | None:
        with self._lock:
            hit = self._results.get(key)
            if hit is not None:
                self._results.move_to_end(key)
            return hit

    def _remember(self, key: Key, result: ScanResult) -> None:
        if any(f.stage == "error" for f in result.findings):
            return  # "could not decide" is not an answer worth remembering
        # The normalised text is only for the judge, which has run: do not keep megabytes.
        result = dataclasses.replace(result, normalized="")
        with self._lock:
            self._results[key] = result
            if len(self._results) > _CACHE_SIZE:
                self._results.popitem(last=False)

    # -- scanning one item ---------------------------------------------------------------

    def _lookup(self, scanner: Scanner, item: Item) -> tuple[str, Key, Scanned | None]:
        """Render and look up: (text, cache key, the finished scan for empty text or a
        cache hit, else None)."""
        text = item.text()
        if not text.strip():
            empty: Key = ("", "", "")
            return text, empty, (empty, None, False)
        key = (str(id(scanner)), item.role, procwork.digest(text))
        hit = self._cached(key)
        return text, key, (None if hit is None else (key, hit, True))

    def _scan_sync(self, scanner: Scanner, item: Item, budget: Budget) -> Scanned:
        """Render, look up, scan: (cache key, result or None for empty text, cache hit)."""
        text, key, found = self._lookup(scanner, item)
        if found is not None:
            return found
        budget.check()
        return key, scanner.scan(text, item.role, budget), False

    def _worker_settings(self, scanner: Scanner) -> str:
        """The settings a pool process builds its scanner from (its stages that await
        stay here), as JSON; one per scanner."""
        key = id(scanner)
        hit = self._worker_json.get(key)
        if hit is None:
            hit = self._worker_json[key] = procwork.local_settings(
                scanner.settings
            ).model_dump_json()
        return hit

    def pool_settings(self) -> str:
        return self._worker_settings(self.scanner())

    async def _in_pool(self, budget: Budget, send: Callable[[float | None], Awaitable[T]]) -> T:
        """`send(deadline)`: a scan task in a pool process. Waiting there counts against
        the budget: a request still queued at its deadline is refused like one that ran
        out (and its task is abandoned: procpool)."""
        left = budget.left()
        deadline = None if left is None else time.time() + left
        try:
            async with self.pool_deadline(left):
                return await send(deadline)
        except TimeoutError:
            raise BudgetExceeded(f"input scan exceeded its budget of {budget.seconds:g}s") from None

    def _keeps_text(self, scanner: Scanner) -> bool:
        """Whether pool results must carry the normalised text (for the stages that await,
        which run here on each result)."""
        return scanner.judge is not None or scanner.model_stage is not None

    async def _scan_in_pool(
        self, pool: procpool.ProcPool, scanner: Scanner, item: Item, budget: Budget
    ) -> Scanned:
        """`_scan_sync` in a worker process."""
        settings, keep = self._worker_settings(scanner), self._keeps_text(scanner)
        digest, result = await self._in_pool(
            budget,
            lambda deadline: pool.run(
                procwork.scan, settings, item.role, item.value, item.render, deadline, keep
            ),
        )
        return (str(id(scanner)), item.role, digest), result, False

    async def _scan_many_in_pool(
        self, scanner: Scanner, settings: InputSettings, items: list[Item], budget: Budget
    ) -> dict[int, Scanned | Exception]:
        """The small items of a request (each under `offload_chars`, so `_scan` would run
        them on the event loop) when together they reach `offload_total_chars`: 50,000
        short messages are as much work as one long one. Scanned in the pool in batches of
        about `offload_total_chars` (several processes share a big request), by index in
        `items`; empty, {}, without a pool or below the total. Each item's text is rendered
        and looked up in the cache here first (cheap next to a scan), so a conversation
        sent again with one more message rescans only what is new. A batch that fails
        gives its exception to each of its items, which the caller raises as `_scan`
        would have."""
        pool = procpool.current()
        cap = settings.offload_chars
        if pool is None:
            return {}
        ticker = turns.Ticker()  # sizing, rendering, hashing: per item, on the event loop
        small: list[tuple[int, Item]] = []
        total = 0
        for i, item in enumerate(items):
            await ticker.tick()
            size = item.size(cap)
            if size < cap:
                small.append((i, item))
                total += size
        if total < settings.offload_total_chars:
            return {}
        done: dict[int, Scanned | Exception] = {}
        batches: list[list[tuple[int, Key, str]]] = [[]]
        size = 0
        for i, item in small:
            await ticker.tick()
            text, key, found = self._lookup(scanner, item)
            if found is not None:
                done[i] = found
                continue
            if size >= settings.offload_total_chars:
                batches.append([])
                size = 0
            batches[-1].append((i, key, text))
            size += len(text)
        worker, keep = self._worker_settings(scanner), self._keeps_text(scanner)

        async def scan(batch: list[tuple[int, Key, str]]) -> None:
            texts = [(key[1], text) for _, key, text in batch]  # (role, text)
            try:
                results = await self._in_pool(
                    budget,
                    lambda deadline: pool.run(procwork.scan_many, worker, texts, deadline, keep),
                )
            except Exception as exc:  # noqa: BLE001 - each item raises it in the caller
                for i, _, _ in batch:
                    done[i] = exc
                return
            # the pool digests the same text the key was made from
            for (i, key, _), (_, result) in zip(batch, results):
                done[i] = key, result, False

        async with anyio.create_task_group() as tg:
            for batch in batches:
                if batch:
                    tg.start_soon(scan, batch)
        return done

    async def _scan(
        self,
        scanner: Scanner,
        settings: InputSettings,
        item: Item,
        budget: Budget,
        scanned: Scanned | Exception | None = None,
    ) -> ScanResult | None:
        """Scan one item (or take its `scanned` result from `_scan_many_in_pool`), then run
        the stages that await on it."""
        if isinstance(scanned, Exception):
            raise scanned
        if scanned is not None:
            key, result, hit = scanned
        else:
            heavy = item.size(settings.offload_chars) >= settings.offload_chars
            pool = procpool.current() if heavy else None
            if pool is not None:
                key, result, hit = await self._scan_in_pool(pool, scanner, item, budget)
            else:
                key, result, hit = await offload.run(
                    self._scan_sync, scanner, item, budget, heavy=heavy, on_cancel=budget.cancel
                )
        if result is None or hit:
            return result
        result = await scanner.ajudge(result, result.normalized, item.role)
        self._remember(key, result)
        return result

    async def scan_tool_result(self, principal: Principal, text: str) -> ScanResult | None:
        """A tool result the hosted agent is about to give the model (None: not scanned).

        The caller's role/key overrides apply, and the result lands in the same cache as
        the request-side scan of that `tool` message on the agent's next model call.
        """
        settings, scanner = self._for(principal)
        if not settings.enabled or settings.mode_for("tool") == "off":
            return None
        item = Item("tool", "tool_result", text, extract.tool_content_text)
        return await self._scan(
            scanner, settings, item, Budget(settings.scan_budget_s, clock=self.clock)
        )

    async def scan_text(
        self, principal: Principal | None, text: str, role: str
    ) -> ScanResult | None:
        """One text a model will read, as scan role `role` (e.g. an MCP tool definition):
        the same overrides, cache, off-loop scanning and budget as a request's items
        (None: that role is not scanned)."""
        settings, scanner = self._for(principal)
        if not settings.enabled or settings.mode_for(role) == "off":
            return None
        item = Item(role, role, text, str)
        return await self._scan(
            scanner, settings, item, Budget(settings.scan_budget_s, clock=self.clock)
        )

    # -- the request hook ----------------------------------------------------------------

    def _refuse(
        self,
        call: Call,
        settings: InputSettings,
        rule: str,
        why: str,
        where: dict[str, Any] | None = None,
    ) -> None:
        """A stage could not decide: 503 unless fail_open (then the caller goes on)."""
        mode = "open" if settings.fail_open else "closed"
        v = call.add(
            Verdict("input", "error", rule=rule, reason=why, detail={**(where or {}), "mode": mode})
        )
        if settings.fail_open:
            return
        raise GuardBlocked(
            v,
            status=503,
            code="input_guard_error",
            type="service_unavailable",
            message=f"input guard could not decide ({why}); request refused "
            "(guards.input.fail_open is false)",
        )

    async def check_request(self, call: Call) -> None:
        settings, scanner = self._for(call.principal)
        if not settings.enabled:
            return
        mode = "open" if settings.fail_open else "closed"
        budget = Budget(settings.scan_budget_s, self.on_check, self.clock)
        blocked: list[str] = []
        flagged: list[str] = []
        errors: list[str] = []
        first_block: tuple[Verdict, Item] | None = None
        since_yield = time.perf_counter()
        ticker = turns.Ticker()
        items: list[Item] = []
        for each in extract.items(call.body):
            await ticker.tick()
            if settings.mode_for(each.role) != "off":
                items.append(each)
        batched = await self._scan_many_in_pool(scanner, settings, items, budget)
        for index, item in enumerate(items):
            await ticker.tick()
            where = item.detail()
            try:
                result = await self._scan(scanner, settings, item, budget, batched.get(index))
            except BudgetExceeded as exc:
                errors.append("input.budget_exceeded")
                self._refuse(
                    call,
                    settings,
                    "input.budget_exceeded",
                    f"{exc} (guards.input.scan_budget_s)",
                    where,
                )
                break  # fail_open: the rest is passed unscanned, and the header says so
            except Exception as exc:  # a crash is "cannot decide"
                log.exception("input scan failed")
                errors.append("input.internal_error")
                self._refuse(
                    call,
                    settings,
                    "input.internal_error",
                    f"scan failed: {type(exc).__name__}",
                    where,
                )
                continue
            if time.perf_counter() - since_yield > _SLICE_S:
                await anyio.sleep(0)  # let other requests run between inline scans
                since_yield = time.perf_counter()
            if result is None or not result.findings:
                continue
            for f in result.findings:
                if f.stage == "error":
                    errors.append(f.rule)
                    call.add(
                        Verdict(
                            "input",
                            "error",
                            rule=f.rule,
                            reason="stage unavailable",
                            detail={**where, "mode": mode},
                        )
                    )
            found = [f for f in result.findings if f.stage != "error"]
            rules = list(dict.fromkeys(f.rule for f in found))
            block_rules = [f.rule for f in found if f.action == "block"]
            if item.role in TAINTING_ROLES and rules:
                call.facts.tainted = True
                call.facts.taint_sources.append(
                    {
                        "guard": "input",
                        **where,
                        "tool_call_id": item.tool_call_id,
                        "rules": rules,
                        "severity": round(result.score, 4),
                    }
                )
            if rules:
                decision: Literal["block", "flag"] = "block" if block_rules else "flag"
                v = call.add(
                    Verdict(
                        "input",
                        decision,
                        rule=(block_rules or rules)[0],
                        reason=f"{decision} by {', '.join(rules)}",
                        detail={**where, "rules": rules, "score": round(result.score, 4)},
                    )
                )
                if block_rules and first_block is None:
                    first_block = (v, item)
            blocked.extend(r for r in block_rules if r not in blocked)
            flagged.extend(r for r in rules if r not in flagged and r not in block_rules)
            if result.blocked and not block_rules and first_block is None:
                # Only a failed stage blocks this item (fail closed).
                err = next(v for v in reversed(call.verdicts) if v.decision == "error")
                raise GuardBlocked(
                    err,
                    status=503,
                    code="input_guard_error",
                    type="service_unavailable",
                    message=f"input guard could not decide ({', '.join(errors)}); "
                    "request refused (guards.input.fail_open is false)",
                )
        if errors:
            call.headers["x-keepgate-input-error"] = ",".join(dict.fromkeys(errors))
        if flagged or blocked:
            call.headers["x-keepgate-flags"] = ",".join(dict.fromkeys(flagged + blocked))
        if first_block is not None:
            verdict, item = first_block
            raise GuardBlocked(
                verdict,
                status=400,
                code="input_blocked",
                message=f"input blocked by rule(s) {', '.join(blocked)} ({item.label})",
                headers=dict(call.headers),
            )

    async def ready(self) -> tuple[bool | str, str]:
        """A stage that cannot run: `degraded` when the guard fails open, else not ready."""
        scanner = self._scanner_for(self.section)[1]
        failing = "degraded" if self.base.fail_open else False
        if scanner.classifier_error:
            return failing, "classifier unavailable"
        if scanner.stage_errors:
            return failing, f"{scanner.stage_errors[0].name} stage unavailable"
        return True, "ok"


def build(
    section: InputSettings | Mapping[str, Any],
    config: KeepgateConfig | None = None,
    deps: GuardDeps | None = None,
) -> InputGuard:
    """Registry entry point (`keepgate.pipeline.registry`): `guards.input` as loaded (or a
    mapping, validated here); raises on a bad section or rule pack, naming the config file
    and line where there is one."""
    try:
        return InputGuard(section, config, deps.upstream if deps is not None else None)
    except InputConfigError as exc:
        if config is None:
            raise
        raise validation_error(config, ("guards", "input", *exc.where), exc.validation) from None
    except JudgeConfigError as exc:
        if config is None:
            raise
        raise config_error(config, ("guards", "input", "judge", "model"), str(exc)) from None


#: Public names for other parts (the CLI reads tool results the way the guard does).
tool_text = extract.tool_content_text


@contextlib.asynccontextmanager
async def _fail_after(seconds: float | None) -> AsyncIterator[None]:
    """`anyio.fail_after` as an async context manager (the `pool_deadline` seam's shape)."""
    with anyio.fail_after(seconds):
        yield
