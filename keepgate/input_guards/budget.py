"""A per-request allowance of scan time, checked between the slices of a scan.

The input guard gives each request one `Budget` (`scan_budget_s` of wall-clock time from
the start of its scan); every stage calls `check()` between windows and between stages.
Past the deadline `check()` raises `BudgetExceeded`, and the guard turns that into a
fail-closed 503 (or a pass with a header under `fail_open`). When the request that is
waiting for an off-loop scan goes away, `cancel()` makes the scanning thread stop at its
next check instead of finishing work nobody will read.
"""

from __future__ import annotations

import time
from collections.abc import Callable


class BudgetExceeded(Exception):
    """The request's scan ran past its budget."""


class ScanCancelled(Exception):
    """The request whose text was being scanned is gone."""


class Budget:
    def __init__(
        self,
        seconds: float | None = None,
        on_check: Callable[[], None] | None = None,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.seconds = seconds
        #: The clock the deadline is on: a seam so the budget's tests move time by hand
        #: instead of racing a tiny budget against the box's speed.
        self.clock = clock
        self.deadline = None if seconds is None else clock() + seconds
        self.cancelled = False
        #: Called at every check (in whatever thread scans): a seam for tracing and for
        #: tests that need to hold a scan at a known point.
        self.on_check = on_check

    def check(self) -> None:
        if self.on_check is not None:
            self.on_check()
        if self.cancelled:
            raise ScanCancelled()
        if self.deadline is not None and self.clock() > self.deadline:
            raise BudgetExceeded(f"input scan exceeded its budget of {self.seconds:g}s")

    def left(self) -> float | None:
        """Seconds until the deadline (None: no deadline); raises when already past."""
        if self.cancelled:
            raise ScanCancelled()
        if self.deadline is None:
            return None
        left = self.deadline - self.clock()
        if left <= 0:
            raise BudgetExceeded(f"input scan exceeded its budget of {self.seconds:g}s")
        return left

    def cancel(self) -> None:
        self.cancelled = True
