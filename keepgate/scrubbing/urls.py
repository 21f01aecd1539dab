"""Which URLs are personal data: the default redacts a URL only when it carries a secret or
an identifier.

A link to documentation, a repository or a news article is not personal, and answers are
full of them: on noisy forum/social text 519 of 522 redactions were ordinary URLs. What a
user does expect to disappear is a URL that lets someone in or names someone:

* user info (`https://user:pass@host/`, `ftp://admin@host`);
* a query parameter named like a credential or an identifier (`token`, `key`, `sig`,
  `session`, `code`, `password`, `email`, `user`, `id`-like names: see `SENSITIVE_PARAMS`),
  or any query value that is an e-mail address or a long random token;
* an e-mail address or a long random token in the path (`/users/jane@acme.io`,
  `/reset/8f3KqL2x9Zt7Vb1mN4pQ`), or a path segment that is a credential keyword followed
  by a value (`/token/abc…`).

`guards.pii.url_policy: all` redacts every URL (the previous default); `sensitive` (the
default) applies the rules above.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, unquote, urlsplit

import regex as re
from presidio_analyzer import Pattern, PatternRecognizer

from keepgate.scrubbing.credentials import token_like

SENSITIVE_PARAMS = re.compile(
    r"(?i)token|secret|passw|pwd|auth|session|sess|sid|key|sig|credential|code|otp|nonce|"
    r"ticket|jwt|bearer|cookie|mail|phone|mobile|ssn|user|login|account|acct|customer|"
    r"member|patient|name|dob|birth|address|iban|card|^cc$"
)
_EMAIL = re.compile(r"[\w.+\-]{1,64}@[\w\-]{1,63}(?:\.[\w\-]{1,63}){1,8}")
_SENSITIVE_SEGMENTS = frozenset(
    {
        "token",
        "tokens",
        "reset",
        "invite",
        "verify",
        "confirm",
        "unsubscribe",
        "magic",
        "auth",
        "session",
        "key",
        "keys",
        "secret",
        "password",
        "activate",
        "login",
    }
)


class UrlUserInfoRecognizer(PatternRecognizer):
    """A URL with credentials in it (`https://admin:pw@host/`, `postgres://u:p@db:5432/x`):
    Presidio's URL patterns stop at the `@` (and need a known top-level domain)."""

    def __init__(self) -> None:
        super().__init__(
            supported_entity="URL",
            name="UrlUserInfoRecognizer",
            patterns=[
                Pattern(
                    "url with user info",
                    r"(?i)\b[a-z][a-z0-9+.\-]{1,15}://[^\s/?#@:]{1,64}"
                    r"(?::[^\s/?#@]{0,128})?@[^\s/?#]{1,253}[^\s\"'<>]{0,2000}",
                    1.0,
                )
            ],
        )

    def validate_result(self, pattern_text: str) -> bool | None:
        """A documented template passes: `postgres://USER:PASSWORD@HOST/DB`,
        `https://<user>:<token>@host`, `redis://:${REDIS_PASSWORD}@cache` carry no secret."""
        info = pattern_text.split("://", 1)[1].split("@", 1)[0]
        if ":" not in info:
            return None
        password = info.split(":", 1)[1]
        return False if _TEMPLATE.fullmatch(password) else None


#: A placeholder where a password goes: `PASSWORD`, `<password>`, `${DB_PASS}`, `{{ pw }}`,
#: `***`, `xxx`, `...`.
_TEMPLATE = re.compile(
    r"[A-Z][A-Z0-9_]*|<[^>]*>|\$\{?[\w.]+\}?|\{\{?[^}]*\}?\}|\*+|[xX]{3,}|\.{3}|…"
)


def sensitive_url(url: str) -> bool:
    """Does `url` carry credentials, tokens or personal identifiers (see module doc)?"""
    raw = url if "://" in url else "http://" + url
    try:
        parts = urlsplit(raw)
    except ValueError:
        return True  # unparseable: be safe
    netloc = parts.netloc
    if "@" in netloc:
        return True  # user info
    path = unquote(parts.path)
    if _EMAIL.search(path):
        return True
    segments = [s for s in path.split("/") if s]
    for i, seg in enumerate(segments):
        if token_like(seg) and not _versionish(seg):
            return True
        if (
            seg.lower() in _SENSITIVE_SEGMENTS
            and i + 1 < len(segments)
            and len(segments[i + 1]) >= 8
        ):
            return True
    query = parts.query + ("&" + parts.fragment if "=" in parts.fragment else "")
    for name, value in parse_qsl(query, keep_blank_values=False):
        if not value:
            continue
        if SENSITIVE_PARAMS.search(name) and not _harmless_value(value):
            return True
        if _EMAIL.search(value) or token_like(value):
            return True
    return False


def _versionish(seg: str) -> bool:
    """`v1.2.3-beta.4`, `2024-01-01`, `python-3.12.1-docs`: long but not a token."""
    return bool(re.fullmatch(r"[A-Za-z]*[\d.\-_]+[A-Za-z\-_.\d]*", seg)) and seg.count(".") >= 2


def _harmless_value(value: str) -> bool:
    """Values too plain to identify anyone: `utm`-like words, short numbers, booleans."""
    v = value.strip()
    return v.lower() in ("true", "false", "yes", "no", "null", "none", "en", "us") or (
        v.isdigit() and len(v) <= 3
    )
