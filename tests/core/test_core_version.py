"""The version lives in pyproject.toml only; everything else reads or matches it.

Python code reads the installed metadata (`keepgate.__version__`); the Helm chart and the
Dockerfile cannot, so these tests hold them to the same string, and the changelog must have
a section for it (or list it as unreleased work on top of it)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

import keepgate

REPO = Path(__file__).resolve().parents[2]
VERSION = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]


def test_the_package_reports_the_pyproject_version() -> None:
    assert keepgate.__version__ == VERSION


def test_no_python_module_hard_codes_the_version() -> None:
    pattern = re.compile(r"""__version__\s*=\s*["']\d+\.\d""")
    hits = [
        str(p.relative_to(REPO))
        for p in (REPO / "keepgate").rglob("*.py")
        if pattern.search(p.read_text())
    ]
    assert not hits, hits


def test_the_chart_and_the_image_label_carry_the_same_version() -> None:
    chart = yaml.safe_load((REPO / "helm/keepgate/Chart.yaml").read_text())
    assert chart["appVersion"] == VERSION
    assert re.search(
        rf"^ARG VERSION={re.escape(VERSION)}$", (REPO / "Dockerfile").read_text(), re.M
    )


def test_the_changelog_has_a_section_for_the_version() -> None:
    text = (REPO / "CHANGELOG.md").read_text()
    assert re.search(rf"^## \[{re.escape(VERSION)}\] - \d{{4}}-\d\d-\d\d$", text, re.M)
    assert text.index("## [Unreleased]") < text.index(f"## [{VERSION}]")
