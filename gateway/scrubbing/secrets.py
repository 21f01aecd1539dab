"""Secret recognizers: provider API keys, tokens and key blocks, as Presidio recognizers.

Each is a `PatternRecognizer`, so they run, score and validate exactly like Presidio's own.
Prefixes follow the providers' published formats; the keyword rule catches the rest
(`password: ...`, `api_key = "..."`) when the value looks random.
"""

from __future__ import annotations

import math
from collections import Counter

import regex as re
from presidio_analyzer import Pattern, PatternRecognizer

_FLAGS = re.DOTALL | re.MULTILINE  # case matters for key prefixes


def _rec(entity: str, name: str, regex: str, score: float = 0.95,
         context: list[str] | None = None) -> PatternRecognizer:
    return PatternRecognizer(supported_entity=entity, name=name,
                             patterns=[Pattern(name, regex, score)], context=context,
                             global_regex_flags=_FLAGS)


def shannon_entropy(text: str) -> float:
    """Bits per character; random base64 scores about 5, English words about 3."""
    n = len(text)
    return -sum(c / n * math.log2(c / n) for c in Counter(text).values()) if n else 0.0


class KeywordSecretRecognizer(PatternRecognizer):
    """A random-looking value right after `key`, `token`, `secret`, `password`, ...

    Only the value is reported (the keyword sits in a look-behind), so the redacted text
    still reads `password: <SECRET>`.
    """

    KEYWORDS = (r"(?:api[_\-. ]?key|apikey|access[_\-. ]?key(?:[_\-. ]?id)?|secret(?:[_\-. ]?key)?"
                r"|client[_\-. ]?secret|private[_\-. ]?key|(?:auth|access|refresh|bearer|api)?"
                r"[_\-. ]?token|password|passwd|passphrase|pwd|credentials?|bearer)")
    REGEX = (r"(?<=(?i:\b" + KEYWORDS + r")[\"'`]?\s{0,3}(?:[:=]|=>|:=|(?i:\bis\b)|(?i:\bbearer\b))"
             r"\s{0,3}[\"'`]?)[A-Za-z0-9_\-+/=.~!@#$%^&*]{8,256}")

    def __init__(self) -> None:
        super().__init__(supported_entity="SECRET", name="KeywordSecretRecognizer",
                         patterns=[Pattern("keyword secret", self.REGEX, 0.85)],
                         global_regex_flags=_FLAGS)

    def validate_result(self, pattern_text: str) -> bool:
        value = pattern_text.rstrip(".,;")
        if len(value) < 8:
            return False
        has_digit = any(c.isdigit() for c in value)
        has_alpha = any(c.isalpha() for c in value)
        mixed_case = any(c.isupper() for c in value) and any(c.islower() for c in value)
        random_looking = (has_digit and has_alpha) or (mixed_case and len(value) >= 16)
        return random_looking and shannon_entropy(value) >= 3.0


def secret_recognizers() -> list[PatternRecognizer]:
    return [
        _rec("ANTHROPIC_API_KEY", "AnthropicKeyRecognizer", r"\bsk-ant-[A-Za-z0-9_\-]{20,}"),
        _rec("OPENAI_API_KEY", "OpenAIKeyRecognizer",
             r"\bsk-(?!ant-)(?:proj-|svcacct-|admin-|None-)?[A-Za-z0-9_\-]{20,}"),
        _rec("AWS_ACCESS_KEY", "AwsAccessKeyRecognizer",
             r"\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b"),
        _rec("GITHUB_TOKEN", "GitHubTokenRecognizer",
             r"\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b"),
        _rec("SLACK_TOKEN", "SlackTokenRecognizer",
             r"\bxox[abposre]-[A-Za-z0-9\-]{10,}|https://hooks\.slack\.com/services/[A-Za-z0-9/]{20,}"),
        _rec("STRIPE_KEY", "StripeKeyRecognizer", r"\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}\b"),
        _rec("JWT", "JwtRecognizer",
             r"\beyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]*"),
        # An unterminated block (answer cut short) is redacted to the end of the text.
        _rec("PRIVATE_KEY", "PrivateKeyRecognizer",
             r"-----BEGIN[A-Z ]{0,32}PRIVATE KEY(?: BLOCK)?-----.*?"
             r"(?:-----END[A-Z ]{0,32}PRIVATE KEY(?: BLOCK)?-----|\Z)", score=1.0),
        KeywordSecretRecognizer(),
    ]


#: Where a private-key block starts; the stream holds everything from here until its END.
PEM_BEGIN = "-----BEGIN"
PEM_END = re.compile(r"-----END[A-Z ]{0,32}PRIVATE KEY(?: BLOCK)?-----")
