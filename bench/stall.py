"""Big requests must not stall the others: /healthz and small chat latency while 4 MB
requests go through every guard.

    .venv/bin/python -m bench.stall [--seconds 30]

Starts two fake models (one answers the big requests, so its parsing of 4 MB bodies does
not delay the small ones: that would be the fake upstream's stall, not the gateway's) and
Keepgate (`keepgate serve`, every guard on, one worker) as separate processes. This process then probes the gateway with /healthz and with small
chat requests (open loop: one of each every 50 ms, each timed from when it was due, so a
stall counts in every probe it delays), first alone, then while a second client sends
requests at the 4 MB body limit back to back: a prose user message, a tool result padded
with runs of whitespace (cubic for the old rules), a JSON tool result with ~200,000 keys.
It prints p50/p99/max of the probes per phase and the big requests' times. The default
gateway (big bodies' input scans and token counting in the offload process pool) is
compared in the same run with `general_settings.offload.processes: 0` (worker threads,
which hold the interpreter lock the event loop needs) and, unless `--skip-inline`, with
scans on the event loop (`offload_chars` past the body size, threads only).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import yaml

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import targets
from bench.stats import pct, table

BODY_LIMIT = 4 * 1024 * 1024
PROSE = (
    "The quarterly report covers revenue, churn and the hiring plan for the platform "
    "team. Figures are in thousands of euros and exclude one-off items. "
)


def _fit(make: Any) -> bytes:
    """The largest body `make(n)` builds under the body limit."""
    lo, hi = 1, BODY_LIMIT
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if len(make(mid)) <= BODY_LIMIT:
            lo = mid
        else:
            hi = mid - 1
    return make(lo)


def _chat(messages: list[dict[str, Any]], model: str = "demo-big") -> bytes:
    return json.dumps({"model": model, "messages": messages, "fake": {"reply": "ok"}}).encode()


def _tool_turns(content: str) -> list[dict[str, Any]]:
    return [
        {"role": "user", "content": "Summarise what the tool returned."},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"id": "c1", "type": "function", "function": {"name": "fetch", "arguments": "{}"}}
            ],
        },
        {"role": "tool", "tool_call_id": "c1", "content": content},
    ]


def big_bodies() -> dict[str, bytes]:
    return {
        "prose user message": _fit(
            lambda n: _chat([{"role": "user", "content": (PROSE * (n // len(PROSE) + 1))[:n]}])
        ),
        "whitespace-padded tool result": _fit(
            lambda n: _chat(_tool_turns((("  \n" + " " * 600) * (n // 603 + 1))[:n]))
        ),
        "JSON tool result, many keys": _fit(
            lambda n: _chat(
                _tool_turns(json.dumps({f"field_{i}": "value" for i in range(n // 20)}))
            )
        ),
    }


async def probe(
    client: httpx.AsyncClient,
    kind: str,
    stop: asyncio.Event,
    out: list[float],
    headers: dict[str, str],
    errors: list[int],
    every: float = 0.05,
) -> None:
    """Open loop: one probe every `every` seconds whatever the answers, each timed from
    when it was due, so a stall shows in every probe it delays (no coordinated omission)."""
    small = _chat([{"role": "user", "content": "What time is it in Lisbon?"}], "demo")

    async def one(due: float) -> None:
        if kind == "healthz":
            r = await client.get("/healthz")
        else:
            r = await client.post(
                "/v1/chat/completions",
                content=small,
                headers={**headers, "content-type": "application/json"},
            )
        out.append(time.perf_counter() - due)
        if r.status_code != 200:
            errors.append(r.status_code)

    pending: set[asyncio.Task[None]] = set()
    due = time.perf_counter()
    while not stop.is_set():
        task = asyncio.create_task(one(due))
        pending.add(task)
        task.add_done_callback(pending.discard)
        due += every
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
    await asyncio.gather(*pending)


async def measure(
    url: str, key: str, seconds: float, bodies: dict[str, bytes] | None
) -> tuple[dict[str, list[float]], list[tuple[str, float, int]], dict[str, list[int]]]:
    headers = {"authorization": f"Bearer {key}"}
    lat: dict[str, list[float]] = {"healthz": [], "small chat": []}
    errors: dict[str, list[int]] = {"healthz": [], "small chat": []}
    bigs: list[tuple[str, float, int]] = []
    stop = asyncio.Event()
    pool = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    async with (
        httpx.AsyncClient(base_url=url, timeout=120, limits=pool) as a,
        httpx.AsyncClient(base_url=url, timeout=120, limits=pool) as b,
        httpx.AsyncClient(base_url=url, timeout=300) as big,
    ):
        tasks = [
            asyncio.create_task(probe(a, k, stop, lat[k], headers, errors[k]))
            for a, k in ((a, "healthz"), (b, "small chat"))
        ]
        deadline = time.perf_counter() + seconds
        if bodies:
            names = list(bodies)
            i = 0
            while time.perf_counter() < deadline or i < len(names):
                name = names[i % len(names)]
                t0 = time.perf_counter()
                r = await big.post(
                    "/v1/chat/completions",
                    content=bodies[name],
                    headers={**headers, "content-type": "application/json"},
                )
                bigs.append((name, time.perf_counter() - t0, r.status_code))
                i += 1
        else:
            await asyncio.sleep(seconds)
        stop.set()
        await asyncio.gather(*tasks)
    return lat, bigs, errors


def start_gateway(
    workdir: Path,
    fake_base: str,
    name: str,
    processes: int,
    inline: bool,
    big_base: str | None = None,
) -> targets.Target:
    cfg = targets.keepgate_config(fake_base, True, workdir / f"{name}-audit.jsonl")
    # The big requests go to a fake model of their own: parsing 4 MB in the fake model
    # (Python, one process) would otherwise delay the small requests' answers, and that
    # is the fake upstream's stall, not the gateway's.
    big = {**cfg["model_list"][0], "model_name": "demo-big"}
    big["litellm_params"] = {**big["litellm_params"], "api_base": big_base or fake_base}
    cfg["model_list"].append(big)
    # The bench's tool messages answer ids no model issued through this gateway.
    cfg["guards"] = {"policy": {"check_tool_messages": False}}
    cfg["general_settings"]["offload"] = {"processes": processes}
    if inline:
        cfg["guards"]["input"] = {"offload_chars": 10**9}
    path = workdir / f"{name}.yaml"
    path.write_text(yaml.safe_dump(cfg))
    port = targets._free_port()
    proc = targets.spawn(
        name,
        [sys.executable, "-m", "keepgate.cli", "serve", "--config", str(path), "--port", str(port)],
        workdir,
        f"http://127.0.0.1:{port}/healthz",
    )
    return targets.Target(name, name, f"http://127.0.0.1:{port}", targets.USER_KEY, [proc])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument(
        "--skip-inline",
        action="store_true",
        help="only the default gateway (no on-the-loop comparison)",
    )
    args = ap.parse_args(argv)
    bodies = big_bodies()
    print(
        f"load average at start: {os.getloadavg()[0]:.2f} (2 cores shared); "
        f"big bodies: {', '.join(f'{k} {len(v) / 2**20:.2f} MiB' for k, v in bodies.items())}"
    )
    rows, big_rows = [], []
    with tempfile.TemporaryDirectory(prefix="kg-stall-") as tmp:
        work = Path(tmp)
        fake = targets.start_fake_model(work)
        base = fake.url.rsplit("/chat/completions", 1)[0]
        fake_big = targets.start_fake_model(work, "fake-model-big")
        big_base = fake_big.url.rsplit("/chat/completions", 1)[0]
        variants = [
            ("process pool (default)", "pool", 1, False),
            ("threads (offload.processes: 0)", "threads", 0, False),
        ]
        if not args.skip_inline:
            variants.append(("input scans on the loop", "inline", 0, True))
        try:
            for label, name, processes, inline in variants:
                gw = start_gateway(work, base, name, processes, inline, big_base)
                try:
                    # The pool's processes load their models in the background at start.
                    asyncio.run(
                        measure(gw.url, gw.key, 3.0, {"warm-up": next(iter(bodies.values()))})
                    )
                    quiet, _, _ = asyncio.run(measure(gw.url, gw.key, args.seconds / 2, None))
                    busy, bigs, errs = asyncio.run(measure(gw.url, gw.key, args.seconds, bodies))
                finally:
                    gw.stop()
                for kind in quiet:
                    q, b = quiet[kind], busy[kind]
                    rows.append(
                        [
                            label,
                            kind,
                            len(b),
                            f"{pct(q, 50) * 1e3:.1f}",
                            f"{pct(b, 50) * 1e3:.1f}",
                            f"{pct(q, 99) * 1e3:.1f}",
                            f"{pct(b, 99) * 1e3:.1f}",
                            f"{max(b) * 1e3:.0f}",
                            ",".join(f"{c}x{errs[kind].count(c)}" for c in sorted(set(errs[kind])))
                            or "-",
                        ]
                    )
                for name in bodies:
                    ts = [t for n, t, _ in bigs if n == name]
                    codes = sorted({c for n, _, c in bigs if n == name})
                    big_rows.append(
                        [
                            label,
                            name,
                            len(ts),
                            f"{pct(ts, 50):.2f}",
                            f"{max(ts):.2f}",
                            ",".join(map(str, codes)),
                        ]
                    )
        finally:
            fake.stop()
            fake_big.stop()
    print("\nProbe latency, ms: alone vs while 4 MB requests are processed back to back\n")
    print(
        table(
            [
                "keepgate",
                "probe",
                "n (busy)",
                "p50 alone",
                "p50 busy",
                "p99 alone",
                "p99 busy",
                "max busy",
                "non-200 busy",
            ],
            rows,
        )
    )
    print("\nThe 4 MB requests (seconds each)\n")
    print(table(["keepgate", "request", "n", "p50 s", "max s", "status"], big_rows))
    print(f"\nload average at end: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
