"""Error messages repeat a client's value only when it looks like a name: free text (PII,
markup) in an unknown type or model is described by its length, never echoed to the
client or the log. Official SDKs against a real uvicorn server."""

from __future__ import annotations

from typing import Any


import anthropic
import openai
import pytest

from tests.apis.support import claude, model_list
from tests.conftest import Gateway

PII = "Jane Roe 555-0100 <img src=x>"


@pytest.fixture(scope="module")
def gw(module_gateway_factory: Any, fake_model_url: str) -> Gateway:
    return module_gateway_factory({"model_list": model_list(fake_model_url)}, real_http=True)


def clean(message: str) -> None:
    assert "Jane" not in message and "555" not in message and "<img" not in message
    assert "not shown" in message


def test_an_unknown_responses_content_part_type_is_not_echoed(gw: Gateway) -> None:
    with pytest.raises(openai.BadRequestError) as err:
        gw.client().responses.create(
            model="demo",
            input=[{"role": "user", "content": [{"type": PII, "text": "hi"}]}],  # type: ignore[list-item, typeddict-item]
        )
    body = err.value.body
    clean(body["message"])
    assert body["param"].endswith(".type") and "unknown content part type" in body["message"]
    with pytest.raises(openai.BadRequestError) as err:
        gw.client().responses.create(
            model="demo",
            input=[{"role": "user", "content": [{"type": "input_txt", "text": "hi"}]}],  # type: ignore[list-item, typeddict-item]
        )
    assert "'input_txt'" in err.value.body["message"]  # a name is still shown


def test_an_unknown_messages_block_type_is_not_echoed(gw: Gateway) -> None:
    with pytest.raises(anthropic.BadRequestError) as err:
        claude(gw).messages.create(
            model="demo",
            max_tokens=16,
            messages=[{"role": "user", "content": [{"type": PII, "text": "hi"}]}],  # type: ignore[list-item, typeddict-item]
        )
    clean(str(err.value.body))


def test_an_unknown_model_that_is_free_text_is_not_echoed(gw: Gateway) -> None:
    with pytest.raises(openai.NotFoundError) as err:
        gw.client().chat.completions.create(model=PII, messages=[{"role": "user", "content": "hi"}])
    clean(err.value.body["message"])
    with pytest.raises(openai.NotFoundError) as err:
        gw.client().chat.completions.create(
            model="claude-3-5-sonnet-20240620", messages=[{"role": "user", "content": "hi"}]
        )
    assert "'claude-3-5-sonnet-20240620'" in err.value.body["message"]
