"""A wheel install (not editable) carries the shipped rule packs and policies.

rules/ and policies/ live at the top of the repo; the symlinks in keepgate/bundled/ put them
in the wheel. Built and installed into a scratch directory, the installed gateway must load
its defaults from the installed copy, not from a checkout it no longer sits in."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

PROBE = """
import json
from keepgate.input_guards.config import DEFAULT_RULES_DIR, DEFAULT_CLASSIFIER
from keepgate.input_guards.rules import load_dirs
from keepgate.policy.bundle import DEFAULT_POLICY_DIR, load_bundle
import keepgate
print(json.dumps({"pkg": keepgate.__file__, "rules": str(DEFAULT_RULES_DIR),
                  "policies": str(DEFAULT_POLICY_DIR), "classifier": DEFAULT_CLASSIFIER.is_file(),
                  "n_rules": len(load_dirs([DEFAULT_RULES_DIR])),
                  "n_modules": len(load_bundle([DEFAULT_POLICY_DIR]).modules)}))
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """Built from a copy of what the wheel is made of (symlinks kept as links), so the build
    leaves no build/ or egg-info behind in the checkout (stale files there would leak into
    later wheels)."""
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, src / name)
    for tree in ("keepgate", "rules", "policies"):
        shutil.copytree(REPO / tree, src / tree, symlinks=True,
                        ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
                    "--disable-pip-version-check", "-w", str(out), str(src)],
                   check=True, capture_output=True, timeout=300)
    return next(out.glob("keepgate-*.whl"))


def test_the_wheel_holds_every_rule_pack_and_policy_file(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for top in ("rules", "policies"):
        for f in (REPO / top).rglob("*"):
            if f.is_file():
                assert f"keepgate/bundled/{top}/{f.relative_to(REPO / top).as_posix()}" in names


def test_an_installed_wheel_loads_its_own_defaults(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps",
                    "--disable-pip-version-check", "--target", str(target), str(wheel)],
                   check=True, capture_output=True, timeout=300)
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=tmp_path, capture_output=True,
                         text=True, timeout=120, env={"PYTHONPATH": str(target),
                                                      "LITELLM_LOCAL_MODEL_COST_MAP": "True",
                                                      "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr[-2000:]
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["pkg"].startswith(str(target))  # the installed copy, not the checkout
    assert got["rules"].startswith(str(target)) and got["policies"].startswith(str(target))
    assert got["classifier"] and got["n_rules"] > 20 and got["n_modules"] >= 5
