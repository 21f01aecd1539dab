"""Every uvicorn server the tests start is a `PromptServer` (keepgate/serving/prompt_stop.py).

uvicorn's own `Server.shutdown` sleeps 0.1 s whatever the state, and its main loop notices
`should_exit` only at its next 0.1 s tick: a test that starts many servers waits seconds for
nothing (test_joined_writes.py's 82 servers: 6.8 s of the suite's wall, 2026-12-07). A
subclass of uvicorn's server made for one test is fine if it derives from `PromptServer`.
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def _stock_servers(tree: ast.AST) -> list[int]:
    """Lines that call uvicorn's `Server` itself (`uvicorn.Server(...)`, or `Server(...)`
    imported from `uvicorn` / `uvicorn.server`)."""
    local = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module in ("uvicorn", "uvicorn.server")
        for alias in node.names
        if alias.name == "Server"
    }
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        f = node.func
        if (
            isinstance(f, ast.Attribute)
            and f.attr == "Server"
            and isinstance(f.value, ast.Name)
            and f.value.id == "uvicorn"
        ) or (isinstance(f, ast.Name) and f.id in local):
            lines.append(node.lineno)
    return lines


def test_the_tests_start_no_stock_uvicorn_server() -> None:
    found = []
    for path in sorted(TESTS.rglob("*.py")):
        text = path.read_text()
        if "Server" in text:  # every spelling names it; parsing each file costs ~4x more
            tree = ast.parse(text, str(path))
            found += [f"{path.relative_to(TESTS.parent)}:{line}" for line in _stock_servers(tree)]
    assert not found, f"use keepgate.serving.prompt_stop.PromptServer: {found}"


def test_the_check_sees_both_spellings() -> None:
    tree = ast.parse(
        "import uvicorn\nfrom uvicorn.server import Server as S\nuvicorn.Server(c)\nS(c)\n"
    )
    assert _stock_servers(tree) == [3, 4]
