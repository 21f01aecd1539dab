"""The tool catalogue (`data.keepgate.tools`) as the provenance facts need it.

The Rego rules read the same data; Python reads it to compute the facts that would be slow
in Rego (where each value of an argument appears in the conversation, whether it matches
an allowlist after normalisation). Fields are documented in policies/README.md.

A tool missing from the catalogue is side-effecting (`egress`), its output is untrusted and
every argument is sensitive: a new tool is held to the strictest rules until described.
"""

from __future__ import annotations

import fnmatch
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import re2

from keepgate.jsontypes import JsonMapping, JsonValue
from keepgate.policy import values as V

log = logging.getLogger("keepgate.policy")

EFFECTS = ("none", "internal", "egress")
ACTIONS = ("deny", "require_approval", "provenance")
#: The match kind that vouches for a value (see `Constraint.match`).
EXACT = "exact"


@dataclass(frozen=True, slots=True)
class Constraint:
    """Alternatives a value may match (any one is enough); `action` when none does."""

    allow: frozenset[str] = frozenset()
    allow_numbers: frozenset[Any] = frozenset()
    pattern: Any = None  # re2 compiled, full match
    domains: tuple[str, ...] = ()
    hosts: tuple[str, ...] = ()
    per_user: str | None = None
    action: str = "deny"

    def matches(self, value: Any, user_values: list[Any]) -> bool:
        return self.match(value, user_values) is not None

    def match(self, value: Any, user_values: list[Any]) -> str | None:
        """How `value` matches: `exact` (one of `allow` or of the user's `per_user` list),
        `pattern`, `domain`, `host`, or None (no alternative matches).

        Only an exact match vouches for where a value came from (provenance source
        `allowlisted`): a domain, host or pattern admits values nobody listed (an
        attacker's `x@company.com` found only in an outside mail), so it constrains a
        value without saying the user or the operator chose it."""
        if value is None or isinstance(value, bool):
            return EXACT
        if isinstance(value, (int, float)):
            d = V.number(value)
            ok = (
                (d is not None and d in self.allow_numbers)
                or str(value) in self.allow
                or any(V.number(u) == d for u in user_values)
            )
            return EXACT if ok else None
        if not isinstance(value, str):
            return None
        value_forms = forms(value)
        if any(form in self.allow for form in value_forms):
            return EXACT
        d = V.number(value)
        if d is not None and d in self.allow_numbers:
            return EXACT
        if user_values:
            mine = {
                f for u in user_values if isinstance(u, (str, int, float)) for f in forms(str(u))
            }
            if any(f in mine for f in value_forms):
                return EXACT
        if self.pattern is not None:
            s = value.strip()
            if self.pattern.fullmatch(s) or self.pattern.fullmatch(V.squash(s)):
                return "pattern"
        if self.domains:
            e = V.email_parts(value)
            if e and any(_glob(p, e[1]) for p in self.domains):
                return "domain"
        if self.hosts:
            h = V.host_of(value)
            if h and any(_glob(p, h) for p in self.hosts):
                return "host"
        return None


def forms(value: str) -> list[str]:
    """The canonical forms a string value is compared in (allowlists, per-user lists)."""
    out = [V.squash(value)]
    e = V.email_parts(value)
    if e:
        out.append(e[0] + "@" + e[1])
    u = V.parse_url(value)
    if u:
        out.append(u.core)
    if V.looks_like_account(value):
        out.append(V.compact(value))
    return out


def _glob(pattern: str, host: str) -> bool:
    p = pattern.lower().strip()
    if p.startswith("*."):
        return host.endswith(p[1:]) and len(host) > len(p) - 1
    return fnmatch.fnmatchcase(host, p) if any(c in p for c in "*?[") else host == p


@dataclass(frozen=True, slots=True)
class ToolEntry:
    name: str
    known: bool
    effects: str = "egress"
    output_trusted: bool = False
    #: Lower-case names; None = every argument (a side-effecting tool without a list).
    sensitive: frozenset[str] | None = None
    constraints: Mapping[str, Constraint] = field(default_factory=dict)
    trust_output_when_approved: bool = False
    extra_arguments: str = "deny"
    arguments: frozenset[str] | None = None
    drop_arguments: frozenset[str] = frozenset()
    pii_arguments: str = "report"  # report | redact
    #: The argument `max_total` sums over the conversation (lower-case), if any.
    amount_argument: str | None = None
    #: Cancels, deletes, removes: its sensitive values must come from the user (or the
    #: system prompt, or an allowlist) once untrusted output is in the conversation.
    destructive: bool = False

    def is_sensitive(self, argument: str) -> bool:
        if self.sensitive is None:
            return self.effects != "none"
        return argument.lower() in self.sensitive


#: Verbs in a tool's own name that say it cancels, deletes or removes something. The
#: operator's `destructive: true|false` wins; without it a tool named `cancel_appointment`,
#: `terminateEmployee` or `revoke-token` is destructive: operators describe what a tool
#: does, few know the field exists, and the name is the app's, never the attacker's.
DESTRUCTIVE_VERBS = frozenset(
    "cancel delete del remove rm terminate revoke disable deactivate erase purge wipe "
    "destroy drop unshare unlink suspend uninstall void unenroll deprovision".split()
)
#: Verbs that say a tool lets something through: approves a payment, grants access,
#: merges, publishes, unlocks, lifts a block. Which item the user wants let through is,
#: like which one they want gone, a choice a trusted listing does not make (the payment
#: queue names every pending payment), so such a tool is `destructive` by its name too.
AUTHORISING_VERBS = frozenset(
    "approve authorize authorise grant merge publish unlock disarm unblock unfreeze "
    "reactivate promote elevate escalate whitelist allowlist impersonate".split()
)
_NAME_VERBS = DESTRUCTIVE_VERBS | AUTHORISING_VERBS
_NAME_WORD = re2.compile(r"[A-Z]?[a-z]+|[A-Z]+(?:[a-z]+)?|[0-9]+")


def destructive_name(name: str) -> bool:
    """Does the tool's name hold one of `DESTRUCTIVE_VERBS` or `AUTHORISING_VERBS` as a
    word (`_`, `-`, `.`, camelCase split)? `cancel_reservation`, `deleteFile`,
    `users.remove`, `approve_payment`, `grantAccess` yes; `cancellation_policy`,
    `get_deleted_items`, `undelete`, `list_approvals` no."""
    words = {w.lower() for w in _NAME_WORD.findall(name[:200])}
    return not _NAME_VERBS.isdisjoint(words)


def _entry(name: str, raw: Mapping[str, Any]) -> ToolEntry:
    effects = raw.get("effects")
    if effects is not None and effects not in EFFECTS:
        log.error(
            "policy data: tools.%s.effects is %r, not one of %s: the tool counts as egress",
            name,
            effects,
            "/".join(EFFECTS),
        )
        effects = "egress"
    if raw.get("output") not in (None, "trusted", "untrusted"):
        log.error(
            "policy data: tools.%s.output is %r, not trusted/untrusted: untrusted",
            name,
            raw.get("output"),
        )
    if effects not in EFFECTS:
        se = raw.get("side_effects")
        effects = "egress" if se is None or se else "none"
    sens = raw.get("sensitive")
    sensitive = frozenset(str(s).lower() for s in sens) if isinstance(sens, list) else None
    cons: dict[str, Constraint] = {}
    for arg, c in (raw.get("constraints") or {}).items():
        if isinstance(c, Mapping):
            cons[str(arg).lower()] = _constraint(name, str(arg), c)
    args = raw.get("arguments")
    extra = raw.get("extra_arguments")
    return ToolEntry(
        name=name,
        known=True,
        effects=effects,
        output_trusted=raw.get("output") == "trusted",
        sensitive=sensitive,
        constraints=cons,
        trust_output_when_approved=raw.get("trust_output_when_approved") is True,
        extra_arguments=extra
        if extra in ("deny", "allow")
        else ("allow" if effects == "none" else "deny"),
        arguments=frozenset(str(a).lower() for a in args) if isinstance(args, list) else None,
        drop_arguments=frozenset(str(a).lower() for a in raw.get("drop_arguments") or ()),
        pii_arguments="redact" if raw.get("pii_arguments") == "redact" else "report",
        amount_argument=_amount_argument(raw.get("max_total")),
        destructive=raw["destructive"]
        if isinstance(raw.get("destructive"), bool)
        else destructive_name(name),
    )


def _amount_argument(raw: Any) -> str | None:
    if isinstance(raw, Mapping) and isinstance(raw.get("argument"), str):
        return str(raw["argument"]).lower()
    return None


def _constraint(tool: str, arg: str, c: Mapping[str, Any]) -> Constraint:
    allow: set[str] = set()
    nums: set[Any] = set()
    for v in c.get("allow") or ():
        if isinstance(v, bool):
            continue
        d = V.number(v)
        if d is not None:
            nums.add(d)
        allow.update(forms(str(v)))
    pattern = None
    if isinstance(c.get("pattern"), str):
        try:
            pattern = re2.compile(c["pattern"])
        except Exception as exc:  # noqa: BLE001 - a bad pattern matches nothing, loudly
            log.error(
                "policy data: tools.%s.constraints.%s.pattern does not compile under "
                "RE2 (%s); it matches nothing",
                tool,
                arg,
                exc,
            )
    action = c.get("on_mismatch")
    return Constraint(
        frozenset(allow),
        frozenset(nums),
        pattern,
        tuple(str(d).lower() for d in c.get("domains") or ()),
        tuple(str(h).lower() for h in c.get("hosts") or ()),
        str(c["per_user"]) if isinstance(c.get("per_user"), str) else None,
        action if action in ACTIONS else "deny",
    )


class Catalog:
    """Entries built once per policy data object (a reload makes a new one)."""

    def __init__(self, data: JsonMapping | None) -> None:
        """`data`: the policy's data document (its `keepgate` object), JSON by contract."""
        kg = (data or {}).get("keepgate") or {}
        tools = kg.get("tools") or {}
        self.entries: dict[str, ToolEntry] = {
            str(n): _entry(str(n), t) for n, t in tools.items() if isinstance(t, Mapping)
        }
        self.users: JsonMapping = kg.get("users") or {}
        self._unknown: dict[str, ToolEntry] = {}

    def overlay(self, entries: Mapping[str, ToolEntry]) -> "Catalog":
        """This catalogue plus `entries` for tools it does not describe (its own win)."""
        out = Catalog.__new__(Catalog)
        out.entries = {**entries, **self.entries}
        out.users = self.users
        out._unknown = {}
        return out

    def get(self, name: str) -> ToolEntry:
        e = self.entries.get(name)
        if e is not None:
            return e
        e = self._unknown.get(name)
        if e is None:
            e = ToolEntry(name=name, known=False, destructive=destructive_name(name))
            if len(self._unknown) < 1000:
                self._unknown[name] = e
        return e

    def user_values(self, principal: JsonMapping, key: str) -> list[JsonValue]:
        """A per-user allowlist: principal metadata first, then data.keepgate.users[key_id]."""
        out: list[JsonValue] = []
        meta = principal.get("metadata") or {}
        v = meta.get(key) if isinstance(meta, Mapping) else None
        if isinstance(v, list):
            out.extend(v)
        elif isinstance(v, str):
            out.extend(s.strip() for s in v.split(",") if s.strip())
        u = self.users.get(str(principal.get("key_id"))) if principal.get("key_id") else None
        if isinstance(u, Mapping) and isinstance(u.get(key), list):
            out.extend(u[key])
        return out


_cache: tuple[int, Any, Catalog] | None = None


def catalog_for(data: Mapping[str, Any] | None) -> Catalog:
    """The catalogue of a bundle's data (cached by identity: data objects are not mutated)."""
    global _cache
    if _cache is not None and _cache[0] == id(data) and _cache[1] is data:
        return _cache[2]
    cat = Catalog(data)
    _cache = (id(data), data, cat)
    return cat
