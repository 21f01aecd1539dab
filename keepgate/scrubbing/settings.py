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
    nlp_model: builtin           # the shipped NER; or a spaCy model (installed), or null
    thresholds: {PERSON: 0.5}    # per entity type
    url_policy: sensitive        # or `all`
    fail_open: false
    roles: {support: {allowlist: [...]}}     # per-role / per-key overrides (operators too)
    keys: {ci-bot: {enabled: false}}
```
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from keepgate.scrubbing.images import ImageSettings
from keepgate.scrubbing.links import LinkSettings
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from keepgate.config.errors import ConfigError
from keepgate.config.model import GuardSettings
from keepgate.config.partial import Partial

#: Entity types scrubbed when `entities` is not set: Presidio's pattern recognizers that
#: identify a person or an account, plus the secret recognizers. DATE_TIME and UUID are
#: Presidio defaults too, but off here: they are rarely personal and common in answers.
DEFAULT_ENTITIES: tuple[str, ...] = (
    "EMAIL_ADDRESS",
    "PHONE_NUMBER",
    "CREDIT_CARD",
    "IBAN_CODE",
    "IP_ADDRESS",
    "US_SSN",
    "URL",
    "CRYPTO",
    "US_BANK_NUMBER",
    "US_DRIVER_LICENSE",
    "US_ITIN",
    "US_PASSPORT",
    "UK_NHS",
    "MEDICAL_LICENSE",
    "MAC_ADDRESS",
    # identity numbers (keepgate.scrubbing.ids)
    "PASSPORT",
    "DRIVER_LICENSE",
    "NATIONAL_ID",
    "TAX_ID",
    "UK_NINO",
    "IN_PAN",
    "IN_AADHAAR",
    "ES_NIF",
    "ES_NIE",
    "IT_FISCAL_CODE",
    "PL_PESEL",
    "FI_PERSONAL_IDENTITY_CODE",
    "SE_PERSONNUMMER",
    "CA_SIN",
    "SG_NRIC_FIN",
    "DATE_OF_BIRTH",  # a date after `born`, `DOB`, ... (keepgate.scrubbing.birth)
    # secrets (keepgate.scrubbing.secrets, keepgate.scrubbing.credentials)
    "OPENAI_API_KEY",
    "ANTHROPIC_API_KEY",
    "AWS_ACCESS_KEY",
    "AWS_SECRET_KEY",
    "GITHUB_TOKEN",
    "SLACK_TOKEN",
    "STRIPE_KEY",
    "JWT",
    "PRIVATE_KEY",
    "GOOGLE_API_KEY",
    "AZURE_CLIENT_SECRET",
    "AZURE_STORAGE_KEY",
    "SECRET",
)
#: Entities the NER adds when `entities` is not set: the shipped tagger finds the first
#: three, a spaCy model also NRP (nationalities, religious and political groups).
BUILTIN_NER = "builtin"
NER_ENTITIES: tuple[str, ...] = ("PERSON", "LOCATION", "ORGANIZATION")
SPACY_NER_ENTITIES: tuple[str, ...] = NER_ENTITIES + ("NRP",)
#: Per-entity score thresholds over `score_threshold` (see docs/pii.md, "Defaults").
#: The NER's scores are its probability for the span's label; an AWS secret key (40
#: base64 characters) counts only next to a word like `aws` or `secret` (context lifts
#: its 0.5 to 0.85).
DEFAULT_THRESHOLDS: dict[str, float] = {
    "PERSON": 0.5,
    "LOCATION": 0.55,
    "ORGANIZATION": 0.6,
    "NRP": 0.6,
    "AWS_SECRET_KEY": 0.6,
}

SALT_ENV = "KEEPGATE_PII_SALT"
ENV_PREFIX = "os.environ/"


class SettingsError(ConfigError, ValueError):
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


class PiiOptions(GuardSettings):
    """Every option of `guards.pii`; each may also be set per role or key (`roles:` /
    `keys:` of `PiiSettings`)."""

    entities: list[str] | None = None
    score_threshold: float = Field(0.35, ge=0.0, le=1.0)
    operators: dict[str, Operator] = Field(default_factory=dict)
    allowlist: list[str] = Field(default_factory=list)
    hash_salt: str | None = None
    #: Per-entity score thresholds (over DEFAULT_THRESHOLDS, then score_threshold).
    thresholds: dict[str, float] = Field(default_factory=dict)
    #: `sensitive`: a URL is redacted only when it carries credentials, tokens or
    #: identifiers (keepgate/scrubbing/urls.py); `all`: every URL.
    url_policy: Literal["sensitive", "all"] = "sensitive"
    #: `builtin` (the NER shipped in the package), a spaCy model (package name or path),
    #: or null / `none` for pattern recognizers only.
    nlp_model: str | None = BUILTIN_NER
    fail_open: bool = False
    #: Characters a multi-word entity (spaced card or IBAN, phone with extension) can span;
    #: the stream holds back digit-led words within this distance of its end.
    stream_hold_chars: int = Field(48, ge=16, le=4096)
    #: Opt-in: text that arrives within this many ms of the last release is coalesced with
    #: the next piece (at most 512 characters), so a fast upstream's burst is scrubbed and
    #: sent in a few chunks instead of hundreds. Off by default: there is no timer, so the
    #: tail of a burst waits for the next piece, however long the model pauses.
    stream_coalesce_ms: float = Field(0.0, ge=0, le=1000)
    #: Tool-call arguments: `report` (default) leaves them as the model wrote them and hands
    #: the entities found (type + argument path) to the tool-call policy as `facts.pii`;
    #: `redact` rewrites them like answer text. An agent whose tools get `<IBAN_CODE>`
    #: instead of the IBAN the user asked to pay cannot do its job, so rewriting is opt-in.
    tool_arguments: Literal["report", "redact"] = "report"
    #: Tools (names or glob patterns) whose arguments are redacted even in `report` mode.
    redact_tools: list[str] = Field(default_factory=list)
    #: Remote images in answers (markdown, HTML, reference definitions) whose host is not
    #: allowlisted: neutralised after untrusted output (`tainted`), `always`, or `off`.
    images: ImageSettings = Field(default_factory=ImageSettings)
    #: Links in answers (markdown, bare URLs, `www.`, HTML anchors, autolinks, reference
    #: definitions) the conversation does not vouch for: defanged (or flagged) after
    #: untrusted output (`tainted`), `always`, or `off`.
    links: LinkSettings = Field(default_factory=LinkSettings)

    @field_validator("nlp_model", mode="before")
    @classmethod
    def _no_model(cls, v: Any) -> Any:
        return None if v in (None, "", "none", "None", False) else v

    @field_validator("thresholds", mode="before")
    @classmethod
    def _upper_threshold_keys(cls, v: Any) -> Any:
        if isinstance(v, dict):
            for k, x in v.items():
                if not isinstance(x, (int, float)) or not 0 <= x <= 1:
                    raise ValueError(f"threshold for {k} must be a number from 0 to 1")
            return {str(k).upper(): v[k] for k in v}
        return v

    # The schema says what a file may hold: an operator's name alone is its `type`.
    @field_validator(
        "operators",
        mode="before",
        json_schema_input_type=dict[str, Operator | Literal["replace", "mask", "hash", "drop"]],
    )
    @classmethod
    def _upper_keys(cls, v: Any) -> Any:
        if isinstance(v, dict):
            return {
                str(k).upper(): ({"type": o} if isinstance(o, str) else o) for k, o in v.items()
            }
        return v

    def entity_set(self) -> frozenset[str]:
        if self.entities is not None:
            return frozenset(e.upper() for e in self.entities)
        extra = (
            ()
            if not self.nlp_model
            else NER_ENTITIES
            if self.nlp_model == BUILTIN_NER
            else SPACY_NER_ENTITIES
        )
        return frozenset(DEFAULT_ENTITIES + extra)

    def thresholds_for(self, entities: frozenset[str]) -> dict[str, float]:
        """The score each entity type needs: `thresholds`, else the default for the type
        (never below `score_threshold`), else `score_threshold`."""
        out = {e: max(DEFAULT_THRESHOLDS.get(e, 0.0), self.score_threshold) for e in entities}
        out.update({e: t for e, t in self.thresholds.items() if e in entities})
        return out

    def operator_for(self, entity: str) -> Operator:
        return self.operators.get(entity) or self.operators.get("DEFAULT") or Operator()

    def salt(self) -> bytes | None:
        """The hash salt: config (`os.environ/NAME` allowed), else $KEEPGATE_PII_SALT."""
        raw = self.hash_salt
        if raw and raw.startswith(ENV_PREFIX):
            raw = os.environ.get(raw[len(ENV_PREFIX) :])
        raw = raw or os.environ.get(SALT_ENV)
        return raw.encode() if raw else None


#: An override: any option, none required (keepgate.config.partial).
PiiOverride = Annotated[BaseModel, Partial(PiiOptions, "PiiOverride")]


class PiiSettings(PiiOptions):
    """`guards.pii`: the options, and per-role / per-key overrides of any of them."""

    #: Options for keys of this role, merged over the section (keepgate.pipeline.overrides).
    roles: dict[str, PiiOverride | None] = Field(default_factory=dict)
    #: Options for this key_id, merged over the section and its role's overrides.
    keys: dict[str, PiiOverride | None] = Field(default_factory=dict)


def parse_settings(section: Mapping[str, Any], where: str = "guards.pii") -> PiiSettings:
    base = tuple(where.split("."))
    try:
        settings = PiiSettings.model_validate(section)
    except ValidationError as exc:
        errors = exc.errors()
        msgs = [f"{where}.{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors]
        raise SettingsError("; ".join(msgs), base + tuple(errors[0]["loc"])) from None
    return checked(settings, where)


def checked(settings: PiiSettings, where: str = "guards.pii") -> PiiSettings:
    """`settings`, if it can be used: the hash operator needs a salt of 16 bytes or more."""
    base = tuple(where.split("."))
    if any(o.type == "hash" for o in settings.operators.values()):
        salt = settings.salt()
        if not salt or len(salt) < 16:
            raise SettingsError(
                f"{where}.hash_salt: the hash operator needs a salt of at least 16 bytes "
                f"(set hash_salt, 'os.environ/NAME', or ${SALT_ENV})",
                base + ("hash_salt",),
            )
    return settings
