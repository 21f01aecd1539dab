"""Load `keepgate.yaml`: file → env overrides → validation, with errors that name file and line."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from keepgate.config.errors import ConfigError
from keepgate.config import yamlio
from keepgate.config.locate import config_error, line_of, validation_error
from keepgate.config.model import KeepgateConfig
from keepgate.config.tree import config_model, guards_model

__all__ = [
    "ConfigError",
    "config_error",
    "load_config",
    "parse_config",
    "validate_config",
    "validation_error",
]

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
        root, data = yamlio.compose_and_load(text)
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


def validate_config(data: dict[str, Any], source: str | None = None) -> KeepgateConfig:
    """A config from a mapping (as a file would hold it), validated like a loaded file:
    for code and tests that build a config without a file."""
    return _validate(data, source, None, demo=False)


def _validate(
    data: dict[str, Any], source: str | None, root: yaml.Node | None, demo: bool
) -> KeepgateConfig:
    model = config_model()
    try:
        cfg = model.model_validate({**data, "source": source, "demo": demo})
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            # "[key]": pydantic's mark for a bad mapping key (the key itself is named).
            loc = tuple(part for part in err["loc"] if part != "[key]")
            line = line_of(root, loc)
            label = "<demo config>" if demo else "<config>"
            where = f"{source}:{line}" if source and line else (source or label)
            msg = err["msg"]
            if len(loc) == 2 and loc[0] == "guards" and err["type"] == "extra_forbidden":
                known = ", ".join(guards_model().model_fields)
                msg = f"no such guard (known: {known})"
            lines.append(f"{where}: {'.'.join(map(str, loc)) or '(top)'}: {msg}")
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
