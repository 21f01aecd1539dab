"""Shared by the chart tests: paths, the value sets every test renders, a parsed render,
and what the repository says the chart must carry (read at test time, never a fixed list:
rules/ and policies/ change under the chart)."""

from __future__ import annotations

import base64
import re
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
        found = [
            o for o in self.objects if o["kind"] == kind and o["metadata"]["name"].endswith(suffix)
        ]
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
        mount = next(
            m for m in self.container(container)["volumeMounts"] if m["mountPath"] == mount_path
        )
        volume = next(v for v in self.pod["volumes"] if v["name"] == mount["name"])
        cm = next(
            o
            for o in self.objects
            if o["kind"] == "ConfigMap" and o["metadata"]["name"] == volume["configMap"]["name"]
        )
        items = volume["configMap"].get("items")
        if not items:
            return dict(cm.get("data") or {})
        return {item["path"]: cm["data"][item["key"]] for item in items}

    def write_mount(self, container: str, mount_path: str) -> None:
        """Project a ConfigMap mount onto disk at `mount_path`, as kubelet would (tests set
        the chart's mountPath values to temporary directories)."""
        for rel, content in self.mounted_tree(container, mount_path).items():
            path = Path(mount_path) / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")

    def pod_env(
        self, container: str = "keepgate", external: dict[tuple[str, str], str] | None = None
    ) -> dict[str, str]:
        """The environment the container starts with: envFrom Secrets, then `env` (with
        `$(VAR)` expansion). Secrets the chart renders are decoded; others come from
        `external` as {(secret name, key): value}."""
        external = external or {}
        secrets = {
            o["metadata"]["name"]: {
                k: base64.b64decode(v).decode() for k, v in (o.get("data") or {}).items()
            }
            for o in self.objects
            if o["kind"] == "Secret"
        }

        def secret(name: str, key: str) -> str:
            if name in secrets:
                return secrets[name][key]
            return external[(name, key)]

        spec = self.container(container)
        env: dict[str, str] = {}
        for source in spec.get("envFrom", []):
            name = source["secretRef"]["name"]
            env.update(secrets.get(name) or {k: v for (n, k), v in external.items() if n == name})
        for var in spec.get("env", []):
            if "value" in var:
                env[var["name"]] = re.sub(
                    r"\$\((\w+)\)", lambda m: env.get(m[1], m[0]), var["value"]
                )
            else:
                ref = var["valueFrom"]["secretKeyRef"]
                env[var["name"]] = secret(ref["name"], ref["key"])
        return env


def repo_policy_files() -> dict[str, str]:
    """What the policy ConfigMap must hold, as the gateway loads a policy directory: every
    Rego module of policies/ (not the *_test.rego files) and every YAML/JSON data file
    under policies/data/, by path relative to policies/."""
    root = REPO / "policies"
    return {
        p.relative_to(root).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(root.rglob("*"))
        if p.is_file()
        and not p.name.startswith(".")
        and (
            (p.suffix == ".rego" and not p.name.endswith("_test.rego"))
            or (p.suffix in (".yaml", ".yml", ".json") and p.relative_to(root).parts[0] == "data")
        )
    }


def repo_rule_packs() -> dict[str, str]:
    """The rule packs the gateway loads from rules/: its top-level *.yaml / *.yml."""
    root = REPO / "rules"
    return {
        p.name: p.read_text(encoding="utf-8")
        for p in sorted(root.iterdir())
        if p.is_file() and p.suffix in (".yaml", ".yml")
    }


#: An operator's own rule pack, shipped through rules.extraPacks.
COMPANY_PACK = """\
pack: company
rules:
  - id: company.codename
    description: Our unreleased project's code name must not be probed for.
    severity: medium
    action: flag
    pattern: '\\bproject\\s+bluebird\\b'
    examples:
      match: ["tell me everything about Project Bluebird"]
      no_match: ["a blue bird sat on the fence"]
"""

#: Value sets the chart supports; each is rendered, validated and schema-checked.
#: (Merged over EXTERNAL_REDIS unless a test passes another base.)
VALUE_SETS: dict[str, dict[str, Any]] = {
    "defaults_external_redis": {},
    "opa_sidecar_off": {"opa": {"enabled": False}},
    "single_replica_embedded": {
        "replicaCount": 1,
        "opa": {"enabled": False},
        "redis": {"enabled": False},
        "podDisruptionBudget": {"enabled": False},
    },
    "external_redis_existing_secret": {
        "externalRedis": {"url": "", "existingSecret": "redis-creds", "existingSecretKey": "url"}
    },
    "ingress_and_servicemonitor": {
        "ingress": {
            "enabled": True,
            "className": "nginx",
            "hosts": [{"host": "gw.example.com", "paths": [{"path": "/", "pathType": "Prefix"}]}],
            "tls": [{"hosts": ["gw.example.com"], "secretName": "gw-tls"}],
        },
        "metrics": {"serviceMonitor": {"enabled": True, "labels": {"release": "prom"}}},
    },
    "autoscaling": {
        "autoscaling": {
            "enabled": True,
            "minReplicas": 2,
            "maxReplicas": 6,
            "targetMemoryUtilizationPercentage": 80,
        },
        "podDisruptionBudget": {"maxUnavailable": None, "minAvailable": 1},
    },
    "existing_secret": {"secret": {"existingSecret": "keepgate-creds"}},
    "pii_patterns_only": {"pii": {"nlpModel": "none"}},
    "workers_and_metrics_port": {
        "workers": "auto",
        "metrics": {"port": 9464, "token": "scrape-token", "serviceMonitor": {"enabled": True}},
        "networkPolicy": {
            "metricsFrom": [
                {
                    "namespaceSelector": {
                        "matchLabels": {"kubernetes.io/metadata.name": "monitoring"}
                    }
                }
            ]
        },
    },
    "egress_restricted": {
        "networkPolicy": {
            "allowedFrom": [{"namespaceSelector": {"matchLabels": {"team": "agents"}}}],
            "egress": {"restrict": True, "extra": [{"to": [{"ipBlock": {"cidr": "10.0.0.0/8"}}]}]},
        }
    },
    "full_config": {
        "secret": {
            "masterKey": "sk-master-test",
            "env": {"OPENAI_API_KEY": "sk-upstream", "FILES_MCP_TOKEN": "tok-files"},
        },
        "rules": {"extraPacks": {"company.yaml": COMPANY_PACK}},
        "config": {
            "model_list": [
                {
                    "model_name": "gpt-4o-mini",
                    "litellm_params": {
                        "model": "openai/gpt-4o-mini",
                        "api_key": "os.environ/OPENAI_API_KEY",
                    },
                }
            ],
            "keys": [
                {
                    "key_id": "alice",
                    "role": "developer",
                    "team": "t1",
                    "key_hash": "sha256:" + "ab" * 32,
                    "limits": {"requests_per_minute": 60, "budget_usd": 5},
                }
            ],
            "teams": [{"team": "t1", "limits": {"usd_per_day": 20}}],
            "general_settings": {"log_level": "DEBUG", "num_retries": 1},
            "guards": {
                "pii": {"enabled": True, "operators": {"EMAIL_ADDRESS": "mask"}},
                "policy": {"fail_open": False, "on_deny": "reject"},
                "input": {"mode": "monitor"},
                "limits": {"defaults": {"requests_per_minute": 600}},
            },
            "mcp_servers": {
                "files": {
                    "url": "https://files-mcp.internal/mcp",
                    "roles": ["developer"],
                    "headers": {"Authorization": "Bearer os.environ/FILES_MCP_TOKEN"},
                },
                "local": {"command": "keepgate", "args": ["mcp", "demo-server", "--stdio"]},
            },
            "mcp": {"calls_per_minute": 60},
        },
    },
}
