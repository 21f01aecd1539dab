"""The chart lints, renders with every supported value set, and each manifest is a valid
Kubernetes object; values.schema.json refuses bad values before anything renders."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import helm_python as helm
import kubernetes_validate as kv
import pytest
import yaml

from helm_chart_support import CHART_DIR, EXTERNAL_REDIS, VALUE_SETS, deep_merge

pytestmark = pytest.mark.slow(cpu_s=2.3)  # scheduled first: tests/conftest.py

KUBERNETES_VERSION = "1.30.0"
MISSING_DEP = "chart directory is missing these dependencies: redis"


def test_lint_has_no_errors_or_unexpected_warnings() -> None:
    for name, values in VALUE_SETS.items():
        report = helm.lint(
            str(CHART_DIR),
            deep_merge(EXTERNAL_REDIS, values),
            namespace="ai",
            kube_version="v1.30.0",
        )
        assert report["errors"] == [], (name, report)
        warnings = [m["error"] for m in report["messages"] if m["severity"] >= 2]
        # The Redis chart is downloaded by `helm dependency build`, which cannot run here.
        assert [w for w in warnings if MISSING_DEP not in w] == [], (name, warnings)


def test_strict_lint_passes_once_the_dependency_is_present(chart_with_redis: Any) -> None:
    _, root = chart_with_redis
    report = helm.lint(str(root), strict=True, namespace="ai", kube_version="v1.30.0")
    assert report["errors"] == [], report
    assert [m for m in report["messages"] if m["severity"] >= 2] == [], report


@pytest.mark.parametrize("name", sorted(VALUE_SETS))
def test_every_manifest_is_a_valid_kubernetes_object(render, name: str) -> None:
    out = render(VALUE_SETS[name])
    assert out.has("Deployment") and out.has("Service")
    for obj in out.objects:
        if obj["apiVersion"].startswith("monitoring.coreos.com/"):
            check_service_monitor(obj)
            continue
        kv.validate(obj, KUBERNETES_VERSION, strict=True)


def check_service_monitor(obj: dict[str, Any]) -> None:
    """No CRD schema ships with kubernetes-validate: check the fields the operator needs."""
    assert obj["kind"] == "ServiceMonitor"
    spec = obj["spec"]
    assert spec["selector"]["matchLabels"]
    assert all(
        e["port"] in ("http", "metrics") and e["path"] == "/metrics" for e in spec["endpoints"]
    )


def test_value_sets_render_what_they_turn_on(render) -> None:
    assert render(VALUE_SETS["ingress_and_servicemonitor"]).has("Ingress")
    assert render(VALUE_SETS["ingress_and_servicemonitor"]).has("ServiceMonitor")
    hpa = render(VALUE_SETS["autoscaling"])
    assert hpa.get("HorizontalPodAutoscaler")["spec"]["maxReplicas"] == 6
    assert "replicas" not in hpa.deployment["spec"]
    # Up to 6 replicas: each falls back to a sixth of a limit when Redis is down.
    assert hpa.config()["guards"]["limits"]["fallback_share"] == pytest.approx(1 / 6)
    secrets = [
        o["metadata"]["name"]
        for o in render(VALUE_SETS["existing_secret"]).objects
        if o["kind"] == "Secret"
    ]
    assert secrets == ["kg-keepgate-redis"]  # only the Redis URL; the credentials are yours
    single = render(VALUE_SETS["single_replica_embedded"], base={})
    assert not single.has("PodDisruptionBudget")
    assert [c["name"] for c in single.pod["containers"]] == ["keepgate"]
    restricted = render(VALUE_SETS["egress_restricted"])
    assert "Egress" in restricted.get("NetworkPolicy")["spec"]["policyTypes"]


def test_defaults_without_the_dependency_fail_with_the_fix(chart) -> None:
    """Real `helm install` refuses a declared dependency missing from charts/; the chart says
    how to fix it instead of silently deploying without Redis."""
    with pytest.raises(helm.HelmRenderError, match="helm dependency build"):
        chart.render({}, name="kg", namespace="ai")


@pytest.mark.parametrize(
    "values, message",
    [
        ({"replicaCount": 2, "externalRedis": {"url": ""}}, "shared Redis"),
        (
            {
                "autoscaling": {"enabled": True, "minReplicas": 1, "maxReplicas": 3},
                "replicaCount": 1,
                "externalRedis": {"url": ""},
            },
            "shared Redis",
        ),
        ({"redis": {"enabled": True}}, "choose one Redis"),
        ({"autoscaling": {"enabled": True, "minReplicas": 5, "maxReplicas": 2}}, "minReplicas"),
        ({"podDisruptionBudget": {"minAvailable": 1, "maxUnavailable": 1}}, "either minAvailable"),
        ({"policies": {"enabled": False}}, "opa.loadPolicies"),
        ({"replicaCount": 1, "workers": 2, "externalRedis": {"url": ""}}, "workers > 1"),
    ],
)
def test_broken_combinations_fail_with_a_clear_message(render, values, message) -> None:
    with pytest.raises(helm.HelmRenderError, match=message):
        render(values)


@pytest.mark.parametrize(
    "values, where",
    [
        ({"replicaCount": "two"}, "/replicaCount"),
        ({"replicaCount": -1}, "/replicaCount"),
        ({"image": {"pullPolicy": "Sometimes"}}, "/image/pullPolicy"),
        ({"image": {"tag": "latest"}}, "/image/tag"),
        ({"image": {"digest": "sha256:nothex"}}, "/image/digest"),
        ({"resources": {"limits": {"cpu": "-1"}}}, "/resources/limits/cpu"),
        ({"resources": {"requests": {"memory": -512}}}, "/resources/requests/memory"),
        ({"opa": {"resources": {"limits": {"memory": "lots"}}}}, "/opa/resources/limits/memory"),
        ({"service": {"port": 70000}}, "/service/port"),
        ({"service": {"type": "Magic"}}, "/service/type"),
        (
            {"autoscaling": {"targetCPUUtilizationPercentage": 150}},
            "targetCPUUtilizationPercentage",
        ),
        ({"externalRedis": {"url": "http://not-redis"}}, "/externalRedis/url"),
        ({"secret": {"env": {"BAD-NAME": "x"}}}, "BAD-NAME"),
        ({"config": {"keys": [{"key_id": "a", "key_hash": "abc"}]}}, "/config/keys/0/key_hash"),
        (
            {
                "config": {
                    "model_list": [
                        {
                            "model_name": "m",
                            "litellm_params": {"model": "openai/gpt-4o", "api_key": "sk-literal"},
                        }
                    ]
                }
            },
            "api_key",
        ),
        ({"config": {"guards": {"pii": "on"}}}, "/config/guards/pii"),
        ({"opa": {"logLevel": "loud"}}, "/opa/logLevel"),
        ({"config": {"mcp_servers": {"files": {"url": "ftp://x"}}}}, "/config/mcp_servers/files"),
        (
            {"config": {"mcp_servers": {"files": {"url": "https://x/mcp", "command": "x"}}}},
            "/config/mcp_servers/files",
        ),
        ({"config": {"mcp_servers": {"Files": {"url": "https://x/mcp"}}}}, "Files"),
        ({"replicas": 3}, "replicas"),
        ({"workers": 0}, "/workers"),
        ({"workers": "many"}, "/workers"),
        ({"metrics": {"port": 70000}}, "/metrics/port"),
    ],
)
def test_schema_rejects_bad_values(chart, values: dict[str, Any], where: str) -> None:
    with pytest.raises(helm.HelmValuesError) as err:
        chart.validate_schema(deep_merge(EXTERNAL_REDIS, values))
    assert where in str(err.value)


def test_schema_accepts_every_documented_value_set(chart) -> None:
    for values in VALUE_SETS.values():
        chart.validate_schema(deep_merge(EXTERNAL_REDIS, values))
    chart.validate_schema(yaml.safe_load((CHART_DIR / "values.yaml").read_text()))


def test_values_and_chart_metadata_pass_yamllint() -> None:
    from yamllint import linter
    from yamllint.config import YamlLintConfig

    conf = YamlLintConfig(file=str(Path(__file__).with_name("yamllint.yaml")))
    for name in ("values.yaml", "Chart.yaml"):
        path = CHART_DIR / name
        problems = [
            f"{name}:{p.line}: {p.desc} ({p.rule})"
            for p in linter.run(path.read_text(), conf, str(path))
        ]
        assert problems == []


def test_workers_and_a_separate_metrics_port(render) -> None:
    """workers → `serve --workers`; metrics.port → its own container/Service port, the
    config's listener on 0.0.0.0, the ServiceMonitor scraping it with the token, and a
    NetworkPolicy rule for the scraper only."""
    out = render(VALUE_SETS["workers_and_metrics_port"])
    args = out.container("keepgate")["args"]
    assert args[args.index("--workers") + 1] == "auto"
    ports = {p["name"]: p["containerPort"] for p in out.container("keepgate")["ports"]}
    assert ports == {"http": 4000, "metrics": 9464}
    obs = out.config()["observability"]
    assert obs == {
        "metrics_port": 9464,
        "metrics_host": "0.0.0.0",
        "metrics_token": "os.environ/KEEPGATE_METRICS_TOKEN",
    }
    svc_ports = {p["name"]: p["port"] for p in out.get("Service")["spec"]["ports"]}
    assert svc_ports == {"http": 4000, "metrics": 9464}
    endpoint = out.get("ServiceMonitor")["spec"]["endpoints"][0]
    assert endpoint["port"] == "metrics"
    assert endpoint["bearerTokenSecret"] == {"name": "kg-keepgate", "key": "KEEPGATE_METRICS_TOKEN"}
    secret = next(
        o for o in out.objects if o["kind"] == "Secret" and o["metadata"]["name"] == "kg-keepgate"
    )
    assert "KEEPGATE_METRICS_TOKEN" in secret["data"]
    rules = out.get("NetworkPolicy")["spec"]["ingress"]
    metrics_rule = next(r for r in rules if r["ports"][0]["port"] == "metrics")
    assert metrics_rule["from"][0]["namespaceSelector"]["matchLabels"] == {
        "kubernetes.io/metadata.name": "monitoring"
    }
    # The defaults: one worker, /metrics on the API port, no token.
    plain = render({})
    args = plain.container("keepgate")["args"]
    assert args[args.index("--workers") + 1] == "1"
    assert "observability" not in plain.config()
    assert [p["name"] for p in plain.get("Service")["spec"]["ports"]] == ["http"]


def test_bundled_redis_keeps_an_append_only_file() -> None:
    """Budgets live in Redis only: the bundled Redis persists them (AOF replayed at start)."""
    values = yaml.safe_load((CHART_DIR / "values.yaml").read_text())
    conf = values["redis"]["commonConfiguration"].splitlines()
    assert "appendonly yes" in conf and "appendfsync everysec" in conf
    assert values["redis"]["master"]["persistence"]["enabled"] is True
