"""Requests per second with `keepgate serve --workers 1` vs `--workers 2`, same load.

Run: `python -m bench.workers [--rounds 3] [--duration 20] [--concurrency 32]`.

Both runs serve the same config — every guard on, limits and tool-call ids in Redis (what
more than one worker needs) — in front of the fake model in its own process, driven by
bench/load.py (closed loop, keep-alive connections) from another process. The two worker
counts alternate, round by round, so a neighbour's load on the shared box falls on both
alike; the figure is the ratio of the medians. The load average (`os.getloadavg`) is
recorded around every run: on a 2-core box the load generator, the fake model and Redis
compete with the workers for the same two cores, which caps the ratio below 2.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx
import yaml

from bench.targets import (USER_KEY, Target, _free_port, keepgate_config,
                           spawn, start_fake_model)

BODY = {"model": "demo", "max_tokens": 64, "messages": [
    {"role": "system", "content": "You are a concise assistant."},
    {"role": "user", "content": "Summarise the attached meeting notes in three bullet "
                                "points; the notes say the release moves to Friday."}]}


def _redis(workdir: Path) -> tuple[subprocess.Popen[bytes], str]:
    """A redis-server of our own (no persistence) so the shared one is left alone."""
    exe = shutil.which("redis-server")
    if not exe:
        raise SystemExit("bench.workers needs redis-server (more than one worker shares "
                         "state through Redis)")
    port = _free_port()
    proc = subprocess.Popen([exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--dir", str(workdir)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return proc, f"redis://127.0.0.1:{port}/0"


def _config(fake_base: str, redis_url: str, workdir: Path) -> Path:
    cfg: dict[str, Any] = keepgate_config(fake_base, True, workdir / "audit.jsonl")
    cfg["general_settings"]["redis_url"] = redis_url
    cfg["guards"] = {"limits": {"backend": "redis"}}
    path = workdir / "keepgate.yaml"
    path.write_text(yaml.safe_dump(cfg))
    return path


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds of `pid` and its children (the workers), from /proc."""
    total = 0.0
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    for p in [pid, *map(int, out.stdout.split())]:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _serve(config: Path, workers: int, workdir: Path) -> Target:
    port = _free_port()
    proc = spawn(f"keepgate-w{workers}", [sys.executable, "-m", "keepgate.cli", "serve",
                                          "--config", str(config), "--port", str(port),
                                          "--workers", str(workers)],
                 workdir, f"http://127.0.0.1:{port}/healthz", timeout=300)
    target = Target(f"w{workers}", f"{workers} worker(s)",
                    f"http://127.0.0.1:{port}/v1/chat/completions", USER_KEY, [proc])
    # /healthz answers as soon as one worker is up; every worker must be before the load
    # opens its keep-alive connections, or they would all land on the first one.
    deadline = time.monotonic() + 300
    while workers > 1 and proc.log.read_text(errors="replace").count(" ready\n") < workers:
        if time.monotonic() > deadline:
            target.stop()
            raise RuntimeError("workers did not start")
        time.sleep(0.2)
    return target


def _load(target: Target, concurrency: int, duration: float) -> dict[str, Any]:
    spec = {"url": target.url, "key": target.key, "body": BODY, "concurrency": concurrency,
            "duration": duration, "warmup": 2.0}
    out = subprocess.run([sys.executable, "-m", "bench.load", json.dumps(spec)],
                         cwd=Path(__file__).resolve().parent.parent, capture_output=True,
                         text=True, timeout=duration + 180)
    if out.returncode != 0:
        raise RuntimeError(f"load generator failed: {out.stderr[-1500:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(rounds: int, duration: float, concurrency: int) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="kg-bench-workers-"))
    fake = start_fake_model(workdir)
    redis_proc, redis_url = _redis(workdir)
    config = _config(fake.url.rsplit("/chat/completions", 1)[0], redis_url, workdir)
    runs: list[dict[str, Any]] = []
    try:
        for r in range(rounds):
            for workers in ((1, 2) if r % 2 == 0 else (2, 1)):
                target = _serve(config, workers, workdir)
                try:
                    ok = httpx.post(target.url, json=BODY, timeout=60,
                                    headers={"Authorization": f"Bearer {USER_KEY}"})
                    if ok.status_code != 200:
                        raise RuntimeError(f"{ok.status_code}: {ok.text[:300]}")
                    load_before = os.getloadavg()[0]
                    cpu0, t0 = _cpu_s(target.procs[0].popen.pid), time.monotonic()
                    res = _load(target, concurrency, duration)
                    cpu = _cpu_s(target.procs[0].popen.pid) - cpu0
                    wall = time.monotonic() - t0
                    served = res.get("served") or res["n"]
                    runs.append({"round": r, "workers": workers, "rps": res["rps"],
                                 # Cores the gateway got: near `workers` on an idle box;
                                 # far below when neighbours hold the CPUs.
                                 "gateway_cores": round(cpu / wall, 2),
                                 "cpu_ms_per_req": round(cpu / served * 1e3, 2),
                                 "p50_s": res.get("p50"), "p99_s": res.get("p99"),
                                 "errors": res.get("errors"), "n": res.get("n"),
                                 "load_before": load_before,
                                 "load_after": os.getloadavg()[0]})
                    print(json.dumps(runs[-1]), flush=True)
                finally:
                    target.stop()
    finally:
        fake.stop()
        redis_proc.terminate()
        redis_proc.wait(10)
        shutil.rmtree(workdir, ignore_errors=True)
    med = {w: statistics.median(x["rps"] for x in runs if x["workers"] == w) for w in (1, 2)}
    cores = {w: statistics.median(x["gateway_cores"] for x in runs if x["workers"] == w)
             for w in (1, 2)}
    return {"when": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "cpus": os.cpu_count(), "concurrency": concurrency, "duration_s": duration,
            "rounds": rounds, "median_rps": med, "ratio": med[2] / med[1],
            "median_gateway_cores": cores, "runs": runs}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--duration", type=float, default=20.0)
    ap.add_argument("--concurrency", type=int, default=32)
    args = ap.parse_args()
    result = run(args.rounds, args.duration, args.concurrency)
    print(json.dumps({k: v for k, v in result.items() if k != "runs"}))
    print(f"1 worker {result['median_rps'][1]:.0f} rps "
          f"({result['median_gateway_cores'][1]} cores), 2 workers "
          f"{result['median_rps'][2]:.0f} rps ({result['median_gateway_cores'][2]} cores): "
          f"x{result['ratio']:.2f}")


if __name__ == "__main__":
    main()
