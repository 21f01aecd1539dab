"""The demo (no config: the built-in fake model, every guard on) answers Responses and
Messages clients too, as docs/proxy.md shows."""

from __future__ import annotations

import anthropic

from keepgate.app import create_app
from keepgate.config.load import load_config
from tests import tls
from tests.servers import ThreadServer


def test_demo_serves_both_routes_with_every_guard(tmp_path, monkeypatch):
    # The demo's files (its MCP store `keepgate-mcp.db`, held alone by one process) go in a
    # directory of the test's own: in the checkout, a `keepgate serve` the developer left
    # running there holds the same file and this gateway refused to start.
    monkeypatch.chdir(tmp_path)
    config = load_config(None, environ={"KEEPGATE_MASTER_KEY": "sk-demo-master-0123"})
    server = ThreadServer(create_app(config)).start()
    try:
        claude = anthropic.Anthropic(
            base_url=server.url, api_key="sk-demo-master-0123", max_retries=0
        )
        msg = claude.messages.create(
            model="demo",
            max_tokens=200,
            messages=[{"role": "user", "content": "Mail me at jane.doe@example.com"}],
        )
        assert msg.content[0].text == "Mail me at <EMAIL_ADDRESS>"
        oa = tls.openai_client(
            base_url=server.url + "/v1", api_key="sk-demo-master-0123", max_retries=0
        )
        r = oa.responses.create(model="demo", input="hello", instructions="Be brief.")
        r2 = oa.responses.create(
            model="demo", input="call +1 415 555 0134", previous_response_id=r.id
        )
        assert r2.output_text == "call <PHONE_NUMBER>"
        with oa.responses.stream(model="demo", input="stream me") as s:
            kinds = [e.type for e in s]
        assert kinds[0] == "response.created" and kinds[-1] == "response.completed"
    finally:
        server.stop()
