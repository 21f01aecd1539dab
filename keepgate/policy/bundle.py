"""Policies and data read from disk: Rego files plus YAML/JSON data, deep-merged.

A bundle is immutable; reloading builds a new one and swaps it in only if it compiles.
Its `fingerprint` (paths, sizes, mtimes) is what the reloader polls.

Its `key` is every file's path and text: a bundle is a pure function of them, so files read
again with the same texts (a second gateway in the process, a reload that changed only an
mtime) give the parts parsed before (YAML is ~1/3 of a load), and `compile_engine` a copy of
the engine compiled before. Any change to a text is a new key, so nothing stale is served.
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
    #: (kind, path, text) of every file read ("rego" or "data"), in load order; None for a
    #: bundle not read by `load_bundle` (never cached).
    key: tuple[tuple[str, str, str], ...] | None = field(default=None, compare=False)


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
    return _stats(_files(policy_dirs, (".rego",)) + _files(data_dirs, DATA_SUFFIXES))


def _stats(files: list[Path]) -> tuple[tuple[str, int, int], ...]:
    out = []
    for p in files:
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
    except OSError as exc:
        raise PolicyLoadError(f"{path}: cannot read: {exc.strerror}") from None
    return _parse_data(path, text)


def _parse_data(path: Path, text: str) -> dict[str, Any]:
    try:
        doc = json.loads(text) if path.suffix == ".json" else yamlio.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        loc = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise PolicyLoadError(f"{loc}: invalid YAML: {exc.problem}") from None
    except json.JSONDecodeError as exc:
        raise PolicyLoadError(f"{path}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from None
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise PolicyLoadError(
            f"{path}:1:1: a data file must hold a mapping (e.g. under 'keepgate:')"
        )
    return doc


def _read(p: Path) -> str:
    try:
        return p.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyLoadError(f"{p}: cannot read: {exc.strerror}") from None


#: Parsed bundles by `Bundle.key` (a few policies per process; tests make many).
_PARSED: dict[tuple[tuple[str, str, str], ...], Bundle] = {}
_PARSED_MAX = 32


def load_bundle(policy_dirs: Iterable[Path], data_dirs: Iterable[Path] | None = None) -> Bundle:
    policy_dirs = [Path(d) for d in policy_dirs]
    data_dirs = (
        [Path(d) for d in data_dirs] if data_dirs is not None else default_data_dirs(policy_dirs)
    )
    rego, datas = _files(policy_dirs, (".rego",)), _files(data_dirs, DATA_SUFFIXES)
    # Stat before reading: a write after this changes what the next poll sees.
    fp = _stats(rego + datas)
    sources = tuple(("rego", str(p), _read(p)) for p in rego)
    if all(p.name.endswith("_test.rego") for p in rego):
        raise PolicyLoadError(f"no .rego policies found in {', '.join(map(str, policy_dirs))}")
    key = sources + tuple(("data", str(p), _read(p)) for p in datas)
    done = _PARSED.get(key)
    if done is not None:  # the same texts: the same bundle, only the fingerprint is new
        return Bundle(done.modules, done.tests, done.data, fp, done.key)
    modules: list[tuple[str, str]] = []
    tests: list[tuple[str, str]] = []
    for _, path, src in sources:
        (tests if path.endswith("_test.rego") else modules).append((path, src))
    data: dict[str, Any] = {}
    for p, (_, path, text) in zip(datas, key[len(rego) :], strict=True):
        deep_merge(data, _parse_data(p, text), path)
    bundle = Bundle(tuple(modules), tuple(tests), data, fp, key)
    if len(_PARSED) >= _PARSED_MAX:
        _PARSED.clear()
    _PARSED[key] = bundle
    return bundle
