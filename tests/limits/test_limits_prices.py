"""A model's price: `model_info` prices override litellm's map, field by field; with both
set, the map is not consulted at all, so building the limits guard (every worker's start,
`keepgate config check`) does not import litellm for it."""

from __future__ import annotations

import pytest

from keepgate.config.model import ModelDeployment
from keepgate.limits import estimate
from keepgate.limits.estimate import Price


def _deployment(**info: float) -> ModelDeployment:
    return ModelDeployment.model_validate(
        {"model_name": "m", "litellm_params": {"model": "openai/gpt-4o"}, "model_info": info}
    )


@pytest.fixture
def looked_up(monkeypatch) -> list[str]:
    """The models price_of looked up in the map (which answers 3 and 4 USD per token)."""
    seen: list[str] = []

    def fake_map(model: str) -> Price:
        seen.append(model)
        return Price(3.0, 4.0)

    monkeypatch.setattr(estimate, "_map_price", fake_map)
    return seen


def test_both_configured_prices_skip_the_map(looked_up) -> None:
    price = estimate.price_of(_deployment(input_cost_per_token=1e-6, output_cost_per_token=2e-6))
    assert price == Price(1e-6, 2e-6) and looked_up == []


def test_one_configured_price_takes_the_other_from_the_map(looked_up) -> None:
    assert estimate.price_of(_deployment(input_cost_per_token=1e-6)) == Price(1e-6, 4.0)
    assert estimate.price_of(_deployment(output_cost_per_token=2e-6)) == Price(3.0, 2e-6)
    assert estimate.price_of(_deployment()) == Price(3.0, 4.0)
    assert looked_up == ["openai/gpt-4o"] * 3
