"""KeyStore: a virtual key resolves to its principal, built once at load (resolve runs on
every request), with the config's fields; the master key and unknown keys as before."""

from __future__ import annotations

import hashlib

import yaml

from keepgate.auth.keys import KeyStore
from keepgate.config.load import parse_config

RAW = "sk-kg-keystore-test-0123456789"


def test_a_virtual_key_resolves_to_one_principal_with_its_config_fields() -> None:
    config = parse_config(
        yaml.safe_dump(
            {
                "general_settings": {"master_key": "sk-master-keystore-0123456789"},
                "keys": [
                    {
                        "key_id": "alice",
                        "key_hash": hashlib.sha256(RAW.encode()).hexdigest(),
                        "role": "analyst",
                        "team": "research",
                        "metadata": {"allowed_tools": ["search"]},
                    }
                ],
            }
        ),
        None,
        environ={},
    )
    keys = KeyStore(config)
    first, again = keys.resolve(RAW), keys.resolve(RAW)
    assert first is not None and first is again  # built once, not per request
    assert (first.key_id, first.role, first.team, first.is_admin) == (
        "alice",
        "analyst",
        "research",
        False,
    )
    assert first.metadata == {"allowed_tools": ["search"]}
    assert first.metadata is not config.keys[0].metadata  # a copy of the config's
    assert keys.resolve("sk-master-keystore-0123456789") is keys.master
    assert keys.resolve("sk-kg-unknown") is None and keys.resolve(None) is None
