"""Virtual API keys: stored as SHA-256 hashes, resolved to principals in constant time."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from keepgate.auth.principal import Principal
from keepgate.config.model import KeepgateConfig

KEY_PREFIX = "sk-kg-"


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


class KeyStore:
    """Maps a presented key to its principal. Raw keys are never stored or logged."""

    def __init__(self, config: KeepgateConfig) -> None:
        #: Each key's principal, built once: `resolve` runs on every request, and a
        #: principal is read-only (frozen; its metadata a copy of the config's, which
        #: readers copy again before handing it on).
        self._by_hash = {
            k.key_hash: Principal(
                key_id=k.key_id,
                role=k.role,
                team=k.team,
                metadata=dict(k.metadata),
                is_admin=k.role == "admin",
            )
            for k in config.keys
        }
        master = config.master_key()
        self._master_hash = hash_key(master) if master else None
        self.master = Principal(key_id="master", role="admin", is_admin=True)
        self._allowed_models = {k.key_id: set(k.models) for k in config.keys}

    def resolve(self, raw: str | None) -> Principal | None:
        if not raw:
            return None
        digest = hash_key(raw)
        if self._master_hash and hmac.compare_digest(digest, self._master_hash):
            return self.master
        return self._by_hash.get(digest)

    def may_use(self, principal: Principal, model: str) -> bool:
        allowed = self._allowed_models.get(principal.key_id)
        return principal.is_admin or not allowed or model in allowed
