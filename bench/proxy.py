"""`python -m bench.proxy`: the proxy core's own overhead — Keepgate with no guards vs direct.

Same fake model, same load from a separate process (bench.load), one target at a time:
the fake model directly, a bare pass-through proxy (bench.passthrough: the floor of a
Python hop on this stack, no checks at all), and Keepgate with every guard off.
Prints RPS, p50/p99 and their ratios per scenario and concurrency. The side-by-side run
with every guard and LiteLLM Proxy is `python -m bench`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from bench import scenarios  # noqa: E402
from bench.runner import Point, sweep  # noqa: E402
from bench.targets import (REPO, start_fake_model, start_keepgate,  # noqa: E402
                           start_passthrough)

SCENARIOS = (scenarios.Scenario("short", False), scenarios.Scenario("short", True))


def run(concurrency: tuple[int, ...] = (1, 16), duration: float = 2.0,
        workdir: Path = REPO / "bench" / "out" / "run") -> list[Point]:
    workdir.mkdir(parents=True, exist_ok=True)
    fake = start_fake_model(workdir)
    points: list[Point] = []
    try:
        points += sweep(fake, SCENARIOS, concurrency, duration, lambda d: None)
        bare = start_passthrough(workdir, fake.url)
        try:
            points += sweep(bare, SCENARIOS, concurrency, duration, lambda d: None)
        finally:
            bare.stop()
        kg = start_keepgate(workdir, fake.url.rsplit("/chat/completions", 1)[0], guards_on=False)
        try:
            points += sweep(kg, SCENARIOS, concurrency, duration, lambda d: None)
        finally:
            kg.stop()
    finally:
        fake.stop()
    return points


def table(points: list[Point]) -> Table:
    t = Table(title="Keepgate (no guards) and a bare pass-through vs the fake model directly",
              title_justify="left")
    for col in ("scenario", "clients", "direct RPS", "bare RPS", "bare ratio", "Keepgate RPS",
                "Keepgate ratio", "direct p50 ms", "Keepgate p50 ms", "added p50 ms",
                "added p99 ms"):
        t.add_column(col, justify="left" if col == "scenario" else "right")
    by = {(p.target, p.scenario, p.concurrency): p for p in points}
    for p in points:
        if p.target != "keepgate-off":
            continue
        d = by[("direct", p.scenario, p.concurrency)]
        b = by.get(("passthrough", p.scenario, p.concurrency))
        t.add_row(p.scenario, str(p.concurrency), f"{d.rps:.0f}",
                  f"{b.rps:.0f}" if b else "—", f"{b.rps / d.rps:.2f}" if b else "—",
                  f"{p.rps:.0f}", f"{p.rps / d.rps:.2f}", f"{(d.p50 or 0) * 1000:.2f}",
                  f"{(p.p50 or 0) * 1000:.2f}", f"{((p.p50 or 0) - (d.p50 or 0)) * 1000:.2f}",
                  f"{((p.p99 or 0) - (d.p99 or 0)) * 1000:.2f}")
    return t


def main() -> None:
    console = Console(width=150)
    with console.status("measuring (about 45 s)..."):
        points = run()
    console.print(table(points))


if __name__ == "__main__":
    main()
