"""The OpenAI Agents SDK runs a two-tool agent through the gateway with its default model
class (the Responses API), changed only in base_url and key; tracing off (no internet).

The gateway names a deployment after the SDK's default model, so the agent does not even
pick a model. The fake model behind it is scripted, as everywhere in these tests, through
the request's `fake` field, which the SDK sends with `ModelSettings.extra_body`: turn 0 asks
for both tools, turn 1 (once their outputs are in the conversation) answers.
"""

from __future__ import annotations

import json

import pytest
from tests.apis.support import KEYS, PRICES, wait_audit

SCRIPT = {
    "turns": [
        {
            "tool_calls": [
                {"name": "get_weather", "arguments": {"city": "Oslo"}},
                {"name": "search", "arguments": {"query": "Oslo events today"}},
            ]
        },
        {"reply": "Oslo is sunny at 4°C, and the jazz festival opens tonight."},
    ]
}


@pytest.fixture
def agent_gateway(gateway_factory, fake_model_url):
    from agents.models.default_models import get_default_model

    def make(api: str):
        params = {"model": "openai/demo", "api_base": fake_model_url}
        if api == "responses":
            params["api"] = "responses"
        return gateway_factory(
            {
                "model_list": [
                    {
                        "model_name": get_default_model(),
                        "litellm_params": params,
                        "model_info": dict(PRICES),
                    }
                ],
                "keys": KEYS,
                "guards": {
                    "policy": {"enabled": True},
                    "pii": {"enabled": True},
                    "input": {"enabled": True},
                    "limits": {"enabled": True},
                },
            }
        )

    return make


@pytest.mark.parametrize("api", ["chat", "responses"])
async def test_two_tool_agent_runs_through_every_guard(agent_gateway, api):
    # The Agents SDK is imported here, not at collection: seconds of imports that only
    # this file's two tests need (xdist workers that never run them skip the cost).
    from agents import (
        Agent,
        ModelSettings,
        Runner,
        function_tool,
        set_default_openai_api,
        set_default_openai_client,
        set_tracing_disabled,
    )
    from agents.models.openai_provider import OpenAIProvider
    from agents.models.openai_responses import OpenAIResponsesModel

    gw = agent_gateway(api)
    ran: list[tuple[str, str]] = []

    @function_tool
    def get_weather(city: str) -> str:
        """The weather in a city."""
        ran.append(("get_weather", city))
        return json.dumps({"city": city, "sky": "sunny", "celsius": 4})

    @function_tool
    def search(query: str) -> str:
        """Search today's news."""
        ran.append(("search", query))
        return "The Oslo jazz festival opens tonight."

    client = gw.async_client("sk-alice")
    set_tracing_disabled(True)
    set_default_openai_client(client, use_for_tracing=False)
    set_default_openai_api("responses")
    try:
        agent = Agent(
            name="concierge",
            instructions="Answer with the tools.",
            tools=[get_weather, search],
            model_settings=ModelSettings(extra_body={"fake": SCRIPT}),
        )
        result = await Runner.run(agent, "What is on in Oslo today, and the weather?")
        streamed = Runner.run_streamed(agent, "Again, streamed.")
        kinds = [e.type async for e in streamed.stream_events()]
    finally:
        await client.close()
    # The agent named no model: the SDK's default provider gave it its Responses model.
    assert agent.model is None
    assert isinstance(OpenAIProvider().get_model(None), OpenAIResponsesModel)
    # the answer passed the PII guard: its shipped NER redacts the city (tool-call
    # arguments keep their pattern-only entity list, so the tools still got "Oslo")
    reply = SCRIPT["turns"][1]["reply"].replace("Oslo", "<LOCATION>")
    assert result.final_output == reply
    assert streamed.final_output == reply
    assert "raw_response_event" in kinds and "run_item_stream_event" in kinds
    # the SDK may run the two calls of one turn concurrently: their order is its own
    assert sorted(ran) == sorted([("get_weather", "Oslo"), ("search", "Oslo events today")] * 2)
    lines = wait_audit(gw, 4)
    assert [line["route"] for line in lines] == ["responses"] * 4
    policy = [v for line in lines for v in line["verdicts"] if v["guard"] == "policy"]
    assert [(v["detail"]["tool"], v["decision"]) for v in policy] == [
        ("get_weather", "allow"),
        ("search", "allow"),
    ] * 2
    assert all(line["status"] == "ok" and line["cost_usd"] > 0 for line in lines)
