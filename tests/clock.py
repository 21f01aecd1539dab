"""A clock the test moves by hand, for the clock seams in the product (a component's
`clock` / `now`, defaulting to `time.monotonic`): time passes when the test says so, never
because the box is slow or a sleep ran long."""

from __future__ import annotations


class ManualClock:
    """A monotonic clock that stands still until `advance` moves it."""

    def __init__(self, start: float = 1000.0) -> None:
        self.t = start

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds
