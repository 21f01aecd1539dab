"""Red team round 5b (2026-12-07): an MCP approval is bound to the key and the session that
were held. Round 5 found no hole by reading the code; this makes it a test, over real HTTP
with the official MCP client: a call approved for key A in session A does not run when the
same call (same tool, same arguments) comes from session B of key A, nor from key B in a
session of the same name; each is held with an approval of its own, and the approved call
still runs once where it was held."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.mcp.conftest import KEYS, connect, keepgate_meta

ARGS = {"to": "erin@example.org", "subject": "crossed", "body": "the numbers"}
INVOICE = {"path": "/srv/data/vendor_invoice.txt"}  # an untrusted output: taints the session


def _sent(outbox: Path) -> int:
    return len(outbox.read_text().splitlines()) if outbox.exists() else 0


async def _held(url: str, key: str, session: str) -> str:
    """Taint `session` of `key`, call send_email: held; its approval id."""
    async with connect(url, key, session) as c:
        await c.call_tool("read_file", INVOICE)
        held = await c.call_tool("send_email", ARGS)
    meta = keepgate_meta(held)
    assert held.is_error and meta["code"] == "approval_required", meta
    return str(meta["approval_id"])


async def test_an_approval_runs_only_for_its_own_key_and_session(
    mcp_gateway: Any, outbox: Path
) -> None:
    url = mcp_gateway.url + "/mcp/demo"
    approved = await _held(url, KEYS["user"], "xs-a")
    decided = mcp_gateway.http.post(
        f"/v1/mcp/approvals/{approved}",
        json={"decision": "approve"},
        headers={"Authorization": f"Bearer {mcp_gateway.master_key}"},
        timeout=30,
    )
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
    before = _sent(outbox)

    # The same call from another session of the same key, then from another key in a
    # session of the same name: held anew, never run on the approval of the first.
    other_session = await _held(url, KEYS["user"], "xs-b")
    other_key = await _held(url, KEYS["dev"], "xs-a")
    assert len({approved, other_session, other_key}) == 3
    assert _sent(outbox) == before

    # The other key cannot decide the first approval either (not found for it).
    refused = mcp_gateway.http.post(
        f"/v1/mcp/approvals/{approved}",
        json={"decision": "deny"},
        headers={"Authorization": f"Bearer {KEYS['dev']}"},
        timeout=30,
    )
    assert refused.status_code == 404

    # Where it was held, the approved call runs, once.
    async with connect(url, KEYS["user"], "xs-a") as c:
        done = await c.call_tool("send_email", ARGS)
        assert not done.is_error, done.content[0].text  # type: ignore[union-attr]
        again = await c.call_tool("send_email", ARGS)
    assert keepgate_meta(again)["code"] == "approval_required"
    assert _sent(outbox) == before + 1
    assert json.loads(outbox.read_text().splitlines()[-1])["to"] == ARGS["to"]
