"""The runs this process hosts: create, look up, approve, cancel, resume, shut down."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import uuid
from pathlib import Path
from typing import Any

from keepgate.echo import shown
from keepgate.agent.approval_bus import ApprovalBus
from keepgate.agent.checkpoint import CheckpointStore, RedisStore, SQLiteStore
from keepgate.agent.gate import PolicyGate, ResultScanner
from keepgate.agent.live import LiveRun
from keepgate.agent.loop import Loop
from keepgate.agent.redact import OutputScrubber, ScrubFailed
from keepgate.agent.settings import AgentSettings, parse_settings
from keepgate.agent.state import RESUMABLE, TERMINAL, RunState
from keepgate.agent.tools.base import Tool
from keepgate.agent.tools.demo import demo_tools
from keepgate.agent.tools.engine import ToolEngine
from keepgate.auth.principal import Principal
from keepgate.errors import APIError
from keepgate.observability.metrics import Metrics
from keepgate.runtime import Runtime

log = logging.getLogger("keepgate.agent")

#: Caps on the Runs API's free-form strings (they are stored in the checkpoint and echoed
#: in every GET): the session id as the policy's conversation key, a reviewer's comment.
MAX_SESSION_ID = 200
MAX_COMMENT = 2000
MAX_TOOL_CALL_ID = 256


def build_store(settings: AgentSettings, rt: Runtime) -> CheckpointStore:
    c = settings.checkpoints
    if c.backend == "redis":
        url = c.redis_url or rt.config.general_settings.redis_url
        if not url:
            raise ValueError(
                "agent.checkpoints.backend is redis but neither "
                "agent.checkpoints.redis_url nor general_settings.redis_url is set"
            )
        return RedisStore(url, c.prefix, c.ttl_s)
    path = Path(c.path).expanduser()
    if not path.is_absolute() and rt.config.source:
        path = Path(rt.config.source).resolve().parent / path
    return SQLiteStore(path)


def build_bus(store: CheckpointStore, metrics: Metrics | None = None) -> ApprovalBus:
    """Redis checkpoints: notifications on `<prefix>approvals`, on the store's connection
    pool; otherwise this process only. What goes wrong is counted on `metrics`."""
    if isinstance(store, RedisStore):
        count = None if metrics is None else metrics.approval_bus
        return ApprovalBus(
            store.client,
            f"{store.prefix}approvals",
            None if count is None else lambda event: count.labels(event).inc(),
        )
    return ApprovalBus()


class AgentService:
    def __init__(
        self,
        rt: Runtime,
        settings: AgentSettings,
        tools: dict[str, Tool] | None = None,
        store: CheckpointStore | None = None,
    ) -> None:
        self.rt = rt
        self.settings = settings
        self.tools = tools if tools is not None else demo_tools(settings)
        self.engine = ToolEngine(self.tools)
        self.store = store or build_store(settings, rt)
        self.bus = build_bus(self.store, rt.metrics)
        self.loop = Loop(
            rt,
            settings,
            self.engine,
            self.store,
            PolicyGate(rt, settings.allow_without_policy),
            ResultScanner(rt),
            OutputScrubber(rt),
            bus=self.bus,
        )
        self.live: dict[str, LiveRun] = {}
        #: This process's name on run leases (see checkpoint.py).
        self.instance = uuid.uuid4().hex

    # -- lifecycle ----------------------------------------------------------------------

    async def aclose(self) -> None:
        """Shutdown: live runs are stopped as `interrupted` (resumable), then stores close."""
        for live in list(self.live.values()):
            if live.task and not live.task.done():
                live.stop_reason = "shutdown"
                live.task.cancel()
        tasks = [lv.task for lv in self.live.values() if lv.task]
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        for tool in self.tools.values():
            close = getattr(tool.handler, "aclose", None)
            if close:
                with contextlib.suppress(Exception):
                    await close()
        await self.bus.aclose()
        await self.store.aclose()

    # -- runs ---------------------------------------------------------------------------

    def _limits(self, requested: Any) -> dict[str, Any]:
        base = self.settings.limits.model_dump()
        if requested is None:
            return base
        if not isinstance(requested, dict):
            raise APIError(
                400, "Invalid 'limits': expected an object.", code="invalid_value", param="limits"
            )
        for k, v in requested.items():
            if k not in base:
                raise APIError(
                    400,
                    f"Unknown limit '{k}'; known: {', '.join(base)}.",
                    code="invalid_value",
                    param=f"limits.{k}",
                )
            if not isinstance(v, (int, float)) or isinstance(v, bool) or v < 0:
                raise APIError(
                    400,
                    f"Invalid 'limits.{k}': expected a non-negative number.",
                    code="invalid_value",
                    param=f"limits.{k}",
                )
            base[k] = min(base[k], type(base[k])(v))  # a request may only tighten a limit
        return base

    def create(self, principal: Principal, body: dict[str, Any]) -> LiveRun:
        task = body.get("task")
        if not isinstance(task, str) or not task.strip():
            raise APIError(
                400,
                "Missing required parameter: 'task' (a non-empty string).",
                code="missing_required_parameter",
                param="task",
            )
        model = self.rt.deployment(principal, body.get("model")).model_name  # 400/404 as the proxy
        tools = body.get("tools")
        if tools is None:
            tools = list(self.tools)
        if not isinstance(tools, list) or not all(isinstance(t, str) for t in tools):
            raise APIError(
                400,
                "Invalid 'tools': expected an array of tool names.",
                code="invalid_value",
                param="tools",
            )
        unknown = [i for i, t in enumerate(tools) if t not in self.tools]
        if unknown:
            i = unknown[0]
            raise APIError(
                400,
                f"Unknown tool {shown(tools[i], 64)} at 'tools[{i}]'"
                + (f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else "")
                + f". Available: {', '.join(self.tools)}.",
                code="invalid_value",
                param="tools",
            )
        params = body.get("model_params") or {}
        if not isinstance(params, dict) or {"model", "messages", "tools", "stream"} & set(params):
            raise APIError(
                400,
                "Invalid 'model_params': expected an object without model, "
                "messages, tools or stream.",
                code="invalid_value",
                param="model_params",
            )
        session = body.get("session_id")
        if session is not None and (not isinstance(session, str) or len(session) > MAX_SESSION_ID):
            raise APIError(
                400,
                f"Invalid 'session_id': expected a string of at most {MAX_SESSION_ID} characters.",
                code="invalid_value",
                param="session_id",
            )
        state = RunState(
            task=task,
            model=model,
            key_id=principal.key_id,
            tools=list(dict.fromkeys(tools)),
            limits=self._limits(body.get("limits")),
            session_id=session,
            model_params=params,
        )
        state.messages = [
            {"role": "system", "content": self.settings.system_prompt},
            {"role": "user", "content": task},
        ]
        return self._start(LiveRun(state, principal), resumed=False)

    def _start(self, live: LiveRun, resumed: bool) -> LiveRun:
        self.live[live.state.id] = live

        async def run() -> None:
            lease = asyncio.get_running_loop().create_task(self._keep_lease(live))
            try:
                await self.loop.drive(live, resumed=resumed)
            finally:
                lease.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await lease
                if not live.lease_lost:
                    with contextlib.suppress(Exception):
                        await self.store.release(live.state.id, self.instance)
                live.end()
                # Keep finished runs briefly for late subscribers; then only the checkpoint.
                asyncio.get_running_loop().call_later(60, self.live.pop, live.state.id, None)

        live.task = asyncio.get_running_loop().create_task(run(), name=f"agent:{live.state.id}")
        return live

    async def _keep_lease(self, live: LiveRun) -> None:
        """Renew the run's lease every third of `lease_s` while it executes here. If another
        process took it (ours expired: this loop was stalled), stop at once without saving:
        the run is theirs now."""
        ttl = self.settings.checkpoints.lease_s
        while True:
            try:
                held = await self.store.claim(live.state.id, self.instance, ttl)
            except Exception as exc:  # noqa: BLE001 - a store outage also fails checkpoints
                log.warning(
                    "agent run %s: cannot renew its lease (%s)", live.state.id, type(exc).__name__
                )
                held = True
            if not held:
                log.error(
                    "agent run %s: another process holds its lease; stopping here without saving",
                    live.state.id,
                )
                live.lease_lost, live.stop_reason = True, "lease_lost"
                if live.task is not None:
                    live.task.cancel()
                return
            with contextlib.suppress(Exception):
                if await self.store.cancel_requested(live.state.id):  # posted to a replica
                    live.stop_reason = "cancelled"
                    if live.task is not None:
                        live.task.cancel()
                    return
            await asyncio.sleep(ttl / 3)

    def _elsewhere(self, what: str) -> APIError:
        retry = math.ceil(self.settings.checkpoints.lease_s)
        return APIError(
            409,
            f"The run is executing in another gateway process; {what} "
            f"(if that process died, its lease expires within {retry} s).",
            code="run_active_elsewhere",
            headers={"Retry-After": str(retry)},
        )

    def public(self, state: RunState) -> dict[str, Any]:
        """The run as the API shows it: model output, tool calls and results scrubbed with
        the run owner's PII policy. A failing scrubber is a 503, never raw text."""
        if self.loop.scrub.guard is None:
            return state.public()
        owner = self._owner(state.key_id) or Principal(key_id=state.key_id, role="")
        try:
            return self.loop.scrub.for_principal(owner).state(state.public())
        except ScrubFailed as exc:
            raise APIError(
                503, exc.message, code="pii_scrubber_unavailable", type="api_error"
            ) from None

    async def state(self, principal: Principal, run_id: str) -> RunState:
        live = self.live.get(run_id)
        state = live.state if live else await self.store.load(run_id)
        if state is None or (state.key_id != principal.key_id and not principal.is_admin):
            raise APIError(
                404, f"No agent run {shown(run_id, 80, digits=True)}.", code="run_not_found"
            )
        return state

    def _running(self, run_id: str) -> LiveRun | None:
        live = self.live.get(run_id)
        return live if live and live.task and not live.task.done() else None

    async def approve(self, principal: Principal, run_id: str, body: dict[str, Any]) -> RunState:
        state = await self.state(principal, run_id)
        if state.status in TERMINAL:  # a cancelled or finished run's calls are moot
            raise APIError(
                409,
                f"The run already ended ({state.status}); its tool calls can "
                "no longer be approved.",
                code="run_finished",
            )
        tcid, decision = body.get("tool_call_id"), body.get("decision")
        if decision not in ("approve", "deny"):
            raise APIError(
                400,
                "Invalid 'decision': expected 'approve' or 'deny'.",
                code="invalid_value",
                param="decision",
            )
        comment = body.get("comment") or ""
        if not isinstance(comment, str) or len(comment) > MAX_COMMENT:
            raise APIError(
                400,
                f"Invalid 'comment': expected a string of at most {MAX_COMMENT} characters.",
                code="invalid_value",
                param="comment",
            )
        if tcid is not None and (not isinstance(tcid, str) or len(tcid) > MAX_TOOL_CALL_ID):
            raise APIError(
                400,
                f"Invalid 'tool_call_id': expected a string of at most {MAX_TOOL_CALL_ID} "
                "characters.",
                code="invalid_value",
                param="tool_call_id",
            )
        pending = [k for k, v in state.approvals.items() if "decision" not in v]
        if tcid is None and len(pending) == 1:
            tcid = pending[0]
        if tcid not in pending:
            raise APIError(
                409,
                "That tool call is not waiting for approval.",
                code="no_pending_approval",
                param="tool_call_id",
            )
        live = self._running(run_id)
        if live and tcid in live.waiting:
            live.waiting[tcid].set_result((decision == "approve", comment))
            await asyncio.sleep(0)
            return live.state
        # Not executing here: record the decision. The process that runs it (if any) reads
        # it from the store while it waits; if none does (it stopped), resume it here.
        state.approvals[tcid].update(decision=decision, comment=comment)
        await self.store.save(state)
        await self.bus.publish(run_id)  # wakes the replica that runs it (if any) at once
        if state.status in RESUMABLE and not live:
            with contextlib.suppress(APIError):  # run_active_elsewhere: it picks it up there
                await self.resume(principal, run_id)
        return state

    async def cancel(self, principal: Principal, run_id: str) -> tuple[RunState, bool]:
        """Stop the run: (its state, False) once stopped; (its state, True) when another
        process runs it: that process is asked to, through the store, and stops within a
        third of `lease_s`."""
        state = await self.state(principal, run_id)
        live = self._running(run_id)
        if live:
            live.stop_reason = "cancelled"
            live.task.cancel()  # type: ignore[union-attr]
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await live.task  # type: ignore[misc]
            return live.state, False
        if state.status in TERMINAL:
            raise APIError(409, f"The run already ended ({state.status}).", code="run_finished")
        lease = self.settings.checkpoints.lease_s
        if not await self.store.claim(run_id, self.instance, lease):
            await self.store.request_cancel(run_id, 4 * lease)
            return state, True
        try:
            state.status, state.reason, state.message = (
                "cancelled",
                "cancelled",
                "The run was cancelled.",
            )
            await self.store.save(state)
        finally:
            await self.store.release(run_id, self.instance)
        return state, False

    async def resume(self, principal: Principal, run_id: str) -> LiveRun:
        state = await self.state(principal, run_id)
        if self._running(run_id):
            raise APIError(409, "The run is already executing in this process.", code="run_active")
        if state.status not in RESUMABLE:
            raise self._not_resumable(state.status)
        if not await self.store.claim(run_id, self.instance, self.settings.checkpoints.lease_s):
            raise self._elsewhere("it cannot be resumed here")
        state = await self.store.load(run_id) or state  # as the last holder left it
        if state.status not in RESUMABLE:
            # The holder finished it between our read and our claim (its lease released
            # with the run): driving it again would overwrite `completed` with `running`.
            await self.store.release(run_id, self.instance)
            raise self._not_resumable(state.status)
        owner = (
            principal
            if principal.key_id == state.key_id
            else self._owner(state.key_id) or principal
        )
        return self._start(LiveRun(state, owner), resumed=True)

    @staticmethod
    def _not_resumable(status: str) -> APIError:
        return APIError(
            409, f"The run cannot be resumed from status '{status}'.", code="run_not_resumable"
        )

    def _owner(self, key_id: str) -> Principal | None:
        """The principal a run's key resolves to (its role and key overrides apply)."""
        if key_id == self.rt.keys.master.key_id:
            return self.rt.keys.master
        entry = next((k for k in self.rt.config.keys if k.key_id == key_id), None)
        if entry is None:
            return None
        return Principal(
            key_id=entry.key_id,
            role=entry.role,
            team=entry.team,
            metadata=dict(entry.metadata),
            is_admin=entry.role == "admin",
        )


def build_service(rt: Runtime) -> AgentService | None:
    settings = parse_settings(rt.config)
    if not settings.enabled:
        return None
    return AgentService(rt, settings)
