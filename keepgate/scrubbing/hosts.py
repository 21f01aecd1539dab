"""The host a browser connects to, from the text a URL writes it with (WHATWG host parsing).

A link's verdict (`links.LinkNeutraliser`) turns on its host, and an attacker writes the
same host in many forms a browser reads alike: `http://1249767460/` and `http://0x4a7d2b3c/`
are `74.125.43.60`'s number forms, `evil%2Ecom` and `evil%E3%80%82com` percent-encode a dot,
`evil。com` and `ＥＶＩＬ．ＣＯＭ` are `evil.com` after IDNA mapping, `[::1]` is an IPv6
literal. Read literally these had no dot, were taken for prose or `localhost`, and passed
unjudged. So a host is normalised once, as the URL Standard does: percent-decoded, mapped
by UTS 46 (the `idna` package, already a dependency through yarl), IPv4 number forms
(decimal, hex, octal, 1-4 parts) to dotted decimal, IPv6 literals to their short form, a
trailing dot dropped. The URL parser first removes every ASCII tab and newline from the
URL (`https://ev\til.com` is `evil.com`), so they are removed here too (`strip_tab_newline`).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import unquote

import idna


#: ASCII tab and newline, removed from a URL before it is parsed (URL Standard, basic URL
#: parser: "remove all ASCII tab or newline from input").
_TAB_NEWLINE = str.maketrans("", "", "\t\n\r")
#: The special schemes: a browser reads `http:h`, `http:/h`, `http:///h` and `http:\\h` as
#: `http://h` ("special authority ignore slashes state"; a relative URL only on a page of the
#: same scheme). `file` is special too, but names no remote host.
SPECIAL_SCHEMES = ("https", "http", "wss", "ws", "ftp")


def strip_tab_newline(text: str) -> str:
    """`text` without ASCII tabs and newlines, as the URL parser reads it."""
    return text.translate(_TAB_NEWLINE)


@dataclass(frozen=True)
class WebHost:
    """`name`: the normalised host; `ip`: an address literal (v4 or v6); `valid`: False
    when a browser would refuse it (then `name` is the raw text, lower-cased)."""

    name: str
    ip: bool = False
    valid: bool = True

    @property
    def single_label(self) -> bool:
        """`localhost`, an intranet name: no dot, not an address."""
        return not self.ip and "." not in self.name


def web_host(raw: str) -> WebHost:
    """`raw` (the text between a URL's user info and its port or path) as a browser reads it."""
    raw = strip_tab_newline(raw)
    if raw.startswith("["):
        try:
            return WebHost("[" + ipaddress.IPv6Address(raw.strip("[]")).compressed + "]", ip=True)
        except ValueError:
            return WebHost(raw.lower(), valid=False)
    try:
        decoded = unquote(raw, errors="strict")
    except UnicodeDecodeError:
        return WebHost(raw.lower(), valid=False)
    try:
        mapped = idna.uts46_remap(decoded, std3_rules=False, transitional=False)
    except idna.IDNAError:
        return WebHost(decoded.lower(), valid=False)
    name = mapped.rstrip(".") if mapped != "." else mapped
    v4 = _ipv4(name)
    if v4 is not None:
        return WebHost(v4, ip=True) if v4 else WebHost(name, valid=False)
    if any(c in name for c in "/\\?#@:%<>[]^| \t\r\n"):
        return WebHost(name, valid=False)  # forbidden in a host: no browser goes there
    return WebHost(name)


def _ipv4(name: str) -> str | None:
    """Dotted decimal for an IPv4 host in any number form; None: not one (its last label is
    not a number); "": one a browser refuses (a part out of range)."""
    parts = name.split(".")
    last = parts[-1]
    if not last or _number(last) is None:
        return None
    if len(parts) > 4:
        return ""
    nums = [_number(p) for p in parts]
    if any(n is None for n in nums):
        return ""
    values = [n for n in nums if n is not None]
    if any(v > 255 for v in values[:-1]) or values[-1] >= 256 ** (5 - len(values)):
        return ""
    addr = values[-1]
    for i, v in enumerate(values[:-1]):
        addr += v << (8 * (3 - i))
    return str(ipaddress.IPv4Address(addr))


def _number(part: str) -> int | None:
    """A part of an IPv4 host: decimal, `0x` hex or `0`-led octal (URL Standard)."""
    low = part.lower()
    # ASCII digits only: `int` also takes signs, `_`, spaces and other scripts' digits
    # (`0x-1` gave -1 and crashed the link stage; a browser reads those as a name).
    if low.startswith("0x"):
        digits, base = low[2:], 16
        if digits.strip("0123456789abcdef"):
            return None
    else:
        digits, base = low, 10
        if not digits or digits.strip("0123456789"):
            return None
        if len(digits) > 1 and digits.startswith("0"):
            digits, base = digits[1:], 8
            if digits.strip("01234567"):
                return None
    return int(digits or "0", base)


def fold_host(word: str) -> str:
    """A dotted word as a host name is compared: lower-cased, and a non-ASCII one mapped
    as a browser maps it (UTS 46: `ｅｖｉｌ．ｃｏｍ`, `evil。com` -> `evil.com`); a word
    IDNA refuses is only lower-cased."""
    if word.isascii():
        return word.lower()
    try:
        return idna.uts46_remap(word, std3_rules=False, transitional=False).lower()
    except idna.IDNAError:
        return word.lower()
