"""`facts.taint_sources` and `facts.tools_called` on the MCP route: the history's untrusted
outputs and the calls made are written out for a policy that reads them (the shipped one
does not, so they are left out for it: tests/policy/test_sliding_index.py checks its
decisions are the same either way)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Gateway
from tests.mcp.conftest import KEYS, connect, keepgate_meta, mcp_config, start_gateway

#: Denies a call once the session has seen an untrusted output, naming its tool and index
#: and the calls made before.
POLICY = """package toolcall.main
import rego.v1

untrusted := [s | some s in input.facts.taint_sources; s.source == "untrusted_tool"]

default decision := {"allow": true}

decision := {"allow": false, "deny": [sprintf("seen.untrusted: %s at %d after %v", [s.tool, s.message_index, input.facts.tools_called])]} if {
\tcount(untrusted) > 0
\ts := untrusted[count(untrusted) - 1]
}
"""


@pytest.fixture(scope="module")
def reading_gateway(
    fake_model_url: str,
    demo_upstream: Any,
    lab: Any,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Gateway]:
    tmp = tmp_path_factory.mktemp("mcp-taint-sources")
    policies = tmp / "policies"
    policies.mkdir()
    (policies / "main.rego").write_text(POLICY, encoding="utf-8")
    cfg = mcp_config(
        demo_upstream.url,
        lab[1].url,
        guards={"policy": {"policy_dirs": [str(policies)], "hot_reload": False}},
    )
    gw = start_gateway(fake_model_url, tmp, cfg)
    yield gw
    gw.stop()


async def test_a_policy_that_reads_the_taint_sources_gets_the_untrusted_outputs(
    reading_gateway: Gateway,
) -> None:
    gw = reading_gateway
    url = gw.url + "/mcp/lab"
    async with connect(url, KEYS["dev"], "reads-sources") as c:
        first = await c.call_tool("get_weather", {"city": "Oslo"})
        assert not first.is_error and "Sunny in" in first.content[0].text
        # The history now holds the call (message 0) and its untrusted output (message 1).
        second = await c.call_tool("get_weather", {"city": "Rome"})
        assert second.is_error
        meta = keepgate_meta(second)
        assert meta["decision"] == "deny" and meta["reasons"] == ["seen.untrusted"]
        assert (
            'blocked by policy: get_weather at 1 after ["get_weather"].' in second.content[0].text
        )
    async with connect(url, KEYS["dev"], "another-session") as c:
        fresh = await c.call_tool("get_weather", {"city": "Lima"})
        assert not fresh.is_error


def test_the_policy_here_reads_them_and_the_shipped_one_does_not(tmp_path: Path) -> None:
    from keepgate.policy.bundle import DEFAULT_POLICY_DIR, load_bundle
    from keepgate.policy.embedded import EmbeddedEngine

    shipped = EmbeddedEngine(load_bundle([DEFAULT_POLICY_DIR]))
    assert not shipped.may_read(("facts", "taint_sources"))
    assert not shipped.may_read(("facts", "tools_called"))
    policies = tmp_path / "p"
    policies.mkdir()
    (policies / "main.rego").write_text(POLICY, encoding="utf-8")
    here = EmbeddedEngine(load_bundle([policies]))
    assert here.may_read(("facts", "taint_sources")) and here.may_read(("facts", "tools_called"))
