"""Which parts of the input a Rego policy can read, found in its syntax tree.

Why: a decision is a pure function of the policy, its data and the input, so it can be
remembered — but every input carries values that are new on every call (the call id, the
request id, the ids of earlier untrusted outputs), so a key over the whole input would
never repeat. Keyed instead by the parts the policy can read, a repeated call (an agent
polling a status, re-reading a file) gets the decision the engine would give again.

Sound by construction, conservative where unsure: every reference to `input` in every
module (rule heads and bodies, functions, comprehensions, imports, `with`) is followed
through static field accesses (`input.tool.name`, `input["tool"]`); wherever it stops —
a dynamic index (`input.facts.provenance[p]`), iteration, a value passed to a function or
bound to a variable — everything under the path reached counts as read. Two builtins are
read more closely: `object.get(input, <literal path>, default)` reads that path (up to its
first non-literal element), `object.keys(X)` the key set of X. A policy that calls a
builtin whose answer is not a function of its arguments (the clock, randomness, the
network, runtime facts) is never cached. The analysis checks itself on a canary module at
each load: an engine whose syntax tree it cannot read turns caching off.
"""

from __future__ import annotations

import functools
import itertools
import json
import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import regorus

log = logging.getLogger("keepgate.policy")

Path = tuple[str, ...]

#: Builtins whose answer depends on more than their arguments (OPA's non-deterministic
#: builtins, time-dependent verification, output side effects): a policy that calls one is
#: not cached. Dotted names, matched exactly or as a prefix ending in ".".
NON_DETERMINISTIC = (
    "time.now_ns",
    "rand.",
    "uuid.rfc4122",
    "http.send",
    "net.",
    "opa.runtime",
    "io.jwt.decode_verify",
    "crypto.x509.parse_and_verify_certificates",
    "crypto.x509.parse_and_verify_certificates_with_options",
    "print",
    "trace",
)

_CANARY = """package keepgate_reads_canary
import rego.v1
a := input.one.two
b := input["three"][input.four]
c := object.get(input, ["five", "six", input.seven], 0)
d := object.keys(input.eight)
e if { some x in input.nine; x.ten == 1 }
"""
_CANARY_WHOLE = {
    ("one", "two"),
    ("three",),
    ("four",),
    ("five", "six"),
    ("seven",),
    ("nine",),
}
_CANARY_KEYS = {("eight",)}
_ABSENT = "\x00absent"


@dataclass(frozen=True)
class InputReads:
    """The paths of the input a policy can read: `whole` (the value under the path),
    `keys` (only the key set of the object there)."""

    whole: tuple[Path, ...]
    keys: tuple[Path, ...]

    def may_read(self, path: Path) -> bool:
        """Whether the policy can see anything of the value at `path` beyond its key being
        there: a read reaches into it, or reads a whole value that holds it, or the key
        set of it or of something inside it. (The key set of a value that holds it does
        not count: a caller that leaves the value out keeps its key.) Sound as the
        analysis is: the decision cache already keys decisions on these reads alone."""
        hit = self._may.get(path)
        if hit is None:
            n = len(path)
            hit = self._may[path] = any(w[:n] == path[: len(w)] for w in self.whole) or any(
                k[:n] == path for k in self.keys
            )
        return hit

    @functools.cached_property
    def _may(self) -> dict[Path, bool]:
        return {}

    def project(self, doc: Mapping[str, Any]) -> list[Any]:
        """What the policy can see of `doc`: for each path, the value there (or, where the
        path runs into a non-object, that whole value; an absent key is marked absent)."""
        return self._walk(doc)

    @functools.cached_property
    def _walk(self) -> Callable[[Any], list[Any]]:
        """`project` as straight-line code for these paths (`_walk_source`)."""
        scope: dict[str, Any] = {"_at": _at, "_M": _MISSING, "dict": dict, "type": type}
        exec(compile(_walk_source(self.whole, self.keys), "<input reads>", "exec"), scope)
        walk: Callable[[Any], list[Any]] = scope["walk"]
        return walk


def _walk_source(whole: tuple[Path, ...], keys: tuple[Path, ...]) -> str:
    """The source of `walk(doc)`: for each path in `whole`, in order, the value there when
    plain dicts lead to it with every key present (each prefix looked up once, shared by
    the paths under it), else what `_at` reads; then `_at` of each path in `keys`.

    Why: read path by path in a loop it was ~60 K instructions per MCP call (22 paths);
    the same reads unrolled are a few dict lookups each. Equal to the loop for every
    document: tests/policy/test_decision_cache.py (hypothesis)."""
    lines = ["def walk(doc):", "    out = []", "    add = out.append"]
    names: dict[Path, str] = {(): "doc"}

    def var(prefix: Path) -> str:
        """The local holding the value at `prefix`, or _M (absent, or under a non-dict)."""
        if prefix not in names:
            parent = var(prefix[:-1])
            name = names[prefix] = f"v{len(names)}"
            lines.append(
                f"    {name} = {parent}.get({prefix[-1]!r}, _M) if type({parent}) is dict else _M"
            )
        return names[prefix]

    for path in whole:
        if not path:
            lines.append("    add(['value', doc])")
            continue
        parent = var(path[:-1])
        lines += [
            f"    if type({parent}) is dict and (v := {parent}.get({path[-1]!r}, _M)) is not _M:",
            "        add(['value', v])",
            "    else:",
            f"        add(_at(doc, {path!r}, keys_only=False))",
        ]
    for path in keys:
        lines.append(f"    add(_at(doc, {path!r}, keys_only=True))")
    lines.append("    return out")
    return "\n".join(lines) + "\n"


_MISSING = object()


def _at(doc: Any, path: Path, *, keys_only: bool) -> Any:
    cur = doc
    for depth, name in enumerate(path):
        # A plain dict first: `isinstance(x, Mapping)` is an ABC check (~10x slower).
        if type(cur) is not dict and not isinstance(cur, Mapping):
            return ["cut", depth, cur]
        if name not in cur:
            return _ABSENT
        cur = cur[name]
    if keys_only and (type(cur) is dict or isinstance(cur, Mapping)):
        return _key_set(cur)
    return ["value", cur]


#: Key sets seen, in the order a document held them -> their entry (`_key_set`).
_KEY_SETS: dict[tuple[Any, ...], list[Any]] = {}
#: Sorted names -> the id of that set (never reused: `itertools.count`).
_SET_IDS: dict[tuple[str, ...], int] = {}
_NEXT_ID = itertools.count()
KEY_SETS = 4096


def _key_set(cur: Mapping[Any, Any]) -> list[Any]:
    """What the policy sees of an object it only enumerates: its set of names, as a small
    id of that set (`["keyset", n]`): an MCP call's `facts` written out as 14 sorted names
    was ~8-10 K instructions of the decision key per call. Two objects get the same id
    exactly when `sorted(str(k) for k in ...)` is the same (ids are never reused, so a
    cleared memo only costs misses)."""
    seen = tuple(cur)
    found = _KEY_SETS.get(seen)
    if found is None:
        if not all(type(k) is str for k in seen):  # 1, 1.0 and True are equal keys
            return ["keys", sorted(str(k) for k in cur)]
        if len(_KEY_SETS) > KEY_SETS:
            _KEY_SETS.clear()
        if len(_SET_IDS) > KEY_SETS:
            _SET_IDS.clear()
        names = tuple(sorted(str(k) for k in cur))
        n = _SET_IDS.get(names)
        if n is None:
            n = _SET_IDS[names] = next(_NEXT_ID)
        found = _KEY_SETS[seen] = ["keyset", n]
    return found


def analyse(
    engine: regorus.Engine, modules: tuple[tuple[str, str], ...] | None = None
) -> InputReads | None:
    """The input reads of every module the engine holds; None: do not cache (a
    non-deterministic builtin, or an engine whose syntax tree this cannot read).

    `modules`, the (path, source) pairs the engine was given and nothing else, names the
    tree without asking regorus for it: the tree is a function of the sources, and writing
    it out as JSON (~1 MB for the default policy, ~3 ms of CPU) and hashing that as the
    key cost more than the walk it saved, on every gateway start and reload."""
    if not _canary_ok():
        log.warning("policy: the decision cache is off (the Rego syntax tree was not understood)")
        return None
    if modules is None:
        return _reads(engine)
    found = _BY_SOURCE.get(modules)
    if found is None:
        if len(_BY_SOURCE) >= 16:
            _BY_SOURCE.clear()
        found = _BY_SOURCE[modules] = _reads_of_ast(engine.get_ast_as_json())
    return _said(found)


#: `analyse`'s results by the modules' sources (a few policies per process at most).
_BY_SOURCE: dict[tuple[tuple[str, str], ...], InputReads | str] = {}


@functools.cache
def _canary_ok() -> bool:
    """Whether this regorus writes the syntax tree `_reads` understands: a property of the
    installed engine, so checked once per process (a gateway start, a reload)."""
    try:
        engine = regorus.Engine()
        engine.add_policy("keepgate_reads_canary.rego", _CANARY)
        found = _reads(engine)
        del engine
    except Exception:  # noqa: BLE001 - any surprise: no caching
        return False
    return (
        found is not None and set(found.whole) == _CANARY_WHOLE and set(found.keys) == _CANARY_KEYS
    )


def _reads(engine: regorus.Engine) -> InputReads | None:
    return _said(_reads_of_ast(engine.get_ast_as_json()))


def _said(found: InputReads | str) -> InputReads | None:
    """The reads, or None with the reason logged (on every load, remembered or not)."""
    if isinstance(found, str):
        log.info("policy: the decision cache is off (the policy calls %s)", found)
        return None
    return found


@functools.lru_cache(maxsize=16)
def _reads_of_ast(ast_json: str) -> InputReads | str:
    """The reads of the modules in `ast_json`, or the non-deterministic builtin they call.
    A pure function of the syntax tree, so remembered: every gateway start and reload of
    the same policy files gives the same tree (~30 ms to walk the default policy's)."""
    modules = json.loads(ast_json)
    parents: dict[int, tuple[dict[str, Any], str, int | None]] = {}
    inputs: list[dict[str, Any]] = []
    calls: list[str] = []
    for module in modules:
        _index(module.get("ast"), parents, inputs, calls)
    for name in calls:
        if any(name == n or (n.endswith(".") and name.startswith(n)) for n in NON_DETERMINISTIC):
            return name
    whole: dict[Path, None] = {}
    keys: dict[Path, None] = {}
    for node in inputs:
        path, mode = _follow(node, parents)
        (keys if mode == "keys" else whole)[path] = None
    return InputReads(tuple(whole), tuple(keys))


def _kind(node: Any) -> tuple[str, dict[str, Any]] | None:
    """An expression node is a one-key object whose value is an object: {"RefDot": {...}}."""
    if isinstance(node, dict) and len(node) == 1:
        ((kind, inner),) = node.items()
        if isinstance(inner, dict):
            return kind, inner
    return None


def _children(value: Any) -> Iterator[tuple[Any, int | None]]:
    if isinstance(value, list):
        for i, x in enumerate(value):
            yield x, i
    else:
        yield value, None


def _index(
    node: Any,
    parents: dict[int, tuple[dict[str, Any], str, int | None]],
    inputs: list[dict[str, Any]],
    calls: list[str],
) -> None:
    """Record each expression's parent (node, slot, position), each `input` variable and
    each called function's name."""
    stack = [node]
    while stack:
        cur = stack.pop()
        if isinstance(cur, list):
            stack.extend(cur)
            continue
        if not isinstance(cur, dict):
            continue
        kind = _kind(cur)
        if kind is not None:
            name, inner = kind
            if name == "Var" and inner.get("value") == "input":
                inputs.append(cur)
            if name == "Call":
                calls.append(_dotted(inner.get("fcn")) or "?")
            for slot, value in inner.items():
                for child, pos in _children(value):
                    if _kind(child) is not None:
                        parents[id(child)] = (cur, slot, pos)
            stack.extend(inner.values())
        else:
            stack.extend(cur.values())


def _dotted(node: Any) -> str | None:
    kind = _kind(node)
    if kind is None:
        return None
    name, inner = kind
    if name == "Var":
        value = inner.get("value")
        return value if isinstance(value, str) else None
    if name == "RefDot":
        head = _dotted(inner.get("refr"))
        field = _field(inner)
        return f"{head}.{field}" if head is not None and field is not None else None
    return None


def _field(inner: dict[str, Any]) -> str | None:
    field = inner.get("field")
    if isinstance(field, list) and field and isinstance(field[-1], str):
        return field[-1]
    return field if isinstance(field, str) else None


def _string(node: Any) -> str | None:
    kind = _kind(node)
    if kind is not None and kind[0] == "String" and isinstance(kind[1].get("value"), str):
        return str(kind[1]["value"])
    return None


def _follow(
    node: dict[str, Any], parents: dict[int, tuple[dict[str, Any], str, int | None]]
) -> tuple[Path, str]:
    """The static path one `input` reference reads, and how ("whole" or "keys")."""
    path: list[str] = []
    cur = node
    while True:
        up = parents.get(id(cur))
        if up is None:
            return tuple(path), "whole"
        parent, slot, pos = up
        kind = _kind(parent)
        assert kind is not None
        name, inner = kind
        if name == "RefDot" and slot == "refr" and _field(inner) is not None:
            path.append(str(_field(inner)))
            cur = parent
            continue
        if name == "RefBrack" and slot == "refr" and _string(inner.get("index")) is not None:
            path.append(str(_string(inner.get("index"))))
            cur = parent
            continue
        if name == "Call" and slot == "params" and pos == 0:
            fn = _dotted(inner.get("fcn"))
            params = inner.get("params") or []
            if fn == "object.get" and len(params) >= 2:
                return tuple(path) + _literal_path(params[1]), "whole"
            if fn == "object.keys" and len(params) == 1:
                return tuple(path), "keys"
        return tuple(path), "whole"


def _literal_path(node: Any) -> Path:
    """The literal prefix of `object.get`'s path argument (a string or an array)."""
    one = _string(node)
    if one is not None:
        return (one,)
    kind = _kind(node)
    if kind is None or kind[0] != "Array":
        return ()
    out: list[str] = []
    for item in kind[1].get("items") or []:
        s = _string(item)
        if s is None:
            break
        out.append(s)
    return tuple(out)
