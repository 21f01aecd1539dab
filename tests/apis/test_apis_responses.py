"""`/v1/responses` with the official openai SDK: translated to a chat-only upstream (`demo`)
and passed through to one that speaks Responses (`demo-responses`), streamed and not."""

from __future__ import annotations

import json
import time

import httpx
import openai
import pytest
from pydantic import BaseModel

from tests.apis.support import RESPONSES_MODELS, TOOLS_OPENAI, start, wait_audit


@pytest.fixture
def gw(shared_gw):
    return shared_gw


@pytest.fixture
def fresh(gateway_factory, fake_model_url):
    """A gateway of this test's own (its audit log has only this test's lines)."""
    return start(gateway_factory, fake_model_url)


def fake_stats(fake_model_url: str) -> dict:
    return httpx.get(fake_model_url.rsplit("/v1", 1)[0] + "/_fake/stats").json()


@pytest.mark.parametrize("model", RESPONSES_MODELS)
def test_text_answer_and_usage(gw, model):
    r = gw.client().responses.create(
        model=model, input="hello responses", instructions="Be brief.", metadata={"run": "1"}
    )
    assert r.output_text == "hello responses"
    assert r.status == "completed" and r.model == model and r.object == "response"
    assert r.id.startswith("resp_") and r.instructions == "Be brief."
    assert r.metadata == {"run": "1"}
    assert [o.type for o in r.output] == ["message"]
    assert r.output[0].content[0].type == "output_text"
    assert r.usage.input_tokens > 0 and r.usage.output_tokens > 0
    assert r.usage.total_tokens == r.usage.input_tokens + r.usage.output_tokens


@pytest.mark.parametrize("model", RESPONSES_MODELS)
def test_the_right_upstream_leg_answers(gw, fake_model_url, model):
    before = fake_stats(fake_model_url)["responses"]
    gw.client().responses.create(model=model, input="which leg?")
    native = fake_stats(fake_model_url)["responses"] - before
    assert native == (1 if model == "demo-responses" else 0)


@pytest.mark.parametrize("model", RESPONSES_MODELS)
def test_streamed_events_in_order_with_sequence_numbers(gw, model):
    text = "The quick brown fox jumps over the lazy dog."
    events = list(
        gw.client().responses.create(
            model=model,
            input=text,
            stream=True,
            extra_body={"fake": {"chunk_chars": 4, "delay_ms": 1}},
        )
    )
    kinds = [e.type for e in events]
    assert kinds[:4] == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
    ]
    assert kinds[-4:] == [
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
    ]
    deltas = [e.delta for e in events if e.type == "response.output_text.delta"]
    assert "".join(deltas) == text
    assert [e.sequence_number for e in events] == list(range(len(events)))
    done = events[-1].response
    assert done.output_text == text and done.usage.output_tokens > 0
    assert len({e.response.id for e in events if hasattr(e, "response")}) == 1


@pytest.mark.parametrize("model", RESPONSES_MODELS)
@pytest.mark.parametrize("stream", [False, True])
def test_function_tools_and_output_round_trip(gw, model, stream):
    client = gw.client()
    calls = [
        {"id": "call_w1", "name": "get_weather", "arguments": {"q": "Oslo"}},
        {"id": "call_s1", "name": "search", "arguments": {"q": "news"}},
    ]
    kw = dict(
        model=model,
        input="weather and news?",
        tools=TOOLS_OPENAI,
        tool_choice="auto",
        parallel_tool_calls=True,
        extra_body={"fake": {"tool_calls": calls, "chunk_chars": 3, "delay_ms": 1}},
    )
    if stream:
        events = list(client.responses.create(stream=True, **kw))
        args = {}
        for e in events:
            if e.type == "response.function_call_arguments.delta":
                args[e.item_id] = args.get(e.item_id, "") + e.delta
        r = events[-1].response
        assert args == {f.id: f.arguments for f in r.output if f.type == "function_call"}
    else:
        r = client.responses.create(**kw)
    fcs = [o for o in r.output if o.type == "function_call"]
    assert [(f.call_id, f.name, json.loads(f.arguments)) for f in fcs] == [
        ("call_w1", "get_weather", {"q": "Oslo"}),
        ("call_s1", "search", {"q": "news"}),
    ]
    assert all(f.id.startswith("fc_") and f.status == "completed" for f in fcs)
    # The client runs the tools and sends their outputs with the calls, stateless.
    follow = [
        {"role": "user", "content": "weather and news?"},
        *[f.model_dump(exclude_none=True) for f in fcs],
        {"type": "function_call_output", "call_id": "call_w1", "output": "sunny"},
        {
            "type": "function_call_output",
            "call_id": "call_s1",
            "output": [{"type": "input_text", "text": "nothing new"}],
        },
    ]
    r2 = client.responses.create(
        model=model,
        input=follow,
        tools=TOOLS_OPENAI,
        extra_body={"fake": {"reply": "Sunny, and nothing new."}},
    )
    assert r2.output_text == "Sunny, and nothing new."


@pytest.mark.parametrize("model", RESPONSES_MODELS)
def test_stream_helper_and_parse(gw, model):
    client = gw.client()
    with client.responses.stream(
        model=model, input="stream helper", extra_body={"fake": {"chunk_chars": 2, "delay_ms": 1}}
    ) as s:
        texts = [e.delta for e in s if e.type == "response.output_text.delta"]
        final = s.get_final_response()
    assert "".join(texts) == "stream helper" == final.output_text

    class Weather(BaseModel):
        city: str
        celsius: int

    parsed = client.responses.parse(
        model=model,
        input="json please",
        text_format=Weather,
        extra_body={"fake": {"reply": '{"city": "Oslo", "celsius": 4}'}},
    )
    assert parsed.output_parsed == Weather(city="Oslo", celsius=4)


@pytest.mark.parametrize("model", RESPONSES_MODELS)
def test_previous_response_id_continues_from_the_gateway_store(gw, model):
    client = gw.client()
    first = client.responses.create(model=model, input="my name is Ada", instructions="Hi.")
    # Turn 1 of the fake's script applies once the conversation holds an assistant answer:
    # proof that the stored conversation was sent upstream again.
    script = {"turns": [{"reply": "turn zero"}, {"reply": "turn one"}, {"reply": "turn two"}]}
    second = client.responses.create(
        model=model,
        input="what is my name?",
        previous_response_id=first.id,
        extra_body={"fake": script},
    )
    assert second.output_text == "turn one" and second.previous_response_id == first.id
    third = client.responses.create(
        model=model,
        input="again?",
        previous_response_id=second.id,
        stream=True,
        extra_body={"fake": script},
    )
    assert list(third)[-1].response.output_text == "turn two"
    got = client.responses.retrieve(second.id)
    assert got.output_text == "turn one" and got.id == second.id
    items = client.responses.input_items.list(second.id, order="asc")
    texts = [(i.role, i.content[0].text if i.content else None) for i in items.data]
    assert texts == [
        ("user", "my name is Ada"),
        ("assistant", "my name is Ada"),
        ("user", "what is my name?"),
    ]
    assert all(i.id for i in items.data)
    client.responses.delete(second.id)
    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve(second.id)
    with pytest.raises(openai.BadRequestError) as err:
        client.responses.create(model=model, input="x", previous_response_id=second.id)
    assert err.value.body["code"] == "previous_response_not_found"


def test_responses_are_private_to_their_key(gateway_factory, fake_model_url):
    keys = [{"key_id": "alice", "key": "sk-alice"}, {"key_id": "bob", "key": "sk-bob"}]
    gw = start(gateway_factory, fake_model_url, {"keys": keys})
    r = gw.client("sk-alice").responses.create(model="demo", input="secret plans")
    with pytest.raises(openai.NotFoundError):
        gw.client("sk-bob").responses.retrieve(r.id)
    with pytest.raises(openai.BadRequestError):
        gw.client("sk-bob").responses.create(model="demo", input="x", previous_response_id=r.id)
    assert gw.client("sk-alice").responses.retrieve(r.id).output_text == "secret plans"


def test_store_false_keeps_nothing(gw):
    r = gw.client().responses.create(model="demo", input="forget me", store=False)
    assert r.store is False
    with pytest.raises(openai.NotFoundError):
        gw.client().responses.retrieve(r.id)


def test_store_off_refuses_previous_response_id(gateway_factory, fake_model_url):
    gw = start(
        gateway_factory,
        fake_model_url,
        {"general_settings": {"response_store": {"backend": "off"}}},
    )
    r = gw.client().responses.create(model="demo", input="hi")
    with pytest.raises(openai.BadRequestError) as err:
        gw.client().responses.create(model="demo", input="x", previous_response_id=r.id)
    assert err.value.body["code"] == "unsupported_feature"
    assert "response_store" in err.value.body["message"]


def test_redis_store_is_shared_by_replicas(
    gateway_factory, fake_model_url, redis_url, redis_prefix
):

    import redis

    prefix = redis_prefix
    cfg = {
        "general_settings": {
            "response_store": {
                "backend": "redis",
                "redis_url": redis_url,
                "prefix": prefix,
                "ttl_s": 60,
            }
        }
    }
    a, b = start(gateway_factory, fake_model_url, cfg), start(gateway_factory, fake_model_url, cfg)
    try:
        r = a.client().responses.create(model="demo", input="first")
        r2 = b.client().responses.create(
            model="demo",
            input="second",
            previous_response_id=r.id,
            extra_body={"fake": {"turns": [{}, {"reply": "on b"}]}},
        )
        assert r2.output_text == "on b"
        assert b.client().responses.retrieve(r.id).output_text == "first"
        ttl = redis.Redis.from_url(redis_url).ttl(f"{prefix}master:{r.id}")
        assert 0 < ttl <= 60
    finally:
        rc = redis.Redis.from_url(redis_url)
        for k in rc.scan_iter(prefix + "*"):
            rc.delete(k)


@pytest.mark.parametrize(
    "body, param, code",
    [
        ({"input": "x", "tools": [{"type": "web_search"}]}, "tools[0].type", "unsupported_feature"),
        (
            {"input": "x", "tools": [{"type": "file_search", "vector_store_ids": ["v"]}]},
            "tools[0].type",
            "unsupported_feature",
        ),
        (
            {
                "input": "x",
                "tools": [
                    {
                        "type": "computer_use_preview",
                        "display_width": 1,
                        "display_height": 1,
                        "environment": "linux",
                    }
                ],
            },
            "tools[0].type",
            "unsupported_feature",
        ),
        ({"input": "x", "background": True}, "background", "unsupported_feature"),
        ({"input": "x", "prompt": {"id": "pmpt_1"}}, "prompt", "unsupported_feature"),
        ({"input": "x", "conversation": "conv_1"}, "conversation", "unsupported_feature"),
        ({"input": [{"type": "item_reference", "id": "msg_1"}]}, "input[0]", "unsupported_feature"),
        (
            {"input": [{"type": "web_search_call", "id": "ws_1"}]},
            "input[0].type",
            "unsupported_feature",
        ),
        ({"input": [{"role": "wizard", "content": "hi"}]}, "input[0].role", "invalid_value"),
        (
            {"input": [{"type": "function_call", "name": "f", "arguments": "{}"}]},
            "input[0].call_id",
            "invalid_value",
        ),
        (
            {"input": [{"role": "user", "content": [{"type": "input_image", "file_id": "f"}]}]},
            "input[0].content[0]",
            "unsupported_feature",
        ),
        ({}, "input", "missing_required_parameter"),
        ({"input": 7}, "input", "invalid_value"),
        ({"input": "x", "max_output_tokens": 0}, "max_output_tokens", "invalid_value"),
        (
            {"input": "x", "text": {"format": {"type": "json_schema"}}},
            "text.format",
            "invalid_value",
        ),
        (
            {"input": "x", "previous_response_id": "resp_nope"},
            "previous_response_id",
            "previous_response_not_found",
        ),
    ],
)
@pytest.mark.parametrize("model", RESPONSES_MODELS)
def test_what_cannot_be_guarded_or_is_malformed_is_a_clear_400(gw, model, body, param, code):
    r = gw.http.post(
        "/v1/responses",
        json={"model": model, **body},
        headers={"Authorization": f"Bearer {gw.master_key}"},
    )
    assert r.status_code == 400, r.text
    err = r.json()["error"]
    assert (err["param"], err["code"]) == (param, code)
    assert err["message"]


def test_auth_model_and_body_errors_are_openai_shaped(gw):
    with pytest.raises(openai.AuthenticationError):
        gw.client("sk-wrong").responses.create(model="demo", input="x")
    with pytest.raises(openai.NotFoundError) as err:
        gw.client().responses.create(model="nope", input="x")
    assert err.value.body["code"] == "model_not_found"
    r = gw.http.post(
        "/v1/responses", content=b"{not json", headers={"Authorization": f"Bearer {gw.master_key}"}
    )
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_json"


@pytest.mark.parametrize("model", RESPONSES_MODELS)
def test_upstream_failure_is_an_error_before_and_during_the_stream(gw, model):
    with pytest.raises(openai.APIStatusError) as err:
        gw.client().responses.create(model=model, input="x", extra_body={"fake": {"error": 503}})
    assert err.value.status_code == 502
    events = list(
        gw.client().responses.create(
            model=model, input="x", stream=True, extra_body={"fake": {"malformed": True}}
        )
    )
    assert [e.type for e in events][-2:] == ["error", "response.failed"]
    assert events[-1].response.status == "failed"
    assert events[-1].response.error.code == "upstream_malformed"


def test_audit_and_metrics_say_route_responses(fresh):
    fresh.client().responses.create(model="demo", input="audited")
    list(fresh.client().responses.create(model="demo", input="audited", stream=True))
    lines = wait_audit(fresh, 2)
    assert [(line["route"], line["stream"], line["status"]) for line in lines[-2:]] == [
        ("responses", False, "ok"),
        ("responses", True, "ok"),
    ]
    metrics = fresh.http.get("/metrics").text
    assert 'route="responses"' in metrics


@pytest.mark.parametrize(
    "path, body, counter",
    [
        ("/responses", {"model": "demo", "input": "x" * 400}, "streams_cancelled"),
        ("/responses", {"model": "demo-responses", "input": "x" * 400}, "native_streams_cancelled"),
        (
            "/messages",
            {
                "model": "demo",
                "max_tokens": 999,
                "messages": [{"role": "user", "content": "x" * 400}],
            },
            "streams_cancelled",
        ),
        (
            "/messages",
            {
                "model": "claude-demo",
                "max_tokens": 999,
                "messages": [{"role": "user", "content": "x" * 400}],
            },
            "native_streams_cancelled",
        ),
    ],
)
def test_client_disconnect_cancels_the_upstream(fresh, fake_model_url, path, body, counter):
    before = fake_stats(fake_model_url)[counter]
    with fresh.http.stream(
        "POST",
        "/v1" + path,
        headers={"x-api-key": fresh.master_key},
        json={**body, "stream": True, "fake": {"chunk_chars": 1, "delay_ms": 20}},
    ) as r:
        for line in r.iter_lines():
            if "delta" in line:
                break
    deadline = time.monotonic() + 60  # a bound on a hang, not a timing assert
    while time.monotonic() < deadline and fake_stats(fake_model_url)[counter] == before:
        time.sleep(0.05)
    assert fake_stats(fake_model_url)[counter] == before + 1
    lines = wait_audit(fresh, 1)
    assert lines[-1]["status"] == "cancelled"


def test_a_redis_store_without_a_url_fails_start_up(gateway_factory, fake_model_url):
    from keepgate.config.load import ConfigError

    with pytest.raises(ConfigError) as err:
        start(
            gateway_factory,
            fake_model_url,
            {"general_settings": {"response_store": {"backend": "redis"}}},
        )
    assert "response_store" in str(err.value)
    with pytest.raises(ConfigError) as typo:
        start(
            gateway_factory,
            fake_model_url,
            {"general_settings": {"response_store": {"backend": "memory", "ttl": 5}}},
        )
    assert "ttl" in str(typo.value)
