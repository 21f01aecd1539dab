"""YAML reading through libyaml when PyYAML has it: the pure-Python parser costs ~10x more,
and a gateway start reads its config, the policy data files and the rule packs (a test run
starts hundreds of gateways). Same documents, same node marks (`file:line` in errors)."""

from __future__ import annotations

from typing import Any

import yaml

#: libyaml's safe loader when PyYAML was built with it (the wheels are), else the Python one.
Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(text: str) -> Any:
    return yaml.load(text, Loader=Loader)  # a safe loader (SafeLoader or its C twin)


def compose(text: str) -> yaml.Node | None:
    return yaml.compose(text, Loader=Loader)


def compose_and_load(text: str) -> tuple[yaml.Node | None, Any]:
    """The node tree (for `file:line` of a bad entry) and the data, from one parse."""
    loader = Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    return node, data
