"""Secret recognizers: provider API keys, tokens and key blocks, as Presidio recognizers.

Each is a `PatternRecognizer`, so they run, score and validate exactly like Presidio's own.
Prefixes follow the providers' published formats; `credentials.py` catches the rest
(passwords and tokens after a keyword, `user / password` pairs, config lines).
"""

from __future__ import annotations

import regex as re
from presidio_analyzer import Pattern, PatternRecognizer

from keepgate.scrubbing.credentials import shannon_entropy

_FLAGS = re.DOTALL | re.MULTILINE  # case matters for key prefixes


def _rec(
    entity: str, name: str, regex: str, score: float = 0.95, context: list[str] | None = None
) -> PatternRecognizer:
    # presidio annotates `context: List[str] = None`; None is its own default
    return PatternRecognizer(
        supported_entity=entity,
        name=name,
        patterns=[Pattern(name, regex, score)],
        context=context,  # type: ignore[arg-type]
        global_regex_flags=_FLAGS,
    )


class AwsSecretKeyRecognizer(PatternRecognizer):
    """An AWS secret access key: 40 base64 characters, reported only next to a word such as
    `aws`, `secret` or `access` (its 0.5 is below the type's 0.6 threshold until context
    lifts it: alone it is as likely a hash or an id), and never a hex digest."""

    def __init__(self) -> None:
        super().__init__(
            supported_entity="AWS_SECRET_KEY",
            name="AwsSecretKeyRecognizer",
            patterns=[
                Pattern(
                    "aws secret key", r"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])", 0.5
                )
            ],
            context=["aws", "secret", "access", "amazon"],
            global_regex_flags=_FLAGS,
        )

    def validate_result(self, pattern_text: str) -> bool | None:
        v = pattern_text
        if re.fullmatch(r"[0-9a-f]{40}|[0-9A-F]{40}", v):
            return False  # a SHA-1 / git commit
        kinds = (
            any(c.islower() for c in v),
            any(c.isupper() for c in v),
            any(c.isdigit() for c in v),
        )
        return None if sum(kinds) >= 3 and shannon_entropy(v) >= 4.0 else False


#: Hash names: `sha512-<base64>` (lockfile integrity) is a digest, not a credential.
_HASH_PREFIXES = frozenset("sha1 sha224 sha256 sha384 sha512 md5 blake2b blake3".split())


def _mean_run(body: str, kind: str) -> float:
    """Mean length of the maximal runs of lower-case (`kind="l"`) letters."""
    runs = re.findall(r"[a-z]+" if kind == "l" else r"[A-Z]+", body)
    return sum(map(len, runs)) / len(runs) if runs else 0.0


class PrefixedTokenRecognizer(PatternRecognizer):
    """A vendor token by its shape, whoever the vendor: a short prefix, a separator, then
    ≥ 30 random characters (`hf_…`, `npm_…`, `SG.….…`, `pypi-…`, `dop_v1_…`).
    Providers now mark their tokens this way so that scanners can find them; listing them
    all is impossible, and the body tells a token from an identifier: digits, both cases,
    and lower-case runs as short as chance makes them (a mean ≤ 2.6 letters; a camelCase
    name's runs are words, `getUserById2` has 2.8, English 4+)."""

    def __init__(self) -> None:
        super().__init__(
            supported_entity="SECRET",
            name="PrefixedTokenRecognizer",
            patterns=[
                Pattern(
                    "prefixed token",
                    r"(?<![A-Za-z0-9_\-.+/=])(?P<p>[A-Za-z]{2,10}(?:[_\-][A-Za-z0-9]{1,6})?)"
                    r"[_\-.][A-Za-z0-9][A-Za-z0-9_\-.]{18,250}[A-Za-z0-9](?![A-Za-z0-9_\-+/=])",
                    0.7,
                )
            ],
            global_regex_flags=_FLAGS,
        )

    def validate_result(self, pattern_text: str) -> bool | None:
        m = re.match(r"[A-Za-z]{2,10}(?:[_\-][A-Za-z0-9]{1,6})?[_\-.]", pattern_text)
        prefix = re.split(r"[_\-.]", pattern_text, maxsplit=1)[0].lower()
        if m is None or prefix in _HASH_PREFIXES:
            return False
        return None if random_body(pattern_text[m.end() :]) else False


#: Shorter prefixed random strings are mostly ids, not credentials: tool-call and message
#: ids (`call_` + 24, `toolu_01` + 22, `msg_01` + 22), Stripe object ids (`cus_`, `pi_`),
#: which the PII guard must not rewrite (a changed tool-call id is refused next turn).
#: Tokens are longer (`hf_` 34, `npm_` 36, `ghp_` 36, SendGrid 66); a short one after a
#: word like `token` is still caught by the credential recognizer.
MIN_TOKEN_BODY = 30


def random_body(body: str) -> bool:
    """Does `body` look random rather than written (see `PrefixedTokenRecognizer`)?"""
    core = re.sub(r"[_\-.]", "", body)
    if len(core) < MIN_TOKEN_BODY or sum(c.isdigit() for c in core) < 2:
        return False
    if not any(c.isupper() for c in core) or not any(c.islower() for c in core):
        return False
    return (
        _mean_run(core, "l") <= 2.6 and _mean_run(core, "u") <= 2.6 and shannon_entropy(core) >= 3.5
    )


def secret_recognizers() -> list[PatternRecognizer]:
    return [
        _rec("ANTHROPIC_API_KEY", "AnthropicKeyRecognizer", r"\bsk-ant-[A-Za-z0-9_\-]{20,}"),
        _rec(
            "OPENAI_API_KEY",
            "OpenAIKeyRecognizer",
            r"\bsk-(?!ant-)(?:proj-|svcacct-|admin-|None-)?[A-Za-z0-9_\-]{20,}",
        ),
        _rec(
            "AWS_ACCESS_KEY",
            "AwsAccessKeyRecognizer",
            r"\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b",
        ),
        _rec(
            "GITHUB_TOKEN",
            "GitHubTokenRecognizer",
            r"\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b",
        ),
        _rec(
            "SLACK_TOKEN",
            "SlackTokenRecognizer",
            r"\bxox[abposre]-[A-Za-z0-9\-]{10,}|https://hooks\.slack\.com/services/[A-Za-z0-9/]{20,}",
        ),
        _rec("STRIPE_KEY", "StripeKeyRecognizer", r"\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}\b"),
        _rec(
            "JWT",
            "JwtRecognizer",
            r"\beyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]*",
        ),
        # An unterminated block (answer cut short) is redacted to the end of the text.
        _rec(
            "PRIVATE_KEY",
            "PrivateKeyRecognizer",
            r"-----BEGIN[A-Z ]{0,32}PRIVATE KEY(?: BLOCK)?-----.*?"
            r"(?:-----END[A-Z ]{0,32}PRIVATE KEY(?: BLOCK)?-----|\Z)",
            score=1.0,
        ),
        _rec(
            "GOOGLE_API_KEY",
            "GoogleApiKeyRecognizer",
            r"\bAIza[0-9A-Za-z_\-]{35}(?![0-9A-Za-z_\-])",
        ),
        # Azure AD / Entra client secrets carry `Q~` at a fixed place (2022 format).
        _rec(
            "AZURE_CLIENT_SECRET",
            "AzureClientSecretRecognizer",
            r"(?<![\w~.\-])[A-Za-z0-9_~.\-]{3}\dQ~[A-Za-z0-9_~.\-]{31,34}(?![\w~.\-])",
        ),
        # Azure storage / Service Bus connection strings: the key after AccountKey= etc.
        _rec(
            "AZURE_STORAGE_KEY",
            "AzureConnectionKeyRecognizer",
            r"(?<=(?:AccountKey|SharedAccessKey|SharedAccessSignature)=)[A-Za-z0-9+/%=]{20,200}",
        ),
        AwsSecretKeyRecognizer(),
        PrefixedTokenRecognizer(),
    ]


#: Where a private-key block starts; the stream holds everything from here until its END.
PEM_BEGIN = "-----BEGIN"
PEM_END = re.compile(r"-----END[A-Z ]{0,32}PRIVATE KEY(?: BLOCK)?-----")
