"""The embedded engine: Rego evaluated in-process by regorus (Rust), prepared once per bundle.

Why the interpreter (`regorus.Engine`) and not regorus' bytecode VM (`Program`/`Rvm`, ~3x
faster): measured with regorus 0.13 on the shipped policies, the VM kept evaluating a rule
body after a function call came back undefined (`host := url_host(v)` with an invalid URL
still reached the next line), so its answers differ from OPA's; an authorisation engine
must not trade correctness for microseconds. The interpreter agreed with OPA on every case.

Threads: a regorus engine is "unsendable" (pinned to the thread that made it; using it from
another thread panics, freeing it there leaks it), so each thread gets its own copy, compiled
from the current bundle on first use, and the validation copy made at load is dropped at once
in the thread that made it.

Repeated calls: a decision is remembered by the parts of the input the policy can read
(`keepgate.policy.decisions`, `keepgate.policy.reads`), one cache per loaded bundle;
`decision_cache_entries: 0` turns it off.

Type errors: regorus raises where OPA may yield undefined; we map any evaluation error to
a deny (`policy.eval_error`), so a malformed argument can never slip through a rule.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import uuid
from typing import Any

import regorus

from keepgate.policy import rego_errors
from keepgate.policy.bundle import Bundle, PolicyLoadError
from keepgate.policy.decision import DECISION_PATH, PolicyDecision
from keepgate.policy.decisions import SIZE, DecisionCache
from keepgate.policy.reads import InputReads, Path, analyse

log = logging.getLogger("keepgate.policy")

#: A benign input evaluated once at load, so a policy that compiles but cannot evaluate
#: (unknown function, bad reference) fails at load, not on the first tool call.
SMOKE_INPUT: dict[str, Any] = {
    "principal": {"key_id": "smoke", "role": "", "team": None, "metadata": {}},
    "tool": {"name": "smoke_test", "arguments": {}, "arguments_valid": True, "call_id": "smoke"},
    "tools_offered": [],
    "model": "",
    "facts": {"tainted": False, "taint_sources": [], "tools_called": [], "tool_counts": {}},
    "metadata": {},
}


def compile_engine(bundle: Bundle, *, with_tests: bool = False) -> regorus.Engine:
    """A regorus engine holding the bundle's modules and data; errors name file:line:col."""
    engine = regorus.Engine()
    error = _fill(engine, bundle.modules + (bundle.tests if with_tests else ()), bundle.data)
    if error:
        # Drop the engine before raising: a traceback keeps this frame alive, and an engine
        # collected later on another thread is leaked with a warning (it is "unsendable").
        del engine
        raise PolicyLoadError(error)
    return engine


def _fill(
    engine: regorus.Engine, modules: tuple[tuple[str, str], ...], data: dict[str, Any]
) -> str | None:
    for path, source in modules:
        try:
            engine.add_policy(path, source)
        except Exception as exc:  # noqa: BLE001 - regorus raises RuntimeError with a diagram
            return rego_errors.short(exc)
    try:
        engine.add_data(data)
    except Exception as exc:  # noqa: BLE001
        return f"policy data: {rego_errors.short(exc)}"
    return None


class EmbeddedEngine:
    """`PolicyEngine` over regorus. Evaluation is synchronous and sub-millisecond, so it runs
    inline on the event loop (a thread hop would cost more than the evaluation)."""

    kind = "embedded"

    def __init__(
        self, bundle: Bundle, *, query: str = DECISION_PATH, cache_entries: int = SIZE
    ) -> None:
        self.query = "data." + query
        self.policy = query
        self.bundle = bundle
        self.generation = 0
        self.cache_entries = cache_entries
        self._local = threading.local()
        # Validate now; each thread compiles its own copy on first use (this one may not be
        # the loop's thread, and an engine must be freed where it was made).
        engine = self._prepare(bundle)
        #: The input paths the loaded policy can read (None: unknown, so any).
        self.reads: InputReads | None = analyse(engine, bundle.modules)
        self.cache = self._new_cache(self.reads)
        del engine

    def _new_cache(self, reads: InputReads | None) -> DecisionCache | None:
        """An empty decision cache for a bundle with these input reads (None: off, or the
        policy cannot be cached)."""
        if self.cache_entries <= 0 or reads is None:
            return None
        return DecisionCache(reads, self.cache_entries)

    def may_read(self, path: Path) -> bool:
        """Whether the loaded policy can read the input at `path` (`InputReads.may_read`;
        True when its reads are unknown)."""
        reads = self.reads
        return reads is None or reads.may_read(path)

    def _prepare(self, bundle: Bundle) -> regorus.Engine:
        """Compile and evaluate once: raise PolicyLoadError if that fails."""
        engine = compile_engine(bundle)
        error, undefined = _smoke(engine, self.query)
        if error:
            del engine  # freed here, in this thread (see compile_engine)
        if error and "not a valid rule path" in error:
            raise PolicyLoadError(
                f"{self.query} is undefined: no loaded policy defines it "
                f"(files: {', '.join(p for p, _ in bundle.modules)})"
            )
        if error:
            raise PolicyLoadError(error)
        if undefined:
            log.warning(
                "%s is undefined for a plain input: every such call will be denied", self.query
            )
        return engine

    def _engine(self) -> regorus.Engine:
        local = self._local
        if getattr(local, "generation", None) != self.generation:
            local.engine, local.generation = compile_engine(self.bundle), self.generation
        return local.engine

    async def load(self, bundle: Bundle) -> None:
        """Compile `bundle` and swap it in; on error raise and keep the current one.

        Runs on the event loop's thread, where decisions run: the engine compiled to
        validate the bundle is the one that serves, not compiled again on a request."""
        engine = self._prepare(bundle)
        reads = analyse(engine, bundle.modules)
        cache = self._new_cache(reads)
        self.bundle, self.generation, self.cache, self.reads = (
            bundle,
            self.generation + 1,
            cache,
            reads,
        )
        self._local.engine, self._local.generation = engine, self.generation

    def evaluate(self, input: dict[str, Any]) -> PolicyDecision:
        cache = self.cache
        key = cache.key(input) if cache is not None else None
        if key is not None:
            assert cache is not None
            hit = cache.get(key)
            if hit is not None:
                return hit
        try:
            engine = self._engine()
            engine.set_input_json(json.dumps(input, separators=(",", ":"), default=str))
            result = engine.eval_rule(self.query)
        except BaseException as exc:  # noqa: BLE001 - type errors, panics: deny, never allow
            _reraise_control(exc)
            # The engine's message may quote the offending value, and its location names a
            # file on this server: the log gets the location under a reference, the client
            # (reason text, headers) only the reference.
            loc = rego_errors.location(exc)
            ref = uuid.uuid4().hex[:12]
            where = f"{loc[0]}:{loc[1]}:{loc[2]}" if loc else "unknown location"
            log.warning("policy evaluation error %s (denied) at %s", ref, where)
            return PolicyDecision(
                allow=False,
                deny=[f"policy.eval_error: the policy could not be evaluated (error ref {ref})"],
                policy=self.policy,
            )
        decision = PolicyDecision.from_result(result, self.policy)
        if key is not None and cache is self.cache:  # not across a reload
            assert cache is not None
            cache.put(key, decision)
        return decision

    async def decide(self, input: dict[str, Any]) -> PolicyDecision:
        return self.evaluate(input)

    async def ready(self) -> tuple[bool, str]:
        return True, f"embedded regorus, {len(self.bundle.modules)} modules"

    async def aclose(self) -> None:
        # Drop this thread's engine here: a regorus engine freed from another thread (when the
        # thread-local is collected elsewhere) is leaked with a RuntimeError warning.
        self._local.__dict__.clear()


def _smoke(engine: regorus.Engine, query: str) -> tuple[str | None, bool]:
    """(error, undefined) for the smoke input."""
    engine.set_input(SMOKE_INPUT)
    try:
        return None, engine.eval_rule(query) is None
    except BaseException as exc:  # noqa: BLE001 - pyo3 panics are BaseExceptions
        _reraise_control(exc)
        return rego_errors.short(exc), False


def _reraise_control(exc: BaseException) -> None:
    if isinstance(exc, (KeyboardInterrupt, SystemExit, asyncio.CancelledError, GeneratorExit)):
        raise exc
