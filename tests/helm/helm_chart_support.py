"""Shared by the chart tests: paths, the value sets every test renders, and a parsed render."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
CHART_DIR = REPO / "helm" / "keepgate"
RELEASE = "kg"
NAMESPACE = "ai"

#: The Redis dependency cannot be downloaded here, so most value sets use an external Redis.
EXTERNAL_REDIS = {"redis": {"enabled": False}, "externalRedis": {"url": "redis://redis.db:6379/0"}}


def deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out


class Rendered:
    """The manifests of one render, by kind and name."""

    def __init__(self, files: dict[str, str]):
        self.files = files
        self.objects: list[dict[str, Any]] = []
        for name, text in files.items():
            if name.endswith("NOTES.txt"):
                continue
            self.objects += [doc for doc in yaml.safe_load_all(text) if doc]

    @property
    def notes(self) -> str:
        return next((t for n, t in self.files.items() if n.endswith("NOTES.txt")), "")

    def kinds(self) -> list[str]:
        return sorted(o["kind"] for o in self.objects)

    def get(self, kind: str, suffix: str = "") -> dict[str, Any]:
        found = [o for o in self.objects
                 if o["kind"] == kind and o["metadata"]["name"].endswith(suffix)]
        assert len(found) == 1, f"expected one {kind} *{suffix}, got {len(found)}"
        return found[0]

    def has(self, kind: str) -> bool:
        return any(o["kind"] == kind for o in self.objects)

    @property
    def deployment(self) -> dict[str, Any]:
        return self.get("Deployment")

    @property
    def pod(self) -> dict[str, Any]:
        return self.deployment["spec"]["template"]["spec"]

    def container(self, name: str) -> dict[str, Any]:
        return next(c for c in self.pod["containers"] if c["name"] == name)

    def keepgate_yaml(self) -> str:
        return self.get("ConfigMap", "-config")["data"]["keepgate.yaml"]

    def config(self) -> dict[str, Any]:
        return yaml.safe_load(self.keepgate_yaml())

    def annotations(self) -> dict[str, str]:
        return self.deployment["spec"]["template"]["metadata"]["annotations"]

    def mounted_tree(self, container: str, mount_path: str) -> dict[str, str]:
        """The files a container sees under `mount_path`, as kubelet projects the ConfigMap
        (honouring `items`): relative path → content."""
        mount = next(m for m in self.container(container)["volumeMounts"]
                     if m["mountPath"] == mount_path)
        volume = next(v for v in self.pod["volumes"] if v["name"] == mount["name"])
        cm = next(o for o in self.objects if o["kind"] == "ConfigMap"
                  and o["metadata"]["name"] == volume["configMap"]["name"])
        items = volume["configMap"].get("items")
        if not items:
            return dict(cm.get("data") or {})
        return {item["path"]: cm["data"][item["key"]] for item in items}



#: Value sets the chart supports; each is rendered, validated and schema-checked.
#: (Merged over EXTERNAL_REDIS unless a test passes another base.)
VALUE_SETS: dict[str, dict[str, Any]] = {
    "defaults_external_redis": {},
    "opa_sidecar_off": {"opa": {"enabled": False}},
    "single_replica_embedded": {"replicaCount": 1, "opa": {"enabled": False},
                                "redis": {"enabled": False},
                                "podDisruptionBudget": {"enabled": False}},
    "external_redis_existing_secret": {"externalRedis": {
        "url": "", "existingSecret": "redis-creds", "existingSecretKey": "url"}},
    "ingress_and_servicemonitor": {
        "ingress": {"enabled": True, "className": "nginx",
                    "hosts": [{"host": "gw.example.com",
                               "paths": [{"path": "/", "pathType": "Prefix"}]}],
                    "tls": [{"hosts": ["gw.example.com"], "secretName": "gw-tls"}]},
        "metrics": {"serviceMonitor": {"enabled": True, "labels": {"release": "prom"}}}},
    "autoscaling": {"autoscaling": {"enabled": True, "minReplicas": 2, "maxReplicas": 6,
                                    "targetMemoryUtilizationPercentage": 80},
                    "podDisruptionBudget": {"maxUnavailable": None, "minAvailable": 1}},
    "existing_secret": {"secret": {"existingSecret": "keepgate-creds"}},
    "egress_restricted": {"networkPolicy": {
        "allowedFrom": [{"namespaceSelector": {"matchLabels": {"team": "agents"}}}],
        "egress": {"restrict": True, "extra": [{"to": [{"ipBlock": {"cidr": "10.0.0.0/8"}}]}]}}},
    "full_config": {
        "secret": {"masterKey": "sk-master-test", "env": {"OPENAI_API_KEY": "sk-upstream"}},
        "rules": {"extraPacks": {"company.yaml": "rules: []\n"}},
        "config": {
            "model_list": [{"model_name": "gpt-4o-mini",
                            "litellm_params": {"model": "openai/gpt-4o-mini",
                                               "api_key": "os.environ/OPENAI_API_KEY"}}],
            "keys": [{"key_id": "alice", "role": "developer", "team": "t1",
                      "key_hash": "sha256:" + "ab" * 32,
                      "limits": {"requests_per_minute": 60, "budget_usd": 5}}],
            "teams": [{"team": "t1", "limits": {"usd_per_day": 20}}],
            "general_settings": {"log_level": "DEBUG", "num_retries": 1},
            "guards": {"pii": {"enabled": True, "operators": {"EMAIL_ADDRESS": "mask"}},
                       "policy": {"fail_open": False}}}},
}
