"""Item limits (`general_settings.max_messages` / `max_content_parts` / `max_tools` /
`max_embedding_inputs`) and the event loop's turns while a request with many items is
validated and scanned.

Over a limit is a 400 `too_many_items` naming the field and the limit, before anything
reaches the upstream; at the limit the request is served. A big request is held at one of
its event-loop turns (`keepgate.pipeline.turns.turn`), and /healthz and a small chat
request are answered meanwhile: the loop was not held by it. No timing anywhere.
"""

from __future__ import annotations

import asyncio
import sys
import threading
from collections.abc import Iterator
from typing import Any

import anthropic
import openai
import pytest

from keepgate.fake_model import create_fake_app
from keepgate.pipeline import turns
from tests.servers import ThreadServer

pytestmark = pytest.mark.real_http

LIMITS = {"max_messages": 6, "max_content_parts": 8, "max_tools": 3, "max_embedding_inputs": 4}


class Counting:
    """The fake model, counting the requests that reach it."""

    def __init__(self) -> None:
        self.app = create_fake_app()
        self.paths: list[str] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.paths.append(scope["path"])
        await self.app(scope, receive, send)


@pytest.fixture
def upstream() -> Iterator[tuple[Counting, str]]:
    counting = Counting()
    server = ThreadServer(counting).start()
    yield counting, server.url + "/v1"
    server.stop()


@pytest.fixture
def limited(gateway_factory, upstream):
    counting, url = upstream
    models = [
        {"model_name": name, "litellm_params": {"model": model, "api_base": url}}
        for name, model in (("demo", "openai/demo"), ("claude-demo", "anthropic/demo"))
    ] + [
        {
            "model_name": "embed",
            "litellm_params": {"model": "openai/demo-embedding", "api_base": url},
            "model_info": {"mode": "embedding"},
        }
    ]
    return gateway_factory({"model_list": models, "general_settings": LIMITS}), counting


def _msgs(n: int, parts: int = 0) -> list[dict[str, Any]]:
    content: Any = [{"type": "text", "text": "hi"}] * parts if parts else "hi"
    return [{"role": "user", "content": content} for _ in range(n)]


def _tools(n: int) -> list[dict[str, Any]]:
    return [{"type": "function", "function": {"name": f"t{i}", "parameters": {}}} for i in range(n)]


def _refused(exc: pytest.ExceptionInfo[Any], param: str, setting: str, limit: int) -> None:
    err = exc.value.body if "error" not in exc.value.body else exc.value.body["error"]
    assert exc.value.status_code == 400
    assert err["param"] == param or param in err["message"]
    assert f"general_settings.{setting}" in err["message"] and f"of {limit}" in err["message"]


@pytest.mark.parametrize(
    ("kw", "param", "setting", "limit"),
    [
        ({"messages": _msgs(7)}, "messages", "max_messages", 6),
        ({"messages": _msgs(3, parts=3)}, "messages[].content", "max_content_parts", 8),
        ({"messages": _msgs(1), "tools": _tools(4)}, "tools", "max_tools", 3),
    ],
)
def test_over_a_limit_is_a_400_naming_it_and_nothing_goes_upstream(
    limited, kw, param, setting, limit
) -> None:
    gw, counting = limited
    with pytest.raises(openai.BadRequestError) as exc:
        gw.client().chat.completions.create(model="demo", **kw)
    assert exc.value.body["code"] == "too_many_items"
    assert exc.value.body["type"] == "invalid_request_error"
    _refused(exc, param, setting, limit)
    assert counting.paths == []


def test_at_the_limits_is_served(limited) -> None:
    gw, counting = limited
    msgs = _msgs(4, parts=2) + _msgs(2)  # 6 messages, 8 parts
    out = gw.client().chat.completions.create(
        model="demo", messages=msgs, tools=_tools(3), extra_body={"fake": {"reply": "ok"}}
    )
    assert out.choices[0].message.content == "ok"
    assert counting.paths == ["/v1/chat/completions"]


def test_responses_input_and_messages_blocks_are_counted(limited) -> None:
    gw, counting = limited
    with pytest.raises(openai.BadRequestError) as exc:
        gw.client().responses.create(
            model="demo", input=[{"role": "user", "content": "hi"}] * 7, store=False
        )
    assert exc.value.body["code"] == "too_many_items"
    _refused(exc, "input", "max_messages", 6)
    client = gw.anthropic_client()
    block = {"type": "text", "text": "hi"}
    with pytest.raises(anthropic.BadRequestError) as aexc:
        client.messages.create(
            model="claude-demo",
            max_tokens=16,
            system=[block] * 5,
            messages=[{"role": "user", "content": [block] * 4}],
        )
    body = aexc.value.body
    assert body["type"] == "error" and body["error"]["type"] == "invalid_request_error"
    assert "general_settings.max_content_parts" in body["error"]["message"]
    assert counting.paths == []


def test_embedding_inputs_are_counted(limited) -> None:
    """OpenAI takes at most 2,048 inputs per embeddings request: `max_embedding_inputs`."""
    gw, counting = limited
    client = gw.client()
    for value in (["hi"] * 5, [[1, 2]] * 5):
        with pytest.raises(openai.BadRequestError) as exc:
            client.embeddings.create(model="embed", input=value)
        assert exc.value.body["code"] == "too_many_items"
        _refused(exc, "input", "max_embedding_inputs", 4)
    assert counting.paths == []
    out = client.embeddings.create(model="embed", input=["a", "b", "c", "d"])
    assert len(out.data) == 4
    # A list of token ids is one input, however many tokens it holds.
    assert client.embeddings.create(model="embed", input=list(range(9))).data
    assert counting.paths == ["/v1/embeddings"] * 2


def test_the_embedding_inputs_default_is_openais_cap() -> None:
    from keepgate.config.model import GeneralSettings

    assert GeneralSettings().max_embedding_inputs == 2048


def test_a_bad_message_deep_in_a_big_request_is_named(gateway) -> None:
    """Validated in slices: the location is still the one in the client's body."""
    msgs = _msgs(turns.EVERY * 3)
    msgs[turns.EVERY * 2 + 5] = {"role": "user", "content": [{"type": 7}]}
    with pytest.raises(openai.BadRequestError) as exc:
        gateway.client().chat.completions.create(model="demo", messages=msgs)
    assert exc.value.body["param"] == f"messages[{turns.EVERY * 2 + 5}].content"


class Hold:
    """Replaces `turns.turn`: counts the turns, and holds the request at the first one
    taken from `where` until the test releases it."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.count = 0
        self.held = threading.Event()
        self.release: asyncio.Event | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.callers: set[str] = set()

    async def __call__(self) -> None:
        self.count += 1
        # turn() <- Ticker.tick or acheck <- ...: the coroutine chain of this request
        frame = sys._getframe(1)
        names = set()
        while frame is not None:
            names.add(frame.f_code.co_name)
            frame = frame.f_back  # type: ignore[assignment]
        self.callers |= names
        if self.where in names and not self.held.is_set():
            self.loop = asyncio.get_running_loop()
            self.release = asyncio.Event()
            self.held.set()
            await self.release.wait()
        await asyncio.sleep(0)

    def go(self) -> None:
        assert self.loop is not None and self.release is not None
        self.loop.call_soon_threadsafe(self.release.set)


def _held_while_others_are_served(gw, hold: Hold, big: dict[str, Any]) -> Any:
    result: dict[str, Any] = {}

    def send() -> None:
        try:
            result["out"] = gw.client().chat.completions.create(**big)
        except Exception as exc:  # noqa: BLE001 - reported by the assert below
            result["error"] = exc

    sender = threading.Thread(target=send)
    sender.start()
    try:
        assert hold.held.wait(120), f"never reached {hold.where}: {result}"
        # The big request is parked on the gateway's loop: others are served meanwhile.
        assert gw.http.get("/healthz").status_code == 200
        small = gw.client().chat.completions.create(
            model="demo",
            messages=_msgs(1),
            extra_body={"fake": {"reply": "small"}},
        )
        assert small.choices[0].message.content == "small"
    finally:
        if hold.release is not None:
            hold.go()
        sender.join(120)
    assert "error" not in result, result
    return result["out"]


def test_validation_of_a_big_request_gives_the_loop_turns(gateway, monkeypatch) -> None:
    hold = Hold("acheck")
    monkeypatch.setattr(turns, "turn", hold)
    n = turns.EVERY * 8
    big = {"model": "demo", "messages": _msgs(n), "extra_body": {"fake": {"reply": "big"}}}
    out = _held_while_others_are_served(gateway, hold, big)
    assert out.choices[0].message.content == "big"
    assert hold.count >= n // turns.EVERY - 1


def test_the_input_guards_item_loop_gives_the_loop_turns(gateway_factory, monkeypatch) -> None:
    gw = gateway_factory({"guards": {"input": {"enabled": True}}})
    hold = Hold("check_request")
    monkeypatch.setattr(turns, "turn", hold)
    n = turns.EVERY * 4
    big = {"model": "demo", "messages": _msgs(n), "extra_body": {"fake": {"reply": "big"}}}
    out = _held_while_others_are_served(gw, hold, big)
    assert out.choices[0].message.content == "big"
    assert "check_request" in hold.callers


def test_start_up_objects_are_frozen_out_of_full_collections(gateway_factory, monkeypatch) -> None:
    """A full GC pass over a loaded gateway's heap held the loop ~270 ms (bench/
    many_items.py): after start-up what is alive is frozen, so passes walk only newer
    objects."""
    import gc

    from keepgate.serving import heap

    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    monkeypatch.setattr(heap, "_done", False)  # as in a new process
    gw = gateway_factory()
    assert gw.http.get("/healthz").status_code == 200
    assert gc.get_freeze_count() > 0
    settings = gw.app.state.keepgate.config.general_settings
    assert gc.is_tracked(settings)
    assert not any(o is settings for o in gc.get_objects())  # frozen: in no generation


class _NoGc:
    """Stands in for the `gc` module: any use of it fails the test."""

    def __getattr__(self, name: str) -> object:
        raise AssertionError(f"gc.{name} used by a second app's start-up")


def test_a_second_app_in_the_process_leaves_the_heap_alone(gateway_factory, monkeypatch) -> None:
    """Only the first app in a process freezes the heap; a later one does not even ask
    `gc.get_freeze_count()`, which walks every frozen object (~450,000 with litellm
    loaded, 15-50 ms of CPU per app the test suite starts)."""
    from keepgate.serving import heap

    assert gateway_factory().http.get("/healthz").status_code == 200  # the heap frozen
    monkeypatch.setattr(heap, "gc", _NoGc())
    assert gateway_factory().http.get("/healthz").status_code == 200
