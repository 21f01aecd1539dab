"""Render the chart offline with Helm's own Go library (helm-python-sdk).

No helm binary, cluster or network is used: `Chart.render` runs Helm's template engine with
`lookup` returning nothing, exactly like `helm template`. The chart's files/rules and
files/policies are symlinks to the repository's rules/ and policies/; Helm's loader follows
them, so every render carries the repository's files as they are at test time.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import helm_python as helm
import pytest

from helm_chart_support import (
    CHART_DIR,
    EXTERNAL_REDIS,
    NAMESPACE,
    RELEASE,
    REPO,
    Rendered,
    deep_merge,
)

# Helm logs "found symbolic link in path" at INFO for each link; that is expected here.
helm.disable_logging()


@pytest.fixture(scope="session")
def chart() -> Iterator[Any]:
    with helm.Chart.load(str(CHART_DIR)) as loaded:
        yield loaded


@pytest.fixture(scope="session")
def render(chart: Any) -> Callable[..., Rendered]:
    cache: dict[str, Rendered] = {}

    def _render(
        values: dict[str, Any] | None = None,
        *,
        base: dict[str, Any] | None = None,
        chart_obj: Any = None,
    ) -> Rendered:
        merged = deep_merge(EXTERNAL_REDIS if base is None else base, values or {})
        key = repr(sorted(merged.items())) if chart_obj is None else ""
        if key and key in cache:
            return cache[key]
        out = Rendered(
            (chart_obj or chart).render(merged, name=RELEASE, namespace=NAMESPACE, is_install=True)
        )
        if key:
            cache[key] = out
        return out

    return _render


@pytest.fixture(scope="session")
def chart_with_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Path]]:
    """The chart as it sits in the repository (symlinks kept, pointing at the real rules/
    and policies/) plus a placeholder `charts/redis` (metadata only, no templates) standing
    in for `helm dependency build`, so the Redis wiring can be rendered and the chart
    packaged offline. It checks our wiring, not the bitnami chart itself."""
    repo = tmp_path_factory.mktemp("repo")
    root = repo / "helm" / "keepgate"
    shutil.copytree(CHART_DIR, root, symlinks=True, ignore=shutil.ignore_patterns("charts"))
    for tree in ("rules", "policies"):
        (repo / tree).symlink_to(REPO / tree, target_is_directory=True)
    sub = root / "charts" / "redis"
    sub.mkdir(parents=True)
    (sub / "Chart.yaml").write_text(
        "apiVersion: v2\nname: redis\nversion: 20.0.0\ndescription: placeholder\n"
    )
    (sub / "values.yaml").write_text("auth:\n  enabled: true\n")
    with helm.Chart.load(str(root)) as loaded:
        yield loaded, root
