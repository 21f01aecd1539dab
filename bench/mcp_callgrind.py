"""Instructions the gateway process spends per MCP `tools/call` (valgrind callgrind).

    PYTHONHASHSEED=0 .venv/bin/python bench/mcp_callgrind.py [--src DIR] [--guards]

Why: on a box shared by several people, wall-clock and even CPU time per call move with
everyone else's load; the instruction count of the same code does not (up to string
hashing: run with `PYTHONHASHSEED=0`, passed on to the gateway). The demo MCP server runs
on its own (not counted); the gateway runs under callgrind with instrumentation off while
it starts and serves `--warmup` calls (so caches are warm and the session history is at
its cap), then on for `--calls` calls of the official SDK client (`read_file`, as
`bench/mcp_gateway.py`). Prints instructions per call; `--src DIR` runs the gateway from
that source tree (`git archive <commit> | tar -x -C DIR`), so an edit in progress cannot
leak into a run. Keeps the callgrind file (`--keep PATH`) for `callgrind_annotate`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import keepgate  # noqa: E402,F401 - offline switches

from bench.mcp_gateway import ARGS, start_demo, start_gateway  # noqa: E402
from bench.targets import MASTER  # noqa: E402


async def _drive(url: str, pid: int, warmup: int, calls: int) -> None:
    import httpx2
    from mcp import Client
    from mcp.client.streamable_http import streamable_http_client

    headers = {"Authorization": f"Bearer {MASTER}", "x-keepgate-session": "bench"}
    async with httpx2.AsyncClient(headers=headers, timeout=120) as http:
        async with Client(streamable_http_client(url, http_client=http)) as client:
            await client.list_tools()
            for _ in range(warmup):
                result = await client.call_tool("read_file", ARGS)
                assert not result.is_error, result.content
            subprocess.run(
                ["callgrind_control", "-i", "on", str(pid)], check=True, capture_output=True
            )
            for _ in range(calls):
                await client.call_tool("read_file", ARGS)
            # Dump before switching off: switching instrumentation off discards the counts.
            subprocess.run(["callgrind_control", "-d", str(pid)], check=True, capture_output=True)
            subprocess.run(
                ["callgrind_control", "-i", "off", str(pid)], check=True, capture_output=True
            )


def _total(out_dir: Path) -> int:
    """Ir summed over the dumps written after instrumentation was switched on."""
    total = 0
    for f in out_dir.glob("callgrind.out*"):
        if b"Trigger: Program termination" in f.read_bytes()[:2000]:
            continue
        m = re.search(rb"^(?:summary|totals):\s*(\d+)", f.read_bytes(), re.M)
        if m:
            total += int(m.group(1))
    return total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--src", type=Path, default=None, help="run the gateway from this tree")
    ap.add_argument("--guards", action="store_true", help="every guard on (default: none)")
    ap.add_argument("--warmup", type=int, default=220)
    ap.add_argument("--calls", type=int, default=200)
    ap.add_argument("--keep", type=Path, default=None, help="copy the callgrind file here")
    args = ap.parse_args()
    if os.environ.get("PYTHONHASHSEED") is None:
        print("note: PYTHONHASHSEED is not set; counts move by string hashing", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="kg-callgrind-") as tmp:
        work = Path(tmp)
        out_dir = work / "cg"
        out_dir.mkdir()
        demo_url, demo = start_demo(work)
        gw = None
        try:
            launcher = [
                "valgrind",
                "--tool=callgrind",
                "--instr-atstart=no",
                f"--callgrind-out-file={out_dir}/callgrind.out.%p",
                sys.executable,
                "-m",
                "keepgate.cli",
            ]
            url, gw = start_gateway(
                work,
                "keepgate-cg",
                demo_url,
                args.guards,
                src=args.src.resolve() if args.src else None,
                launcher=launcher,
                ready_timeout=900,
            )
            asyncio.run(_drive(url, gw.popen.pid, args.warmup, args.calls))
        finally:
            if gw is not None:
                gw.stop()
            demo.stop()
        dumps = [f for f in out_dir.glob("callgrind.out*") if f.name.endswith(".1")]
        total = _total(out_dir)
        if args.keep and dumps:
            shutil.copy(dumps[0], args.keep)
    print(
        f"{'every guard on' if args.guards else 'no guard'} "
        f"src={args.src or ROOT}: {total / args.calls / 1e6:.3f} M instructions per tools/call "
        f"({total} over {args.calls})"
    )


if __name__ == "__main__":
    main()
