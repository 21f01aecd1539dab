"""What a call will cost before it runs: prompt tokens by litellm's tokenizer for the model,
plus the completion budget, at the model's price (config prices override litellm's map).

The counts and the map's numbers come from `tokens` and `model_map` (tiktoken and litellm's
map file, without importing litellm); litellm itself is imported only for what those cannot
reproduce exactly (models it counts with a Hugging Face tokenizer, images and documents, names
it resolves by rules of its own), see docs/limits.md."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from keepgate.config.model import ModelDeployment
from keepgate.jsontypes import JsonObject
from keepgate.limits import model_map, tokens

log = logging.getLogger("keepgate.limits")


@dataclass(frozen=True, slots=True)
class Price:
    input: float  # USD per prompt token
    output: float  # USD per completion token
    known: bool = True

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float:
        return prompt_tokens * self.input + completion_tokens * self.output


def _litellm() -> Any:
    import litellm

    litellm.suppress_debug_info = True  # no "Provider List" banner on unknown models
    return litellm


@lru_cache(maxsize=512)
def _map_price(model: str) -> Price | None:
    known = model_map.token_price(model)
    if not isinstance(known, model_map.Defer):
        return None if known is None else Price(*known)
    try:
        inp, out = _litellm().cost_per_token(
            model=model, prompt_tokens=1_000_000, completion_tokens=1_000_000
        )
    except Exception:  # noqa: BLE001 - unknown to litellm's price map
        return None
    return Price(inp / 1_000_000, out / 1_000_000)


def price_of(deployment: ModelDeployment | None) -> Price:
    """The deployment's price: `model_info` overrides litellm's map; unknown → 0 (flagged)."""
    info = deployment.model_info if deployment is not None else None
    inp = getattr(info, "input_cost_per_token", None)
    out = getattr(info, "output_cost_per_token", None)
    if inp is not None and out is not None:
        # Both prices configured: the map could not change them, so it is not consulted
        # (importing litellm for it costs seconds of CPU in `keepgate config check`).
        return Price(inp, out)
    model = deployment.litellm_params.model if deployment is not None else ""
    mapped = _map_price(model) if model else None
    if mapped is None and "/" in model:
        mapped = _map_price(model.split("/", 1)[1])
    if mapped is None and (inp is None or out is None):
        if inp is None and out is None:
            return Price(0.0, 0.0, known=False)
        return Price(inp or 0.0, out or 0.0)
    base = mapped or Price(0.0, 0.0)
    return Price(base.input if inp is None else inp, base.output if out is None else out)


@lru_cache(maxsize=512)
def _map_max_output(model: str) -> int | None:
    known = model_map.max_output(model)
    if not isinstance(known, model_map.Defer):
        return known
    try:
        info = _litellm().get_model_info(model)
    except Exception:  # noqa: BLE001 - unknown to litellm's map
        return None
    v = info.get("max_output_tokens") or info.get("max_tokens")
    return int(v) if v else None


def max_output_tokens(deployment: ModelDeployment | None) -> int | None:
    """The model's output ceiling (model_info, else litellm's map), to keep the injected
    default `max_tokens` valid for the model."""
    info = deployment.model_info if deployment is not None else None
    if info is not None and info.max_output_tokens:
        return int(info.max_output_tokens)
    if deployment is None:
        return None
    model = deployment.litellm_params.model
    return _map_max_output(model) or (
        _map_max_output(model.split("/", 1)[1]) if "/" in model else None
    )


def warm_up(models: list[str]) -> None:
    """Load the tokenizers at start-up (and import litellm if a model needs it): the first
    call would otherwise pay the loading inside the request (and readiness would lie)."""
    for model in models or ["gpt-4o"]:
        text_tokens(model, "warm up")


@dataclass(frozen=True, slots=True)
class TokenizerWarmup:
    """A service that loads the tokenizers when the served app starts (its lifespan), not
    when the gateway is built: `keepgate config check` and apps never served skip the
    seconds of CPU, and the first real request still finds them loaded. It also looks up
    each deployment's output ceiling (the limits guard's default `max_tokens`): for a name
    the map defers to litellm, the first request imported litellm on the event loop, and
    every request the gateway was serving waited for it (18 s at load 13)."""

    models: tuple[str, ...]
    deployments: tuple[ModelDeployment, ...] = ()

    async def start(self) -> None:
        warm_up(list(self.models))
        for d in self.deployments:
            max_output_tokens(d)


def tokenizer_model(deployment: ModelDeployment | None) -> str:
    """The name litellm's tokenizer understands; unknown models fall back to cl100k."""
    if deployment is None:
        return "gpt-4o"
    model = str(deployment.litellm_params.model)
    return model.split("/", 1)[1] if model.startswith("openai/") else model


def _chars(value: Any) -> int:
    return len(value) if isinstance(value, str) else len(json.dumps(value, default=str))


def prompt_part(body: JsonObject) -> JsonObject:
    """The fields `prompt_tokens` reads: all a worker process needs to be sent."""
    return {k: body[k] for k in ("messages", "tools", "input") if k in body}


def prompt_tokens(model: str, body: JsonObject, route: str = "chat.completions") -> int:
    """Tokens in the prompt, as the model's tokenizer counts them (chat template included)."""
    try:
        if route == "embeddings":
            inp = body.get("input")
            texts = (
                [inp] if isinstance(inp, str) else [t for t in (inp or []) if isinstance(t, str)]
            )
            if len(texts) == len(inp if isinstance(inp, list) else [inp]):
                return sum(_count_text(model, t) for t in texts)
            return _chars(inp) // 2 + 1  # token-id arrays: at most one token per 2 chars of JSON
        messages = body.get("messages") or []
        tools = body.get("tools") or None
        fast = tokens.count_messages(model, messages, tools)
        if fast is not None:
            return fast
        return int(_litellm().token_counter(model=model, messages=messages, tools=tools))
    except Exception:  # noqa: BLE001 - odd content shapes: estimate generously from size
        return _chars(body.get("messages") or body.get("input") or "") // 3 + 1


def _count_text(model: str, text: str) -> int:
    fast = tokens.count_text(model, text)
    if fast is not None:
        return fast
    return int(_litellm().token_counter(model=model, text=text))


def text_tokens(model: str, text: str) -> int:
    if not text:
        return 0
    try:
        return _count_text(model, text)  # count_response_tokens does not change a text's count
    except Exception:  # noqa: BLE001
        return len(text) // 3 + 1


def completion_budget(body: JsonObject, default: int) -> int:
    """The most the client allows the model to generate (`max_completion_tokens` wins),
    times `n` choices: each choice may use the whole budget."""
    n = body.get("n")
    choices = n if isinstance(n, int) and not isinstance(n, bool) and n > 1 else 1
    for name in ("max_completion_tokens", "max_tokens", "max_output_tokens"):
        v = body.get(name)
        if isinstance(v, int) and not isinstance(v, bool) and v >= 0:
            return v * choices
    return default * choices
