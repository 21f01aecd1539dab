"""Red team round 4 (2026-12-07): ids in a route's path were repeated in its 404 message as
written (`/v1/responses/jane.doe@example.com` → "Response with id 'jane.doe@…' not
found"): messages reach the client, the log and the audit line unscrubbed, so they repeat a
value only when it looks like a name (`keepgate/echo.py`), as the body's values do since
round 3. Real HTTP, the official SDK where it can send the request."""

from __future__ import annotations

import openai
import pytest

from tests.conftest import Gateway

PII = "jane.doe@example.com"


@pytest.fixture
def gw(gateway_factory) -> Gateway:  # type: ignore[no-untyped-def]
    return gateway_factory(real_http=True)


def test_an_id_in_the_path_is_not_echoed_unless_it_looks_like_a_name(gw: Gateway) -> None:
    client = gw.client()
    messages: list[str] = []
    with pytest.raises(openai.NotFoundError) as err:
        client.responses.retrieve(PII)
    messages.append(err.value.message)
    with pytest.raises(openai.NotFoundError) as err:
        client.models.retrieve(PII)
    messages.append(err.value.message)
    for path in (f"/v1/approvals/{PII}", f"/v1/mcp/approvals/{PII}"):
        r = gw.http.get(path, headers={"authorization": f"Bearer {gw.master_key}"})
        assert r.status_code == 404
        messages.append(r.json()["error"]["message"])
    assert all(
        "jane" not in m and "(a string of 20 characters, not shown)" in m for m in messages
    ), messages
    with pytest.raises(openai.NotFoundError) as err:
        client.responses.retrieve("resp_abc")
    assert "'resp_abc'" in err.value.message  # an id that looks like one is still named
