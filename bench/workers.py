"""Requests per second with `keepgate serve --workers 1` vs `--workers 2`, same load.

Run: `python -m bench.workers [--rounds 3] [--duration 20] [--concurrency 32]
[--client wrk|python] [--upstream lean|fake]`.

Both runs serve the same config — every guard on, limits and tool-call ids in Redis (what
more than one worker needs). On a 2-core box everything else shares the two cores with the
workers, so the neighbours are made cheap: the load is `wrk` (C, one thread, keep-alive;
`apt install wrk`; else bench/load.py, a lean Python client) and the upstream a canned
streamed answer (bench/lean_upstream.py; `--upstream fake` for the fake model). The CPU
each neighbour used per request (load generator, upstream, Redis) is reported beside the
gateway's, so what they take from the cores can be read off. The two worker counts
alternate, round by round, so a neighbour's load on the shared box falls on both alike; the
figures are the ratios of the medians: requests per second, and the gateway's CPU per
request (server CPU, workers and their children, from /proc), which is far less sensitive
to the box's load than RPS. The load average (`os.getloadavg`) is recorded around every
run.
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

from bench.targets import (
    USER_KEY,
    Target,
    _free_port,
    keepgate_config,
    spawn,
    start_fake_model,
    start_lean_upstream,
)

BODY = {
    "model": "demo",
    "max_tokens": 64,
    "messages": [
        {"role": "system", "content": "You are a concise assistant."},
        {
            "role": "user",
            "content": "Summarise the attached meeting notes in three bullet "
            "points; the notes say the release moves to Friday.",
        },
    ],
}


def _redis(workdir: Path) -> tuple[subprocess.Popen[bytes], str]:
    """A redis-server of our own (no persistence) so the shared one is left alone."""
    exe = shutil.which("redis-server")
    if not exe:
        raise SystemExit(
            "bench.workers needs redis-server (more than one worker shares state through Redis)"
        )
    port = _free_port()
    proc = subprocess.Popen(
        [
            exe,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(workdir),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return proc, f"redis://127.0.0.1:{port}/0"


def _config(fake_base: str, redis_url: str, workdir: Path) -> Path:
    cfg: dict[str, Any] = keepgate_config(fake_base, True, workdir / "audit.jsonl")
    cfg["general_settings"]["redis_url"] = redis_url
    cfg["guards"] = {"limits": {"backend": "redis"}}
    # Small bodies never reach the offload pool; its processes would load their models
    # (seconds of CPU each, litellm included) during the first measured seconds.
    cfg["general_settings"]["offload"] = {"prestart": False}
    path = workdir / "keepgate.yaml"
    path.write_text(yaml.safe_dump(cfg))
    return path


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds of `pid` and its descendants (the workers and their
    offload processes), from /proc."""
    total = 0.0
    family, todo = [pid], [pid]
    while todo:
        out = subprocess.run(["pgrep", "-P", str(todo.pop())], capture_output=True, text=True)
        kids = [int(x) for x in out.stdout.split()]
        family += kids
        todo += kids
    for p in family:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _serve(config: Path, workers: int, workdir: Path) -> Target:
    port = _free_port()
    proc = spawn(
        f"keepgate-w{workers}",
        [
            sys.executable,
            "-m",
            "keepgate.cli",
            "serve",
            "--config",
            str(config),
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        workdir,
        f"http://127.0.0.1:{port}/healthz",
        timeout=300,
    )
    target = Target(
        f"w{workers}",
        f"{workers} worker(s)",
        f"http://127.0.0.1:{port}/v1/chat/completions",
        USER_KEY,
        [proc],
    )
    # /healthz answers as soon as one worker is up; every worker must be before the load
    # opens its keep-alive connections, or they would all land on the first one.
    deadline = time.monotonic() + 300
    while workers > 1 and proc.log.read_text(errors="replace").count(" ready\n") < workers:
        if time.monotonic() > deadline:
            target.stop()
            raise RuntimeError("workers did not start")
        time.sleep(0.2)
    return target


def _python_load(target: Target, concurrency: int, duration: float) -> dict[str, Any]:
    """bench/load.py in its own process: (result, its CPU seconds)."""
    spec = {
        "url": target.url,
        "key": target.key,
        "body": BODY,
        "concurrency": concurrency,
        "duration": duration,
        "warmup": 2.0,
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.load", json.dumps(spec)],
        cwd=Path(__file__).resolve().parent.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    out, err, cpu = _reap(proc)
    if proc.returncode != 0:
        raise RuntimeError(f"load generator failed: {err[-1500:]!r}")
    res = json.loads(out.strip().splitlines()[-1])
    res["client_cpu_s"] = cpu
    return res


_WRK_LUA = """wrk.method = "POST"
wrk.body = [==[%(body)s]==]
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer %(key)s"
done = function(summary, latency, requests)
  io.write(string.format('{"requests": %%d, "duration_us": %%d, "non2xx": %%d, ' ..
    '"socket_errors": %%d, "p50_us": %%d, "p99_us": %%d}\\n', summary.requests,
    summary.duration, summary.errors.status, summary.errors.connect + summary.errors.read +
    summary.errors.write + summary.errors.timeout, latency:percentile(50),
    latency:percentile(99)))
end
"""


def _reap(proc: subprocess.Popen[bytes]) -> tuple[str, str, float]:
    """Wait for `proc`: its stdout, stderr and CPU seconds (user + system, from wait4)."""
    out, err = proc.stdout.read(), proc.stderr.read()  # type: ignore[union-attr]
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return out.decode(), err.decode(), usage.ru_utime + usage.ru_stime


def _wrk(
    target: Target, concurrency: int, seconds: float, workdir: Path
) -> tuple[dict[str, Any], float]:
    script = workdir / "post.lua"
    script.write_text(_WRK_LUA % {"body": json.dumps(BODY), "key": target.key})
    proc = subprocess.Popen(
        [
            "wrk",
            "-t1",
            f"-c{concurrency}",
            f"-d{seconds:g}s",
            "--timeout",
            "30s",
            "-s",
            str(script),
            target.url,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    out, err, cpu = _reap(proc)
    if proc.returncode != 0:
        raise RuntimeError(f"wrk failed: {err[-1500:]}")
    return json.loads(out.strip().splitlines()[-1]), cpu


def _wrk_load(target: Target, concurrency: int, duration: float, workdir: Path) -> dict[str, Any]:
    """wrk (C, epoll, one thread) with a Lua script: costs a fraction of a Python client.
    (Warm it up first with `_wrk` for a couple of seconds: this run counts every request.)"""
    res, cpu = _wrk(target, concurrency, duration, workdir)
    ok = res["requests"] - res["non2xx"]
    return {
        "n": ok,
        "errors": res["non2xx"] + res["socket_errors"],
        "rps": ok / (res["duration_us"] / 1e6),
        "served": res["requests"],
        "p50": res["p50_us"] / 1e6,
        "p99": res["p99_us"] / 1e6,
        "client_cpu_s": cpu,
    }


def _proc_cpu(target: Target) -> float:
    return sum(_cpu_s(p.popen.pid) for p in target.procs)


def run(
    rounds: int, duration: float, concurrency: int, client: str = "wrk", upstream: str = "lean"
) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="kg-bench-workers-"))
    fake = start_fake_model(workdir) if upstream == "fake" else start_lean_upstream(workdir)
    redis_proc, redis_url = _redis(workdir)
    config = _config(fake.url.rsplit("/chat/completions", 1)[0], redis_url, workdir)
    runs: list[dict[str, Any]] = []
    try:
        for r in range(rounds):
            for workers in (1, 2) if r % 2 == 0 else (2, 1):
                target = _serve(config, workers, workdir)
                try:
                    ok = httpx.post(
                        target.url,
                        json=BODY,
                        timeout=60,
                        headers={"Authorization": f"Bearer {USER_KEY}"},
                    )
                    if ok.status_code != 200:
                        raise RuntimeError(f"{ok.status_code}: {ok.text[:300]}")
                    if client == "wrk":  # warm-up: connections open, caches hot
                        _wrk(target, concurrency, 2, workdir)
                    load_before = os.getloadavg()[0]
                    cpu0, t0 = _cpu_s(target.procs[0].popen.pid), time.monotonic()
                    up0, redis0 = _proc_cpu(fake), _cpu_s(redis_proc.pid)
                    res = (
                        _wrk_load(target, concurrency, duration, workdir)
                        if client == "wrk"
                        else _python_load(target, concurrency, duration)
                    )
                    cpu = _cpu_s(target.procs[0].popen.pid) - cpu0
                    wall = time.monotonic() - t0
                    served = res.get("served") or res["n"]
                    runs.append(
                        {
                            "round": r,
                            "workers": workers,
                            "rps": res["rps"],
                            # Cores the gateway got: near `workers` on an idle box;
                            # far below when neighbours hold the CPUs.
                            "gateway_cores": round(cpu / wall, 2),
                            "cpu_ms_per_req": round(cpu / served * 1e3, 3),
                            # The neighbours on the same cores, per request.
                            "client_cpu_ms_per_req": round(res["client_cpu_s"] / served * 1e3, 3),
                            "upstream_cpu_ms_per_req": round(
                                (_proc_cpu(fake) - up0) / served * 1e3, 3
                            ),
                            "redis_cpu_ms_per_req": round(
                                (_cpu_s(redis_proc.pid) - redis0) / served * 1e3, 3
                            ),
                            "p50_s": res.get("p50"),
                            "p99_s": res.get("p99"),
                            "errors": res.get("errors"),
                            "n": res.get("n"),
                            "load_before": load_before,
                            "load_after": os.getloadavg()[0],
                        }
                    )
                    print(json.dumps(runs[-1]), flush=True)
                finally:
                    target.stop()
    finally:
        fake.stop()
        redis_proc.terminate()
        redis_proc.wait(10)
        shutil.rmtree(workdir, ignore_errors=True)

    def med(field: str) -> dict[int, float]:
        return {w: statistics.median(x[field] for x in runs if x["workers"] == w) for w in (1, 2)}

    rps, cpu_req = med("rps"), med("cpu_ms_per_req")
    return {
        "when": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpus": os.cpu_count(),
        "concurrency": concurrency,
        "duration_s": duration,
        "rounds": rounds,
        "client": client,
        "upstream": upstream,
        "median_rps": rps,
        "ratio": rps[2] / rps[1],
        "median_gateway_cores": med("gateway_cores"),
        "median_cpu_ms_per_req": cpu_req,
        # CPU per request with 2 workers over 1: 1.0 means a second worker adds no
        # overhead; it depends far less on the neighbours' load than RPS does.
        "cpu_per_req_ratio": cpu_req[2] / cpu_req[1],
        "median_client_cpu_ms_per_req": med("client_cpu_ms_per_req"),
        "median_upstream_cpu_ms_per_req": med("upstream_cpu_ms_per_req"),
        "median_redis_cpu_ms_per_req": med("redis_cpu_ms_per_req"),
        "load": [min(x["load_before"] for x in runs), max(x["load_after"] for x in runs)],
        "runs": runs,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--duration", type=float, default=20.0)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument(
        "--client",
        choices=("wrk", "python"),
        default="wrk" if shutil.which("wrk") else "python",
        help="load generator: wrk (apt install wrk; the default when found) or bench/load.py",
    )
    ap.add_argument(
        "--upstream",
        choices=("lean", "fake"),
        default="lean",
        help="model upstream: bench/lean_upstream.py (canned answer) or the fake model",
    )
    args = ap.parse_args()
    result = run(args.rounds, args.duration, args.concurrency, args.client, args.upstream)
    print(json.dumps({k: v for k, v in result.items() if k != "runs"}))
    print(
        f"{result['client']} + {result['upstream']} upstream: 1 worker "
        f"{result['median_rps'][1]:.0f} rps ({result['median_gateway_cores'][1]} cores, "
        f"{result['median_cpu_ms_per_req'][1]} ms CPU/req), 2 workers "
        f"{result['median_rps'][2]:.0f} rps ({result['median_gateway_cores'][2]} cores, "
        f"{result['median_cpu_ms_per_req'][2]} ms CPU/req): RPS x{result['ratio']:.2f}, "
        f"CPU per request x{result['cpu_per_req_ratio']:.2f}; load "
        f"{result['load'][0]:.1f}-{result['load'][1]:.1f}"
    )


if __name__ == "__main__":
    main()
