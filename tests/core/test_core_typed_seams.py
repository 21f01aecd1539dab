"""What crosses a boundary between keepgate's parts is typed (issue 17).

Read with the stdlib `ast` over `keepgate/`, like the import-cycle check: nothing is
imported, so the checks are fast and see code that no test happens to run.

- `Call.state` is scratch space private to one module: a key written in one module and read
  in another is wiring mypy cannot see (it used to carry the session header and the
  attached documents from the routes to the policy guard). Such a value is a typed field of
  `Call` instead.
- No `Any` in a signature or field that another package uses (below): what crosses is a
  dataclass, a pydantic model, a Protocol, or JSON named by `keepgate.jsontypes`.
"""

from __future__ import annotations

import ast
import functools
from collections import defaultdict
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "keepgate"


@functools.cache
def sources() -> dict[str, ast.Module]:
    """Every keepgate module's syntax tree, parsed once per process (nothing changes them)."""
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


# -- no Any across a package boundary --------------------------------------------------------
#
# A package is `keepgate.<name>` (a subpackage, or a top-level module such as keepgate.app).
# Every public function, and every public method and field of a public class, that a module
# of another package imports (by name, or through its module) is checked: no `Any` in its
# parameters, return type or field type, nor a module's own alias of it
# (`Chunk = dict[str, Any]`). The JSON the gateway carries but does not own has its names in
# keepgate/jsontypes.py (JsonObject, Chunk, JsonValue; the module says why it stays parsed
# JSON); wiring between parts is a dataclass, a pydantic model or a Protocol. The few
# exceptions are listed below, each with its reason; an entry that no longer matches fails
# too, so the list only shrinks.

JSON_TYPES = "keepgate.jsontypes"

#: "module:Qualified.name" -> why `Any` is right there.
ALLOWED: dict[str, str] = {
    "keepgate.config.yamlio:safe_load": (
        "yaml.load's own result (a thin wrapper picking the C loader): an operator's file "
        "(rule pack, policy data) of any shape, validated by the caller's model or checks"
    ),
    "keepgate.config.yamlio:compose_and_load": "as safe_load, with the node tree",
    "keepgate.pipeline.call:Call.state": (
        "scratch space private to the module that owns each key (a guard's reservation, the "
        "tracer's span): it never crosses a module, which the Call.state tests above enforce; "
        "each owner annotates what it reads back"
    ),
}


def package_of(module: str) -> str:
    return ".".join(module.split(".")[:2])


def _resolve_from(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    base = node.module or ""
    if node.level:
        parts = module.split(".") if is_package else module.split(".")[:-1]
        parts = parts[: len(parts) - node.level + 1]
        base = ".".join(parts + ([base] if base else []))
    return base


def _definitions(tree: ast.Module) -> dict[str, ast.AST]:
    out: dict[str, ast.AST] = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out[node.name] = node
    return out


def _reexports(module: str, is_package: bool, tree: ast.Module) -> dict[str, tuple[str, str]]:
    """Names a module imports from another keepgate module: name -> (source, its name)."""
    out = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = _resolve_from(module, is_package, node)
            if base.startswith("keepgate"):
                for alias in node.names:
                    out[alias.asname or alias.name] = (base, alias.name)
    return out


def _any_aliases(trees: dict[str, ast.Module]) -> set[tuple[str, str]]:
    """(module, name) of module-level aliases whose value mentions Any (outside jsontypes)."""
    out = set()
    for name, tree in trees.items():
        if name == JSON_TYPES:
            continue
        for node in tree.body:
            target, value = None, None
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target, value = node.targets[0], node.value
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                target, value = node.target, node.value
            if isinstance(target, ast.Name) and _mentions_any(value, set(), False):
                out.add((name, target.id))
    return out


def _mentions_any(annotation: ast.AST | None, aliases: set[str], quoted: bool = True) -> bool:
    """Whether `Any` (or an alias of it) is in the annotation, quoted parts included."""
    if annotation is None:
        return False
    for node in ast.walk(annotation):
        if quoted and isinstance(node, ast.Constant) and isinstance(node.value, str):
            try:
                if _mentions_any(ast.parse(node.value, mode="eval"), aliases):
                    return True
            except (SyntaxError, ValueError):
                continue
        elif isinstance(node, ast.Name) and (node.id == "Any" or node.id in aliases):
            return True
        elif isinstance(node, ast.Attribute) and node.attr == "Any":
            return True
    return False


def _signature_problems(fn: ast.FunctionDef | ast.AsyncFunctionDef, aliases: set[str]) -> list[str]:
    a = fn.args
    params = [*a.posonlyargs, *a.args, *a.kwonlyargs, *filter(None, (a.vararg, a.kwarg))]
    out = [
        f"{p.arg}: {ast.unparse(p.annotation)}"
        for p in params
        if p.annotation is not None and _mentions_any(p.annotation, aliases)
    ]
    if _mentions_any(fn.returns, aliases):
        out.append(f"-> {ast.unparse(fn.returns)}")  # type: ignore[arg-type]
    return out


def _public(name: str) -> bool:
    return not name.startswith("_") or name in ("__init__", "__call__")


def _problems(node: ast.AST, aliases: set[str]) -> dict[str, list[str]]:
    """qualified name -> what mentions Any, for a function or a class's public surface."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        found = _signature_problems(node, aliases)
        return {node.name: found} if found else {}
    assert isinstance(node, ast.ClassDef)
    out: dict[str, list[str]] = {}
    for item in node.body:
        if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and _public(item.name):
            if found := _signature_problems(item, aliases):
                out[f"{node.name}.{item.name}"] = found
            if item.name == "__init__":  # self.field: T = ... is a field too
                for sub in ast.walk(item):
                    if (
                        isinstance(sub, ast.AnnAssign)
                        and isinstance(sub.target, ast.Attribute)
                        and not sub.target.attr.startswith("_")
                        and _mentions_any(sub.annotation, aliases)
                    ):
                        key = f"{node.name}.{sub.target.attr}"
                        out[key] = [ast.unparse(sub.annotation)]
        elif (
            isinstance(item, ast.AnnAssign)
            and isinstance(item.target, ast.Name)
            and not item.target.id.startswith("_")
            and _mentions_any(item.annotation, aliases)
        ):
            out[f"{node.name}.{item.target.id}"] = [ast.unparse(item.annotation)]
    return out


def any_across_packages() -> dict[str, tuple[list[str], set[str]]]:
    """ "module:name" -> (what mentions Any, the packages that import it), for everything
    public that another package imports."""
    trees = sources()
    packages = {n for n in trees if (PACKAGE.parent / n.replace(".", "/")).is_dir()}
    defs = {name: _definitions(tree) for name, tree in trees.items()}
    reexports = {name: _reexports(name, name in packages, tree) for name, tree in trees.items()}
    any_aliases = _any_aliases(trees)

    def defining(module: str, name: str, depth: int = 0) -> tuple[str, str] | None:
        if module not in trees or depth > 5:
            return None
        if name in defs[module] or (module, name) in any_aliases:
            return module, name
        if name in reexports[module]:
            return defining(*reexports[module][name], depth + 1)
        return None

    def aliases_in(module: str) -> set[str]:
        """The names that mean an alias of Any in `module`: its own, and imported ones."""
        own = {n for m, n in any_aliases if m == module}
        imported = {
            local for local, src in reexports[module].items() if defining(*src) in any_aliases
        }
        return own | imported

    used: dict[tuple[str, str], set[str]] = defaultdict(set)
    for importer, tree in trees.items():
        for node in ast.walk(tree):
            targets: list[tuple[str, str | None]] = []
            if isinstance(node, ast.Import):
                targets = [(a.name, None) for a in node.names if a.name.startswith("keepgate")]
            elif isinstance(node, ast.ImportFrom):
                base = _resolve_from(importer, importer in packages, node)
                if not base.startswith("keepgate"):
                    continue
                for alias in node.names:
                    sub = f"{base}.{alias.name}"
                    targets.append((sub, None) if sub in trees else (base, alias.name))
            for module, name in targets:
                found = [(module, n) for n in defs.get(module, {})] if name is None else []
                if name is not None and (hit := defining(module, name)) is not None:
                    found = [hit]
                for mod, n in found:
                    if package_of(mod) != package_of(importer) and _public(n):
                        used[(mod, n)].add(package_of(importer))
    out = {}
    for (module, name), users in used.items():
        if name not in defs[module]:
            continue  # an alias itself: its uses in signatures are what is checked
        for qual, found in _problems(defs[module][name], aliases_in(module)).items():
            out[f"{module}:{qual}"] = (found, users)
    return out


def test_the_boundary_check_sees_what_crosses() -> None:
    crossing = any_across_packages()
    assert len(sources()) > 100
    # Not looking at nothing: the check reads a signature that is known to cross.
    trees = sources()
    call = _problems(_definitions(trees["keepgate.pipeline.call"])["Call"], {"JsonObject"})
    assert "Call.body" in call  # JsonObject counted as Any when told it is one
    assert all(key.partition(":")[0] in trees for key in crossing)


def test_no_any_crosses_a_package_boundary() -> None:
    crossing = any_across_packages()
    unexpected = {
        key: f"{'; '.join(found)} (used by {', '.join(sorted(users))})"
        for key, (found, users) in crossing.items()
        if key not in ALLOWED
    }
    stale = sorted(set(ALLOWED) - set(crossing))
    assert not unexpected, (
        "Any in signatures other packages use (type them, or name the wire JSON with "
        "keepgate.jsontypes):\n" + "\n".join(f"  {k}: {v}" for k, v in sorted(unexpected.items()))
    )
    assert not stale, f"ALLOWED entries that no longer match (remove them): {stale}"
