"""What the limits gateway tests expect a prompt, a reply and a model to cost, from
keepgate's own counter and price map (tiktoken and litellm's map file) instead of litellm.

Importing litellm costs ~3.5 s of CPU in each xdist worker that does; with three files
importing it, both workers usually paid. Only test_limits_litellm_parity.py imports it
now, and it checks every input listed here against litellm itself
(`test_the_gateway_tests_expect_litellms_numbers`), so each expectation is still litellm's
number: an input not listed fails here instead of going unchecked.
"""

from __future__ import annotations

from typing import Any

from keepgate.limits import model_map, tokens

#: The prompts the gateway tests send (test_limits_gateway.py, test_limits_no_usage.py).
HELLO = [{"role": "user", "content": "hello"}]
LISBON = [{"role": "user", "content": "Tell me about the weather in Lisbon in spring."}]
#: The reply of test_limits_no_usage.py's upstream, which reports no usage.
REPLY = "Mild and sunny, with the odd shower; light jackets in the evening. " * 6

#: (model, messages) counted, (model, text) counted as a reply, and models priced.
PROMPTS: list[tuple[str, list[dict[str, Any]]]] = [("gpt-4o-mini", HELLO), ("demo", LISBON)]
REPLIES: list[tuple[str, str]] = [("demo", REPLY)]
PRICED: list[str] = ["gpt-4o-mini"]


def prompt_tokens(model: str, messages: list[dict[str, Any]]) -> int:
    """`litellm.token_counter(model=model, messages=messages)`."""
    assert (model, messages) in PROMPTS, "list it in PROMPTS: the parity test checks it"
    n = tokens.count_messages(model, messages)
    assert n is not None, f"{model}: counted by litellm, not tiktoken"
    return n


def reply_tokens(model: str, text: str) -> int:
    """`litellm.token_counter(model=model, text=text, count_response_tokens=True)`."""
    assert (model, text) in REPLIES, "list it in REPLIES: the parity test checks it"
    n = tokens.count_text(model, text)
    assert n is not None, f"{model}: counted by litellm, not tiktoken"
    return n


def price(model: str) -> tuple[float, float]:
    """`litellm.cost_per_token(model=model, prompt_tokens=1, completion_tokens=1)`."""
    assert model in PRICED, "list it in PRICED: the parity test checks it"
    p = model_map.token_price(model)
    assert isinstance(p, tuple), f"{model}: priced by litellm, not its map file"
    return p
