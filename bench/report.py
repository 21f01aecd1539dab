"""The one table (ratios against the direct run and against LiteLLM Proxy) and the PNG plot."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rich.table import Table

from bench.runner import Point

BASELINE = "direct"
PEER = "litellm-guarded"


def _ms(x: float | None) -> str:
    return "—" if x is None else f"{x * 1000:.2f}"


def _get(points: Sequence[Point], target: str, scenario: str) -> list[Point]:
    return sorted(
        (p for p in points if p.target == target and p.scenario == scenario),
        key=lambda p: p.concurrency,
    )


def summarise(points: Sequence[Point], labels: dict[str, str]) -> list[dict[str, object]]:
    """One row per target and scenario: latency at the lowest concurrency, peak throughput."""
    rows = []
    scenarios = list(dict.fromkeys(p.scenario for p in points))
    for target in labels:
        for sc in scenarios:
            pts = _get(points, target, sc)
            if not pts:
                continue
            base = _get(points, BASELINE, sc)
            peer = _get(points, PEER, sc)
            low = pts[0]
            peak = max(p.rps for p in pts)
            cpu = [p.cpu_ms_per_req for p in pts if p.cpu_ms_per_req is not None]
            row: dict[str, object] = {
                "target": target,
                "label": labels[target],
                "scenario": sc,
                "concurrency_low": low.concurrency,
                "p50": low.p50,
                "p99": low.p99,
                "ttft_p50": low.ttft_p50,
                "peak_rps": peak,
                "peak_concurrency": max(pts, key=lambda p: p.rps).concurrency,
                "cpu_ms_per_req": sum(cpu) / len(cpu) if cpu else None,
                "rss_mb": max(p.rss_mb for p in pts),
                "errors": sum(p.errors for p in pts),
                "pii_leaked": pts[0].pii_leaked,
            }
            if base and target != BASELINE and low.p50 is not None and base[0].p50 is not None:
                row["added_p50"] = low.p50 - base[0].p50
                row["added_p99"] = (low.p99 or 0) - (base[0].p99 or 0)
            if base:
                row["x_direct"] = peak / max(p.rps for p in base)
            if peer and target != PEER:
                row["x_litellm"] = peak / max(p.rps for p in peer)
            rows.append(row)
    return rows


def table(rows: Sequence[dict[str, object]], title: str) -> Table:
    t = Table(title=title, title_justify="left")
    for col, just in (
        ("target", "left"),
        ("scenario", "left"),
        ("p50 ms", "right"),
        ("+p50 ms", "right"),
        ("+p99 ms", "right"),
        ("TTFT ms", "right"),
        ("peak RPS", "right"),
        ("× direct", "right"),
        ("× LiteLLM", "right"),
        ("CPU ms/req", "right"),
        ("RSS MB", "right"),
        ("PII out", "left"),
        ("errors", "right"),
    ):
        t.add_column(col, justify=just)  # type: ignore[arg-type]
    last = None
    for r in rows:
        if last is not None and r["target"] != last:
            t.add_section()
        last = r["target"]
        t.add_row(
            str(r["label"]),
            str(r["scenario"]),
            _ms(r["p50"]),  # type: ignore[arg-type]
            _ms(r.get("added_p50")),
            _ms(r.get("added_p99")),  # type: ignore[arg-type]
            _ms(r["ttft_p50"]),
            f"{r['peak_rps']:.0f}",  # type: ignore[arg-type]
            f"{r['x_direct']:.2f}" if "x_direct" in r else "—",
            f"{r['x_litellm']:.2f}" if "x_litellm" in r else "—",
            "—" if r["cpu_ms_per_req"] is None else f"{r['cpu_ms_per_req']:.2f}",
            f"{r['rss_mb']:.0f}",
            {None: "—", True: "leaked", False: "masked"}[r["pii_leaked"]],  # type: ignore[index]
            str(r["errors"]),
        )
    return t


def plot(points: Sequence[Point], labels: dict[str, str], path: Path) -> Path | None:
    """p50 latency and throughput vs concurrency, one column per scenario."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    scenarios = list(dict.fromkeys(p.scenario for p in points))
    fig, axes = plt.subplots(2, len(scenarios), figsize=(4.2 * len(scenarios), 7), squeeze=False)
    for j, sc in enumerate(scenarios):
        for target, label in labels.items():
            pts = _get(points, target, sc)
            if not pts:
                continue
            done = [p for p in pts if p.p50 is not None]  # a point with no answer is left out
            axes[0][j].plot(
                [p.concurrency for p in done],
                [p.p50 * 1000 for p in done],  # type: ignore[operator]
                marker="o",
                label=label,
            )
            axes[1][j].plot(
                [p.concurrency for p in pts], [p.rps for p in pts], marker="o", label=label
            )
        axes[0][j].set_title(sc)
        axes[0][j].set_ylabel("p50 latency (ms)")
        axes[1][j].set_ylabel("requests / s")
        for ax in (axes[0][j], axes[1][j]):
            ax.set_xscale("log", base=2)
            ax.set_xlabel("concurrent clients")
            ax.grid(True, alpha=0.3)
    axes[0][0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
