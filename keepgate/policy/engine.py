"""One interface, two engines, and the hot-reloading service that owns them.

`PolicyEngine.decide(input) -> PolicyDecision` is all a caller (the proxy guard, the agent
loop) needs. `PolicyService` wraps an engine with the policy files: it loads them at start
(a bad policy fails start-up, naming file:line:col), polls their mtimes (and listens for
SIGHUP) and swaps in a new bundle only if it compiles; otherwise it keeps the last good one
and reports the error through `ready()` (-> /readyz) and the log.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
import time
from pathlib import Path
from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

from keepgate.config.model import resolve_secret
from keepgate.policy.bundle import (
    Bundle,
    PolicyLoadError,
    default_data_dirs,
    fingerprint,
    load_bundle,
)
from keepgate.policy.decision import PolicyDecision
from keepgate.policy.embedded import EmbeddedEngine, compile_engine
from keepgate.policy.remote import OpaServerEngine
from keepgate.policy.settings import PolicySettings

log = logging.getLogger("keepgate.policy")


@runtime_checkable
class PolicyEngine(Protocol):
    async def decide(self, input: dict[str, Any]) -> PolicyDecision: ...


class PolicyService:
    """A `PolicyEngine` bound to policy files, with hot reload."""

    def __init__(self, settings: PolicySettings, base_dir: Path | None = None) -> None:
        self.settings = settings
        self.policy_dirs = settings.resolved_policy_dirs(base_dir)
        data_dirs = settings.resolved_data_dirs(base_dir)
        self.data_dirs = data_dirs if data_dirs is not None else default_data_dirs(self.policy_dirs)
        bundle = load_bundle(self.policy_dirs, self.data_dirs)  # raises PolicyLoadError
        self.backend: EmbeddedEngine | OpaServerEngine
        if settings.engine == "embedded":
            self.backend = EmbeddedEngine(
                bundle, query=settings.query, cache_entries=settings.decision_cache_entries
            )
        else:
            compile_engine(bundle)  # parse locally first: errors name file:line:col
            o = settings.opa
            root = str(self.policy_dirs[0]) if len(self.policy_dirs) == 1 else ""
            self.backend = OpaServerEngine(
                o.url,
                timeout=o.timeout,
                retries=o.retries,
                fail_open=settings.fail_open,
                push=o.push,
                token=resolve_secret(o.token),
                query=settings.query,
                root=root,
            )
        self.bundle = bundle
        self.loaded_at = time.time()
        self.reloads = 0
        #: The last reload failure (None when the current files are loaded).
        self.error: str | None = None
        self._pending: Bundle | None = bundle if settings.engine == "opa" else None
        self._lock: asyncio.Lock | None = None  # created in the running loop (see _ensure)
        self._task: asyncio.Task[None] | None = None
        self._started = False
        self._hup = threading.Event()

    @property
    def fail_open(self) -> bool:
        return self.settings.fail_open

    # -- deciding ---------------------------------------------------------------------
    def may_read(self, path: tuple[str, ...]) -> bool:
        """Whether the loaded policy can read the input at `path` (the embedded engine's
        analysis of it; the OPA server's policy is taken to read everything)."""
        backend = self.backend
        return not isinstance(backend, EmbeddedEngine) or backend.may_read(path)

    async def decide(self, input: dict[str, Any]) -> PolicyDecision:
        if not self._started or self._pending is not None:
            await self._ensure()
        return await self.backend.decide(input)

    async def _ensure(self) -> None:
        """First use in the running loop: push to OPA if needed, start the reloader."""
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if self._pending is not None:
                try:
                    await self.backend.load(self._pending)
                    self._pending = None
                except PolicyLoadError as exc:
                    self.error = str(exc)
                    log.error("policy: %s", exc)
            if self._task is None and self.settings.hot_reload:
                self._task = asyncio.get_running_loop().create_task(self._watch())
                self._install_sighup()
            self._started = True

    # -- reloading --------------------------------------------------------------------
    def changed(self) -> bool:
        try:
            return fingerprint(self.policy_dirs, self.data_dirs) != self.bundle.fingerprint
        except PolicyLoadError:
            return True

    async def reload(self, *, force: bool = False) -> bool:
        """Load the files again if they changed; True when a new bundle is in use."""
        if not force and not self.changed():
            return False
        try:
            bundle = load_bundle(self.policy_dirs, self.data_dirs)
            if bundle.fingerprint == self.bundle.fingerprint and not force and self.error is None:
                return False
            if isinstance(self.backend, OpaServerEngine):
                compile_engine(bundle)
            await self.backend.load(bundle)
        except PolicyLoadError as exc:
            if self.error != str(exc):
                log.error(
                    "POLICY RELOAD FAILED, still enforcing the last good policy (loaded %s): %s",
                    time.strftime("%H:%M:%S", time.localtime(self.loaded_at)),
                    exc,
                )
            self.error = str(exc)
            # Remember the failed files, so we do not retry until they change again.
            try:
                self.bundle = Bundle(
                    self.bundle.modules,
                    self.bundle.tests,
                    self.bundle.data,
                    fingerprint(self.policy_dirs, self.data_dirs),
                )
            except PolicyLoadError:
                pass
            return False
        self.bundle, self.error = bundle, None
        self.loaded_at, self.reloads = time.time(), self.reloads + 1
        log.info("policy reloaded: %d modules, %d data keys", len(bundle.modules), len(bundle.data))
        return True

    async def _watch(self) -> None:
        interval = self.settings.reload_interval
        while True:
            await asyncio.sleep(interval)
            try:
                await self.reload(force=self._hup.is_set())
            except Exception:  # the watcher must survive anything
                log.exception("policy reload crashed")
            finally:
                self._hup.clear()

    def _install_sighup(self) -> None:
        """SIGHUP forces a reload at the next tick; only possible in the main thread."""
        if threading.current_thread() is not threading.main_thread() or not hasattr(
            signal, "SIGHUP"
        ):
            return
        previous = signal.getsignal(signal.SIGHUP)

        def on_hup(signum: int, frame: Any) -> None:
            self._hup.set()
            if callable(previous):
                previous(signum, frame)

        try:
            signal.signal(signal.SIGHUP, on_hup)
        except ValueError:
            pass

    # -- health -----------------------------------------------------------------------
    async def ready(self) -> tuple[bool | str, str]:  # str: "degraded"
        if not self._started or self._pending is not None:
            await self._ensure()
        ok, msg = await self.backend.ready()
        if self._pending is not None:
            return False, f"policy not loaded into OPA: {self.error}"
        if self.error:
            # Still enforcing the last good policy: serving, degraded, and says so loudly.
            return (
                "degraded" if ok else ok
            ), f"{msg}; RELOAD FAILED, enforcing the last good policy: {self.error}"
        return ok, msg

    async def aclose(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None
        self._started = False
        await self.backend.aclose()


def make_service(
    section: PolicySettings | Mapping[str, Any], base_dir: Path | None = None
) -> PolicyService:
    """A policy service for `guards.policy` (as loaded, or a mapping, validated here)."""
    settings = (
        section if isinstance(section, PolicySettings) else PolicySettings.model_validate(section)
    )
    return PolicyService(settings, base_dir)
