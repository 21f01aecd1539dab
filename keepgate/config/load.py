"""Load `keepgate.yaml`: file → env overrides → validation, with errors that name file and line."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from keepgate.config.errors import ConfigError
from keepgate.config.model import KeepgateConfig

__all__ = ["ConfigError", "config_error", "load_config", "parse_config", "validation_error"]

#: Upstream address that means "the fake model this process starts for itself".
BUILTIN_FAKE = "builtin://fake-model"
ENV_CONFIG = "KEEPGATE_CONFIG"
#: Generic overrides: KEEPGATE__GENERAL_SETTINGS__MAX_BODY_BYTES=1024 (value parsed as YAML).
ENV_NESTED_PREFIX = "KEEPGATE__"
ENV_SHORTCUTS = {
    "KEEPGATE_MASTER_KEY": ("general_settings", "master_key"),
    "KEEPGATE_REDIS_URL": ("general_settings", "redis_url"),
    "KEEPGATE_AUDIT_LOG": ("general_settings", "audit_log"),
    "KEEPGATE_LOG_LEVEL": ("general_settings", "log_level"),
}


def demo_config() -> dict[str, Any]:
    """No config at all: route `demo` to the built-in fake model, every guard on."""
    return {
        "model_list": [
            {
                "model_name": "demo",
                "litellm_params": {"model": "openai/demo", "api_base": BUILTIN_FAKE},
                "model_info": {"input_cost_per_token": 1e-6, "output_cost_per_token": 2e-6},
            },
            {
                "model_name": "demo-embedding",
                "litellm_params": {"model": "openai/demo-embedding", "api_base": BUILTIN_FAKE},
                "model_info": {"mode": "embedding", "input_cost_per_token": 1e-7},
            },
        ],
        # The hosted agent's demo tools over MCP, served by this process (docs/mcp.md).
        "mcp_servers": {"demo": {"url": "builtin://demo-mcp"}},
    }


def find_config_path(explicit: str | os.PathLike[str] | None = None) -> Path | None:
    if explicit:
        return Path(explicit)
    if os.environ.get(ENV_CONFIG):
        return Path(os.environ[ENV_CONFIG])
    local = Path("keepgate.yaml")
    return local if local.exists() else None


def config_error(config: Any, path: tuple[Any, ...], message: str) -> "ConfigError":
    """A ConfigError for the entry at `path` (e.g. ("guards", "pii", "entities")), prefixed
    with `file:line` when the config came from a file. Guards use it for their own sections,
    so every bad option names where it is."""
    source = getattr(config, "source", None)
    where = "<config>: "
    if source:
        try:
            with open(source, encoding="utf-8") as fh:
                line = _line_of(yaml.compose(fh.read()), path)
            where = f"{source}:{line}: " if line else f"{source}: "
        except Exception:  # noqa: BLE001 - a location is a courtesy, never a new failure
            where = f"{source}: "
    return ConfigError(where + message)


def validation_error(config: Any, base: tuple[Any, ...], exc: Any) -> "ConfigError":
    """A pydantic ValidationError on the section at `base`, as a located ConfigError."""
    errors = exc.errors()
    prefix = ".".join(map(str, base))
    msgs = [f"{prefix}.{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors]
    return config_error(config, base + tuple(errors[0]["loc"]), "; ".join(msgs))


def _line_of(root: yaml.Node | None, loc: tuple[Any, ...]) -> int | None:
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


def _set_path(data: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for part in path[:-1]:
        data = data.setdefault(part, {})
        if not isinstance(data, dict):
            raise ConfigError(f"env override {'.'.join(path)}: {part} is not a mapping")
    data[path[-1]] = value


def apply_env(data: dict[str, Any], environ: dict[str, str]) -> dict[str, Any]:
    for var, path in ENV_SHORTCUTS.items():
        if environ.get(var):
            _set_path(data, path, environ[var])
    for var, raw in environ.items():
        if var.startswith(ENV_NESTED_PREFIX) and len(var) > len(ENV_NESTED_PREFIX):
            nested = tuple(p.lower() for p in var[len(ENV_NESTED_PREFIX) :].split("__"))
            _set_path(data, nested, yaml.safe_load(raw))
    return data


def parse_config(text: str, source: str, environ: dict[str, str] | None = None) -> KeepgateConfig:
    try:
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}:{mark.line + 1}" if mark else source
        raise ConfigError(f"{where}: invalid YAML: {getattr(exc, 'problem', exc)}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{source}:1: the config must be a mapping, not {type(data).__name__}")
    return _validate(
        apply_env(data, dict(os.environ if environ is None else environ)), source, root, demo=False
    )


def _validate(
    data: dict[str, Any], source: str | None, root: yaml.Node | None, demo: bool
) -> KeepgateConfig:
    try:
        cfg = KeepgateConfig.model_validate({**data, "source": source, "demo": demo})
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            line = _line_of(root, loc)
            where = f"{source}:{line}" if source and line else (source or "<demo config>")
            lines.append(f"{where}: {'.'.join(map(str, loc)) or '(top)'}: {err['msg']}")
        raise ConfigError("invalid config:\n  " + "\n  ".join(lines)) from None
    return cfg


def load_config(
    path: str | os.PathLike[str] | None = None, environ: dict[str, str] | None = None
) -> KeepgateConfig:
    """Load from `path`, `$KEEPGATE_CONFIG` or `./keepgate.yaml`; else the demo config."""
    env = dict(os.environ if environ is None else environ)
    found = (
        find_config_path(path)
        if environ is None
        else (Path(path) if path else (Path(env[ENV_CONFIG]) if env.get(ENV_CONFIG) else None))
    )
    if found is None:
        return _validate(apply_env(demo_config(), env), None, None, demo=True)
    try:
        text = found.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{found}: cannot read config: {exc.strerror or exc}") from None
    return parse_config(text, str(found), env)
