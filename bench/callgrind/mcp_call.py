"""Instructions per MCP `tools/call` in the gateway process (valgrind callgrind).

    .venv/bin/python -m bench.callgrind.mcp_call [--src DIR] [--guards on|off] [--parts SPEC]
        [--store memory|sqlite|sqlite-exclusive] [--caches on|off] [--key master|virtual] [--warm N] [--count N] [--keep PATH] [--step S]

Why: on a box shared by several people, wall-clock and even CPU time per call move with
everyone else's load; the instruction count of the same code does not. DIR: the source
tree to measure (`git archive <commit> | tar -x -C DIR`, so an edit cannot leak into a
run; default: this checkout). The demo MCP server runs in its own process (not counted);
the gateway runs under callgrind with instrumentation off and counts whole requests from
call `--warm` + 1 (220: the session history is at its 200-message cap) for `--count`
calls of the official SDK client (`read_file`, as `bench/mcp_gateway.py`), switched from
inside the process at the entry of `call_tool` (`hook/sitecustomize.py`, `tramp.c`: needs
gcc and valgrind's headers). `--guards`: every guard on (default) or none. `--parts`:
functions counted inclusively, each through its own C trampoline (comma-separated
`module:function`, `module:Class.method`, with `@user.module+...` for modules that
imported it by name; each nested trampoline adds ~10 K instructions to its parents; a
coroutine function goes through its trampoline once per step, so only its own work counts).
`--keep`: copy the callgrind file there (for `callgrind_annotate`). `--step`: the clock
seam — the gateway's MCP caches and TTLs (pins, listing, catalogue, idle connections,
memory store) read a clock that moves this many seconds per call (default 0.002, a call at
native speed) instead of the real one, so their expiries do not depend on how slowly
callgrind runs on a busy box (they moved the guarded count by ±0.05-0.09 M per call
between runs before). PYTHONHASHSEED is set
to 0 for the gateway: string hashes, so dict and set layouts, vary per process otherwise
(up to ~0.08 M per call). Wall-clock time is not measured. (It replaces
`bench/mcp_callgrind.py`, which switched counting on from the client between requests:
its figures in docs/mcp.md are not comparable with this tool's.)
"""

from __future__ import annotations

import argparse
import asyncio
import glob
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from bench.mcp_gateway import ARGS, start_demo, start_gateway  # noqa: E402
from bench.targets import MASTER  # noqa: E402


#: `--key virtual`: a configured (virtual) key, resolved per call as a client's own key
#: is; the master key is one shared principal.
VIRTUAL = "sk-kg-bench-virtual-0123456789"


async def drive(url: str, calls: int, key: str = MASTER) -> None:
    import httpx2
    from mcp import Client
    from mcp.client.streamable_http import streamable_http_client

    headers = {"Authorization": f"Bearer {key}", "x-keepgate-session": "bench"}
    async with httpx2.AsyncClient(timeout=600, headers=headers) as http:
        async with Client(streamable_http_client(url, http_client=http)) as client:
            await client.list_tools()
            for _ in range(calls):
                result = await client.call_tool("read_file", ARGS)
                assert not result.is_error, result.content


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--src", type=Path, default=HERE.parent.parent, help="the tree to run")
    ap.add_argument("--guards", choices=("on", "off"), default="on")
    ap.add_argument(
        "--store",
        choices=("memory", "sqlite", "sqlite-exclusive"),
        default="memory",
        help="the MCP store (sqlite-exclusive: `mcp.store.exclusive`)",
    )
    ap.add_argument(
        "--caches",
        choices=("on", "off"),
        default="on",
        help="off: no scrub or decision cache (a call and a result never seen before)",
    )
    ap.add_argument(
        "--key",
        choices=("master", "virtual"),
        default="master",
        help="the client's key: the master key or a virtual key (role user)",
    )
    ap.add_argument("--parts", default="", help="module:function,... counted inclusively")
    ap.add_argument("--warm", type=int, default=220)
    ap.add_argument("--count", type=int, default=200)
    ap.add_argument("--keep", type=Path, default=None, help="copy the callgrind file here")
    ap.add_argument(
        "--step",
        type=float,
        default=0.002,
        help="seconds the gateway's MCP clocks move per call (the clock seam)",
    )
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="kg-callgrind-") as tmp:
        work = Path(tmp)
        lib = work / "tramp.so"
        subprocess.run(
            ["gcc", "-O1", "-fno-ipa-icf", "-fno-optimize-sibling-calls", "-shared", "-fPIC"]
            + ["-o", str(lib), str(HERE / "tramp.c")],
            check=True,
        )
        os.environ.update(
            PYTHONHASHSEED="0",
            KG_CG_LIB=str(lib),
            KG_CG_PARTS=args.parts,
            KG_CG_WARM=str(args.warm),
            KG_CG_COUNT=str(args.count),
            KG_CG_STEP=str(args.step),
        )
        demo_url, demo = start_demo(work)
        launcher = ["valgrind", "--tool=callgrind", "--instr-atstart=no"]
        launcher += [f"--callgrind-out-file={work}/cg.%p", sys.executable, "-m", "keepgate.cli"]
        try:
            # Two PYTHONPATH entries: the tree measured, then hook/ (its sitecustomize only).
            src = Path(f"{args.src.resolve()}{os.pathsep}{HERE / 'hook'}")
            mcp: dict[str, Any] = {}
            guards: dict[str, Any] | None = None
            if args.store.startswith("sqlite"):
                mcp["store"] = {
                    "backend": "sqlite",
                    "path": str(work / "mcp.db"),
                    # Said either way: the default became `auto` (on for one process).
                    "exclusive": args.store == "sqlite-exclusive",
                }
            keys = None
            if args.key == "virtual":
                digest = hashlib.sha256(VIRTUAL.encode()).hexdigest()
                keys = [{"key_id": "bench-virtual", "key_hash": digest, "role": "user"}]
            if args.caches == "off":
                mcp["scrub_cache_entries"] = 0
                guards = {"policy": {"decision_cache_entries": 0}}
            url, gateway = start_gateway(
                work, "gateway", demo_url, args.guards == "on", src=src,
                launcher=launcher, ready_timeout=1800, guards=guards, keys=keys, **mcp,
            )  # fmt: skip
            try:
                key = VIRTUAL if args.key == "virtual" else MASTER
                asyncio.run(drive(url, args.warm + args.count + 1, key))
            finally:
                gateway.stop()  # the dump was written at call warm + count + 1
        finally:
            demo.stop()
        (dump,) = glob.glob(str(work / "cg.*.1"))
        # The header's `summary:` counts nothing (instrumentation was off); `totals:` ends it.
        total = [int(line.split()[1]) for line in open(dump) if line.startswith("totals:")][-1]
        if args.keep:
            shutil.copy(dump, args.keep)
        print(
            f"guards {args.guards}, store {args.store}, caches {args.caches}, key {args.key}: {total / args.count / 1e6:.3f} M instructions per call"
        )
        if args.parts:
            names = [x.split("@")[0] for x in args.parts.split(",") if x]
            out = subprocess.run(
                ["callgrind_annotate", "--inclusive=yes", "--threshold=100", dump],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            for line in out.splitlines():
                if "kg_part_" in line:
                    k = int(line.split("kg_part_")[1].split()[0])
                    ir = int(line.split()[0].replace(",", ""))
                    print(f"  {ir / args.count / 1e3:8.1f} K  {names[k]}")


if __name__ == "__main__":
    main()
