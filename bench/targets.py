"""What the benchmark measures: each target is a server process (or two) in front of the fake model.

Every target runs in its own process, started and stopped here, one at a time, so they never
compete for the two cores. CPU and RSS are read from the target's processes (the fake model
is excluded except for `direct`, which *is* the fake model).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import yaml

from keepgate.auth.keys import hash_key

REPO = Path(__file__).resolve().parent.parent
MASTER = "sk-bench-master-0123456789"
USER_KEY = "sk-bench-user-0123456789"


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    def processes(self) -> list[Any]:
        import psutil  # the `bench` extra; imported here so tests of the rest need not have it

        try:
            p = psutil.Process(self.popen.pid)
            return [p, *p.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(10)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(5)


@dataclass
class Target:
    """One thing under load. `procs` are charged for CPU and memory."""

    name: str
    label: str
    url: str  # chat completions URL
    key: str
    procs: list[Proc] = field(default_factory=list)

    def route_url(self, path: str) -> str:
        """The URL of another /v1 route on this target (`url` is chat completions')."""
        return self.url.rsplit("/chat/completions", 1)[0] + path

    def cpu_seconds(self) -> float:
        import psutil

        total = 0.0
        for proc in self.procs:
            for p in proc.processes():
                try:
                    t = p.cpu_times()
                    total += t.user + t.system
                except psutil.NoSuchProcess:
                    pass
        return total

    def rss_mb(self) -> float:
        import psutil

        total = 0
        for proc in self.procs:
            for p in proc.processes():
                try:
                    total += p.memory_info().rss
                except psutil.NoSuchProcess:
                    pass
        return total / 2**20

    def stop(self) -> None:
        for proc in reversed(self.procs):
            proc.stop()


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "LITELLM_LOCAL_MODEL_COST_MAP": "True",
            "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS": "",
            "PYTHONUNBUFFERED": "1",
            "PYTHONPATH": str(REPO),
        },
        **extra,
    )
    return env


def spawn(
    name: str,
    argv: list[str],
    workdir: Path,
    ready_url: str,
    timeout: float = 90,
    env: dict[str, str] | None = None,
) -> Proc:
    """Start a server and wait until `ready_url` answers 200 (or fail with its log tail)."""
    log = workdir / f"{name}.log"
    fh = open(log, "wb")  # the child owns it
    popen = subprocess.Popen(
        argv,
        cwd=workdir,
        stdout=fh,
        stderr=subprocess.STDOUT,
        env=env or _env(),
        start_new_session=True,
    )
    proc = Proc(name, popen, log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if popen.poll() is not None:
            break
        try:
            if httpx.get(ready_url, timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.stop()
    tail = log.read_text(errors="replace")[-2000:]
    raise RuntimeError(f"{name} did not start ({ready_url}); log tail:\n{tail}")


def start_fake_model(workdir: Path, name: str = "fake-model") -> Target:
    port = _free_port()
    proc = spawn(
        name,
        [sys.executable, "-m", "keepgate.cli", "fake-model", "--port", str(port)],
        workdir,
        f"http://127.0.0.1:{port}/v1/models",
    )
    return Target(
        "direct",
        "fake model (direct)",
        f"http://127.0.0.1:{port}/v1/chat/completions",
        "none",
        [proc],
    )


def start_lean_upstream(workdir: Path) -> Target:
    """bench/lean_upstream.py: a canned streamed answer for next to no CPU."""
    port = _free_port()
    proc = spawn(
        "lean-upstream",
        [sys.executable, "-m", "bench.lean_upstream", str(port)],
        workdir,
        f"http://127.0.0.1:{port}/v1/models",
    )
    return Target(
        "lean",
        "lean upstream (canned answer)",
        f"http://127.0.0.1:{port}/v1/chat/completions",
        "none",
        [proc],
    )


def start_passthrough(workdir: Path, upstream: str) -> Target:
    """bench/passthrough.py in front of `upstream` (the fake model's chat URL)."""
    port = _free_port()
    proc = spawn(
        "passthrough",
        [sys.executable, "-m", "bench.passthrough", upstream, str(port)],
        workdir,
        f"http://127.0.0.1:{port}/v1/models",
    )
    return Target(
        "passthrough",
        "bare pass-through",
        f"http://127.0.0.1:{port}/v1/chat/completions",
        "none",
        [proc],
    )


def keepgate_config(fake_base: str, guards_on: bool, audit: Path) -> dict[str, Any]:
    key_hash = "sha256:" + hash_key(USER_KEY)
    cfg: dict[str, Any] = {
        # `demo` speaks chat only (Responses and Messages requests are translated); the
        # other two pass those through to the fake model's own Responses / Messages routes.
        "model_list": [
            {
                "model_name": name,
                "litellm_params": {"model": model, "api_base": fake_base, **extra},
                "model_info": {"input_cost_per_token": 1e-6, "output_cost_per_token": 2e-6},
            }
            for name, model, extra in (
                ("demo", "openai/demo", {}),
                ("demo-responses", "openai/demo", {"api": "responses"}),
                ("claude-demo", "anthropic/demo", {}),
            )
        ],
        "general_settings": {
            "master_key": MASTER,
            "audit_log": str(audit),
            "log_level": "WARNING",
            "num_retries": 0,
        },
        # Limits high enough never to refuse, so the guard does its full work on every call.
        "keys": [
            {
                "key_id": "bench",
                "key_hash": key_hash,
                "role": "user",
                "limits": {
                    "requests_per_minute": 10**9,
                    "tokens_per_minute": 10**12,
                    "usd_per_day": 10**9,
                },
            }
        ],
    }
    if not guards_on:
        cfg["guards"] = {n: {"enabled": False} for n in ("limits", "input", "pii", "policy")}
    return cfg


def start_keepgate(workdir: Path, fake_base: str, guards_on: bool) -> Target:
    name = "keepgate-on" if guards_on else "keepgate-off"
    path = workdir / f"{name}.yaml"
    path.write_text(
        yaml.safe_dump(keepgate_config(fake_base, guards_on, workdir / f"{name}-audit.jsonl"))
    )
    port = _free_port()
    proc = spawn(
        name,
        [sys.executable, "-m", "keepgate.cli", "serve", "--config", str(path), "--port", str(port)],
        workdir,
        f"http://127.0.0.1:{port}/healthz",
    )
    label = "Keepgate, all guards on" if guards_on else "Keepgate, guards off"
    return Target(name, label, f"http://127.0.0.1:{port}/v1/chat/completions", USER_KEY, [proc])


def litellm_config(fake_base: str, presidio: str | None) -> dict[str, Any]:
    cfg: dict[str, Any] = {
        "model_list": [
            {
                "model_name": "demo",
                "litellm_params": {
                    "model": "openai/demo",
                    "api_base": fake_base,
                    "api_key": "fake",
                },
            }
        ],
        "general_settings": {"master_key": MASTER},
        "litellm_settings": {"telemetry": False, "turn_off_message_logging": True},
    }
    if presidio:
        cfg["guardrails"] = [
            # Its offline prompt-injection guardrail: the built-in keyword/regex content filter.
            {
                "guardrail_name": "injection",
                "litellm_params": {
                    "guardrail": "litellm_content_filter",
                    "mode": "pre_call",
                    "default_on": True,
                    "categories": [
                        {"category": c, "enabled": True, "action": "BLOCK"}
                        for c in (
                            "prompt_injection_jailbreak",
                            "prompt_injection_system_prompt",
                            "prompt_injection_data_exfiltration",
                        )
                    ],
                },
            },
            # Its Presidio guardrail, masking PII in the answer (streamed or not).
            {
                "guardrail_name": "pii",
                "litellm_params": {
                    "guardrail": "presidio",
                    "mode": "post_call",
                    "default_on": True,
                    "apply_to_output": True,
                    "presidio_analyzer_api_base": presidio,
                    "presidio_anonymizer_api_base": presidio,
                },
            },
        ]
    return cfg


def start_litellm(workdir: Path, fake_base: str, python: Path, guardrails: bool) -> Target:
    name = "litellm-guarded" if guardrails else "litellm-plain"
    procs: list[Proc] = []
    presidio = None
    if guardrails:
        pport = _free_port()
        procs.append(
            spawn(
                "presidio-api",
                [sys.executable, "-m", "bench.presidio_api", str(pport)],
                workdir,
                f"http://127.0.0.1:{pport}/health",
            )
        )
        presidio = f"http://127.0.0.1:{pport}"
    path = workdir / f"{name}.yaml"
    path.write_text(yaml.safe_dump(litellm_config(fake_base, presidio)))
    port = _free_port()
    env = _env(LITELLM_LOG="ERROR")
    env.pop("PYTHONPATH")  # its own venv, nothing of ours
    try:
        procs.insert(
            0,
            spawn(
                name,
                [
                    str(python),
                    "-m",
                    "litellm.proxy.proxy_cli",
                    "--config",
                    str(path),
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--num_workers",
                    "1",
                ],
                workdir,
                f"http://127.0.0.1:{port}/health/liveliness",
                env=env,
            ),
        )
    except Exception:
        for p in procs:
            p.stop()
        raise
    label = "LiteLLM, guardrails on" if guardrails else "LiteLLM, no guardrails"
    return Target(name, label, f"http://127.0.0.1:{port}/v1/chat/completions", MASTER, procs)
