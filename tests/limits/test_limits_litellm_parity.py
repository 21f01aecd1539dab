"""The limits guard counts prompt tokens with tiktoken and reads prices from litellm's map
file without importing litellm (keepgate/limits/tokens.py, model_map.py). Its numbers must be
litellm's: this file imports the real litellm and compares, for random message lists (names,
tool calls, content parts, special-token text, texts longer than litellm's 1,024-character
encoding chunks), tools and models, and for a sample of the map's models."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keepgate.limits import estimate, model_map, tokens
from tests.limits import known

pytestmark = pytest.mark.slow(cpu_s=3)

REPO = Path(__file__).resolve().parents[2]

#: (model, counted without litellm?) — the second answer is this module's claim.
MODELS = [
    ("gpt-4o", True),
    ("gpt-4o-mini", True),
    ("gpt-3.5-turbo", True),
    ("gpt-3.5-turbo-0301", True),  # litellm's legacy constants: 4 per message, -1 per name
    ("gpt-4-0613", True),
    ("o3-mini", True),
    ("claude-3-5-sonnet-20240620", True),  # claude-3: litellm counts it with tiktoken
    ("claude-3-haiku-20240307", True),
    ("demo", True),  # unknown to litellm's map
    ("mystery-model-x", True),
    ("claude-sonnet-4-5", False),  # litellm's packaged Anthropic tokenizer
    ("deepseek-chat", False),  # a chat template of litellm's own
]


@pytest.fixture(scope="module")
def litellm() -> Any:
    import litellm as module

    module.suppress_debug_info = True
    return module


text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["<|endoftext|>", "<|im_start|>x", "  \n\n", "日本語のテキスト", "🙂" * 5]),
    st.builds(lambda s, n: s * n, st.text(min_size=1, max_size=3), st.integers(300, 900)),
)
part = st.one_of(
    text,
    st.builds(lambda t: {"type": "text", "text": t}, text),
    st.builds(lambda t: {"type": "thinking", "thinking": t}, text),
    st.builds(lambda t: {"type": "tool_reference", "tool_name": t}, text),
    st.just({"type": "image_url", "image_url": {"url": "https://example.com/a.png"}}),
)
tool_call = st.builds(
    lambda i, name, args: {
        "id": i,
        "type": "function",
        "function": {"name": name, "arguments": args},
    },
    text,
    text,
    text,
)
message = st.builds(
    lambda role, content, name, calls, call_id: {
        "role": role,
        "content": content,
        **({"name": name} if name is not None else {}),
        **({"tool_calls": calls} if calls else {}),
        **({"tool_call_id": call_id} if call_id is not None else {}),
    },
    st.sampled_from(["system", "user", "assistant", "tool", "developer"]),
    st.one_of(st.none(), text, st.lists(part, max_size=4)),
    st.one_of(st.none(), text),
    st.lists(tool_call, max_size=2),
    st.one_of(st.none(), text),
)
schema = st.recursive(
    st.one_of(
        st.fixed_dictionaries(
            {"type": st.sampled_from(["string", "integer", "number", "boolean", "null"])}
        ),
        st.builds(lambda e: {"type": "string", "enum": e}, st.lists(text, min_size=1, max_size=3)),
        st.builds(lambda d: {"type": "string", "description": d}, text),
    ),
    lambda inner: st.one_of(
        st.builds(lambda i: {"type": "array", "items": i}, inner),
        st.builds(
            lambda props, req: {"type": "object", "properties": props, "required": req},
            st.dictionaries(st.text(min_size=1, max_size=8), inner, max_size=3),
            st.lists(st.text(min_size=1, max_size=8), max_size=2),
        ),
    ),
    max_leaves=6,
)
tool = st.one_of(
    st.builds(
        lambda name, desc, params: {
            "type": "function",
            "function": {
                "name": name,
                **({"description": desc} if desc else {}),
                "parameters": params,
            },
        },
        st.text(min_size=1, max_size=12),
        st.one_of(st.none(), text),
        st.one_of(schema, st.just({"type": "object"})),
    ),
    st.builds(  # Anthropic's shape
        lambda name, params: {"name": name, "input_schema": params},
        st.text(min_size=1, max_size=12),
        schema,
    ),
)

PARITY = settings(
    max_examples=30,  # the sweep over every name in the price file was run once, offline
    deadline=None,  # no timing in tests: each example's tokenizer work varies
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@PARITY
@given(
    model=st.sampled_from(MODELS),
    messages=st.lists(message, max_size=5),
    tools=st.one_of(st.none(), st.lists(tool, min_size=1, max_size=3)),
)
def test_prompt_counts_are_litellms(litellm, model, messages, tools) -> None:
    name, fast = model
    try:
        expected = litellm.token_counter(model=name, messages=messages, tools=tools)
    except Exception:  # noqa: BLE001 - litellm refuses the shape: so must the fast path
        expected = None
    mine = tokens.count_messages(name, messages, tools)
    images = any(
        isinstance(p, dict) and p.get("type") == "image_url"
        for m in messages
        if isinstance(m["content"], list)
        for p in m["content"]
    )
    if fast and not images:
        assert mine is not None, "counted by litellm, not tiktoken"
    if mine is not None:
        assert mine == expected
    # Whichever way it is counted, the guard's count is litellm's.
    if expected is not None:
        assert estimate.prompt_tokens(name, {"messages": messages, "tools": tools}) == expected


@PARITY
@given(model=st.sampled_from(MODELS), texts=st.lists(text, min_size=1, max_size=3))
def test_text_and_embedding_counts_are_litellms(litellm, model, texts) -> None:
    name, fast = model
    expected = [litellm.token_counter(model=name, text=t) for t in texts]
    assert [estimate.text_tokens(name, t) for t in texts] == expected
    if fast:
        assert [tokens.count_text(name, t) for t in texts] == expected
    assert estimate.prompt_tokens(name, {"input": texts}, route="embeddings") == sum(expected)


def _litellm_price(litellm: Any, name: str) -> tuple[float, float] | None:
    try:
        inp, out = litellm.cost_per_token(
            model=name, prompt_tokens=1_000_000, completion_tokens=1_000_000
        )
    except Exception:  # noqa: BLE001 - unknown to litellm
        return None
    return inp / 1_000_000, out / 1_000_000


def _litellm_max_output(litellm: Any, name: str) -> int | None:
    try:
        info = litellm.get_model_info(name)
    except Exception:  # noqa: BLE001
        return None
    v = info.get("max_output_tokens") or info.get("max_tokens")
    return int(v) if v else None


MAP_MODELS = sorted(k for k in model_map.model_map() if "copilot" not in k)  # copilot: device login
NAMES = st.one_of(
    st.sampled_from(MAP_MODELS),
    st.sampled_from(MAP_MODELS).map(lambda k: f"openai/{k}"),
    st.sampled_from(MAP_MODELS).map(lambda k: f"{k}-x"),
    st.sampled_from(
        ["demo", "openai/demo", "openai/demo-embedding", "gpt-4o", "openai/gpt-4o-mini"]
    ),
    st.text(alphabet="abcdefgop-/0123456789", min_size=1, max_size=14),
)


@settings(PARITY, max_examples=100)
@given(name=NAMES)
def test_map_numbers_are_litellms(litellm, name: str) -> None:
    price = model_map.token_price(name)
    if not isinstance(price, model_map.Defer):
        expected = _litellm_price(litellm, name)
        assert (price is None) == (expected is None)
        if price is not None and expected is not None:
            assert all(
                math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-15)
                for a, b in zip(price, expected, strict=True)
            )
    ceiling = model_map.max_output(name)
    if not isinstance(ceiling, model_map.Defer):
        assert ceiling == _litellm_max_output(litellm, name)


def test_the_models_we_use_are_answered_from_the_map() -> None:
    """The common names never need litellm (else every worker would import it)."""
    for name in ("gpt-4o", "gpt-4o-mini", "openai/gpt-4o", "gpt-3.5-turbo", "demo", "openai/demo"):
        assert not isinstance(model_map.token_price(name), model_map.Defer), name
        assert not isinstance(model_map.max_output(name), model_map.Defer), name
    assert model_map.token_price("gpt-4o") == (2.5e-06, 1e-05)
    assert model_map.token_price("openai/demo") is None


def test_the_gateway_tests_expect_litellms_numbers(litellm) -> None:
    """The gateway tests count and price with tests/limits/known.py (no litellm import in
    their workers); each input they use is litellm's number here."""
    for model, messages in known.PROMPTS:
        assert known.prompt_tokens(model, messages) == litellm.token_counter(
            model=model, messages=messages
        ), model
    for model, text in known.REPLIES:
        assert known.reply_tokens(model, text) == litellm.token_counter(
            model=model, text=text, count_response_tokens=True
        ), model
    for model in known.PRICED:
        expected = litellm.cost_per_token(model=model, prompt_tokens=1, completion_tokens=1)
        assert known.price(model) == pytest.approx(expected, rel=1e-12), model
