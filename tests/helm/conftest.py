"""Render the chart offline with Helm's own Go library (helm-python-sdk).

No helm binary, cluster or network is used: `Chart.render` runs Helm's template engine with
`lookup` returning nothing, exactly like `helm template`.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from helm_chart_support import CHART_DIR, EXTERNAL_REDIS, NAMESPACE, RELEASE, Rendered, deep_merge

helm = pytest.importorskip("helm_python", reason="helm-python-sdk is a test dependency")


@pytest.fixture(scope="session")
def chart() -> Iterator[Any]:
    with helm.Chart.load(str(CHART_DIR)) as loaded:
        yield loaded


@pytest.fixture(scope="session")
def render(chart: Any) -> Callable[..., Rendered]:
    cache: dict[str, Rendered] = {}

    def _render(values: dict[str, Any] | None = None, *, base: dict[str, Any] | None = None,
                chart_obj: Any = None) -> Rendered:
        merged = deep_merge(EXTERNAL_REDIS if base is None else base, values or {})
        key = repr(sorted(merged.items())) if chart_obj is None else ""
        if key and key in cache:
            return cache[key]
        out = Rendered((chart_obj or chart).render(merged, name=RELEASE, namespace=NAMESPACE,
                                                   is_install=True))
        if key:
            cache[key] = out
        return out

    return _render


@pytest.fixture(scope="session")
def chart_with_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Path]]:
    """The chart plus a placeholder `charts/redis` (metadata only, no templates), standing in
    for `helm dependency build` so the parent chart's Redis wiring can be rendered offline.
    It checks our env/secret wiring, not the bitnami chart itself."""
    root = tmp_path_factory.mktemp("chart") / "keepgate"
    shutil.copytree(CHART_DIR, root, ignore=shutil.ignore_patterns("charts"))
    sub = root / "charts" / "redis"
    sub.mkdir(parents=True)
    (sub / "Chart.yaml").write_text(
        "apiVersion: v2\nname: redis\nversion: 20.0.0\ndescription: placeholder\n")
    (sub / "values.yaml").write_text("auth:\n  enabled: true\n")
    with helm.Chart.load(str(root)) as loaded:
        yield loaded, root
