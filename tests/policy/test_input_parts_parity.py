"""`schema_check` and `Totals.facts` written as loops and a short path (one MCP call's
policy input: ~23 K and ~15 K instructions before) answer as the comprehensions they
replaced, kept here as the reference, on random arguments, schemas and sessions."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from keepgate.policy.catalog import Catalog, ToolEntry
from keepgate.policy.provenance import Totals, _amount, schema_check

NAMES = ["to", "To", "amount", "path", "x", "CC", 1, "iban"]


def schema_check_before(
    entry: ToolEntry, arguments: Any, schema: Mapping[str, Any] | None
) -> tuple[list[str] | None, list[str] | None]:
    if not (type(arguments) is dict or isinstance(arguments, Mapping)):
        return None, None
    known: set[str] | None = None
    required: list[str] = []
    props = schema.get("properties") if type(schema) is dict else None
    if schema is not None and (
        type(props) is dict
        or (isinstance(schema, Mapping) and isinstance(schema.get("properties"), Mapping))
    ):
        known = {str(k).lower() for k in schema["properties"]}
        req = schema.get("required")
        required = [str(r) for r in req] if isinstance(req, list) else []
    if entry.arguments is not None:
        known = (known or set()) | set(entry.arguments)
    if known is None:
        return None, None
    present = {str(k).lower() for k, v in arguments.items() if v is not None}
    extra = sorted(str(k) for k in arguments if str(k).lower() not in known)[:20]
    missing = sorted(r for r in required if r.lower() not in present)[:20]
    return extra, missing


def facts_before(t: Totals, name: str, arguments: Any) -> dict[str, Any]:
    amounts = dict(t.amounts)
    args = arguments if (type(arguments) is dict or isinstance(arguments, Mapping)) else {}
    a = _amount(t.catalog.get(name), args)
    if a is not None:
        amounts[name] = amounts.get(name, Decimal(0)) + a
    rec = {k: set(v) for k, v in t.recipients.items()}
    new = t._recipients(name, args)
    if new:
        rec.setdefault(name, set()).update(new)
    everyone = set().union(*rec.values()) if rec else set()
    return {
        "calls": dict(t.calls),
        "amounts": {k: float(v) for k, v in amounts.items()},
        "recipients": {k: len(v) for k, v in rec.items()},
        "distinct_recipients": len(everyone),
    }


value = st.one_of(
    st.none(),
    st.sampled_from(["bob@example.com", "DE89370400440532013000", "a", "-0", "1e400"]),
    st.integers(-5, 10**30),
    st.floats(allow_nan=True),
    st.lists(st.sampled_from(["bob@example.com", "eve@evil.example", None]), max_size=3),
)
arguments = st.one_of(
    st.dictionaries(st.sampled_from(NAMES), value, max_size=6),
    st.dictionaries(st.sampled_from(NAMES), value, max_size=4).map(MappingProxyType),
    st.sampled_from([None, "not json", [], 3]),
)
schema = st.one_of(
    st.none(),
    st.builds(
        lambda props, req: {"type": "object", "properties": props, **req},
        st.dictionaries(st.sampled_from(NAMES), st.just({"type": "string"}), max_size=4),
        st.one_of(
            st.just({}),
            st.builds(lambda r: {"required": r}, st.lists(st.sampled_from(NAMES), max_size=4)),
            st.just({"required": "to"}),
        ),
    ).map(lambda s: s if len(s) % 2 else MappingProxyType(s)),
    st.just({"properties": ["to"]}),
)
entry = st.builds(
    lambda args: ToolEntry(name="t", known=True, arguments=args),
    st.one_of(st.none(), st.frozensets(st.sampled_from(["to", "cc", "amount"]), max_size=3)),
)


@settings(max_examples=300, deadline=None)
@given(entry, arguments, schema)
def test_schema_check_as_before(e: ToolEntry, args: Any, s: Any) -> None:
    assert schema_check(e, args, s) == schema_check_before(e, args, s)


CATALOG = Catalog(
    {
        "keepgate": {
            "tools": {
                "pay": {
                    "effects": "egress",
                    "sensitive": ["to", "iban"],
                    "max_total": {"argument": "amount", "limit": 100},
                },
                "mail": {"effects": "egress", "sensitive": ["to"]},
                "read": {"effects": "none"},
            }
        }
    }
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(["pay", "mail", "read", "other"]), arguments), max_size=5),
    st.sampled_from(["pay", "mail", "read", "other"]),
    arguments,
)
def test_totals_facts_as_before(history: list[Any], name: str, args: Any) -> None:
    totals = Totals(CATALOG)
    for n, a in history:
        totals.add(n, a)
    got, want = totals.facts(name, args), facts_before(totals, name, args)
    assert repr(got) == repr(want)  # -0.0 and 0.0, NaN: written alike
