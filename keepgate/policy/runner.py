"""A small `opa test`: runs every `test_*` rule of the *_test.rego files in-process.

regorus has no test runner, but its interpreter supports `with input as ...` and
`with data.x as ...`, which is all OPA-style tests need. A test passes when its rule
evaluates to true; undefined or false fails; an evaluation error is reported as an error.
`todo_test_*` rules are skipped, like `opa test` does.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from keepgate.policy import rego_errors
from keepgate.policy.bundle import Bundle, load_bundle
from keepgate.policy.embedded import compile_engine

_PACKAGE = re.compile(r"^\s*package\s+([\w.]+)", re.MULTILINE)
_RULE = re.compile(r"^(todo_)?(test_[A-Za-z0-9_]*)\b", re.MULTILINE)


@dataclass(frozen=True)
class TestResult:
    file: str
    package: str
    name: str
    status: str  # "pass" | "fail" | "error" | "skip"
    detail: str = ""
    seconds: float = 0.0

    @property
    def id(self) -> str:
        return f"data.{self.package}.{self.name}"


def discover(bundle: Bundle) -> list[tuple[str, str, str, bool]]:
    """(file, package, rule, skipped) for each test rule, in file order, deduplicated."""
    out: list[tuple[str, str, str, bool]] = []
    for path, src in bundle.tests:
        pkg = _PACKAGE.search(src)
        if not pkg:
            continue
        seen: set[str] = set()
        for m in _RULE.finditer(src):
            name = (m.group(1) or "") + m.group(2)
            if name not in seen:
                seen.add(name)
                out.append((path, pkg.group(1), name, bool(m.group(1))))
    return out


def run_bundle(bundle: Bundle, *, match: str | None = None) -> list[TestResult]:
    engine = compile_engine(bundle, with_tests=True)
    engine.set_input({})
    results = []
    for path, pkg, name, skipped in discover(bundle):
        if match and not re.search(match, f"{pkg}.{name}"):
            continue
        if skipped:
            results.append(TestResult(path, pkg, name, "skip"))
            continue
        t0 = time.perf_counter()
        try:
            value = engine.eval_rule(f"data.{pkg}.{name}")
            status = "pass" if value is True else "fail"
            detail = (
                ""
                if status == "pass"
                else f"evaluated to {value!r}"
                if value is not None
                else "undefined"
            )
        except Exception as exc:  # noqa: BLE001
            status, detail = "error", rego_errors.short(exc)
        results.append(TestResult(path, pkg, name, status, detail, time.perf_counter() - t0))
    return results


def run(
    policy_dirs: Iterable[Path],
    data_dirs: Iterable[Path] | None = None,
    *,
    match: str | None = None,
) -> list[TestResult]:
    return run_bundle(load_bundle(policy_dirs, data_dirs), match=match)
