"""Per-role / per-key overrides are resolved once per (role, key_id) pair, not per request:
principals that share the pair share what the guard built for it (the merged section is not
rebuilt and hashed on every call), and the pair decides which overrides apply."""

from __future__ import annotations

from keepgate.auth.principal import Principal
from keepgate.pipeline.overrides import effective, override_key
from keepgate.scrubbing.guard import PiiGuard, shared_detector
from keepgate.scrubbing.settings import parse_settings

SECTION = parse_settings(
    {
        "entities": ["EMAIL_ADDRESS", "PHONE_NUMBER"],
        "nlp_model": "none",
        "roles": {"support": {"entities": ["EMAIL_ADDRESS"]}, "ops": {"enabled": False}},
        "keys": {"ci": {"allowlist": ["ci@example.com"]}},
    }
)


def who(key_id: str, role: str) -> Principal:
    return Principal(key_id=key_id, role=role)


def test_override_key_names_only_the_overrides_that_exist() -> None:
    assert override_key(SECTION, who("a", "user")) == (None, None)
    assert override_key(SECTION, who("a", "support")) == ("support", None)
    assert override_key(SECTION, who("ci", "support")) == ("support", "ci")
    # same pair, same effective section
    assert effective(SECTION, who("a", "support")) == effective(SECTION, who("b", "support"))
    # the options as written, merged: the role's entities over the section's
    assert effective(SECTION, who("ci", "support")) == {
        "entities": ["EMAIL_ADDRESS"],
        "nlp_model": None,
        "allowlist": ["ci@example.com"],
    }


def test_the_pii_guard_builds_one_scrubber_per_pair() -> None:
    guard = PiiGuard(SECTION, shared_detector(None))
    alice, bob = who("alice", "support"), who("bob", "support")
    assert guard.scrubber_for(alice) is guard.scrubber_for(bob)
    assert guard.scrubber_for(who("carol", "user")) is not guard.scrubber_for(alice)
    assert guard.scrubber_for(who("ci", "support")) is not guard.scrubber_for(alice)
    assert guard.scrubber_for(who("dan", "ops")) is None  # the override turns it off
    # the role's override is what applies: phone numbers pass for support, not for users
    text = "mail a@example.com or call 212-555-0123"
    assert "212-555-0123" in guard.scrubber_for(alice).scrub(text)[0]
    assert "212-555-0123" not in guard.scrubber_for(who("carol", "user")).scrub(text)[0]
