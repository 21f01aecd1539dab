"""Reproducible builds: what the code imports is declared, and the lock files pin it.

`requirements.lock` (tests and gate) and `requirements-runtime.lock` (the image) come from
`scripts/lock`; both must pin, with hashes, every distribution pyproject.toml declares, at
one version across the two files. A module imported by the gateway but only pulled in by
some other package breaks the day that package drops it, so each one must be declared."""

from __future__ import annotations

import ast
import functools
import importlib.metadata
import re
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow(cpu_s=2.9)  # scheduled first: tests/conftest.py

REPO = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(req: str) -> str:
    return canonical(re.split(r"[\s\[<>=!~;]", req, maxsplit=1)[0])


def lock_pins(path: Path) -> dict[str, str]:
    """name -> version, checking that every pin carries at least one hash."""
    text = path.read_text()
    pins: dict[str, str] = {}
    for block in re.split(r"\n(?=\S)", text):
        m = re.match(r"([A-Za-z0-9][A-Za-z0-9_.\-]*)==(\S+)", block)
        if not m:
            continue
        assert "--hash=sha256:" in block, f"{path.name}: {m[1]} has no hash"
        pins[canonical(m[1])] = m[2]
    return pins


def declared(*extras: str) -> set[str]:
    reqs = list(PYPROJECT["project"]["dependencies"])
    for extra in extras:
        reqs += PYPROJECT["project"]["optional-dependencies"][extra]
    return {requirement_name(r) for r in reqs}


def test_the_full_lock_pins_every_declared_runtime_test_bench_and_train_dependency() -> None:
    """Benchmarks and retrained weights are reproducible only on pinned versions too."""
    pins = lock_pins(REPO / "requirements.lock")
    missing = declared("test", "bench", "train") - set(pins)
    assert not missing, f"not in requirements.lock (run scripts/lock): {sorted(missing)}"


def test_the_runtime_lock_pins_the_runtime_set_at_the_full_locks_versions() -> None:
    full = lock_pins(REPO / "requirements.lock")
    runtime = lock_pins(REPO / "requirements-runtime.lock")
    assert declared() <= set(runtime), sorted(declared() - set(runtime))
    differ = {n: (v, full.get(n)) for n, v in runtime.items() if full.get(n) != v}
    assert not differ, f"the two lock files disagree (run scripts/lock): {differ}"
    # the image carries no test tooling
    assert not {"pytest", "selenium", "ruff", "mypy"} & set(runtime)


def test_the_installed_environment_is_the_lock() -> None:
    """The suite runs on exactly the locked versions (scripts/test installs them)."""
    pins = lock_pins(REPO / "requirements.lock")
    wrong = {}
    for name, version in pins.items():
        try:
            got = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue  # platform-specific pins (markers) may not apply here
        if got != version:
            wrong[name] = (version, got)
    assert not wrong, f"installed versions differ from requirements.lock: {wrong}"


@functools.cache
def parsed(path: Path) -> ast.Module:
    """A source file's tree, parsed once for the two checks that read every module."""
    return ast.parse(path.read_text(), str(path))


def statements(tree: ast.AST) -> Iterator[ast.AST]:
    """Every statement of `tree`, nested ones too (function bodies, `if TYPE_CHECKING:`,
    `try`), without descending into expressions: an import is a statement, and the
    expressions are most of a module's nodes (`ast.walk` over them was ~40 % of this file's
    CPU)."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        yield node
        for _, value in ast.iter_fields(node):
            if isinstance(value, list):
                stack.extend(
                    v for v in value if isinstance(v, (ast.stmt, ast.excepthandler, ast.match_case))
                )


def imported_top_levels(root: Path) -> set[str]:
    names: set[str] = set()
    for path in root.rglob("*.py"):
        for node in statements(parsed(path)):
            if isinstance(node, ast.Import):
                names.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names) - {"keepgate", "__future__"}


#: Installed by scripts/test next to the lock: its metadata claims Python >= 3.14, which
#: pip refuses under --require-hashes, but the wheel works on 3.11 (the OPA-server tests).
OUTSIDE_THE_LOCK = {"opa_bindings"}
#: Arrive with a declared requirement's extra (`uvicorn[standard]`); bench/ imports them to
#: pick the same event loop and HTTP parser uvicorn does.
VIA_EXTRAS = {"uvloop", "httptools"}


def test_every_third_party_module_the_gateway_imports_is_declared() -> None:
    """keepgate/ and what runs beside it from a checkout (training/, bench/): each import is
    in pyproject's dependencies or one of its extras, so the lock pins it."""
    owners = importlib.metadata.packages_distributions()
    every_extra = tuple(PYPROJECT["project"]["optional-dependencies"])
    known = declared(*every_extra)
    undeclared = {}
    ours = {"training", "bench", "tests"}
    modules = set().union(
        *(imported_top_levels(REPO / d) for d in ("keepgate", *ours) if d != "tests")
    )
    for module in sorted(modules - ours - OUTSIDE_THE_LOCK - VIA_EXTRAS):
        dists = {canonical(d) for d in owners.get(module, [])}
        if not dists:
            continue  # an optional extra that is not installed here (e.g. scikit-learn)
        if not dists & known:
            undeclared[module] = sorted(dists)
    assert not undeclared, f"imported but not declared in pyproject: {undeclared}"


def test_the_dockerfile_installs_from_the_runtime_lock_with_hashes() -> None:
    text = (REPO / "Dockerfile").read_text()
    assert "pip install --no-cache-dir --require-hashes -r requirements-runtime.lock" in text
    # The package itself: built from the checkout with the locked setuptools and installed
    # as a wheel (an editable install would tie the venv to a source tree in the image).
    assert "pip install --no-cache-dir --no-deps --no-build-isolation . " in text
    assert "-e ." not in text


#: Deliberate uses of a dependency's private name: "file.py:pkg._name" -> why it is worth it and
#: what keeps it safe (an exact pin in pyproject, a test that fails when it changes). Empty
#: is the goal; an entry without a reason is not one.
ALLOWED_PRIVATE: dict[str, str] = {
    # linear.byte_spans calls RE2's C++ matcher (`_regexp.Match` with `_Anchor.UNANCHORED`)
    # for byte offsets: the public finditer costs ~3 µs of Python per match. google-re2 is
    # pinned exactly (==) in pyproject, and tests/input_guards exercise it.
    "linear.py:re2._Anchor": "RE2's matcher in byte offsets; exact pin; tested",
    # keepgate/mcp/stdio.py is the SDK's stdio transport with a bounded stdout reader (red
    # team round 6b): the spawn, shutdown and parsing steps are the SDK's own, so only the
    # reader differs. mcp is pinned exactly (==); tests/mcp (test_redteam6_stdio, the stdio
    # server of test_mcp_gateway) run them.
    "stdio.py:mcp.client._transport.TransportStreams": "the SDK stdio transport's own steps; exact pin; tested",
    "stdio.py:mcp.client.stdio.StdioServerParameters": "the SDK stdio transport's own steps; exact pin; tested",
    "stdio.py:mcp.client.stdio._KILL_REAP_TIMEOUT": "the SDK stdio transport's own steps; exact pin; tested",
    "stdio.py:mcp.client.stdio._WRITER_FLUSH_TIMEOUT": "the SDK stdio transport's own steps; exact pin; tested",
    "stdio.py:mcp.client.stdio._aclose_all": "the SDK stdio transport's own steps; exact pin; tested",
    "stdio.py:mcp.client.stdio._create_platform_compatible_process": "the SDK stdio transport's own steps; exact pin; tested",
    "stdio.py:mcp.client.stdio._drain_stdout": "the SDK stdio transport's own steps; exact pin; tested",
    "stdio.py:mcp.client.stdio._get_executable_command": "the SDK stdio transport's own steps; exact pin; tested",
    "stdio.py:mcp.client.stdio._parse_line": "the SDK stdio transport's own steps; exact pin; tested",
    "stdio.py:mcp.client.stdio._stop_server_process": "the SDK stdio transport's own steps; exact pin; tested",
    "stdio.py:mcp.client.stdio._wait_for_process_exit": "the SDK stdio transport's own steps; exact pin; tested",
    "stdio.py:mcp.client.stdio.get_default_environment": "the SDK stdio transport's own steps; exact pin; tested",
}
#: Not dependencies: our packages, and the standard library (`os._exit` is documented API).
OURS_AND_STDLIB = {"keepgate", "training", *sys.stdlib_module_names}


def test_no_private_names_of_dependencies() -> None:
    """A dependency's `_private` module or attribute can change in any release, and the lock
    only postpones that. Checked: imports of `pkg._mod` / `from pkg import _name`, and
    `name._attr` where `name` was imported from a third-party package. A use that is worth
    it goes in ALLOWED_PRIVATE with its reason."""
    assert all(ALLOWED_PRIVATE.values()), "each entry says why"
    found: list[tuple[str, int]] = []
    for root in ("keepgate", "training"):
        for path in (REPO / root).rglob("*.py"):
            if "bundled" in path.parts:
                continue
            tree = parsed(path)
            imported: set[str] = set()
            for node in statements(tree):
                if isinstance(node, ast.Import):
                    for a in node.names:
                        if a.name.split(".")[0] in OURS_AND_STDLIB:
                            continue
                        if any(p.startswith("_") for p in a.name.split(".")):
                            found.append((f"{path.name}:{a.name}", node.lineno))
                        imported.add(a.asname or a.name.split(".")[0])
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    if node.module.split(".")[0] in OURS_AND_STDLIB:
                        continue
                    private = [p for p in node.module.split(".") if p.startswith("_")]
                    private += [a.name for a in node.names if a.name.startswith("_")]
                    if private:
                        found += [
                            (f"{path.name}:{node.module}.{a.name}", node.lineno) for a in node.names
                        ]
                    imported |= {a.asname or a.name for a in node.names}
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Attribute)
                    and isinstance(node.value, ast.Name)
                    and node.value.id in imported
                    and node.attr.startswith("_")
                    and not node.attr.startswith("__")
                ):
                    found.append((f"{path.name}:{node.value.id}.{node.attr}", node.lineno))
    bad = sorted({f"{name} (line {line})" for name, line in found if name not in ALLOWED_PRIVATE})
    assert not bad, f"private names of dependencies (fix, or ALLOWED_PRIVATE with why): {bad}"
