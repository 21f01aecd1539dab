"""Policies and data read from disk: Rego files plus YAML/JSON data, deep-merged.

A bundle is immutable; reloading builds a new one and swaps it in only if it compiles.
Its `fingerprint` (paths, sizes, mtimes) is what the reloader polls.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import yaml

import keepgate
from keepgate.config import yamlio
from keepgate.config.errors import ConfigError

#: The shipped policies: the repo's policies/ in a checkout, through the symlink
#: keepgate/bundled/policies; a copy in a wheel.
DEFAULT_POLICY_DIR = (Path(keepgate.__file__).parent / "bundled" / "policies").resolve()
DATA_SUFFIXES = (".yaml", ".yml", ".json")


class PolicyLoadError(ConfigError):
    """A policy or data file could not be read, parsed or compiled; names file:line:col."""


@dataclass(frozen=True)
class Bundle:
    modules: tuple[tuple[str, str], ...]  # (path, source), tests excluded
    tests: tuple[tuple[str, str], ...]  # *_test.rego
    data: dict[str, Any]
    fingerprint: tuple[tuple[str, int, int], ...] = field(default=())


def _files(dirs: Iterable[Path], suffixes: tuple[str, ...]) -> list[Path]:
    out: list[Path] = []
    for d in dirs:
        if d.is_file():
            out.append(d)
        elif d.is_dir():
            out.extend(p for p in sorted(d.rglob("*")) if p.is_file() and p.suffix in suffixes)
        else:
            raise PolicyLoadError(f"{d}: no such policy/data file or directory")
    return out


def default_data_dirs(policy_dirs: Iterable[Path]) -> list[Path]:
    return [d / "data" for d in policy_dirs if (d / "data").is_dir()]


def fingerprint(
    policy_dirs: Iterable[Path], data_dirs: Iterable[Path]
) -> tuple[tuple[str, int, int], ...]:
    """Cheap change detector: (path, size, mtime_ns) of every policy and data file."""
    out = []
    for p in _files(policy_dirs, (".rego",)) + _files(data_dirs, DATA_SUFFIXES):
        try:
            st = p.stat()
        except FileNotFoundError:
            continue
        out.append((str(p), st.st_size, st.st_mtime_ns))
    return tuple(out)


def deep_merge(into: dict[str, Any], new: dict[str, Any], where: str) -> None:
    """Merge like OPA merges data documents: objects merge, other values must not clash."""
    for k, v in new.items():
        if isinstance(v, dict) and isinstance(into.get(k), dict):
            deep_merge(into[k], v, where)
        elif k in into and into[k] != v:
            raise PolicyLoadError(
                f"{where}: key {k!r} conflicts with a value from another data file"
            )
        else:
            into[k] = v


def load_data_file(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
        doc = json.loads(text) if path.suffix == ".json" else yamlio.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        loc = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise PolicyLoadError(f"{loc}: invalid YAML: {exc.problem}") from None
    except json.JSONDecodeError as exc:
        raise PolicyLoadError(f"{path}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from None
    except OSError as exc:
        raise PolicyLoadError(f"{path}: cannot read: {exc.strerror}") from None
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise PolicyLoadError(
            f"{path}:1:1: a data file must hold a mapping (e.g. under 'keepgate:')"
        )
    return doc


def load_bundle(policy_dirs: Iterable[Path], data_dirs: Iterable[Path] | None = None) -> Bundle:
    policy_dirs = [Path(d) for d in policy_dirs]
    data_dirs = (
        [Path(d) for d in data_dirs] if data_dirs is not None else default_data_dirs(policy_dirs)
    )
    modules: list[tuple[str, str]] = []
    tests: list[tuple[str, str]] = []
    for p in _files(policy_dirs, (".rego",)):
        try:
            src = p.read_text(encoding="utf-8")
        except OSError as exc:
            raise PolicyLoadError(f"{p}: cannot read: {exc.strerror}") from None
        (tests if p.name.endswith("_test.rego") else modules).append((str(p), src))
    if not modules:
        raise PolicyLoadError(f"no .rego policies found in {', '.join(map(str, policy_dirs))}")
    data: dict[str, Any] = {}
    for p in _files(data_dirs, DATA_SUFFIXES):
        deep_merge(data, load_data_file(p), str(p))
    return Bundle(tuple(modules), tuple(tests), data, fingerprint(policy_dirs, data_dirs))
