"""Whole-scan CPU per KB, per stage, against the previous implementation in the same process.

    .venv/bin/python -m bench.scan_speed [--baseline REF] [--chunks 150] [--equivalence]

The baseline is this working tree with the scan-speed modules (`MODULES`: the cue matcher,
the classifier's features, the RE2 helpers, the instruction stage and its directive floor) replaced by their
versions at git `REF`, imported as a separate package, so both scanners read the same rule
packs, cue lexicon and artefacts and differ only in those implementations. Each has its own
RE2 automata, built lazily, so both start cold.

Cost is measured as `training.input_guards.evaluate.latency_per_kb` does: CPU time of the
scanning thread (`time.thread_time`, the stage timers pointed at it) per 1 KB chunk of
held-out benign protocol text, as `user`, then as `tool`; the two scanners alternate chunk
by chunk (which one goes first alternates too), so the box's load falls on both alike;
each first reads one short sentence, so the process's first-use costs fall on neither. A
second ("steady") pass over as many chunks of other rows shows the cost once RE2's automata
have been built, on text they have not read. Ratios are current / baseline (p50 and p99);
the load average is printed beside the figures.

`--equivalence` scans every protocol row (the shared files and the written sets) with both
scanners as `user` and as `tool` and fails unless every decision, finding and raw stage
score is identical (floats compared exactly).
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from types import ModuleType
from typing import Any
from unittest import mock

import re2

from bench.stats import table

REPO = Path(__file__).resolve().parent.parent
#: The modules the scan-speed work changed; the baseline takes these from REF.
MODULES = (
    "classifier.py",
    "cues.py",
    "features.py",
    "linear.py",
    "instructions.py",
    "rules.py",
    "normalize.py",
    "directive.py",
)
#: main at the end of round 5 (2026-12-07 08:35 UTC). Earlier refs cannot read today's
#: artefacts (the cue head has a `FOCUS` weight since round 5; the baseline takes only
#: modules from its ref); round 5 measured against 6b65a2d, round 4 against 63e6e05.
DEFAULT_BASELINE = "565cc46"
PACKAGE = "_keepgate_baseline"


def baseline_package(ref: str, into: Path, modules: tuple[str, ...] = MODULES) -> ModuleType:
    """keepgate.input_guards with `modules` at git `ref`, importable as `PACKAGE`."""
    src = REPO / "keepgate" / "input_guards"
    pkg = into / PACKAGE / "input_guards"
    pkg.mkdir(parents=True)
    (into / PACKAGE / "__init__.py").write_text("")
    for f in src.glob("*.py"):
        text = f.read_text(encoding="utf-8")
        if f.name in modules:
            shown = subprocess.run(
                ["git", "show", f"{ref}:keepgate/input_guards/{f.name}"],
                cwd=REPO,
                capture_output=True,
                text=True,
            )
            # a module newer than `ref` (directive.py before round 7): nothing at the ref
            # imports it, so the tree's copy is kept
            text = shown.stdout if shown.returncode == 0 else text
        text = re.sub(r"\bkeepgate\.input_guards\b", f"{PACKAGE}.input_guards", text)
        (pkg / f.name).write_text(text, encoding="utf-8")
    sys.path.insert(0, str(into))
    return importlib.import_module(f"{PACKAGE}.input_guards.scanner")


def _chunks(n: int, offset: int = 0) -> list[str]:
    """The texts `evaluate.latency_per_kb` measures (offset 0): every 7th held-out benign
    row, joined, cut into 1 KB chunks; another offset gives other rows of the same kind."""
    from training.input_guards import corpus

    items = corpus.shared_items() + corpus.written_items()
    joined = "\n".join([i.text for i in items if i.label == 0][offset::7])
    return [joined[i : i + 1024] for i in range(0, min(len(joined), 1024 * n), 1024)]


def _sample_regexes(scanner: Any) -> list[Any]:
    """A few RE2 objects each scanner compiled: a rule, the instruction stage's splitter,
    a cue category (to check that the two scanners share none)."""
    stages = {st.name: st.detector for st in scanner.stages}
    missing = {"cues", "instructions"} - set(stages)
    if missing:
        raise SystemExit(
            f"a scanner has no {', '.join(sorted(missing))} stage: the baseline's modules "
            "could not load today's artefacts (pick a newer --baseline)"
        )
    cue = stages["cues"].matcher._regexes[0][1]
    splitter = sys.modules[type(stages["instructions"]).__module__]._SPLIT
    return [scanner.ruleset.rules[0].regex, splitter, cue]


def _p50(v: list[float]) -> float:
    return statistics.median(v) if v else 0.0


def _p99(v: list[float]) -> float:
    """numpy's default (linear) 99th percentile, as `evaluate.latency_per_kb` reports it."""
    if not v:
        return 0.0
    s = sorted(v)
    x = 0.99 * (len(s) - 1)
    lo = int(x)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (x - lo)


def cost(
    scanners: dict[str, Any], passes: dict[str, list[str]]
) -> dict[str, dict[str, list[float]]]:
    """{pass/role/stage: {scanner name: [seconds per chunk]}}, the passes in order."""
    out: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    names = list(scanners)
    with mock.patch.object(time, "perf_counter", time.thread_time):
        for rnd, chunks in passes.items():
            for role in ("user", "tool"):
                for k, c in enumerate(chunks):
                    for name in names if k % 2 == 0 else names[::-1]:
                        t0 = time.thread_time()
                        r = scanners[name].scan(c, role=role)
                        out[f"{rnd}|{role}|scan"][name].append(time.thread_time() - t0)
                        for stage, v in r.timings.items():
                            out[f"{rnd}|{role}|{stage}"][name].append(v)
    return out


def report(times: dict[str, dict[str, list[float]]], load: tuple[float, float]) -> None:
    rows = []
    for key, per in times.items():
        rnd, role, stage = key.split("|")
        new, old = _p50(per["current"]) * 1e3, _p50(per["baseline"]) * 1e3
        new99, old99 = _p99(per["current"]) * 1e3, _p99(per["baseline"]) * 1e3
        rows.append(
            [
                rnd,
                role,
                stage,
                f"{old:.3f}",
                f"{new:.3f}",
                f"{new / old:.2f}" if old else "-",
                f"{old99:.3f}",
                f"{new99:.3f}",
                f"{new99 / old99:.2f}" if old99 else "-",
            ]
        )
    order = {"scan": 0}
    rows.sort(key=lambda r: (r[0] != "cold", r[1] != "user", order.get(r[2], 1), r[2]))
    print(
        "cold: fresh scanners, the chunks `evaluate.latency_per_kb` measures (each scanner's "
        "RE2 automata are built as they read); steady: then as many other chunks of the "
        "same held-out benign rows (automata warm, text new)\n"
    )
    print(
        table(
            [
                "pass",
                "role",
                "stage",
                "baseline ms/KB p50",
                "current ms/KB p50",
                "ratio",
                "baseline p99",
                "current p99",
                "ratio p99",
            ],
            rows,
        )
    )
    print(f"\nload average: {load[0]:.2f} at start, {load[1]:.2f} at end ({os.cpu_count()} cores)")


def _raw(r: Any) -> tuple[Any, ...]:
    return (
        r.blocked,
        r.score,
        tuple(sorted(r.scores.items())),
        tuple(dataclasses.astuple(f) for f in r.findings),
        r.normalized,
    )


def equivalence(scanners: dict[str, Any]) -> int:
    """Rows whose scan differs between the two scanners (0 expected), over the protocol."""
    from training.input_guards import corpus

    items = corpus.shared_items() + corpus.written_items()
    diff = 0
    for i, it in enumerate(items):
        for role in ("user", "tool"):
            a = _raw(scanners["current"].scan(it.text, role=role))
            b = _raw(scanners["baseline"].scan(it.text, role=role))
            if a != b:
                diff += 1
                print(f"DIFFERENT row {i} ({it.source}, {role}): {a[:3]} != {b[:3]}")
        if i % 2000 == 0:
            print(f"  {i}/{len(items)} rows, {diff} different", file=sys.stderr, flush=True)
    print(f"equivalence: {len(items)} protocol rows x 2 roles, {diff} different")
    return diff


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline", default=DEFAULT_BASELINE, help="git ref of the baseline")
    ap.add_argument("--chunks", type=int, default=150, help="1 KB chunks (evaluate uses 150)")
    ap.add_argument("--equivalence", action="store_true", help="compare every protocol row")
    ap.add_argument(
        "--modules",
        default=",".join(MODULES),
        help="comma-separated input_guards modules taken from the baseline ref (default: the "
        "scan-speed modules; add cue_lexicon.py,cue_lexicon_intl.py,cue_hijack.py to compare "
        "lexicons)",
    )
    args = ap.parse_args(argv)
    from keepgate.input_guards.config import InputSettings
    from keepgate.input_guards.scanner import Scanner

    tmp = Path(tempfile.mkdtemp(prefix="keepgate-baseline-"))
    try:
        current = Scanner(InputSettings())
        # `re2.compile` keeps an LRU cache of compiled patterns: without clearing it the
        # baseline would get the current scanner's RE2 objects for every pattern the two
        # share, automata (and their lazily built DFA states) included.
        re2._Regexp._make.cache_clear()
        modules = tuple(m for m in args.modules.split(",") if m)
        base = baseline_package(args.baseline, tmp, modules)
        base_cfg = importlib.import_module(f"{PACKAGE}.input_guards.config")
        scanners = {"current": current, "baseline": base.Scanner(base_cfg.InputSettings())}
        for x, y in zip(_sample_regexes(current), _sample_regexes(scanners["baseline"])):
            if x is y:
                raise SystemExit(f"the two scanners share RE2 objects ({x.pattern[:40]!r})")
        print(
            f"scan cost, current tree vs {args.baseline} for {', '.join(modules)} "
            f"({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})\n"
        )
        # One short sentence each first: the process's first-use costs (bytecode
        # specialisation, the allocator's first pages, numpy's first calls) would otherwise
        # fall on whichever scanner reads the first chunk first and make its cold p99.
        for sc in scanners.values():
            for role in ("user", "tool"):
                sc.scan("Hello.", role=role)
        passes = {"cold": _chunks(args.chunks), "steady": _chunks(args.chunks, offset=3)}
        load0 = os.getloadavg()[0]
        times = cost(scanners, passes)
        report(times, (load0, os.getloadavg()[0]))
        if args.equivalence:
            return 1 if equivalence(scanners) else 0
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
