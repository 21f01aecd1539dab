"""No import cycles inside `keepgate/`: no two modules import each other, directly or round a
longer loop (issue 17).

A cycle makes import order matter (a half-initialised module hands out names that are not
there yet) and ties two parts together so neither can be read, tested or replaced alone.
Imports inside functions count too (a lazy import is still a dependency, and lazy imports
are how cycles usually get hidden); imports under `if TYPE_CHECKING:` do not (they never
run), so a type-only back reference is written there. A package's `__init__` counts as
imported by whoever imports one of its modules (it runs first), so a re-export there cannot
close a loop unseen. Read with the stdlib `ast`, so the check needs no dependency and imports nothing.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "keepgate"


def modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE.parent)
        if "bundled" in rel.parts:
            continue
        name = ".".join(rel.with_suffix("").parts)
        out[name.removesuffix(".__init__")] = path
    return out


def imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The keepgate modules `name` imports: `from a.b import c` is the module `a.b.c` when
    there is one (a submodule), else `a.b`."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]

    def owner(dotted: str) -> str | None:
        while dotted and dotted not in known:
            dotted = dotted.rpartition(".")[0]
        return dotted or None

    found: set[str | None] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                visit_else(child)
                continue
            if isinstance(child, ast.Import):
                found.update(owner(a.name) for a in child.names if a.name.startswith("keepgate"))
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    parts = package.split(".")
                    base = ".".join(
                        parts[: len(parts) - child.level + 1] + ([base] if base else [])
                    )
                if base.startswith("keepgate"):
                    for alias in child.names:
                        sub = f"{base}.{alias.name}"
                        found.add(sub if sub in known else owner(base))
            visit(child)

    def visit_else(node: ast.If) -> None:
        for child in node.orelse:
            visit(ast.Module(body=[child], type_ignores=[]))

    visit(ast.parse(path.read_text(encoding="utf-8")))
    found.discard(None)
    found.discard(name)
    return {m for m in found if m is not None}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, edges = work[-1]
            nxt = next(edges, None)
            if nxt is not None:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph[nxt]))))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    comp.append(member)
                    if member == node:
                        break
                if len(comp) > 1:
                    out.append(sorted(comp))
    return out


@functools.cache
def graph() -> dict[str, set[str]]:
    """Module -> the modules importing it runs: what it imports, and the packages above
    each of them (importing `keepgate.a.b` runs `keepgate/a/__init__.py` first), less its
    own packages (already running when it is). Read once per process: two tests look at
    it (and neither changes it)."""
    known = modules()
    out = {}
    for name, path in known.items():
        direct = imports(name, path, known)
        above = {".".join(m.split(".")[:i]) for m in direct for i in range(2, m.count(".") + 1)}
        own = {".".join(name.split(".")[:i]) for i in range(1, name.count(".") + 1)}
        out[name] = direct | ((above & known.keys()) - own - {name})
    return out


def test_the_graph_is_read() -> None:
    g = graph()
    # A few edges every layout of the package has: the check is not looking at nothing.
    assert "keepgate.pipeline.call" in g["keepgate.runtime"]
    assert "keepgate.config.model" in g["keepgate.pipeline.registry"]
    assert len(g) > 100
    # importing keepgate.pipeline.call runs keepgate/pipeline/__init__.py first
    assert "keepgate.pipeline" in g["keepgate.runtime"]
    assert "keepgate.pipeline" not in g["keepgate.pipeline.chain"]  # its own package


def test_cycles_are_found() -> None:
    loop = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert cycles(loop) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_two_modules_import_each_other() -> None:
    found = cycles(graph())
    assert not found, (
        "import cycles in keepgate/ (break each by moving the shared name "
        "to a module both can import): " + "; ".join(" <-> ".join(c) for c in found)
    )


def closure(g: dict[str, set[str]], start: str) -> set[str]:
    """Every module importing `start` runs: its imports, transitively, and the packages
    (`__init__`) above each of them."""
    seen: set[str] = set()
    todo = [start]
    while todo:
        name = todo.pop()
        if name in seen or name not in g:
            continue
        seen.add(name)
        todo += g[name]
        parts = name.split(".")
        todo += [".".join(parts[:i]) for i in range(2, len(parts))]
    return seen


def test_the_modules_the_config_imports_by_name_do_not_import_it_back() -> None:
    """The loader types `guards:` with each registered guard's settings model, imported by
    the `module:Class` name in keepgate.config.guards, and every other owned section with
    its owner's model, named in keepgate.config.sections (keepgate.config.tree). Those
    imports are invisible to the graph above, so here: none of those models' modules may
    import what imports them, or the by-name import would close a loop."""
    from keepgate.config.guards import GUARDS
    from keepgate.config.sections import SECTIONS

    g = graph()
    loader = {"keepgate.config.load", "keepgate.config.tree", "keepgate.config.schema"}
    importers = [(spec.settings, loader) for spec in GUARDS]
    importers += [(ref, loader) for ref in SECTIONS.values()]
    assert len(importers) >= 10
    for ref, forbidden in importers:
        module = ref.partition(":")[0]
        assert module in g, ref
        back = closure(g, module) & forbidden
        assert not back, f"{ref} imports {sorted(back)}, which imports it by name"


def test_loading_a_config_does_not_load_the_guards_engines() -> None:
    """The loader imports every guard's settings module (and so its package's `__init__`):
    those must stay light, or every command that only reads the config (keys, limits,
    config check before building) pays for Presidio, spaCy and the policy engines."""
    import subprocess
    import sys

    heavy = ("presidio_analyzer", "spacy", "regorus", "litellm", "onnxruntime")
    code = (
        "import sys; from keepgate.config.load import load_config; load_config(environ={}); "
        f"print([m for m in {heavy!r} if m in sys.modules])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=PACKAGE.parent,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "[]", out.stdout
