"""litellm's model map (prices, output ceilings, which provider lists a model), read from the
JSON file the litellm package ships, without importing litellm.

Importing litellm costs 3.5-5 s of CPU per process (every served worker, offload-pool process,
`keepgate config check`); the limits guard only needs numbers from its map. We always use the
local copy of the map (keepgate sets LITELLM_LOCAL_MODEL_COST_MAP=True), so the numbers are the
ones `litellm.cost_per_token` / `litellm.get_model_info` return for a model the map lists by name
(tests/limits/test_limits_litellm_parity.py holds the two to each other).
"""

from __future__ import annotations

import importlib.util
import json
from functools import cache
from pathlib import Path

#: Top-level keys of the map file that are not models (litellm removes or ignores them too).
_RESERVED = ("fallback_generalizations",)
#: Price keys that make a model's price depend on the prompt size (tiers) or on more than
#: tokens: `litellm.cost_per_token` applies rules to those, so they are left to it.
_TIER_MARKERS = ("_above_", "_tier", "tiered_pricing", "_per_character", "_per_second")


def litellm_dir() -> Path | None:
    """Where the installed litellm package lives, found without importing it."""
    spec = importlib.util.find_spec("litellm")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _expand_aliases(raw: dict[str, dict[str, object]]) -> dict[str, dict[str, object]]:
    """litellm's alias expansion (`_expand_model_aliases`): a row with `alias_of` is served as
    the row it names; an `aliases` list adds names for its row; conflicts are skipped."""
    pointers = {k: t for k, v in raw.items() if isinstance(t := v.get("alias_of"), str)}
    owners: dict[str, str] = {}
    for name, info in raw.items():
        aliases = info.get("aliases")
        if aliases is None or name in pointers or not isinstance(aliases, list):
            continue
        for alias in aliases:
            if (alias in raw and alias not in pointers) or alias in owners:
                continue
            owners[alias] = name
    for alias, target in pointers.items():
        if target in raw and target not in pointers and alias not in owners:
            owners[alias] = target
    out = {k: {f: x for f, x in v.items() if f != "aliases"} for k, v in raw.items()}
    for alias in pointers.keys() - owners.keys():
        out.pop(alias)
    for alias, owner in owners.items():
        out[alias] = out[owner]
    return out


@cache
def model_map() -> dict[str, dict[str, object]]:
    """The map as litellm loads it with LITELLM_LOCAL_MODEL_COST_MAP: name → entry
    (empty when litellm is not installed)."""
    root = litellm_dir()
    path = root / "model_prices_and_context_window_backup.json" if root else None
    if path is None or not path.is_file():
        return {}
    raw = json.loads(path.read_bytes())
    rows = {
        k: v for k, v in raw.items() if isinstance(v, dict) and k not in _RESERVED
    }  # typed rows only
    return _expand_aliases(rows)


def entry(model: str) -> dict[str, object] | None:
    return model_map().get(model)


@cache
def provider_models(provider: str) -> frozenset[str]:
    """litellm's per-provider lists (`litellm.open_ai_chat_completion_models` for "openai",
    `anthropic_models`, `cohere_models`): the map's names with that `litellm_provider`."""
    names = (k for k, v in model_map().items() if v.get("litellm_provider") == provider)
    if provider == "openai":  # litellm leaves out `ft:<model>` price-only rows
        return frozenset(k for k in names if not (k.startswith("ft:") and k.count(":") <= 1))
    return frozenset(names)


def _number(v: object) -> float | None:
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None


class Defer:
    """The map alone cannot say what litellm would: ask litellm (imported on demand)."""


DEFER = Defer()

#: The providers whose bare model names litellm resolves by plain lookup in its map (no
#: provider inference, no tiered or per-unit pricing): the answer for these is the map's row.
#: Any other name litellm resolves with rules of its own, so it is deferred to litellm.
_PLAIN_PROVIDERS = ("openai", "anthropic")
_PLAIN_MODES = ("chat", "completion", "responses", "embedding")
#: Fragments of names litellm's generalization rules (in the map's
#: `fallback_generalizations`) give a provider or defaults to although the map does not list
#: them: a name containing one is never declared unknown without asking litellm.
_GENERALIZED = (
    "claude",
    "jev-",
    "wandb/",
    "gemini",
    "gpt-",
    "codex",
    "deep-research",
    "chat-latest",
)


def _plain_row(model: str) -> dict[str, object] | None:
    """The row of a bare (or `openai/`, `anthropic/`-prefixed) name of a plain provider that
    litellm looks up as is; None otherwise."""
    provider, sep, bare = model.partition("/")
    name = bare if sep and provider in _PLAIN_PROVIDERS else model
    if "/" in name or name.startswith("ft:"):
        return None
    e = entry(name)
    if e is None or e.get("litellm_provider") not in _PLAIN_PROVIDERS:
        return None
    if sep and e.get("litellm_provider") != provider:
        return None
    if e.get("mode") not in _PLAIN_MODES or any(m in k for k in e for m in _TIER_MARKERS):
        return None
    return e


@cache
def _lower_names() -> frozenset[str]:
    return frozenset(k.lower() for k in model_map())


def surely_unlisted(model: str) -> bool:
    """True when litellm could not find a row or rule for the name either: neither the name
    nor any `/`-suffix of it is in the map (case-insensitively), and no generalization rule
    could match it; and it has no provider prefix but `openai/` or `anthropic/`."""
    low = model.lower()
    parts = low.split("/")
    if len(parts) > 1 and parts[0] not in _PLAIN_PROVIDERS:
        return False  # other providers' names litellm resolves by rules of their own
    if any("/".join(parts[i:]) in _lower_names() for i in range(len(parts))):
        return False
    last = parts[-1].removeprefix("ft:")
    if last[:1] == "o" and last[1:2].isdigit():
        return False  # the o-series rule
    return not any(f in low for f in _GENERALIZED)


def token_price(model: str) -> tuple[float, float] | None | Defer:
    """USD per (prompt, completion) token, as `litellm.cost_per_token` gives it; None when
    litellm has no price for the name; DEFER when only litellm can say."""
    e = _plain_row(model)
    if e is not None:
        inp, out = _number(e.get("input_cost_per_token")), _number(e.get("output_cost_per_token"))
        if inp is not None:
            return inp, out if out is not None else 0.0
        return DEFER
    return None if surely_unlisted(model) else DEFER


def max_output(model: str) -> int | None | Defer:
    """The output ceiling `litellm.get_model_info` gives (`max_output_tokens`, else
    `max_tokens`); None when litellm has none for the name; DEFER when only litellm can say."""
    e = _plain_row(model)
    if e is not None:
        v = e.get("max_output_tokens") or e.get("max_tokens") or e.get("max_input_tokens")
        return int(v) if isinstance(v, int | float) and not isinstance(v, bool) and v else None
    return None if surely_unlisted(model) else DEFER
