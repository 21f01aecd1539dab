"""The limits guard: reserve before the upstream call, settle after it, refund the rest.

A reservation is the prompt (counted by the model's tokenizer) plus the completion budget
(`max_tokens`, or the configured default, which is then sent upstream so it is a bound),
priced at the model's rate. The backend checks every bucket of the key and its team and
takes from all or none, atomically, so concurrent calls cannot overdraw what they reserve.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from starlette.routing import BaseRoute

from keepgate.auth.principal import Principal
from keepgate.config.model import KeepgateConfig, KeyEntry
from keepgate.jsontypes import Chunk
from keepgate.limits import estimate
from keepgate.limits.backend import Actual, Amounts, Backend, BackendUnavailable, ReserveResult
from keepgate.limits.headers import ratelimit_headers, retry_headers, tightest
from keepgate.limits.local import LocalBackend
from keepgate.limits.metrics import LimitsMetrics
from keepgate.limits.settings import LimitsSettings, load_settings
from keepgate.limits.spec import CONFIG_NAME, UNIT, Caps, Subject, merge_raw, parse_caps
from keepgate.pipeline import offload
from keepgate.pipeline.capabilities import Limiter
from keepgate.pipeline.call import Call, Outcome
from keepgate.pipeline.deps import GuardDeps
from keepgate.pipeline.guard import Guard, GuardBlocked
from keepgate.pipeline.verdict import Verdict

log = logging.getLogger("keepgate.limits")

#: Generated text kept for the tokenizer fallback; past this, count characters.
MAX_TEXT_CHARS = 400_000


@dataclass(slots=True)
class Reservation:
    backend: Backend
    subjects: Sequence[Subject]
    prompt_tokens: int
    completion_tokens: int
    usd: float
    price: estimate.Price
    tokenizer: str
    #: The tightest budget's remaining USD once this call's reservation was taken (None:
    #: no money limit applies).
    budget_after_reserve: float | None = None

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


@dataclass(slots=True)
class _Seen:
    """What the limits transformer saw of the answer."""

    chunks: int = 0
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    text_parts: list[str] | None = None
    text_chars: int = 0

    def add(self, text: str) -> None:
        """Keep the generated text (up to a cap) to count it if the upstream sends no usage."""
        if text:
            self.text_chars += len(text)
            if self.text_parts is not None and self.text_chars <= MAX_TEXT_CHARS:
                self.text_parts.append(text)


class LimitsGuard(Guard, Limiter):
    name = "limits"

    def __init__(
        self,
        config: KeepgateConfig,
        settings: LimitsSettings,
        backend: Backend,
        metrics: LimitsMetrics | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        #: When the backend is retried after a failure (`retry_backend_after_s`) is measured
        #: on this clock: a seam so tests move time by hand instead of sleeping.
        self.clock = clock
        self.settings = settings
        self.backend = backend
        self.fallback: LocalBackend | None = (
            LocalBackend(share=settings.fallback_share)
            if backend.name != "local" and settings.on_backend_error == "fallback_local"
            else None
        )
        self.metrics = metrics
        self._keys = {k.key_id: k for k in config.keys}
        self._teams = {t.team: t for t in config.teams}
        self._subjects: dict[tuple[str, str, str | None], tuple[Subject, ...]] = {}
        #: Per model alias; computed once here (start-up warns about unpriced ones).
        self._prices = {d.model_name: estimate.price_of(d) for d in config.model_list}
        self._max_out: dict[str, int] = {}
        self._backend_down_until = 0.0
        self._last_warning = 0.0

    # -- who is limited, by how much ------------------------------------------------------

    def key_entry(self, key_id: str) -> KeyEntry | None:
        """The configured key `key_id` (None: not in `keys:`)."""
        return self._keys.get(key_id)

    def key_ids(self) -> list[str]:
        """Every configured key_id, in config order."""
        return list(self._keys)

    def knows_team(self, team: str) -> bool:
        """`team` is in `teams:` or some key belongs to it."""
        return team in self._teams or any(k.team == team for k in self._keys.values())

    def key_caps(self, principal: Principal, own: dict[str, Any] | None = None) -> Caps:
        """defaults (per role/key via `roles:`/`keys:`) ← the key's own limits."""
        if (
            principal.key_id == "master"
            and principal.is_admin
            and not self.settings.limit_master_key
        ):
            return {}
        defaults = self.settings.defaults_for(principal.role, principal.key_id)
        entry = self._keys.get(principal.key_id)
        if own is None:
            own = entry.limits if entry else {}
        return parse_caps(merge_raw(defaults, own), f"keys[{principal.key_id}].limits")

    def team_caps(self, team: str, own: dict[str, Any] | None = None) -> Caps:
        entry = self._teams.get(team)
        if own is None:
            own = entry.limits if entry else {}
        return parse_caps(merge_raw(self.settings.team_defaults, own), f"teams[{team}].limits")

    def subjects(self, principal: Principal) -> tuple[Subject, ...]:
        cache_key = (principal.key_id, principal.role, principal.team)
        found = self._subjects.get(cache_key)
        if found is None:
            found = (Subject.of("key", principal.key_id, self.key_caps(principal)),)
            if principal.team:
                found += (Subject.of("team", principal.team, self.team_caps(principal.team)),)
            self._subjects[cache_key] = found
        return found

    def price(self, call: Call) -> estimate.Price:
        name = getattr(call.deployment, "model_name", call.model)
        p = self._prices.get(name)
        if p is None:  # not in model_list (a deployment built elsewhere)
            p = self._prices[name] = estimate.price_of(call.deployment)
        return p

    def default_max_tokens(self, call: Call) -> int:
        """The configured default, never above what the model can generate."""
        name = getattr(call.deployment, "model_name", call.model)
        found = self._max_out.get(name)
        if found is None:
            ceiling = estimate.max_output_tokens(call.deployment)
            found = self.settings.default_max_tokens
            if ceiling:
                found = min(found, ceiling)
            self._max_out[name] = found
        return found

    # -- backend with fail-closed / fallback ----------------------------------------------

    def _degraded(self, call: Call | None, exc: BaseException | None) -> Backend:
        """The backend is down: the local fallback, or a 503 when failing closed."""
        now = self.clock()
        if exc is not None:
            self._backend_down_until = now + self.settings.retry_backend_after_s
        mode = "fallback_local" if self.fallback else "closed"
        if self.metrics:
            self.metrics.backend_errors.labels(self.backend.name, mode).inc()
        if now - self._last_warning > 10:
            self._last_warning = now
            log.warning(
                "limits: %s backend unavailable (%s); %s",
                self.backend.name,
                type(exc.__cause__ or exc).__name__ if exc else "recently failed",
                "using local buckets" if self.fallback else "refusing calls",
            )
        verdict = Verdict(
            "limits",
            "error",
            "backend_unavailable",
            f"{self.backend.name} limits store unreachable",
            {
                "mode": "open" if self.fallback else "closed",
                "fallback": "local" if self.fallback else None,
            },
        )
        if call is not None:
            call.add(verdict)
        if self.fallback is not None:
            if call is not None:
                call.headers["x-keepgate-limits"] = "degraded-local"
            return self.fallback
        raise GuardBlocked(
            verdict,
            status=503,
            code="limits_unavailable",
            type="service_unavailable",
            message="Spend limits cannot be checked right now; the call was not "
            "made. Retry shortly.",
            headers={"Retry-After": "1"},
        )

    async def _reserve(
        self, call: Call, subjects: Sequence[Subject], need: Amounts
    ) -> tuple[Backend, ReserveResult]:
        backend: Backend = self.backend
        if self.clock() < self._backend_down_until:
            backend = self._degraded(call, None)
        try:
            return backend, await backend.reserve(subjects, need)
        except BackendUnavailable as exc:
            if backend is not self.backend:
                raise
            backend = self._degraded(call, exc)
            return backend, await backend.reserve(subjects, need)

    async def reserve(
        self, call: Call, subjects: Sequence[Subject], need: Amounts
    ) -> tuple[Backend, ReserveResult]:
        """Take `need` from `subjects`' buckets, with this guard's fail-closed / fallback
        handling (other parts limit their own units this way, e.g. MCP calls per minute)."""
        return await self._reserve(call, subjects, need)

    # -- the guard hooks ------------------------------------------------------------------

    async def check_request(self, call: Call) -> None:
        subjects = self.subjects(call.principal)
        tokenizer = estimate.tokenizer_model(call.deployment)
        # Counting a big prompt takes long (~0.3 s per MB, Python code holding the
        # interpreter lock): in the offload process pool.
        heavy = (
            offload.size_hint(
                call.body.get("messages") or call.body.get("input"), offload.HEAVY_CHARS
            )
            >= offload.HEAVY_CHARS
        )
        prompt = await offload.run(
            estimate.prompt_tokens,
            tokenizer,
            estimate.prompt_part(call.body) if heavy else call.body,
            call.route,
            heavy=heavy,
            process=True,
        )
        completion = 0
        if call.route != "embeddings":
            default = self.default_max_tokens(call)
            completion = estimate.completion_budget(call.body, default)
            if self.settings.inject_max_tokens and not any(
                k in call.body for k in ("max_tokens", "max_completion_tokens")
            ):
                call.body["max_tokens"] = default
        price = self.price(call)
        if not price.known and any(UNIT[d] == "usd" for s in subjects for d, _ in s.caps):
            self._unpriced(call)
        need = Amounts(1, prompt + completion, price.cost(prompt, completion))
        backend, result = await self._reserve(call, subjects, need)
        call.headers.update(ratelimit_headers(result.buckets))
        if not result.allowed:
            self._refuse(call, subjects, need, result)
        if not price.known and any(UNIT[b.dim] == "usd" for b in result.buckets):
            # Money limits set at run time (admin API) on an unpriced model: give back.
            with contextlib.suppress(BackendUnavailable):  # else it simply stays charged
                await backend.settle(subjects, Amounts(0, -need.tokens, -need.usd), Actual())
            self._unpriced(call)
        budget = tightest(result.buckets, "budget")
        call.state["limits"] = Reservation(
            backend,
            subjects,
            prompt,
            completion,
            need.usd,
            price,
            tokenizer,
            budget.remaining if budget is not None else None,
        )

    def _unpriced(self, call: Call) -> None:
        """Money limits cannot be kept for a model without a price: fail closed."""
        verdict = call.add(
            Verdict(
                "limits",
                "error",
                "model_price_unknown",
                f"no price for model {call.model}",
                {"mode": "closed"},
            )
        )
        raise GuardBlocked(
            verdict,
            status=500,
            code="model_price_unknown",
            type="server_error",
            message=f"The model '{call.model}' has no price (not in litellm's "
            "price map, no model_info prices), so this key's money "
            "limits cannot be kept; the call was not made. The "
            "operator must set input_cost_per_token and "
            "output_cost_per_token in its model_info.",
        )

    def _refuse(
        self, call: Call, subjects: Sequence[Subject], need: Amounts, result: ReserveResult
    ) -> None:
        dim = result.failed_dim or "requests"
        kind = (result.failed_subject or "key:").split(":", 1)[0]
        rule = f"{kind}.{CONFIG_NAME.get(dim, dim)}"
        cap = next(
            (b.cap for b in result.buckets if b.subject == result.failed_subject and b.dim == dim),
            0.0,
        )
        whose = "this key's" if kind == "key" else "its team's"
        code = "rate_limit_exceeded"
        if dim == "budget":
            code = "budget_exceeded"
            msg = f"The budget of {whose} (${cap:g}) is spent."
        elif result.retry_after_s is None:
            amount = need.tokens if dim == "tokens" else need.usd
            msg = (
                f"This request needs {amount:g} against {whose} {CONFIG_NAME[dim]} limit "
                f"of {cap:g}; it can never fit. Lower max_tokens or the prompt."
            )
        else:
            msg = (
                f"Rate limit reached for {whose} {CONFIG_NAME[dim]} ({cap:g}). "
                f"Retry in {result.retry_after_s:.2f}s."
            )
        verdict = call.add(
            Verdict(
                "limits",
                "block",
                rule,
                msg,
                {"cost_usd": round(need.usd, 9), "tokens": need.tokens, "subject": kind},
            )
        )
        if self.metrics:
            self.metrics.rejections(call.principal.key_id, rule)
        raise GuardBlocked(
            verdict,
            status=429,
            code=code,
            type="rate_limit_error",
            message=msg,
            headers={**call.headers, **retry_headers(result.retry_after_s)},
        )

    def transform(self, call: Call, chunks: AsyncIterator[Chunk]) -> AsyncIterator[Chunk]:
        if "limits" not in call.state:
            return chunks
        seen = call.state["limits_seen"] = _Seen(text_parts=[])
        return self._meter(seen, chunks)

    async def _meter(self, seen: _Seen, chunks: AsyncIterator[Chunk]) -> AsyncIterator[Chunk]:
        async for chunk in chunks:
            seen.chunks += 1
            usage = chunk.get("usage")
            if usage:
                seen.prompt_tokens = int(usage.get("prompt_tokens") or 0)
                seen.completion_tokens = int(usage.get("completion_tokens") or 0)
            for ch in chunk.get("choices") or ():
                delta = ch.get("delta") or {}
                if delta.get("content"):
                    seen.add(delta["content"])
                for tc in delta.get("tool_calls") or ():
                    seen.add((tc.get("function") or {}).get("arguments") or "")
            yield chunk

    def actual(self, res: Reservation, call: Call, outcome: Outcome) -> tuple[int, int]:
        """(prompt, completion) tokens to charge: the upstream's usage when it reported it;
        else, once the request was sent upstream, the prompt as litellm's token counter
        counted it for the reservation plus the generated text by the same counter (what
        LiteLLM Proxy does without usage), never below one token per 4 characters generated
        (text a response guard cut still cost the caller). A call cancelled during the
        request guards never reached the upstream: charged nothing."""
        seen: _Seen | None = call.state.get("limits_seen")
        usage = outcome.usage or call.usage
        if usage is not None:
            return usage.prompt_tokens, usage.completion_tokens
        if seen and seen.prompt_tokens is not None:
            return seen.prompt_tokens, seen.completion_tokens or 0
        reached = (
            bool(seen and seen.chunks)
            or outcome.status == "ok"
            or (outcome.status == "cancelled" and call.upstream_sent)
            or outcome.generated_tokens > 0
        )
        if not reached:
            return 0, 0
        counted = 0
        if seen and seen.text_parts:
            counted = estimate.text_tokens(res.tokenizer, "".join(seen.text_parts))
            if seen.text_chars > MAX_TEXT_CHARS:
                counted += (seen.text_chars - MAX_TEXT_CHARS) // 3
        return res.prompt_tokens, max(counted, outcome.generated_tokens)

    async def finish(self, call: Call, outcome: Outcome) -> None:
        res: Reservation | None = call.state.pop("limits", None)
        if res is None:
            return
        prompt, completion = self.actual(res, call, outcome)
        if outcome.usage is None and call.usage is None and (prompt or completion):
            # No usage from the upstream: say the figures charged are the gateway's count,
            # so an audit reader can tell them from what the provider will bill.
            call.audit["usage_source"] = "estimated"
            call.audit["usage"] = {"prompt_tokens": prompt, "completion_tokens": completion}
        cost = res.price.cost(prompt, completion)
        delta = Amounts(0, prompt + completion - res.tokens, cost - res.usd)
        model = call.model
        call.cost_usd = round(cost, 9)
        # Headers built after settlement (non-streamed answers) show what was charged;
        # a streamed answer's headers left before, with the reservation's figure.
        call.headers["x-keepgate-cost-usd"] = f"{cost:.9f}"
        if res.budget_after_reserve is not None:
            call.headers["x-keepgate-budget-remaining-usd"] = (
                f"{max(0.0, res.budget_after_reserve + res.usd - cost):.6f}"
            )
        call.add(
            Verdict(
                "limits",
                "allow",
                None,
                "",
                {
                    "cost_usd": round(cost, 9),
                    "tokens": prompt + completion,
                    "reserved_usd": round(res.usd, 9),
                    "reserved_tokens": res.tokens,
                    "backend": res.backend.name,
                },
            )
        )
        if self.metrics and cost:
            self.metrics.spend(call.principal.key_id, model, cost)
        try:
            await res.backend.settle(
                res.subjects,
                delta,
                Actual(prompt, completion, cost, model, blocked=outcome.status == "blocked"),
            )
        except BackendUnavailable:
            # The reservation stays charged: never an overspend, only a missed refund.
            self._backend_down_until = self.clock() + self.settings.retry_backend_after_s
            if self.metrics:
                self.metrics.settle_failures.labels(res.backend.name).inc()
            log.warning(
                "limits: could not settle on %s; the reservation stays charged", res.backend.name
            )

    async def ready(self) -> tuple[bool | str, str]:
        """Backend down: `degraded` with fallback_local (calls go on, on local buckets),
        else not ready (every call is refused with 503)."""
        try:
            await self.backend.ping()
        except BackendUnavailable as exc:
            if self.fallback is not None:
                return "degraded", f"{self.backend.name} unreachable ({exc}); using local buckets"
            return False, f"{self.backend.name} unreachable ({exc})"
        return True, self.backend.name

    async def aclose(self) -> None:
        await self.backend.aclose()

    def routes(self) -> Sequence[BaseRoute]:
        from keepgate.limits.routes import limits_routes

        return limits_routes(self)


def build(
    section: LimitsSettings | Mapping[str, Any],
    config: KeepgateConfig,
    deps: GuardDeps | None = None,
) -> LimitsGuard:
    """Registry entry point: `guards.limits` as loaded (or a mapping, validated here)."""
    settings = load_settings(section, config)
    backend: Backend
    if settings.backend == "redis":
        from keepgate.limits.redis_backend import RedisBackend

        backend = RedisBackend(
            settings.redis_url or "",
            prefix=settings.namespace,
            usage_ttl_s=int(settings.usage_ttl_days * 86400),
            timeout_s=settings.timeout_ms / 1000,
        )
    else:
        backend = LocalBackend()
    guard = LimitsGuard(
        config,
        settings,
        backend,
        LimitsMetrics.of(deps.metrics if deps is not None else None),
    )
    unpriced = [name for name, price in guard._prices.items() if not price.known]
    if unpriced:
        log.warning(
            "limits: no price for model(s) %s (not in litellm's price map, no "
            "model_info prices): calls to them are refused for keys with money limits",
            ", ".join(unpriced),
        )
    return guard
