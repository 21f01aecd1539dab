"""The upstream transport seam: the fake model in-process through `Upstream`, with the
same wire protocol, error mapping and disconnect as over the network."""

from __future__ import annotations

from typing import Any

import pytest

from keepgate.config.model import ModelDeployment
from keepgate.fake_model import create_fake_app
from keepgate.fake_model.app import STATS
from keepgate.upstream.client import Upstream, UpstreamError
from keepgate.upstream.inprocess import in_process
from keepgate.upstream.protocol import Reply

BASE = "http://fake.test/v1"


def deployment(name: str = "demo", api_base: str = BASE) -> ModelDeployment:
    return ModelDeployment.model_validate(
        {"model_name": name, "litellm_params": {"model": "openai/demo", "api_base": api_base}}
    )


def upstream(**kw: Any) -> Upstream:
    return Upstream(
        timeout=30,
        num_retries=kw.pop("num_retries", 0),
        retry_backoff=0,
        direct=in_process(create_fake_app(), 30, **kw),
    )


def chat(reply: str, **fake: Any) -> dict[str, Any]:
    return {"messages": [{"role": "user", "content": "hi"}], "fake": {"reply": reply, **fake}}


async def test_chat_streams_through_the_in_process_transport() -> None:
    up = upstream()
    chunks = [
        c async for c in await up.stream_chat(deployment(), chat("hello there", chunk_chars=3))
    ]
    text = "".join(ch["delta"].get("content") or "" for c in chunks for ch in c["choices"])
    assert text == "hello there"
    assert chunks[-1]["usage"]["completion_tokens"] > 0  # include_usage was asked for
    await up.aclose()


async def test_embeddings_and_native_events() -> None:
    up = upstream()
    out = await up.embeddings(deployment(), {"input": ["a", "b"]})
    assert [d["index"] for d in out["data"]] == [0, 1]
    batches = await up.stream_events(
        deployment(), BASE + "/responses", {"model": "demo", "input": "hi", "stream": True}, {}
    )
    types = [e["type"] async for b in batches for e in b]
    assert types[0] == "response.created" and types[-1] == "response.completed"


@pytest.mark.parametrize(
    ("status", "code", "kind"),
    [
        (503, 502, "upstream_http_error"),
        (429, 429, "upstream_rate_limited"),
        (400, 400, "upstream_rejected"),
    ],
)
async def test_error_statuses_map_like_the_network_path(status: int, code: int, kind: str) -> None:
    up = upstream()
    with pytest.raises(UpstreamError) as err:
        await up.stream_chat(deployment(), chat("x", error=status))
    assert (err.value.status, err.value.kind) == (code, kind)


async def test_a_malformed_stream_is_a_502() -> None:
    up = upstream()
    stream = await up.stream_chat(deployment(), chat("some text", malformed=True))
    with pytest.raises(UpstreamError) as err:
        [c async for c in stream]
    assert err.value.kind == "upstream_malformed"


async def test_abandoning_a_stream_disconnects_the_fake_model() -> None:
    up = upstream()
    before = STATS["streams_cancelled"]
    # The fake pauses a minute before each piece: it is surely still streaming when we stop.
    stream = await up.stream_chat(deployment(), chat("xy", delay_ms=60_000))
    first = await anext(stream)
    assert first["choices"][0]["delta"]["role"] == "assistant"
    await stream.aclose()  # release(complete=False): returns once the app has finished
    assert STATS["streams_cancelled"] == before + 1


class Recorder:
    """A Sender that records what reached the network side."""

    def __init__(self) -> None:
        self.urls: list[str] = []

    async def post(self, url: str, body: bytes, headers: dict[str, str]) -> Reply:
        self.urls.append(url)
        raise UpstreamError(502, "no network here", "upstream_unreachable")

    async def aclose(self) -> None:
        pass


async def test_only_urls_under_the_prefix_are_served_in_process() -> None:
    net = Recorder()
    up = upstream(only=BASE, fallback=net)
    assert [c async for c in await up.stream_chat(deployment(), chat("ok"))]
    with pytest.raises(UpstreamError) as err:
        await up.stream_chat(deployment("other", "http://127.0.0.1:9/v1"), chat("ok"))
    assert err.value.kind == "upstream_unreachable"
    assert net.urls == ["http://127.0.0.1:9/v1/chat/completions"]


async def test_the_builtin_fake_model_answers_in_process() -> None:
    import yaml

    from keepgate.app import build_upstream
    from keepgate.config.load import demo_config, parse_config

    config = parse_config(yaml.safe_dump(demo_config()), "demo.yaml", environ={})
    up = build_upstream(config)
    demo = config.model_list[0]
    assert demo.model_name in up.pinned and up.transport(demo) is not up.direct
    chunks = [c async for c in await up.stream_chat(demo, chat("from the demo"))]
    assert (
        "".join(ch["delta"].get("content") or "" for c in chunks for ch in c["choices"])
        == "from the demo"
    )
    await up.aclose()
