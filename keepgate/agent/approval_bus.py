"""How a run waiting for a human learns that a decision was posted to another replica.

The replica that takes an approval for a run it does not execute records the decision in
the checkpoint store and then calls `ApprovalBus.publish(run_id)`. With Redis checkpoints
that is a `PUBLISH` on `<prefix>approvals`; every replica keeps one subscription to that
channel (one connection per process, not per waiting run) and wakes the runs waiting here,
which re-read the store. The waiting run also re-reads the store every `approval_poll_s`:
pub/sub delivers at most once and only to connected subscribers, so a message lost to a
reconnect (or a Redis proxy without pub/sub) costs at most that interval, never the decision.
After every (re)subscription all waiters here re-read the store once, for the same reason.

A Redis that refuses pub/sub (a managed proxy without it, an ACL without `@pubsub`:
the command is answered with an error, not a lost connection) is not retried: the bus
turns to the poll for good, warns once and counts it (`keepgate_agent_approval_bus_total`
`{event="poll_only"}`), and `ready` no longer waits for a subscription that cannot come.
A lost connection is retried every `RESUBSCRIBE_S`, with one warning per outage (each
outage counted once as `lost`), and `ready` does not wait while it is down.

Without Redis (SQLite checkpoints) the bus is local: a decision posted to this process
already resolves the run's future (`LiveRun.waiting`); replicas sharing one SQLite file
learn of decisions by the poll alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterator
from typing import Any

from redis.exceptions import ResponseError

log = logging.getLogger("keepgate.agent")

#: Seconds between two attempts to (re)subscribe after Redis refused or dropped us.
RESUBSCRIBE_S = 1.0
#: Seconds without a message after which the subscription's connection is checked.
IDLE_S = 30.0


class ApprovalBus:
    """Wake-ups for runs waiting on approvals, by run id (local, and Redis pub/sub if given)."""

    def __init__(
        self,
        client: Any | None = None,
        channel: str = "",
        on_event: Callable[[str], None] | None = None,
    ) -> None:
        self.client = client
        self.channel = channel
        #: Told `poll_only` (Redis refused pub/sub) and `lost` (a subscription lost): metrics.
        self.on_event = on_event or (lambda _event: None)
        #: Redis refused SUBSCRIBE or PUBLISH: waiting runs rely on the poll alone.
        self.poll_only = False
        #: The last attempt to subscribe failed, none succeeded since (an outage).
        self._down = False
        self._waiters: dict[str, set[asyncio.Event]] = {}
        #: Set while the subscription is confirmed by Redis (a publish after it reaches us).
        self.subscribed = asyncio.Event()
        #: Set once an attempt to subscribe ended (confirmed, refused or failed): `ready`
        #: waits for this, not for a confirmation a refusal would never send.
        self._tried = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        #: Subscriptions Redis confirmed (a second one follows a lost connection).
        self._subscriptions = 0

    @property
    def remote(self) -> bool:
        return self.client is not None

    @contextlib.contextmanager
    def waiter(self, run_id: str) -> Iterator[asyncio.Event]:
        """An event set when a decision for `run_id` may have been posted elsewhere."""
        event = asyncio.Event()
        self._waiters.setdefault(run_id, set()).add(event)
        self._listen()
        try:
            yield event
        finally:
            found = self._waiters.get(run_id)
            if found is not None:
                found.discard(event)
                if not found:
                    del self._waiters[run_id]

    async def ready(self, timeout: float) -> bool:
        """Wait (at most `timeout` s) until Redis confirmed the subscription, refused it or
        the attempt failed; True if it is confirmed (or there is no Redis). Called before a
        run announces that it waits, so a decision posted after the announcement is always
        notified."""
        if not self.remote:
            return True
        if self.poll_only or self._down:
            return False  # nothing to wait for: the poll (and a resubscription) wake runs
        self._listen()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._tried.wait(), timeout)
        return self.subscribed.is_set()

    async def publish(self, run_id: str) -> None:
        """Tell every replica (this one too) that `run_id` has a new decision in the store.
        Best effort: a failed publish leaves it to the waiting run's poll."""
        self._wake(run_id)
        if self.client is None or self.poll_only:
            return
        try:
            await self.client.publish(self.channel, run_id)
        except ResponseError as exc:
            self._refused(exc)
        except Exception as exc:  # noqa: BLE001 - the poll still finds the decision
            log.warning("approval notification for run %s not sent (%s)", run_id, exc)

    def _refused(self, exc: Exception) -> None:
        """Redis answered pub/sub with an error: poll from now on, said once."""
        if self.poll_only:
            return
        self.poll_only = True
        self.subscribed.clear()
        self._tried.set()
        self.on_event("poll_only")
        log.warning(
            "approval notifications: Redis refused pub/sub (%s); runs waiting for approval "
            "learn of decisions posted to other replicas by re-reading the checkpoint store "
            "every agent.checkpoints.approval_poll_s",
            exc,
        )

    def _wake(self, run_id: str) -> None:
        for event in self._waiters.get(run_id, ()):
            event.set()

    def _listen(self) -> None:
        """Start the one subscriber task of this process (first waiter; again if it ended)."""
        if self.client is None or self.poll_only:
            return
        if self._task is not None and not self._task.done():
            return
        self._task = asyncio.get_running_loop().create_task(
            self._subscribe(), name="agent:approval-bus"
        )

    async def _subscribe(self) -> None:
        client = self.client
        assert client is not None  # started by `_listen` only with a client
        while True:
            try:
                async with client.pubsub() as pubsub:
                    await pubsub.subscribe(self.channel)
                    await self._receive(pubsub)
            except asyncio.CancelledError:
                raise
            except ResponseError as exc:  # refused, not lost: retrying cannot help
                self._refused(exc)
                return
            except Exception as exc:  # noqa: BLE001 - waiters fall back to the poll meanwhile
                if not self._down:
                    self.on_event("lost")
                    log.warning("approval notifications: subscription lost (%s); retrying", exc)
                self._down = True
            self.subscribed.clear()
            self._tried.set()
            await asyncio.sleep(RESUBSCRIBE_S)

    async def _receive(self, pubsub: Any) -> None:
        """Dispatch messages; a PING after `IDLE_S` without one, and a connection that does
        not answer it by the next `IDLE_S` is given up (a silently dead TCP connection would
        otherwise leave every waiter on the poll for good)."""
        pinged = False
        while True:
            message = await pubsub.get_message(timeout=IDLE_S)
            if message is None:
                if pinged:
                    raise ConnectionError("no answer to PING")
                await pubsub.ping()
                pinged = True
                continue
            pinged = False
            kind = message.get("type")
            if kind == "subscribe":
                # First or again: a decision published before the channel was ours (a slow
                # first SUBSCRIBE, `ready` timed out, or a reconnect) reached nobody, so every
                # run waiting here re-reads the store once.
                for events in list(self._waiters.values()):
                    for event in events:
                        event.set()
                self._subscriptions += 1
                if self._down:
                    log.info("approval notifications: subscribed again")
                self._down = False
                self.subscribed.set()
                self._tried.set()
            elif kind == "message":
                data = message.get("data")
                self._wake(data.decode() if isinstance(data, bytes) else str(data))

    async def aclose(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None
        self.subscribed.clear()
        self._tried.clear()
