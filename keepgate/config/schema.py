"""The whole `keepgate.yaml` as one typed tree, for `keepgate config schema` and the docs.

The loader's model (keepgate.config.tree) types every section: `guards:` from the guard
registry, the sections other packages own (`agent`, `mcp`, `mcp_servers`, the
`observability` sub-sections) from keepgate.config.sections. Its JSON Schema describes
every key.

Field descriptions come from the `#:` comment above each field (the codebase's convention),
or pydantic's own `description=` where one is set.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from keepgate.config.partial import Partial
from keepgate.config.tree import config_model
from keepgate.jsontypes import JsonObject

#: The checkout (or install) root: absolute defaults under it are shown relative to it, so
#: the schema is the same wherever the package lives.
_ROOT = Path(__file__).resolve().parents[2]


def config_schema() -> JsonObject:
    """The JSON Schema (draft 2020-12) of `keepgate.yaml`."""
    model = config_model()
    schema = model.model_json_schema(mode="validation")
    for name in ("source", "demo"):  # set by the loader, never written in a file
        schema["properties"].pop(name, None)
    schema["title"] = "keepgate.yaml"
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    classes = {cls.__name__: cls for cls in _models_in(model)}
    _describe(schema, model)
    for name, sub in schema.get("$defs", {}).items():
        if name in classes:
            _describe(sub, classes[name])
    relative: dict[str, Any] = _relative_defaults(schema)
    return relative


def _models_in(
    model: type[BaseModel], seen: set[type[BaseModel]] | None = None
) -> set[type[BaseModel]]:
    seen = set() if seen is None else seen
    if model in seen:
        return seen
    seen.add(model)
    for field in model.model_fields.values():
        for arg in _types_in(field.annotation):
            if isinstance(arg, type) and issubclass(arg, BaseModel):
                _models_in(arg, seen)
    return seen


def _types_in(annotation: Any) -> list[Any]:
    out = [annotation]
    # An override's model is in its `Annotated` metadata (keepgate.config.partial).
    out += [m.model for m in getattr(annotation, "__metadata__", ()) if isinstance(m, Partial)]
    for arg in getattr(annotation, "__args__", ()) or ():
        out += _types_in(arg)
    return out


def _describe(schema: dict[str, Any], model: type[BaseModel]) -> None:
    doc = inspect.getdoc(model)
    if doc and "description" not in schema and not doc.startswith(("Usage docs", "!!!")):
        schema["description"] = doc
    comments = field_comments(model)
    for name, prop in schema.get("properties", {}).items():
        if "description" not in prop and comments.get(name):
            prop["description"] = comments[name]


def field_comments(model: type[BaseModel]) -> dict[str, str]:
    """`#:` comment lines directly above each field, in the class and its bases."""
    out: dict[str, str] = {}
    for cls in reversed(model.__mro__):
        if not (isinstance(cls, type) and issubclass(cls, BaseModel)) or cls is BaseModel:
            continue
        try:
            lines = inspect.getsource(cls).splitlines()
        except (OSError, TypeError):
            continue
        pending: list[str] = []
        for line in lines:
            stripped = line.strip()
            if stripped.startswith("#:"):
                pending.append(stripped[2:].strip())
                continue
            m = re.match(r"([A-Za-z_]\w*)\s*:", stripped)
            if m and pending:
                out[m[1]] = " ".join(pending)
            pending = []
    return out


def _relative_defaults(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _relative_defaults(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_relative_defaults(v) for v in node]
    if isinstance(node, str) and node.startswith(str(_ROOT) + "/"):
        return "<keepgate>/" + node[len(str(_ROOT)) + 1 :]
    return node
