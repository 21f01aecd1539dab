"""The benchmark's parts: the load generator against the real fake model, the ratio maths, the CLI."""

from __future__ import annotations

import subprocess
import sys

from bench import report, scenarios
from bench.load import Spec, run
from bench.runner import Point, _answer
from tests.conftest import REPO


async def test_load_generator_counts_requests_and_first_tokens(fake_model_url):
    url = fake_model_url + "/chat/completions"
    for sc in (scenarios.Scenario("short", False), scenarios.Scenario("long", True)):
        res = await run(
            Spec(url=url, key="none", body=sc.body(), concurrency=2, duration=0.3, warmup=0.05)
        )
        assert res["n"] > 0 and res["errors"] == 0
        assert 0 < res["p50"] <= res["p99"]
        assert res["rps"] > 0
        if sc.stream:
            assert 0 < res["ttft_p50"] <= res["p99"]
            assert res["mean_bytes"] > len(scenarios.LONG)  # the echoed answer came back


async def test_load_generator_counts_refusals_as_errors(fake_model_url):
    body = {**scenarios.Scenario("short", False).body(), "fake": {"error": 500}}
    res = await run(
        Spec(
            url=fake_model_url + "/chat/completions",
            key="none",
            body=body,
            concurrency=1,
            duration=0.2,
            warmup=0.0,
        )
    )
    assert res["n"] == 0 and res["errors"] > 0


def _pt(target: str, c: int, rps: float, p50: float) -> Point:
    return Point(target, "short/json", c, 100, 0, rps, p50, p50 * 2, None, 0.5, 80.0)


def test_summary_ratios_against_direct_and_litellm():
    points = [
        _pt("direct", 1, 1000, 0.001),
        _pt("direct", 8, 4000, 0.002),
        _pt("keepgate-on", 1, 500, 0.002),
        _pt("keepgate-on", 8, 1200, 0.006),
        _pt("litellm-guarded", 1, 40, 0.025),
        _pt("litellm-guarded", 8, 300, 0.03),
    ]
    labels = {"direct": "d", "keepgate-on": "k", "litellm-guarded": "l"}
    rows = {r["target"]: r for r in report.summarise(points, labels)}
    k = rows["keepgate-on"]
    assert k["peak_rps"] == 1200 and k["peak_concurrency"] == 8
    assert abs(k["x_direct"] - 0.3) < 1e-9 and abs(k["x_litellm"] - 4.0) < 1e-9
    assert abs(k["added_p50"] - 0.001) < 1e-9 and abs(k["added_p99"] - 0.002) < 1e-9
    assert "x_litellm" not in rows["litellm-guarded"] and "added_p50" not in rows["direct"]


def test_answer_text_is_joined_across_sse_chunks():
    raw = (
        'data: {"choices":[{"delta":{"content":"maria.jensen@exa"}}]}\n\n'
        'data: {"choices":[{"delta":{"content":"mple.org"}}]}\n\ndata: [DONE]\n\n'
    )
    assert _answer(raw, True) == scenarios.PII_MARK


def test_keepgate_bench_is_registered_in_the_cli():
    out = subprocess.run(
        [sys.executable, "-m", "keepgate.cli", "bench", "--help"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert "--quick" in out.stdout and "LiteLLM" in out.stdout
