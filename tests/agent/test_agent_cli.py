"""`keepgate agent "task"` against a real gateway, events rendered, approvals answered."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from keepgate.cli import _register_lazy, app
from tests.agent.agent_support import DEV, agent_config, call, fake


def _invoice_then_email(gw, task: str, reply: str, on_approval: str) -> str:
    """The agent reads the injected invoice, then asks to e-mail bob; returns the CLI output."""
    _register_lazy()
    script = fake(
        {"tool_calls": [call("read_file", "r1", path="/srv/data/vendor_invoice.txt")]},
        {"tool_calls": [call("send_email", "e1", to="bob@example.com", subject="s", body="b")]},
        {"reply": reply},
    )
    result = CliRunner().invoke(
        app,
        [
            "agent",
            task,
            "--url",
            gw.url,
            "--key",
            DEV,
            "--on-approval",
            on_approval,
            "--model-params",
            json.dumps(script),
        ],
    )
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.real_http  # the CLI is a separate HTTP client
def test_cli_renders_a_run_and_answers_the_approval(gateway_factory, tmp_path):
    gw = gateway_factory(agent_config(tmp_path))
    out = _invoice_then_email(gw, "Summarise the invoice", "Nothing was sent.", "deny")
    assert "result withheld" in out and "override.ignore_previous" in out
    assert "approval required for send_email" in out
    assert "denied_by_approver" in out
    assert out.rstrip().endswith("Nothing was sent.")
    assert not (tmp_path / "outbox.jsonl").exists()


def test_cli_reports_an_unreachable_gateway():
    _register_lazy()
    result = CliRunner().invoke(app, ["agent", "x", "--url", "http://127.0.0.1:9", "--key", "k"])
    assert result.exit_code == 1 and "cannot reach the gateway" in result.output


@pytest.mark.real_http
def test_cli_shows_only_scrubbed_text_while_the_tool_gets_the_real_address(
    gateway_factory, tmp_path
):
    gw = gateway_factory(agent_config(tmp_path, extra_guards={"pii": {"enabled": True}}))
    out = _invoice_then_email(gw, "Forward the invoice", "Sent to bob@example.com.", "approve")
    assert "approval required for send_email" in out and "<EMAIL_ADDRESS>" in out
    assert "bob@example.com" not in out
    assert out.rstrip().endswith("Sent to <EMAIL_ADDRESS>.")
    sent = json.loads((tmp_path / "outbox.jsonl").read_text())
    assert sent["to"] == "bob@example.com"
