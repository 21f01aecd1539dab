"""The `guards.pii` config section, validated once at start-up.

```yaml
guards:
  pii:
    entities: [EMAIL_ADDRESS, PHONE_NUMBER, CREDIT_CARD, ...]   # default: DEFAULT_ENTITIES
    score_threshold: 0.35        # Presidio scores phone numbers 0.4: keep this below 0.4
    operators:                   # per entity type; DEFAULT is the fallback
      DEFAULT: {type: replace}               # -> <EMAIL_ADDRESS>
      CREDIT_CARD: {type: mask, keep_last: 4}
      EMAIL_ADDRESS: {type: hash}            # salted: equal values -> equal tokens
      AWS_ACCESS_KEY: {type: drop}
    allowlist: [support@company.com]
    hash_salt: os.environ/KEEPGATE_PII_SALT  # or KEEPGATE_PII_SALT in the environment
    nlp_model: en_core_web_sm    # optional spaCy NER (PERSON, LOCATION, ...); must be installed
    fail_open: false
    roles: {support: {allowlist: [...]}}     # per-role / per-key overrides (operators too)
    keys: {ci-bot: {enabled: false}}
```
"""

from __future__ import annotations

import os
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

#: Entity types scrubbed when `entities` is not set: Presidio's pattern recognizers that
#: identify a person or an account, plus the secret recognizers. DATE_TIME and UUID are
#: Presidio defaults too, but off here: they are rarely personal and common in answers.
DEFAULT_ENTITIES: tuple[str, ...] = (
    "EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE", "IP_ADDRESS", "US_SSN",
    "URL", "CRYPTO", "US_BANK_NUMBER", "US_DRIVER_LICENSE", "US_ITIN", "US_PASSPORT",
    "UK_NHS", "MEDICAL_LICENSE", "MAC_ADDRESS",
    # secrets (gateway.scrubbing.secrets)
    "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "AWS_ACCESS_KEY", "GITHUB_TOKEN", "SLACK_TOKEN",
    "STRIPE_KEY", "JWT", "PRIVATE_KEY", "SECRET",
)
#: Entities a spaCy NER model adds when `nlp_model` is set and `entities` is not.
NER_ENTITIES: tuple[str, ...] = ("PERSON", "LOCATION", "NRP")

SALT_ENV = "KEEPGATE_PII_SALT"
ENV_PREFIX = "os.environ/"


class SettingsError(ValueError):
    """A `guards.pii` section that cannot be used; the message names the field.

    `path` is the config path of the first bad field, for a file:line in start-up errors.
    """

    def __init__(self, message: str, path: tuple[Any, ...] = ("guards", "pii")) -> None:
        super().__init__(message)
        self.path = path


class Operator(BaseModel):
    """How one entity type is rewritten. Values never reach logs, only the type."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["replace", "mask", "hash", "drop"] = "replace"
    #: replace: the text put in place of the value; `{type}` is the entity type.
    new_value: str = "<{type}>"
    #: mask: the character used and how many trailing characters stay visible.
    masking_char: str = Field("*", min_length=1, max_length=1)
    keep_last: int = Field(0, ge=0)
    #: hash: hex digits of the salted SHA-256 kept in `<TYPE:digest>`.
    hash_length: int = Field(16, ge=8, le=64)


class PiiSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    entities: list[str] | None = None
    score_threshold: float = Field(0.35, ge=0.0, le=1.0)
    operators: dict[str, Operator] = Field(default_factory=dict)
    allowlist: list[str] = Field(default_factory=list)
    hash_salt: str | None = None
    nlp_model: str | None = None
    fail_open: bool = False
    #: Characters a multi-word entity (spaced card or IBAN, phone with extension) can span;
    #: the stream holds back digit-led words within this distance of its end.
    stream_hold_chars: int = Field(48, ge=16, le=4096)
    #: Opt-in: text that arrives within this many ms of the last release is coalesced with
    #: the next piece (at most 512 characters), so a fast upstream's burst is scrubbed and
    #: sent in a few chunks instead of hundreds. Off by default: there is no timer, so the
    #: tail of a burst waits for the next piece, however long the model pauses.
    stream_coalesce_ms: float = Field(0.0, ge=0, le=1000)
    roles: dict[str, dict[str, Any]] = Field(default_factory=dict)
    keys: dict[str, dict[str, Any]] = Field(default_factory=dict)

    @field_validator("operators", mode="before")
    @classmethod
    def _upper_keys(cls, v: Any) -> Any:
        if isinstance(v, dict):
            return {str(k).upper(): ({"type": o} if isinstance(o, str) else o) for k, o in v.items()}
        return v

    def entity_set(self) -> frozenset[str]:
        if self.entities is not None:
            return frozenset(e.upper() for e in self.entities)
        extra = NER_ENTITIES if self.nlp_model else ()
        return frozenset(DEFAULT_ENTITIES + extra)

    def operator_for(self, entity: str) -> Operator:
        return self.operators.get(entity) or self.operators.get("DEFAULT") or Operator()

    def salt(self) -> bytes | None:
        """The hash salt: config (`os.environ/NAME` allowed), else $KEEPGATE_PII_SALT."""
        raw = self.hash_salt
        if raw and raw.startswith(ENV_PREFIX):
            raw = os.environ.get(raw[len(ENV_PREFIX):])
        raw = raw or os.environ.get(SALT_ENV)
        return raw.encode() if raw else None


def parse_settings(section: dict[str, Any], where: str = "guards.pii") -> PiiSettings:
    base = tuple(where.split("."))
    try:
        settings = PiiSettings.model_validate(section)
    except ValidationError as exc:
        errors = exc.errors()
        msgs = [f"{where}.{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors]
        raise SettingsError("; ".join(msgs), base + tuple(errors[0]["loc"])) from None
    if any(o.type == "hash" for o in settings.operators.values()):
        salt = settings.salt()
        if not salt or len(salt) < 16:
            raise SettingsError(
                f"{where}.hash_salt: the hash operator needs a salt of at least 16 bytes "
                f"(set hash_salt, 'os.environ/NAME', or ${SALT_ENV})", base + ("hash_salt",))
    return settings
