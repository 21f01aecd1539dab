"""Requests with tens of thousands of items must not stall the others: /healthz and small
chat latency while a many-items request runs, before and after the item limits and the
sliced validation (`general_settings.max_messages` / `max_content_parts` / `max_tools`,
`keepgate.proxy.shapes.acheck`, `keepgate.pipeline.turns`).

    .venv/bin/python -m bench.many_items [--seconds 20]

Two gateways (`keepgate serve`, every guard on, one worker) in front of the fake models,
probed open-loop as `bench.stall` does while a second client sends many-items requests back
to back: one at the default limits (10,000 messages, 20,000 content parts, 512 tools) and
the red team's 60,000 content parts. "before" lifts the limits, turns the event loop turns
off (`turns.EVERY` past any request) and does not freeze the start-up heap
(`keepgate.serving.heap`): the code as it was. "no freeze" is the default without the
frozen heap (limits and turns only); "after" is the default.
The p99 ratios after/before are from the same run, with the load average printed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import stall, targets
from bench.stats import pct, table


def _body(messages: int, parts_each: int, tools: int) -> bytes:
    turn = [
        {"type": "text", "text": f"part {k} of a long agent session"} for k in range(parts_each)
    ]
    return json.dumps(
        {
            "model": "demo-big",
            "messages": [{"role": "user", "content": turn} for _ in range(messages)],
            "tools": [
                {"type": "function", "function": {"name": f"tool_{i}", "parameters": {}}}
                for i in range(tools)
            ],
            "fake": {"reply": "ok"},
        }
    ).encode()


BODIES = {
    "at the limits: 10,000 messages, 20,000 parts, 512 tools": _body(10_000, 2, 512),
    "red team: 60,000 content parts": _body(1_000, 60, 0),
}

#: The gateway as it was: no event-loop turns (`turns.EVERY` past any request) and, unless
#: asked, no frozen start-up heap.
_BEFORE = (
    "import sys; from keepgate.pipeline import turns; turns.EVERY = 10**12; "
    "from keepgate.serving import heap; heap.freeze_startup = lambda: None; "
    "from keepgate.cli import main; sys.argv = ['keepgate', *sys.argv[1:]]; main()"
)
_NO_FREEZE = (
    "import sys; from keepgate.serving import heap; heap.freeze_startup = lambda: None; "
    "from keepgate.cli import main; sys.argv = ['keepgate', *sys.argv[1:]]; main()"
)


def start(work: Path, base: str, big_base: str, name: str, variant: str) -> targets.Target:
    cfg = targets.keepgate_config(base, True, work / f"{name}-audit.jsonl")
    big = {**cfg["model_list"][0], "model_name": "demo-big"}
    big["litellm_params"] = {**big["litellm_params"], "api_base": big_base}
    cfg["model_list"].append(big)
    if variant == "before":
        cfg["general_settings"].update(max_messages=10**6, max_content_parts=10**6, max_tools=10**6)
    path = work / f"{name}.yaml"
    path.write_text(yaml.safe_dump(cfg))
    port = targets._free_port()
    head = {"before": ["-c", _BEFORE], "no freeze": ["-c", _NO_FREEZE]}.get(
        variant, ["-m", "keepgate.cli"]
    )
    proc = targets.spawn(
        name,
        [sys.executable, *head, "serve", "--config", str(path), "--port", str(port)],
        work,
        f"http://127.0.0.1:{port}/healthz",
    )
    return targets.Target(name, name, f"http://127.0.0.1:{port}", targets.USER_KEY, [proc])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=20.0)
    args = ap.parse_args(argv)
    print(
        f"load average at start: {os.getloadavg()[0]:.2f} (2 cores shared); bodies: "
        + ", ".join(f"{k} {len(v) / 2**20:.2f} MiB" for k, v in BODIES.items())
    )
    p99: dict[tuple[str, str], float] = {}
    rows: list[list[Any]] = []
    big_rows: list[list[Any]] = []
    with tempfile.TemporaryDirectory(prefix="kg-items-") as tmp:
        work = Path(tmp)
        fake = targets.start_fake_model(work)
        fake_big = targets.start_fake_model(work, "fake-model-big")
        base = fake.url.rsplit("/chat/completions", 1)[0]
        big_base = fake_big.url.rsplit("/chat/completions", 1)[0]
        try:
            for label in ("before", "no freeze", "after"):
                gw = start(work, base, big_base, label, label)
                try:
                    asyncio.run(stall.measure(gw.url, gw.key, 2.0, dict(list(BODIES.items())[:1])))
                    busy, bigs, errs = asyncio.run(
                        stall.measure(gw.url, gw.key, args.seconds, BODIES)
                    )
                finally:
                    gw.stop()
                for kind, lat in busy.items():
                    p99[label, kind] = pct(lat, 99)
                    rows.append(
                        [
                            label,
                            kind,
                            len(lat),
                            f"{pct(lat, 50) * 1e3:.1f}",
                            f"{pct(lat, 99) * 1e3:.1f}",
                            f"{max(lat) * 1e3:.0f}",
                            ",".join(map(str, sorted(set(errs[kind])))) or "-",
                        ]
                    )
                for name in BODIES:
                    ts = [t for n, t, _ in bigs if n == name]
                    codes = sorted({c for n, _, c in bigs if n == name})
                    big_rows.append(
                        [label, name, len(ts), f"{pct(ts, 50):.2f}", ",".join(map(str, codes))]
                    )
        finally:
            fake.stop()
            fake_big.stop()
    print("\nProbe latency (ms) while many-items requests run back to back\n")
    print(table(["keepgate", "probe", "n", "p50", "p99", "max", "non-200"], rows))
    print("\nThe many-items requests (seconds each)\n")
    print(table(["keepgate", "request", "n", "p50 s", "status"], big_rows))
    for kind in ("healthz", "small chat"):
        ratio = p99["after", kind] / max(p99["before", kind], 1e-9)
        print(f"{kind} p99 after/before: {ratio:.3f}")
    print(f"load average at end: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
