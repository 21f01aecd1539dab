"""The production backend: an OPA server over its REST API, through opa-python-client.

`AsyncOpaClient` is built on aiohttp, so it does not block the event loop; we use it as is.
Its pitfalls, handled here: an undefined result comes back as `{}` (-> deny); connection
errors surface as raw aiohttp/requests exceptions (-> fail closed); its v0->v1 "rego_compat"
rewriting is switched off (our policies are v1); its retry loop is bounded by our own
`asyncio.wait_for`, so a slow OPA costs at most `timeout` seconds per decision; a pooled
connection the server closed while idle is retried once at once (not a reason to deny).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from opa_client import AsyncOpaClient

from keepgate.connections import LoopLocal
from keepgate.policy.bundle import Bundle, PolicyLoadError
from keepgate.policy.decision import DECISION_PATH, PolicyDecision

#: Seconds between re-uploads of the policies when OPA has no decision (restarted empty).
REPUSH_INTERVAL = 5.0

log = logging.getLogger("keepgate.policy")


def _policy_id(path: str, root: str = "") -> str:
    rel = path[len(root) :].lstrip("/") if root and path.startswith(root) else path.lstrip("/")
    return "keepgate/" + rel.replace("\\", "/")


class OpaServerEngine:
    kind = "opa"

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 0.5,
        retries: int = 0,
        fail_open: bool = False,
        push: bool = True,
        token: str | None = None,
        query: str = DECISION_PATH,
        bundle: Bundle | None = None,
        root: str = "",
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"guards.policy.opa.url must be an http(s) URL, got {url!r}")
        self.url = url
        self._client_args = dict(
            host=parts.hostname,
            port=parts.port or (443 if parts.scheme == "https" else 80),
            ssl=parts.scheme == "https",
            token=token,
            retries=retries,
            timeout=timeout,
        )
        self.timeout = timeout
        self.retries = retries
        self.fail_open = fail_open
        self.push = push
        self.policy = query
        self._package, _, self._rule = query.rpartition(".")
        self.bundle = bundle
        self._root = root
        self._clients = LoopLocal(self._open, AsyncOpaClient.close_connection)
        self._pushed: set[str] = set()
        self._repushed_at = 0.0

    async def _open(self) -> AsyncOpaClient:
        """The client's public way to open its (aiohttp) session is `async with`; its
        `close_connection` is what `__aexit__` runs, so `aclose` closes it the same way."""
        client = AsyncOpaClient(**self._client_args)
        await client.__aenter__()
        return client

    async def load(self, bundle: Bundle) -> None:
        """Upload the bundle's modules and data (when `push`); a parse error raises and the
        server keeps what it had — OPA rejects the module atomically."""
        if self.push:
            client = await self._clients.get()
            try:
                ids = set()
                for path, source in bundle.modules:
                    pid = _policy_id(path, self._root)
                    ids.add(pid)
                    await client.update_policy_from_string(source, pid, rego_compat=False)
                for key, value in bundle.data.items():
                    if not isinstance(value, dict):
                        raise PolicyLoadError(
                            f"OPA data must be an object under a top key; data.{key} is not"
                        )
                    await client.update_or_create_data(value, key)
                for stale in self._pushed - ids:
                    try:
                        await client.delete_policy(stale)
                    except Exception:  # noqa: BLE001 - best effort
                        log.warning("could not delete stale OPA policy %s", stale)
                self._pushed = ids
            except PolicyLoadError:
                raise
            except Exception as exc:  # noqa: BLE001 - RegoParseError, connection errors
                raise PolicyLoadError(
                    f"OPA at {self.url} rejected the bundle: {_describe(exc)}"
                ) from None
        self.bundle = bundle

    async def decide(self, input: dict[str, Any]) -> PolicyDecision:
        try:
            body = await asyncio.wait_for(self._query(input), self.timeout)
        except asyncio.TimeoutError:
            return self._failed("policy.opa_timeout: OPA did not answer in time")
        except aiohttp.ClientResponseError as exc:  # OPA answered 4xx/5xx (evaluation error)
            return self._failed(f"policy.opa_error: OPA answered HTTP {exc.status}")
        except Exception as exc:  # noqa: BLE001 - aiohttp/requests connection errors
            return self._failed(f"policy.opa_unavailable: {type(exc).__name__}")
        if not isinstance(body, dict) or "result" not in body:
            # opa-python-client returns {} for an undefined document: never an allow.
            if await self._repush():
                return await self.decide(input)
            return PolicyDecision.from_result(None, self.policy)
        return PolicyDecision.from_result(body["result"], self.policy)

    async def _repush(self) -> bool:
        """An undefined decision while we push the policies most likely means OPA restarted
        empty: upload them again (at most every REPUSH_INTERVAL s) and ask once more."""
        now = time.monotonic()
        if not self.push or self.bundle is None or now - self._repushed_at < REPUSH_INTERVAL:
            return False
        self._repushed_at = now
        log.warning(
            "OPA at %s has no decision for %s: uploading the policies again", self.url, self.policy
        )
        try:
            await self.load(self.bundle)
        except PolicyLoadError as exc:
            log.error("re-uploading policies to OPA failed: %s", exc)
            return False
        return True

    async def _query(self, input: dict[str, Any]) -> Any:
        client = await self._clients.get()
        try:
            return await client.query_rule(input, self._package, self._rule)
        except aiohttp.ClientConnectionError:
            # Most often a pooled keep-alive connection the server closed while idle: one
            # immediate retry on a fresh connection (still inside the decision's timeout),
            # unless the client already retried (`opa.retries`): a dead OPA is not asked
            # 2 x (retries + 1) times.
            if self.retries:
                raise
            return await client.query_rule(input, self._package, self._rule)

    def _failed(self, reason: str) -> PolicyDecision:
        log.warning(
            "OPA decision failed (%s): %s", "fail open" if self.fail_open else "denied", reason
        )
        return PolicyDecision.failed(reason, self.policy, fail_open=self.fail_open)

    async def ready(self) -> tuple[bool, str]:
        try:
            client = await self._clients.get()
            ok = await asyncio.wait_for(client.check_health(), self.timeout + 0.5)
        except Exception as exc:  # noqa: BLE001
            return False, f"OPA server unreachable: {type(exc).__name__}"
        return (True, "OPA server") if ok else (False, "OPA server unhealthy")

    async def aclose(self) -> None:
        await self._clients.aclose()


def _describe(exc: BaseException) -> str:
    errors = getattr(exc, "errors", None)
    if errors:
        first = errors[0]
        loc = first.get("location") or {}
        where = (
            f"{loc.get('file', '?')}:{loc.get('row', '?')}:{loc.get('col', '?')}: " if loc else ""
        )
        return where + str(first.get("message", ""))
    return str(exc) or type(exc).__name__
