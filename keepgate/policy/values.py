"""Canonical forms of argument values, so the same value matches however it is written.

A recipient the user typed as `Bob@Example.com` and the model sent as `bob@example.com`, an
IBAN printed in groups of four and sent without spaces, `1,000.00` and `1000`, and
`https://www.example.com/path/` and `example.com/path` are each the same value. Provenance
(where a value appears in the conversation) and constraints (allowlists) both compare values
in these forms; text is only ever lower-cased, never rewritten, so the index stays cheap.

Everything here is linear in its input: str methods, `str.find` loops and RE2.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import unquote

import re2

_PUNCT = " \t\r\n\"'`.,;:!?()[]{}<>"
_SCHEMES = ("https://", "http://", "ftp://", "mailto:")
_DEFAULT_PORTS = (":443", ":80")


def fold(text: str) -> str:
    """Case and compatibility folding (NFKC only when the text is not ASCII)."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    return text.lower()


def squash(text: str) -> str:
    """Folded, whitespace runs collapsed to one space, surrounding punctuation stripped."""
    return " ".join(fold(text).split()).strip(_PUNCT)


def compact(text: str) -> str:
    """Without spaces and dashes, upper-case: the form of IBANs, card and account numbers."""
    return "".join(ch for ch in text if ch not in " -\t").upper()


def looks_like_account(text: str) -> bool:
    """An IBAN / card / account number: 12-40 letters and digits (spaces/dashes allowed), at
    least 8 digits."""
    c = compact(text)
    return 12 <= len(c) <= 40 and c.isalnum() and sum(ch.isdigit() for ch in c) >= 8


def email_parts(text: str) -> tuple[str, str] | None:
    """(local, domain) of an address, lower-cased; None if `text` is not one address."""
    t = fold(text).strip(_PUNCT)
    if t.startswith("mailto:"):
        t = t[7:]
    if t.count("@") != 1 or any(ch.isspace() for ch in t):
        return None
    local, domain = t.split("@")
    if not local or "." not in domain or domain.startswith(".") or domain.endswith("."):
        return None
    return local, domain


@dataclass(frozen=True, slots=True)
class Url:
    host: str
    port: str
    path: str  # without a trailing "/", may be ""

    @property
    def core(self) -> str:
        """host[:port]/path without scheme, "www." and trailing slash: what we search for."""
        return self.host + self.port + self.path


def parse_url(text: str) -> Url | None:
    """A URL or a bare host, with or without scheme (`www.example.com/path` parses).

    None for anything else: other schemes, credentials (`user@host`), spaces, no dot in the
    host. The host is lower-cased and loses a leading "www."; percent-escapes in the host are
    decoded first (so `%2e` cannot hide a dot).
    """
    t = text.strip().strip("<>\"'")
    low = t.lower()
    for scheme in _SCHEMES[:3]:
        if low.startswith(scheme):
            t = t[len(scheme) :]
            break
    else:
        if "://" in t or low.startswith(("javascript:", "data:", "file:", "mailto:")):
            return None
        if t.startswith("//"):
            return None
    if not t or any(ch.isspace() for ch in t):
        return None
    cut = len(t)
    for sep in "/?#":
        i = t.find(sep)
        if i != -1 and i < cut:
            cut = i
    authority, rest = t[:cut], t[cut:]
    if "@" in authority or "\\" in authority:
        return None
    authority = unquote(authority).lower()
    host, _, port = authority.partition(":")
    if port and not (port.isdigit() and len(port) <= 5):
        return None
    port = "" if not port or ":" + port in _DEFAULT_PORTS else ":" + port
    if host.startswith("www."):
        host = host[4:]
    if "." not in host.strip(".") or not all(ch.isalnum() or ch in ".-" for ch in host):
        return None
    host = host.strip(".")
    labels = host.split(".")
    if not any(ch.isalpha() for ch in labels[-1]) and not (
        len(labels) == 4 and all(x.isdigit() and len(x) <= 3 for x in labels)
    ):
        return None  # "40.00" is a number, not a host; 10.0.0.1 is an address
    path = rest.split("#", 1)[0]
    while path.endswith("/"):
        path = path[:-1]
    return Url(host, port, path)


def host_of(text: str) -> str | None:
    u = parse_url(text)
    return u.host if u else None


def number(value: object) -> Decimal | None:
    """A JSON number, or a string like "1,000.00", "$250", "EUR 1000" -> Decimal."""
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, (int, float)):
        try:
            d = Decimal(str(value))
        except InvalidOperation:
            return None
        return d if d.is_finite() else None  # NaN / Infinity (JSON's extensions, 1e400)
    if not isinstance(value, str):
        return None
    t = value.strip().strip("$€£¥").strip()
    for cur in ("eur", "usd", "gbp", "chf"):
        if t.lower().startswith(cur):
            t = t[3:].strip()
        elif t.lower().endswith(cur):
            t = t[:-3].strip()
    t = t.strip("$€£¥").strip()
    if not t or len(t) > 40:
        return None
    if "," in t:
        head, _, tail = t.partition(".")
        groups = head.split(",")
        if not (1 <= len(groups[0]) <= 3 and all(len(g) == 3 and g.isdigit() for g in groups[1:])):
            return None
        t = "".join(groups) + ("." + tail if tail else "")
    try:
        d = Decimal(t)
    except InvalidOperation:
        return None
    return d if d.is_finite() else None


def number_forms(d: Decimal) -> list[str]:
    """How a number may be written in text: "1000", "1,000" (decimals are matched by the
    caller): the integral part plain and with thousands separators."""
    sign = "-" if d < 0 else ""
    # format "f", not str(): a float argument such as -9.223372036854776E+18 would keep its
    # exponent and int() of it raised (a fuzz-found 500).
    integral = format(abs(d).to_integral_value(rounding="ROUND_DOWN"), "f")
    forms = [sign + integral]
    if len(integral) > 3:
        grouped = f"{int(integral):,}"
        forms.append(sign + grouped)
    return forms


def fraction_digits(d: Decimal) -> str:
    """The digits after the point, without trailing zeros ("" for whole numbers)."""
    t = format(abs(d), "f")
    return t.partition(".")[2].rstrip("0")


def find_number(text: str, d: Decimal) -> bool:
    """Does `text` contain the number `d` as a whole token (not inside a longer number)?

    "1,000.00" and "1000" and "$1000.0" all contain 1000; "21000" and "1000.5" do not."""
    frac = fraction_digits(d)
    for form in number_forms(d):
        start = 0
        while True:
            i = text.find(form, start)
            if i == -1:
                break
            start = i + 1
            before = text[i - 1] if i > 0 else " "
            if before.isdigit() or (before in ",." and i > 1 and text[i - 2].isdigit()):
                continue
            j = i + len(form)
            got = ""
            if j + 1 < len(text) and text[j] in ".," and text[j + 1].isdigit():
                k = j + 1
                while k < len(text) and text[k].isdigit():
                    k += 1
                if text[j] == "," and k - j - 1 == 3:
                    continue  # a longer grouped number ("1,000" inside "1,000,000")
                got = text[j + 1 : k].rstrip("0")
                j = k
            elif j < len(text) and text[j].isdigit():
                continue
            if got == frac:
                return True
    return False


def find_token(text: str, needle: str) -> bool:
    """`needle` occurs in `text` not glued to letters/digits on either side (so "bob@x.com"
    is not found inside "jimbob@x.com", nor "acct-12" inside "acct-123")."""
    if not needle:
        return False
    start = 0
    n = len(needle)
    while True:
        i = text.find(needle, start)
        if i == -1:
            return False
        start = i + 1
        if i > 0 and needle[0].isalnum() and text[i - 1].isalnum():
            continue
        j = i + n
        if j < len(text) and needle[-1].isalnum() and text[j].isalnum():
            continue
        return True


def words_pattern(words: list[str]) -> Any:
    """RE2 for the words in sequence separated by any whitespace run, not glued to letters
    or digits at either end (RE2: linear in the text)."""
    body = r"\s+".join(re2.escape(w) for w in words)
    head = r"\b" if words[0][:1].isalnum() else ""
    tail = r"\b" if words[-1][-1:].isalnum() else ""
    return re2.compile((head + body + tail).encode("utf-8"))


def find_words(text: str, words: list[str], pattern: Any = None, data: Any = None) -> bool:
    """The words in sequence, separated by any run of whitespace in `text` ("Hotel  Adlon"
    and "Hotel\nAdlon" both contain "hotel adlon"). One `str.find` for the single-spaced
    form first; RE2 (on the text's UTF-8 bytes, `data`: encoded once per text by the
    caller) only when the text has other whitespace."""
    if not words:
        return False
    if find_token(text, " ".join(words)):
        return True
    if "\n" not in text and "  " not in text and "\t" not in text and "\r" not in text:
        return False
    if callable(pattern):
        pattern = pattern()
    if callable(data):
        data = data()
    return (pattern or words_pattern(words)).search(
        data if data is not None else text.encode("utf-8")
    ) is not None


def iban_grouped(c: str) -> str:
    """ "DE89370400440532013000" -> "de89 3704 0044 0532 0130 00" (how IBANs are printed)."""
    return " ".join(c[i : i + 4] for i in range(0, len(c), 4)).lower()


def url_decoded(text: str) -> str:
    """Percent-decoding applied until stable (at most 3 rounds): `%252e` -> `%2e` -> `.`"""
    for _ in range(3):
        if "%" not in text:
            break
        new = unquote(text)
        if new == text:
            break
        text = new
    return text
