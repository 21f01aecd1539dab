"""What Keepgate adds to one MCP `tools/call`: through the gateway vs straight to the server.

    .venv/bin/python bench/mcp_gateway.py [--rounds 15] [--calls 40]

Every server is its own process: the demo MCP server (`keepgate mcp demo-server`), and
Keepgate in front of it five times — every guard on (policy, input scan of the result,
PII scrub, limits bucket, session facts, audit) with the MCP store in memory; the same
without the scrub and decision caches (`scrub_cache_entries: 0`,
`decision_cache_entries: 0`: every result scrubbed and every call decided afresh, the cost
of a call and a result never seen before); the same with the store in SQLite (the default when no
Redis is configured), shared or held by one process (`mcp.store.exclusive`: its session
writes wait for the answer); "bare" (no guard, no description scan or pin: the protocol hop
alone); and bare with `fast_calls: false` (the SDK client for the upstream leg instead of
the fast lane, for comparison). This process is the client: the official MCP SDK
`Client` over Streamable HTTP, one call at a time, `read_file` on the demo's
270-character report. Rounds interleave the targets (the box may be busy), so each p50
is compared with the direct one measured in the same minutes.

Wall-clock latency on a shared box mostly measures how soon the scheduler runs each
process again, so the CPU time the servers spent per call (user + system, from the
kernel's counters for each process) is reported too: it does not grow with other
people's load. Prints Markdown tables; writes bench/out/mcp_gateway.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import keepgate  # noqa: E402,F401 - offline switches

from bench.stats import pct, table  # noqa: E402
from bench.targets import MASTER, Proc, _env, _free_port, spawn  # noqa: E402

ARGS = {"path": "/srv/data/quarterly_report.txt"}


def _wait_tcp(port: int, proc: Proc, timeout: float = 60) -> None:
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.popen.poll() is not None:
            break
        try:
            socket.create_connection(("127.0.0.1", port), 0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{proc.name} did not start; log:\n{proc.log.read_text()[-2000:]}")


def start_demo(workdir: Path) -> tuple[str, Proc]:
    import subprocess

    port = _free_port()
    log = workdir / "demo-mcp.log"
    popen = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "keepgate.cli",
            "mcp",
            "demo-server",
            "--port",
            str(port),
            "--outbox",
            str(workdir / "outbox.jsonl"),
        ],
        cwd=workdir,
        stdout=open(log, "wb"),
        stderr=subprocess.STDOUT,
        env=_env(),
        start_new_session=True,
    )
    proc = Proc("demo-mcp", popen, log)
    _wait_tcp(port, proc)
    return f"http://127.0.0.1:{port}/mcp", proc


def start_gateway(
    workdir: Path,
    name: str,
    upstream: str,
    guards_on: bool,
    fast_calls: bool = True,
    src: Path | None = None,
    guards: dict[str, Any] | None = None,
    launcher: list[str] | None = None,
    ready_timeout: float = 90,
    keys: list[dict[str, Any]] | None = None,
    **mcp: Any,
) -> tuple[str, Proc]:
    """Keepgate in front of `upstream`; `src`: run the gateway package from that source
    tree instead (an older commit, for a before/after in the same minutes); `launcher`:
    what runs `keepgate.cli` (default `python -m keepgate.cli`; e.g. under callgrind);
    `keys`: virtual keys (the config's `keys:`)."""
    import yaml

    cfg: dict[str, Any] = {
        "general_settings": {
            "master_key": MASTER,
            "audit_log": str(workdir / f"{name}.jsonl"),
            "log_level": "WARNING",
        },
        "mcp_servers": {"demo": {"url": upstream, "list_ttl_s": 300}},
        "mcp": {"store": {"backend": "memory"}, "calls_per_minute": 10**9, **mcp},
    }
    if guards:
        cfg["guards"] = guards
    if keys:
        cfg["keys"] = keys
    if not fast_calls:
        cfg["mcp_servers"]["demo"]["fast_calls"] = False
    if not guards_on:
        cfg["guards"] = {n: {"enabled": False} for n in ("limits", "input", "pii", "policy")}
        cfg["mcp"].update(allow_without_policy=True, scan_descriptions=False, pin_tools=False)
    path = workdir / f"{name}.yaml"
    path.write_text(yaml.safe_dump(cfg))
    port = _free_port()
    proc = spawn(
        name,
        [
            *(launcher or [sys.executable, "-m", "keepgate.cli"]),
            *("serve", "--config", str(path), "--port", str(port)),
        ],
        workdir,
        f"http://127.0.0.1:{port}/healthz",
        timeout=ready_timeout,
        env=_env(PYTHONPATH=str(src)) if src else None,
    )
    return f"http://127.0.0.1:{port}/mcp/demo", proc


def _cpu_s(procs: list[Proc]) -> float:
    """User + system CPU seconds of these servers (and their children) so far."""
    total = 0.0
    for proc in procs:
        for p in proc.processes():
            t = p.cpu_times()
            total += t.user + t.system
    return total


async def measure(
    urls: dict[str, str], procs: dict[str, list[Proc]], rounds: int, calls: int
) -> tuple[dict[str, list[float]], dict[str, float]]:
    """Latency samples per target, and server CPU seconds per call per target."""
    import contextlib

    import httpx2
    from mcp import Client
    from mcp.client.streamable_http import streamable_http_client

    samples: dict[str, list[float]] = {name: [] for name in urls}
    cpu: dict[str, float] = {name: 0.0 for name in urls}
    async with contextlib.AsyncExitStack() as stack:
        clients = {}
        for name, url in urls.items():
            http = await stack.enter_async_context(
                httpx2.AsyncClient(
                    headers={"Authorization": f"Bearer {MASTER}", "x-keepgate-session": "bench"}
                )
            )
            clients[name] = await stack.enter_async_context(
                Client(streamable_http_client(url, http_client=http))
            )
            await clients[name].list_tools()
            for _ in range(20):  # warm-up: connections, caches, first-sight pins
                result = await clients[name].call_tool("read_file", ARGS)
                assert not result.is_error, (name, result.content)
        for _ in range(rounds):
            for name, client in clients.items():
                c0 = _cpu_s(procs[name])
                for _ in range(calls):
                    t0 = time.perf_counter()
                    await client.call_tool("read_file", ARGS)
                    samples[name].append(time.perf_counter() - t0)
                cpu[name] += _cpu_s(procs[name]) - c0
    return samples, {name: cpu[name] / len(samples[name]) for name in urls}


def _audited(path: Path) -> float:
    """p50 of the gateway's own latency_ms for tools/call (its handler, upstream included)."""
    xs = [
        r["latency_ms"]
        for r in map(json.loads, path.read_text().splitlines())
        if r.get("mcp_method") == "tools/call"
    ]
    return pct(xs, 50)


def main() -> None:
    import tempfile

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--calls", type=int, default=40)
    ap.add_argument(
        "--compare-src",
        type=Path,
        default=None,
        help="also run gateways (bare, every guard on) from this source tree (e.g. "
        "`git archive <commit> keepgate | tar -x -C DIR`): before/after in "
        "one run",
    )
    args = ap.parse_args()
    load = os.getloadavg()[0]
    started = datetime.now(timezone.utc)
    procs: list[Proc] = []
    with tempfile.TemporaryDirectory(prefix="kg-bench-mcp-") as tmp:
        work = Path(tmp)
        try:
            demo_url, demo = start_demo(work)
            procs.append(demo)
            on_url, on = start_gateway(work, "keepgate-on", demo_url, True)
            procs.append(on)
            cold_url, cold = start_gateway(
                work,
                "keepgate-on-nocache",
                demo_url,
                True,
                guards={"policy": {"decision_cache_entries": 0}},
                scrub_cache_entries=0,
            )
            procs.append(cold)
            lite_url, lite = start_gateway(
                work,
                "keepgate-on-sqlite",
                demo_url,
                True,
                store={"backend": "sqlite", "path": str(work / "mcp.db")},
            )
            procs.append(lite)
            alone_url, alone = start_gateway(
                work,
                "keepgate-on-sqlite-alone",
                demo_url,
                True,
                store={"backend": "sqlite", "path": str(work / "mcp-alone.db"), "exclusive": True},
            )
            procs.append(alone)
            off_url, off = start_gateway(work, "keepgate-bare", demo_url, False)
            procs.append(off)
            sdk_url, sdk = start_gateway(
                work, "keepgate-bare-sdk", demo_url, False, fast_calls=False
            )
            procs.append(sdk)
            urls = {
                "direct": demo_url,
                "keepgate-bare": off_url,
                "keepgate-bare-sdk": sdk_url,
                "keepgate-on": on_url,
                "keepgate-on-nocache": cold_url,
                "keepgate-on-sqlite": lite_url,
                "keepgate-on-sqlite-alone": alone_url,
            }
            servers = {
                "direct": [demo],
                "keepgate-bare": [off, demo],
                "keepgate-bare-sdk": [sdk, demo],
                "keepgate-on": [on, demo],
                "keepgate-on-nocache": [cold, demo],
                "keepgate-on-sqlite": [lite, demo],
                "keepgate-on-sqlite-alone": [alone, demo],
            }
            if args.compare_src:
                for guards, name in (
                    (False, "keepgate-bare-compare"),
                    (True, "keepgate-on-compare"),
                ):
                    old_url, old = start_gateway(
                        work, name, demo_url, guards, src=args.compare_src.resolve()
                    )
                    procs.append(old)
                    urls[name] = old_url
                    servers[name] = [old, demo]
            samples, cpu = asyncio.run(measure(urls, servers, args.rounds, args.calls))
            inside = {name: _audited(work / f"{name}.jsonl") for name in urls if name != "direct"}
        finally:
            for p in reversed(procs):
                p.stop()
    base = pct(samples["direct"], 50)
    labels = {
        "direct": "demo MCP server, direct (baseline)",
        "keepgate-bare": "through Keepgate, no guard (protocol hop only)",
        "keepgate-bare-sdk": "the same, upstream leg through the SDK client (`fast_calls: false`)",
        "keepgate-on": "through Keepgate, every guard on",
        "keepgate-on-nocache": "every guard on, caches off (a call and a result never seen before)",
        "keepgate-on-sqlite": "every guard on, MCP store in SQLite (the default without Redis)",
        "keepgate-on-sqlite-alone": "the same, SQLite held by one process (`store.exclusive`)",
        "keepgate-bare-compare": f"no guard, Keepgate from {args.compare_src}",
        "keepgate-on-compare": f"every guard on, Keepgate from {args.compare_src}",
    }
    rows, out = [], {}
    for name, xs in samples.items():
        p50, p99 = pct(xs, 50), pct(xs, 99)
        added_cpu = (cpu[name] - cpu["direct"]) * 1e3
        rows.append(
            [
                labels[name],
                len(xs),
                f"{p50 * 1e3:.2f}",
                f"{p99 * 1e3:.2f}",
                f"{(p50 - base) * 1e3:+.2f}",
                f"{p50 / base:.2f}",
                f"{cpu[name] * 1e3:.2f}",
                f"{added_cpu:+.2f}",
            ]
        )
        out[name] = {
            "n": len(xs),
            "p50_ms": p50 * 1e3,
            "p99_ms": p99 * 1e3,
            "added_p50_ms": (p50 - base) * 1e3,
            "server_cpu_ms_per_call": cpu[name] * 1e3,
            "added_cpu_ms_per_call": added_cpu,
        }
    print(
        f"MCP tools/call, {started:%Y-%m-%d %H:%M} UTC, load avg {load:.1f} at start, "
        f"{os.getloadavg()[0]:.1f} at the end, {os.cpu_count()} vCPU"
    )
    print(
        table(
            [
                "target",
                "calls",
                "p50 ms",
                "p99 ms",
                "added p50 ms",
                "p50 × direct",
                "server CPU ms/call",
                "added CPU ms/call",
            ],
            rows,
        )
    )
    print(
        "inside the gateway (audit latency_ms p50, upstream call included): "
        + ", ".join(f"{k} {v:.2f} ms" for k, v in inside.items())
    )
    dest = ROOT / "bench" / "out"
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "mcp_gateway.json").write_text(
        json.dumps(
            {
                "date": started.isoformat(),
                "load_avg": load,
                "load_avg_end": os.getloadavg()[0],
                "targets": out,
                "inside_p50_ms": inside,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
