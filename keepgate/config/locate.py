"""Where in `keepgate.yaml` a bad entry is: `file:line` prefixes for config errors.

Apart from the loader, so a guard's settings module can name the file and line of its own
cross-field checks without importing the loader (which builds the whole config tree from
those very settings modules: `keepgate.config.tree`).
"""

from __future__ import annotations

from typing import Any

import yaml
from pydantic import ValidationError

from keepgate.config import yamlio
from keepgate.config.errors import ConfigError
from keepgate.config.model import KeepgateConfig

#: A location in the config, as pydantic reports one: keys and list indexes.
Path = tuple[str | int, ...]

__all__ = ["config_error", "line_of", "validation_error"]


def config_error(config: KeepgateConfig | None, path: Path, message: str) -> ConfigError:
    """A ConfigError for the entry at `path` (e.g. ("guards", "pii", "entities")), prefixed
    with `file:line` when the config came from a file. Guards use it for their own sections,
    so every bad option names where it is."""
    source = config.source if config is not None else None
    where = "<config>: "
    if source:
        try:
            with open(source, encoding="utf-8") as fh:
                line = line_of(yamlio.compose(fh.read()), path)
            where = f"{source}:{line}: " if line else f"{source}: "
        except Exception:  # noqa: BLE001 - a location is a courtesy, never a new failure
            where = f"{source}: "
    return ConfigError(where + message)


def validation_error(
    config: KeepgateConfig | None, base: Path, exc: ValidationError
) -> ConfigError:
    """A pydantic ValidationError on the section at `base`, as a located ConfigError."""
    errors = exc.errors()
    prefix = ".".join(map(str, base))
    msgs = [f"{prefix}.{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors]
    return config_error(config, base + tuple(errors[0]["loc"]), "; ".join(msgs))


def line_of(root: yaml.Node | None, loc: tuple[Any, ...]) -> int | None:
    """Walk a pydantic error location through the YAML node tree to a 1-based line."""
    node, line = root, None
    for part in loc:
        if node is None:
            break
        line = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if getattr(k, "value", None) == part), None)
        elif (
            isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value)
        ):
            node = node.value[part]
        else:
            node = None
    if node is not None:
        line = node.start_mark.line + 1
    return line
