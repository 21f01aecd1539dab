"""`python -m bench` / `keepgate bench`: Keepgate vs LiteLLM Proxy in front of the same fake model.

Targets, each started alone and driven by the same load from a separate process:
the fake model directly (the baseline), Keepgate with guards off, Keepgate with every guard
on, LiteLLM Proxy with no guardrails and with its offline guardrails (content filter for
prompt injection, Presidio for PII). Prints one table, writes JSON and a PNG to bench/out/.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated, Optional

import typer

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import report, scenarios
from bench.targets import REPO, Target

ALL_TARGETS = ("direct", "keepgate-off", "keepgate-on", "litellm-plain", "litellm-guarded")


def machine() -> str:
    import psutil

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()[0]
    return (
        f"{os.cpu_count()} vCPU {cpu}, {psutil.virtual_memory().total / 2**30:.0f} GiB, "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}, "
        f"load avg {load:.1f} at start"
    )


def _start(name: str, workdir: Path, fake: Target, litellm_py: Path | None) -> Target:
    from bench import targets

    base = fake.url.rsplit("/chat/completions", 1)[0]
    if name == "direct":
        return fake
    if name in ("keepgate-on", "keepgate-off"):
        return targets.start_keepgate(workdir, base, guards_on=name == "keepgate-on")
    assert litellm_py is not None
    return targets.start_litellm(workdir, base, litellm_py, guardrails=name == "litellm-guarded")


def cli(
    quick: Annotated[
        bool, typer.Option("--quick", help="2 scenarios × 2 concurrencies, ~1 minute.")
    ] = False,
    only: Annotated[
        Optional[str], typer.Option(help="Comma-separated targets: " + ",".join(ALL_TARGETS))
    ] = None,
    concurrency: Annotated[Optional[str], typer.Option(help="Sweep, e.g. 1,8,32.")] = None,
    duration: Annotated[Optional[float], typer.Option(help="Seconds per point.")] = None,
    out: Annotated[Path, typer.Option(help="Where results go.")] = REPO / "bench" / "out",
    litellm_venv: Annotated[
        Path, typer.Option(help="Venv with LiteLLM Proxy (created if missing).")
    ] = REPO / ".venv-bench",
) -> None:
    """Benchmark Keepgate against LiteLLM Proxy in front of the same fake model."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from bench import litellm_env
    from bench.runner import sweep
    from bench.targets import start_fake_model

    console = Console()
    if not console.is_terminal:
        console = Console(width=170)
    names = [n.strip() for n in only.split(",")] if only else list(ALL_TARGETS)
    if quick and not only:
        names.remove("litellm-plain")
    bad = [n for n in names if n not in ALL_TARGETS]
    if bad:
        raise typer.BadParameter(f"unknown target(s) {bad}; choose from {ALL_TARGETS}")
    if "direct" not in names:
        names.insert(0, "direct")  # every ratio needs the baseline
    scs = scenarios.QUICK if quick else scenarios.ALL
    conc = (
        [int(c) for c in concurrency.split(",")]
        if concurrency
        else ([1, 16] if quick else [1, 8, 32])
    )
    dur = duration or (1.5 if quick else 2.0)
    litellm_py = None
    if any(n.startswith("litellm") for n in names):
        litellm_py = litellm_env.ensure(litellm_venv, log=console.print)

    out.mkdir(parents=True, exist_ok=True)
    workdir = out / "run"
    workdir.mkdir(exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    host = machine()  # before the run: its load average is the box's, not the bench's
    labels: dict[str, str] = {}
    points = []
    t0 = time.monotonic()
    total = len(names) * len(scs) * len(conc)
    fake = start_fake_model(workdir)
    try:
        with Progress(
            TextColumn("{task.description:<44}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as progress:
            task = progress.add_task("starting", total=total)
            for name in names:
                progress.update(task, description=f"starting {name}")
                target = _start(name, workdir, fake, litellm_py)
                labels[name] = target.label
                try:

                    def tick(desc: str) -> None:
                        progress.update(task, description=desc)

                    for p in sweep(target, scs, conc, dur, tick):
                        points.append(p)
                        progress.advance(task)
                finally:
                    if target is not fake:
                        target.stop()
    finally:
        fake.stop()
    rows = report.summarise(points, labels)
    title = (
        f"Keepgate bench, {stamp} — {host}\n"
        f"latency at {conc[0]} client(s) (+ = added vs direct), peak RPS over {conc} "
        f"clients, {dur:g} s per point; CPU and RSS of the proxy's processes only"
    )
    console.print(report.table(rows, title))
    _headline(console, rows)
    png = report.plot(points, labels, out / "bench.png")
    data = {
        "date": stamp,
        "machine": host,
        "concurrency": conc,
        "duration_s": dur,
        "points": [p.as_dict() for p in points],
        "summary": rows,
    }
    (out / "results.json").write_text(json.dumps(data, indent=1, default=str))
    console.print(
        f"results: {out / 'results.json'}"
        + (f", plot: {png}" if png else " (install the `bench` extra for the plot)")
        + f"; took {time.monotonic() - t0:.0f} s"
    )


def _headline(console, rows) -> None:
    """The issue's targets, stated against the measured numbers."""
    kg = [r for r in rows if r["target"] == "keepgate-on"]
    for r in kg:
        parts = [
            f"{r['scenario']}: Keepgate (all guards) adds "
            f"{(r.get('added_p50') or 0) * 1000:.2f} ms p50 (target ≤ 2 ms)"
        ]
        if "x_litellm" in r:
            parts.append(f"serves {r['x_litellm']:.1f}× LiteLLM's RPS (target ≥ 3×)")
        console.print("  " + ", ".join(parts))


def main() -> None:
    typer.run(cli)


if __name__ == "__main__":
    main()
