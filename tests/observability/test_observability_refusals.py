"""Every refusal is in the audit log and in `keepgate_requests_total{status, code}`; `/metrics`
can be closed with a token or moved to its own port; `/readyz` shows no file paths."""

from __future__ import annotations

import hashlib

import anthropic
import httpx
import openai
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.servers import free_port

ALICE = "sk-refusals-alice-0001"
WRONG = "sk-refusals-not-a-key-42"


def _requests_total(text: str) -> dict[tuple[str, str, str], float]:
    """(route, status, code) -> count, from keepgate_requests_total."""
    out: dict[tuple[str, str, str], float] = {}
    for fam in text_string_to_metric_families(text):
        if fam.name == "keepgate_requests":
            for s in fam.samples:
                if s.name.endswith("_total"):
                    k = (s.labels["route"], s.labels["status"], s.labels["code"])
                    out[k] = out.get(k, 0) + s.value
    return out


@pytest.fixture
def gw(gateway_factory):
    return gateway_factory(
        {
            "keys": [
                {
                    "key_id": "alice",
                    "key": ALICE,
                    "role": "dev",
                    "models": ["demo"],
                    "limits": {"requests_per_minute": 1},
                }
            ],
            "guards": {"limits": {"enabled": True}},
            "general_settings": {"max_body_bytes": 4096},
        }
    )


def test_every_refusal_is_audited_and_counted(gw):
    alice = gw.client(ALICE)
    with pytest.raises(openai.AuthenticationError):  # 401: wrong key
        gw.client(WRONG).chat.completions.create(
            model="demo", messages=[{"role": "user", "content": "x"}]
        )
    nokey = gw.http.get("/v1/models")  # 401: no key at all
    assert nokey.status_code == 401
    admin = gw.http.get(
        "/admin/keys/alice/usage",  # 403: an admin route
        headers={"authorization": f"Bearer {ALICE}"},
    )
    assert admin.status_code == 403
    with pytest.raises(openai.NotFoundError):  # 404: model not allowed
        alice.embeddings.create(model="demo-embedding", input="x")
    with pytest.raises(openai.BadRequestError):  # 400: validation
        alice.chat.completions.create(model="demo", messages=[])
    with pytest.raises(openai.APIStatusError) as big:  # 413: body too large
        alice.chat.completions.create(
            model="demo", messages=[{"role": "user", "content": "y" * 8000}]
        )
    assert big.value.status_code == 413
    alice.chat.completions.create(model="demo", messages=[{"role": "user", "content": "ok"}])
    with pytest.raises(openai.RateLimitError):  # 429: the 2nd of the minute
        alice.chat.completions.create(model="demo", messages=[{"role": "user", "content": "x"}])
    with pytest.raises(openai.NotFoundError):  # 404: unknown route
        alice.get("/no/such/route", cast_to=object)

    counts = _requests_total(gw.http.get("/metrics").text)
    for route, status, code in [
        ("chat.completions", "401", "invalid_api_key"),
        ("models", "401", "invalid_api_key"),
        ("admin.keys.{key_id}.usage", "403", "admin_only"),
        ("embeddings", "404", "model_not_found"),
        ("chat.completions", "400", "invalid_value"),
        ("chat.completions", "413", "request_too_large"),
        ("chat.completions", "429", "rate_limit_exceeded"),
        ("unmatched", "404", "unknown_route"),
    ]:
        assert counts.get((route, status, code)) == 1, (route, status, code, counts)
    assert counts.get(("chat.completions", "200", "")) == 1

    lines = gw.audit_lines()
    refusals = [r for r in lines if r.get("event") == "refusal"]
    by_status: dict[int, list[dict]] = {}
    for r in refusals:
        by_status.setdefault(r["http_status"], []).append(r)
    assert sorted(by_status) == [400, 401, 403, 404, 413]
    assert len(by_status[401]) == 2 and len(by_status[404]) == 2
    wrong = next(r for r in by_status[401] if "key_hash_prefix" in r)
    assert wrong["key_hash_prefix"] == hashlib.sha256(WRONG.encode()).hexdigest()[:12]
    text = gw.audit_path.read_text()
    assert WRONG not in text and ALICE not in text
    assert hashlib.sha256(WRONG.encode()).hexdigest() not in text  # only the prefix
    for r in by_status[403] + by_status[404] + by_status[400] + by_status[413]:
        assert r["key_id"] == "alice" and r["code"] and r["request_id"]
    # The 429 went through the limits guard, which wrote its own record (not a duplicate).
    limited = [r for r in lines if r.get("http_status") == 429]
    assert len(limited) == 1 and limited[0]["key_id"] == "alice"
    assert limited[0]["verdicts"][0]["guard"] == "limits"


def test_anthropic_route_refusals_are_counted(gw):
    client = gw.anthropic_client(WRONG)
    with pytest.raises(anthropic.AuthenticationError):
        client.messages.create(
            model="demo", max_tokens=5, messages=[{"role": "user", "content": "x"}]
        )
    counts = _requests_total(gw.http.get("/metrics").text)
    assert counts.get(("messages", "401", "invalid_api_key")) == 1, counts


def test_metrics_token(gateway_factory, monkeypatch):
    monkeypatch.setenv("KG_TEST_METRICS_TOKEN", "scrape-secret-123")
    gw = gateway_factory({"observability": {"metrics_token": "os.environ/KG_TEST_METRICS_TOKEN"}})
    assert gw.http.get("/metrics").status_code == 401
    bad = gw.http.get("/metrics", headers={"authorization": "Bearer nope"})
    assert bad.status_code == 401 and bad.json()["error"]["code"] == "invalid_metrics_token"
    ok = gw.http.get("/metrics", headers={"authorization": "Bearer scrape-secret-123"})
    assert ok.status_code == 200 and "keepgate_requests_total" in ok.text
    # The refused scrapes are refusals like any other.
    assert _requests_total(ok.text).get(("metrics", "401", "invalid_metrics_token")) == 2


def test_metrics_token_named_but_unset_stops_start_up(gateway_factory, monkeypatch):
    from keepgate.config.load import ConfigError

    monkeypatch.delenv("KG_TEST_METRICS_UNSET", raising=False)
    with pytest.raises(ConfigError, match="metrics_token"):
        gateway_factory({"observability": {"metrics_token": "os.environ/KG_TEST_METRICS_UNSET"}})


def test_an_unset_secret_fails_before_any_guard_is_built(gateway_factory, monkeypatch):
    """Each `keepgate serve --workers N` process would otherwise load every guard's models
    and rules (seconds) before failing on a missing environment variable."""
    import keepgate.app
    from keepgate.config.load import ConfigError

    def never(*args: object, **kw: object) -> None:
        raise AssertionError("guards were built before the secrets were checked")

    monkeypatch.setattr(keepgate.app, "build_guards", never)
    monkeypatch.delenv("KG_TEST_METRICS_UNSET", raising=False)
    with pytest.raises(ConfigError, match="metrics_token"):
        gateway_factory({"observability": {"metrics_token": "os.environ/KG_TEST_METRICS_UNSET"}})


def test_metrics_on_their_own_port(gateway_factory):
    port = free_port()
    gw = gateway_factory({"observability": {"metrics_port": port}})
    gw.client().chat.completions.create(model="demo", messages=[{"role": "user", "content": "m"}])
    assert gw.http.get("/metrics").status_code == 404  # not on the API port
    text = httpx.get(f"http://127.0.0.1:{port}/metrics").text
    assert _requests_total(text).get(("chat.completions", "200", "")) == 1
    assert httpx.get(f"http://127.0.0.1:{port}/v1/models").status_code == 404  # metrics only


def test_readyz_shows_no_paths(gateway_factory, tmp_path):
    gw = gateway_factory(
        {
            "guards": {"policy": {"enabled": True}},
            "agent": {"checkpoints": {"path": str(tmp_path / "runs.db")}},
        }
    )
    body = gw.http.get("/readyz")
    assert body.status_code == 200 and body.json()["status"] == "ready"
    assert str(tmp_path) not in body.text and "/" not in body.text.replace("N/A", "")
    assert body.json()["checks"]["config"] == {"ok": True, "state": "ok", "detail": "loaded"}
