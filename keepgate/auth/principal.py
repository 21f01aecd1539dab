"""The identity a request runs as, resolved from its API key."""

from __future__ import annotations

from dataclasses import dataclass, field

from keepgate.jsontypes import JsonObject


@dataclass(frozen=True, slots=True)
class Principal:
    key_id: str
    role: str
    team: str | None = None
    metadata: JsonObject = field(default_factory=dict)
    is_admin: bool = False

    def as_dict(self) -> JsonObject:
        return {
            "key_id": self.key_id,
            "role": self.role,
            "team": self.team,
            "metadata": dict(self.metadata),
            "is_admin": self.is_admin,
        }
