"""What crosses a boundary between keepgate's parts is typed (issue 17).

Read with the stdlib `ast` over `keepgate/`, like the import-cycle check: nothing is
imported, so the checks are fast and see code that no test happens to run.

- `Call.state` is scratch space private to one module: a key written in one module and read
  in another is wiring mypy cannot see (it used to carry the session header and the
  attached documents from the routes to the policy guard). Such a value is a typed field of
  `Call` instead.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "keepgate"


def sources() -> dict[str, ast.Module]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent)
        if "bundled" in rel.parts:
            continue
        name = ".".join(rel.with_suffix("").parts).removesuffix(".__init__")
        out[name] = ast.parse(path.read_text(encoding="utf-8"), str(path))
    return out


def _is_call_state(node: ast.AST) -> bool:
    """`call.state`, `self.call.state`: the `state` of something named `call`."""
    if not (isinstance(node, ast.Attribute) and node.attr == "state"):
        return False
    base = node.value
    return (isinstance(base, ast.Name) and base.id == "call") or (
        isinstance(base, ast.Attribute) and base.attr == "call"
    )


def state_keys(module: ast.Module) -> list[tuple[str, int]]:
    """The keys a module uses on `call.state` (`[k]`, `.get(k)`, `.pop(k)`,
    `.setdefault(k)`), each as its string value when it is a literal or a constant of the
    module, else as `<imported NAME>` (a key shared by import crosses modules by design)."""
    constants = {
        t.id: node.value.value
        for node in module.body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
        for t in node.targets
        if isinstance(t, ast.Name) and isinstance(node.value.value, str)
    }
    for node in module.body:  # SID_KEY, KNOWN_KEY = "a", "b"
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Tuple):
            for t in node.targets:
                if isinstance(t, ast.Tuple):
                    for n, v in zip(t.elts, node.value.elts, strict=False):
                        if isinstance(n, ast.Name) and isinstance(v, ast.Constant):
                            constants[n.id] = v.value

    def name_of(key: ast.expr) -> str:
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            return key.value
        if isinstance(key, ast.Name) and key.id in constants:
            return str(constants[key.id])
        return f"<{ast.unparse(key)}>"

    found = []
    for node in ast.walk(module):
        if isinstance(node, ast.Subscript) and _is_call_state(node.value):
            found.append((name_of(node.slice), node.lineno))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("get", "pop", "setdefault")
            and _is_call_state(node.func.value)
            and node.args
        ):
            found.append((name_of(node.args[0]), node.lineno))
    return found


def test_state_keys_are_read() -> None:
    """The check sees the keys in use (it is not looking at nothing)."""
    keys = {k for mod in sources().values() for k, _ in state_keys(mod)}
    assert "limits" in keys  # the limits guard's reservation


def test_state_key_reader_sees_shared_keys() -> None:
    tree = ast.parse(
        'K = "k"\nA, B = "a", "b"\ncall.state[K] = 1\nself.call.state.get("x")\n'
        "call.state.pop(OTHER, None)\nrequest.state.y = 2\ncall.state[A] = call.state[B]\n"
    )
    assert sorted(k for k, _ in state_keys(tree)) == ["<OTHER>", "a", "b", "k", "x"]


def test_each_call_state_key_is_private_to_one_module() -> None:
    users: dict[str, set[str]] = defaultdict(set)
    for name, mod in sources().items():
        for key, line in state_keys(mod):
            users[key].add(f"{name}:{line}")
    shared = {
        key: sorted(where)
        for key, where in users.items()
        if key.startswith("<") or len({w.rpartition(":")[0] for w in where}) > 1
    }
    assert not shared, (
        "Call.state keys used by more than one module (make each a typed field of "
        f"keepgate.pipeline.call.Call): {shared}"
    )
