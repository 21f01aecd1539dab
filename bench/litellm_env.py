"""A separate virtualenv for LiteLLM Proxy, so the gateway's own dependency list stays short.

`python -m bench` creates `.venv-bench/` (gitignored) on first use. It first asks pip for
`litellm[proxy]` at the version the gateway already uses; where that extra cannot be
resolved (some indexes lack its `litellm-proxy` meta-package), it installs litellm plus
the proxy server's runtime dependencies by name.
"""

from __future__ import annotations

import subprocess
import sys
import venv
from importlib import metadata
from pathlib import Path

from bench.targets import REPO

DEFAULT_DIR = REPO / ".venv-bench"

#: What `litellm --config` imports at start-up, when `litellm[proxy]` cannot be resolved.
PROXY_DEPS = (
    "uvicorn[standard]",
    "fastapi",
    "gunicorn",
    "backoff",
    "pyyaml",
    "rq",
    "orjson",
    "hiredis",
    "apscheduler",
    "fastapi-sso",
    "pyjwt",
    "python-multipart",
    "cryptography",
    "pynacl",
    "websockets<16",
    "boto3",
    "mcp",
    "semver",
    "restrictedpython",
    "expression",
    "backports-zstd",
    "tomlkit",
    "inquirerpy",
    "soundfile",
    "litellm-proxy-extras",
    "litellm-enterprise",
    "rich",
)


def python_of(env_dir: Path) -> Path:
    return env_dir / "bin" / "python"


def _works(py: Path) -> bool:
    if not py.exists():
        return False
    probe = "import litellm.proxy.proxy_server"
    return (
        subprocess.run(
            [str(py), "-c", probe],
            capture_output=True,
            timeout=180,
            env={"LITELLM_LOCAL_MODEL_COST_MAP": "True", "PATH": "/usr/bin:/bin"},
        ).returncode
        == 0
    )


def ensure(env_dir: Path = DEFAULT_DIR, log=print) -> Path:
    """Return the venv's python with LiteLLM Proxy importable, creating the venv if needed."""
    py = python_of(env_dir)
    if _works(py):
        return py
    log(f"creating {env_dir} with LiteLLM Proxy (one-off, a few minutes)...")
    if not py.exists():
        venv.EnvBuilder(with_pip=True).create(env_dir)
    version = metadata.version("litellm")
    pip = [str(py), "-m", "pip", "install", "-q"]
    if subprocess.run([*pip, f"litellm[proxy]=={version}"]).returncode != 0:
        log("litellm[proxy] did not resolve; installing the proxy's dependencies by name")
        subprocess.run([*pip, f"litellm=={version}", *PROXY_DEPS], check=True)
    if not _works(py):
        raise RuntimeError(f"LiteLLM Proxy does not import in {env_dir}; see pip's output")
    return py


if __name__ == "__main__":
    print(ensure(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DIR))
