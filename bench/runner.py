"""Drive one target through every scenario and concurrency, from a separate load process."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from bench.scenarios import PII_MARK, Scenario
from bench.targets import REPO, Target


@dataclass
class Point:
    target: str
    scenario: str
    concurrency: int
    n: int
    errors: int
    rps: float
    p50: float | None
    p99: float | None
    ttft_p50: float | None
    cpu_ms_per_req: float | None
    rss_mb: float
    #: Did the answer still carry the prompt's e-mail address? None: no PII in this prompt.
    pii_leaked: bool | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def load(
    target: Target, scenario: Scenario, concurrency: int, duration: float, warmup: float = 0.3
) -> dict[str, Any]:
    spec = {
        "url": target.route_url(scenario.path),
        "key": target.key,
        "body": scenario.body(),
        "concurrency": concurrency,
        "duration": duration,
        "warmup": warmup,
    }
    out = subprocess.run(
        [sys.executable, "-m", "bench.load", json.dumps(spec)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=duration + 120,
    )
    if out.returncode != 0:
        raise RuntimeError(f"load generator failed: {out.stderr[-1500:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def check(target: Target, scenario: Scenario) -> bool | None:
    """One request first: a target that refuses the load (401, blocked prompt) must say so.

    Returns whether the answer leaked the prompt's e-mail address (None if it has none), so
    the table shows which targets really scrubbed what they were timed on.
    """
    import httpx

    r = httpx.post(
        target.route_url(scenario.path),
        json=scenario.body(),
        timeout=60,
        headers={"Authorization": f"Bearer {target.key}"},
    )
    if r.status_code != 200:
        raise RuntimeError(
            f"{target.name} answered {r.status_code} to {scenario.name}: {r.text[:500]}"
        )
    if PII_MARK not in scenario.text or scenario.route != "chat":
        return None
    return PII_MARK in _answer(r.text, scenario.stream)


def _answer(raw: str, stream: bool) -> str:
    """The assistant's text, from a JSON body or joined from SSE deltas."""
    if not stream:
        return str(json.loads(raw)["choices"][0]["message"].get("content") or "")
    parts = []
    for line in raw.splitlines():
        if line.startswith("data: {"):
            for ch in json.loads(line[6:]).get("choices") or ():
                parts.append((ch.get("delta") or {}).get("content") or "")
    return "".join(parts)


def sweep(
    target: Target,
    scenarios: Sequence[Scenario],
    concurrencies: Sequence[int],
    duration: float,
    tick: Callable[[str], None],
) -> list[Point]:
    points = []
    for sc in scenarios:
        leaked = check(target, sc)
        load(target, sc, 4, 0.3, warmup=0.2)  # warm caches, JITs and connection pools
        for c in concurrencies:
            tick(f"{target.name} {sc.name} c={c}")
            cpu0 = target.cpu_seconds()
            res = load(target, sc, c, duration)
            cpu = target.cpu_seconds() - cpu0
            # The CPU window includes the warm-up requests too: divide by all requests served.
            served = max(1, res["served"])
            points.append(
                Point(
                    target.name,
                    sc.name,
                    c,
                    res["n"],
                    res["errors"],
                    res["rps"],
                    res["p50"],
                    res["p99"],
                    res["ttft_p50"] if sc.stream else None,
                    cpu * 1000 / served if res["n"] else None,
                    target.rss_mb(),
                    leaked,
                )
            )
    return points
