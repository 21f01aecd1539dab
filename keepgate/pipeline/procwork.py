"""The tasks `procpool` runs in its worker processes: module-level functions (they pickle
by name) that rebuild what they need once per process and keep it.

An input scan here is exactly the in-process one (`Scanner.scan` on `Item.text()`), with
the stages that await (operator model, LLM judge) left to the gateway process, which runs
them on the returned result. Each process keeps its own small result cache (when no such
stage is configured), because the rendered text (the gateway's cache key) only exists here.
"""

from __future__ import annotations

import json
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import TypeVar

import orjson

from keepgate.input_guards.budget import Budget, ScanCancelled
from keepgate.input_guards.config import InputSettings
from keepgate.input_guards.scanner import Scanner, ScanResult
from keepgate.pipeline import procpool
from keepgate.pipeline.digests import text_digest

_scanners: dict[str, Scanner] = {}
_results: OrderedDict[tuple[str, str, str], ScanResult] = OrderedDict()
_CACHE_SIZE = 256
#: What a scan item holds before it is rendered to text (rendered in the worker process).
V = TypeVar("V")


def warm(input_settings: str | None, tokenizers: list[str]) -> None:
    """Run at start-up in each process: load the base scanner's models (rule packs,
    classifier, stages) and the tokenizers, so the first big request does not."""
    if input_settings is not None:
        scanner_for(input_settings)
    if tokenizers:
        from keepgate.limits import estimate

        estimate.warm_up(tokenizers)


def local_settings(settings: InputSettings) -> InputSettings:
    """The settings a worker scans with: the stages that await (operator model, judge)
    run in the gateway process."""
    checks = settings.checks.model_copy(update={"judge": False, "model": False})
    return settings.model_copy(update={"checks": checks})


def scanner_for(settings_json: str) -> Scanner:
    scanner = _scanners.get(settings_json)
    if scanner is None:
        scanner = _scanners[settings_json] = Scanner(
            InputSettings.model_validate(json.loads(settings_json))
        )
    return scanner


def digest(text: str) -> str:
    return text_digest(text).hex()


def scan(
    settings_json: str,
    role: str,
    value: V,
    render: Callable[[V], str],
    deadline: float | None,
    keep_normalized: bool,
) -> tuple[str, ScanResult | None]:
    """Render and scan one item: (digest of its text, result; None for empty text).
    The request's scan budget ends at `deadline` (wall clock: `time.time()` is the one
    clock processes share; a task's time in the queue counts), checked between windows as
    in process; past it `BudgetExceeded` is raised (and pickled back to the caller). A
    task whose caller has gone stops at the next check (`ScanCancelled`)."""
    budget = Budget(None if deadline is None else deadline - time.time(), _stop_if_abandoned)
    text = render(value)
    if not text.strip():
        return "", None
    key = (settings_json, role, digest(text))
    # With stages that await (judge, model), the gateway runs them on each result, so it
    # needs the normalised text each time: no cache here (its own caches the final result).
    hit = None if keep_normalized else _results.get(key)
    if hit is not None:
        _results.move_to_end(key)
        return key[2], hit
    budget.check()
    scanner = scanner_for(settings_json)
    result = scanner.scan(text, role, budget)
    if keep_normalized:
        return key[2], result
    stored = ScanResult(
        result.blocked, result.score, result.findings, result.scores, result.timings
    )
    if not any(f.stage == "error" for f in result.findings):
        _results[key] = stored
        if len(_results) > _CACHE_SIZE:
            _results.popitem(last=False)
    return key[2], stored


def scan_many(
    settings_json: str, texts: list[tuple[str, str]], deadline: float | None, keep_normalized: bool
) -> list[tuple[str, ScanResult | None]]:
    """`scan` for many (role, text) pairs at once: the small items of a big request, one
    task per batch instead of one per item."""
    return [scan(settings_json, role, text, str, deadline, keep_normalized) for role, text in texts]


def _stop_if_abandoned() -> None:
    if procpool.abandoned():
        raise ScanCancelled()


def json_containers(raw: bytes) -> tuple[int, str | None]:
    """(objects and arrays in the JSON text `raw`, None), or (0, why it does not parse)."""
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        return 0, exc.msg
    count = 0
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, dict):
            count += 1
            stack.extend(v.values())
        elif isinstance(v, list):
            count += 1
            stack.extend(v)
    return count, None


def wait_unlocked(path: str) -> str:
    """Block until no one holds an exclusive `flock` on `path` (a seam for tests: it keeps
    a pool process busy for exactly as long as the test holds the lock, no clock)."""
    import fcntl

    with open(path, "rb") as fh:
        fcntl.flock(fh, fcntl.LOCK_SH)
    return path
