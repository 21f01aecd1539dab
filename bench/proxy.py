"""`python -m bench.proxy`: the proxy core's own overhead — Keepgate with no guards vs direct.

Same fake model, same load from a separate process (bench.load), one target at a time:
the fake model directly, a bare pass-through proxy (bench.passthrough: the floor of a
Python hop on this stack, no checks at all), and Keepgate with every guard off.
Prints RPS, p50/p99 and their ratios per scenario and concurrency. The side-by-side run
with every guard and LiteLLM Proxy is `python -m bench`.

The second table (`--routes` runs only it) is the route adapters' cost: the same short
answer asked through `/v1/responses` and `/v1/messages` of the same Keepgate, translated to
the fake model's chat completions, and passed through to its own Responses / Messages
routes, against `/v1/chat/completions`, one client, guards off and then on. The scenarios
run interleaved, several rounds, and each p50 is the median of its rounds, so a load spike
on a shared machine hits every route alike.
"""

from __future__ import annotations

import os
import statistics
import sys
from pathlib import Path

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rich.console import Console
from rich.table import Table

from bench import scenarios
from bench.runner import Point, check, load, sweep
from bench.targets import REPO, start_fake_model, start_keepgate, start_passthrough

SCENARIOS = (scenarios.Scenario("short", False), scenarios.Scenario("short", True))
ROUTE_SCENARIOS = tuple(
    scenarios.Scenario("short", stream, route, native)
    for stream in (False, True)
    for route, native in (
        ("chat", False),
        ("responses", False),
        ("messages", False),
        ("responses", True),
        ("messages", True),
    )
)


def run(
    concurrency: tuple[int, ...] = (1, 16),
    duration: float = 2.0,
    workdir: Path = REPO / "bench" / "out" / "run",
) -> list[Point]:
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
    t = Table(
        title="Keepgate (no guards) and a bare pass-through vs the fake model directly",
        title_justify="left",
    )
    for col in (
        "scenario",
        "clients",
        "direct RPS",
        "bare RPS",
        "bare ratio",
        "Keepgate RPS",
        "Keepgate ratio",
        "direct p50 ms",
        "Keepgate p50 ms",
        "added p50 ms",
        "added p99 ms",
    ):
        t.add_column(col, justify="left" if col == "scenario" else "right")
    by = {(p.target, p.scenario, p.concurrency): p for p in points}
    for p in points:
        if p.target != "keepgate-off":
            continue
        d = by[("direct", p.scenario, p.concurrency)]
        b = by.get(("passthrough", p.scenario, p.concurrency))
        t.add_row(
            p.scenario,
            str(p.concurrency),
            f"{d.rps:.0f}",
            f"{b.rps:.0f}" if b else "—",
            f"{b.rps / d.rps:.2f}" if b else "—",
            f"{p.rps:.0f}",
            f"{p.rps / d.rps:.2f}",
            f"{(d.p50 or 0) * 1000:.2f}",
            f"{(p.p50 or 0) * 1000:.2f}",
            f"{((p.p50 or 0) - (d.p50 or 0)) * 1000:.2f}",
            f"{((p.p99 or 0) - (d.p99 or 0)) * 1000:.2f}",
        )
    return t


def run_routes(
    rounds: int = 12, duration: float = 0.6, workdir: Path = REPO / "bench" / "out" / "run"
) -> dict[str, list[dict]]:
    """Per guards setting ("off", "on"): one row per route scenario.

    Each round runs every scenario once, back to back, so each route's p50 and CPU per
    request are compared with chat's from the same round; the figures are the medians of
    those per-round differences (robust to a load spike on a shared machine). CPU per request
    is Keepgate's own process time divided by the requests it served: the overhead that load
    from other processes cannot inflate.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    fake = start_fake_model(workdir)
    out: dict[str, list[dict]] = {}
    try:
        base = fake.url.rsplit("/chat/completions", 1)[0]
        for guards in ("off", "on"):
            kg = start_keepgate(workdir, base, guards_on=guards == "on")
            try:
                for sc in ROUTE_SCENARIOS:
                    check(kg, sc)
                    load(kg, sc, 2, 0.3, warmup=0.2)
                runs: dict[str, list[tuple[float, float, float]]] = {
                    sc.name: [] for sc in ROUTE_SCENARIOS
                }
                for _ in range(rounds):
                    for sc in ROUTE_SCENARIOS:
                        cpu0 = kg.cpu_seconds()
                        r = load(kg, sc, 1, duration, warmup=0.05)
                        cpu = (kg.cpu_seconds() - cpu0) / max(1, r["served"])
                        runs[sc.name].append((r["p50"], cpu, r["rps"]))
            finally:
                kg.stop()
            rows = []
            for sc in ROUTE_SCENARIOS:
                chat = runs[scenarios.Scenario("short", sc.stream).name]
                mine = runs[sc.name]
                rows.append(
                    {
                        "scenario": sc.name,
                        "chat": sc.route == "chat",
                        "p50": statistics.median(m[0] for m in mine),
                        "cpu": statistics.median(m[1] for m in mine),
                        "rps": statistics.median(m[2] for m in mine),
                        "added_p50": statistics.median(m[0] - c[0] for m, c in zip(mine, chat)),
                        "added_cpu": statistics.median(m[1] - c[1] for m, c in zip(mine, chat)),
                    }
                )
            out[guards] = rows
    finally:
        fake.stop()
    return out


def routes_table(rows: dict[str, list[dict]]) -> Table:
    t = Table(
        title="Responses and Messages vs chat completions on the same Keepgate, 1 client "
        "(medians of per-round differences)",
        title_justify="left",
    )
    for col in (
        "guards",
        "scenario",
        "p50 ms",
        "added p50 ms",
        "CPU ms/req",
        "added CPU ms/req",
        "RPS",
    ):
        t.add_column(col, justify="left" if col in ("guards", "scenario") else "right")
    for guards, points in rows.items():
        for p in points:
            t.add_row(
                guards,
                p["scenario"],
                f"{p['p50'] * 1000:.3f}",
                "—" if p["chat"] else f"{p['added_p50'] * 1000:+.3f}",
                f"{p['cpu'] * 1000:.3f}",
                "—" if p["chat"] else f"{p['added_cpu'] * 1000:+.3f}",
                f"{p['rps']:.0f}",
            )
    return t


def main() -> None:
    console = Console(width=150)
    if "--routes" not in sys.argv:
        with console.status("measuring (about 45 s)..."):
            points = run()
        console.print(table(points))
    with console.status("measuring the route adapters (about 3 minutes)..."):
        rows = run_routes()
    console.print(routes_table(rows))
    console.print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
