"""The chart ships the repository's own rules and policies (symlinked, never copied): the
ConfigMaps, the mounts and the OPA sidecar's arguments carry exactly what rules/ and
policies/ hold when the test runs, and a change to any of them rolls the pods."""

from __future__ import annotations

import os
import shutil
import tarfile
from pathlib import Path
from typing import Any

import helm_python as helm
import pytest
import yaml

from helm_chart_support import (
    CHART_DIR,
    COMPANY_PACK,
    EXTERNAL_REDIS,
    NAMESPACE,
    RELEASE,
    REPO,
    VALUE_SETS,
    Rendered,
    deep_merge,
    repo_policy_files,
    repo_rule_packs,
)

POLICY_MOUNT = "/etc/keepgate/policies"
RULES_MOUNT = "/etc/keepgate/rules"
#: A ConfigMap (like any object) must stay under etcd's 1 MiB.
CONFIGMAP_LIMIT = 1024 * 1024


def test_chart_files_are_links_to_the_repository_trees() -> None:
    for tree in ("rules", "policies"):
        link = CHART_DIR / "files" / tree
        assert link.is_symlink(), f"{link} must be a symlink, not a copy"
        assert os.readlink(link) == f"../../../{tree}"
        assert link.resolve() == (REPO / tree).resolve()


def test_a_checkout_without_symlinks_fails_with_the_fix(tmp_path: Path) -> None:
    """git with core.symlinks=false writes each link as a text file holding its target."""
    copy = tmp_path / "keepgate"
    shutil.copytree(CHART_DIR, copy, symlinks=True, ignore=shutil.ignore_patterns("charts"))
    for tree in ("rules", "policies"):
        (copy / "files" / tree).unlink()
        (copy / "files" / tree).write_text(f"../../../{tree}")
    with helm.Chart.load(str(copy)) as broken:
        for values, tree in (
            ({}, "files/policies"),
            ({"policies": {"enabled": False}, "opa": {"loadPolicies": False}}, "files/rules"),
        ):
            with pytest.raises(helm.HelmRenderError, match=f"no .* under {tree}.*symlinks"):
                broken.render(deep_merge(EXTERNAL_REDIS, values), name=RELEASE, namespace=NAMESPACE)
        assert broken.render(
            deep_merge(
                EXTERNAL_REDIS,
                {
                    "policies": {"enabled": False},
                    "rules": {"enabled": False},
                    "opa": {"loadPolicies": False},
                },
            ),
            name=RELEASE,
            namespace=NAMESPACE,
        )


def test_policy_configmap_carries_exactly_the_repository_policies(render) -> None:
    out = render({})
    expected = repo_policy_files()
    assert any(rel.endswith(".rego") for rel in expected), "policies/ has no Rego module"
    assert out.mounted_tree("keepgate", POLICY_MOUNT) == expected
    data = out.get("ConfigMap", "-policies")["data"]
    assert len(data) == len(expected)
    assert not [key for key in data if key.endswith("_test.rego")]


def test_policy_tests_stay_out_of_the_configmap(render) -> None:
    tests = [p for p in (REPO / "policies").rglob("*_test.rego")]
    mounted = render({}).mounted_tree("keepgate", POLICY_MOUNT)
    for path in tests:
        assert path.relative_to(REPO / "policies").as_posix() not in mounted


def test_rules_configmap_carries_the_repository_packs_and_extra_packs(render) -> None:
    expected = repo_rule_packs()
    assert expected, "rules/ has no rule pack"
    assert render({}).mounted_tree("keepgate", RULES_MOUNT) == expected
    full = render(VALUE_SETS["full_config"]).mounted_tree("keepgate", RULES_MOUNT)
    assert full == {**expected, "company.yaml": COMPANY_PACK}
    shipped = sorted(expected)[0]
    replaced = render({"rules": {"extraPacks": {shipped: "rules: []\n"}}})
    assert replaced.mounted_tree("keepgate", RULES_MOUNT)[shipped] == "rules: []\n"


def test_opa_sidecar_loads_the_same_modules_and_data_as_the_gateway(render) -> None:
    out = render({})
    opa = out.container("opa")
    loaded = [a for a in opa["args"] if a.startswith("/opa/")]
    seen: dict[str, str] = {}
    for mount in opa["volumeMounts"]:
        for rel, content in out.mounted_tree("opa", mount["mountPath"]).items():
            seen[f"{mount['mountPath']}/{rel}"] = content
    assert all(path in seen for path in loaded), set(loaded) - set(seen)
    repo = repo_policy_files()
    modules = {p for p in repo if p.endswith(".rego")}
    assert {p.removeprefix("/opa/policies/") for p in loaded if p.endswith(".rego")} == modules
    data = [p for p in loaded if not p.endswith(".rego")]
    # Each data file is loaded at the root of OPA's data, as the embedded engine merges it.
    assert len(data) == sum(1 for p in repo if p.startswith("data/"))
    for path in data:
        rel = "data/" + path.removeprefix("/opa/data/")
        assert yaml.safe_load(seen[path]) == yaml.safe_load(repo[rel])


def test_opa_sidecar_off_or_pushed_needs_no_policy_arguments(render) -> None:
    pushed = render({"opa": {"loadPolicies": False}})
    assert not [a for a in pushed.container("opa")["args"] if a.startswith("/opa/")]
    assert pushed.config()["guards"]["policy"]["opa"]["push"] is True
    embedded = render({"opa": {"enabled": False}})
    assert "engine" not in embedded.config()["guards"]["policy"]


def test_configmaps_fit_in_one_kubernetes_object(render) -> None:
    for obj in render(VALUE_SETS["full_config"]).objects:
        if obj["kind"] == "ConfigMap":
            size = sum(len(k) + len(v.encode()) for k, v in obj["data"].items())
            assert size < CONFIGMAP_LIMIT, (obj["metadata"]["name"], size)


def test_packaged_chart_holds_real_files_not_links(chart_with_redis: Any, tmp_path: Path) -> None:
    """`helm package` follows the symlinks: the .tgz users install carries the files."""
    _, root = chart_with_redis
    archive = Path(helm.package(str(root), destination=str(tmp_path)))
    with tarfile.open(archive) as tar:
        members = {m.name.removeprefix("keepgate/"): m for m in tar.getmembers()}
        files = {
            name: tar.extractfile(m).read().decode()  # type: ignore[union-attr]
            for name, m in members.items()
            if name.startswith("files/") and m.isfile()
        }
    assert not [n for n, m in members.items() if m.issym() or m.islnk()]
    assert not [n for n in members if n.endswith("_test.rego") or "/classifier/" in n]
    # Every file the chart uses is in the archive with the repository's content (other
    # files there, such as a README, are carried along and ignored by the templates).
    for prefix, expected in (
        ("files/policies/", repo_policy_files()),
        ("files/rules/", repo_rule_packs()),
    ):
        assert {rel: files.get(prefix + rel) for rel in expected} == expected
    with helm.Chart.load_archive(archive.read_bytes()) as packaged:
        out = Rendered(packaged.render(EXTERNAL_REDIS, name=RELEASE, namespace=NAMESPACE))
    assert out.mounted_tree("keepgate", POLICY_MOUNT) == repo_policy_files()


def _checksums(chart_obj: Any, values: dict[str, Any]) -> dict[str, str]:
    out = Rendered(
        chart_obj.render(deep_merge(EXTERNAL_REDIS, values), name=RELEASE, namespace=NAMESPACE)
    )
    return {k: v for k, v in out.annotations().items() if k.startswith("checksum/")}


def test_a_change_to_config_rules_policies_or_secret_rolls_the_pods(
    chart: Any, tmp_path: Path
) -> None:
    base = _checksums(chart, {})
    assert set(base) == {
        "checksum/config",
        "checksum/rules",
        "checksum/policies",
        "checksum/secret",
    }
    changes = {
        "checksum/config": {"config": {"general_settings": {"log_level": "DEBUG"}}},
        "checksum/rules": {"rules": {"extraPacks": {"company.yaml": COMPANY_PACK}}},
        "checksum/secret": {"secret": {"env": {"OPENAI_API_KEY": "sk-rotated"}}},
    }
    for annotation, values in changes.items():
        now = _checksums(chart, values)
        assert [k for k in base if base[k] != now[k]] == [annotation], values
    # A policy edit: a copy of the chart with the links resolved, one module changed.
    copy = tmp_path / "keepgate"
    shutil.copytree(CHART_DIR, copy, ignore=shutil.ignore_patterns("charts", "classifier"))
    module = next(
        p
        for p in sorted((copy / "files" / "policies").rglob("*.rego"))
        if not p.name.endswith("_test.rego")
    )
    module.write_text(module.read_text() + "\n# edited\n")
    with helm.Chart.load(str(copy)) as edited:
        now = _checksums(edited, {})
    assert [k for k in base if base[k] != now[k]] == ["checksum/policies"]


def test_policy_files_reach_the_release_without_test_or_binary_files(chart: Any) -> None:
    names = [f["name"] for f in chart.files]
    assert not [n for n in names if n.endswith("_test.rego") or "/classifier/" in n]
    assert any(n.startswith("files/policies/") for n in names)
