"""What a conversation vouches for, for the links of its answer (`links.LinkNeutraliser`).

The question is not "does this link look malicious" (an attacker writes whatever passes)
but "where did it come from": a link the model *copied* from a record (a search result's
`url`, a CRM record's billing page) or the user's own words, or a host the application or
the user named, is one the conversation vouches for. A host that only the tool output's
prose mentions, or none at all, is the attacker's way out. Built from the request body on
first need (an answer with no link never builds it); the scans are linear in the text.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import re2
import tldextract

from keepgate.pipeline.content_text import message_text
from keepgate.scrubbing import codenames
from keepgate.scrubbing.spelled import Spelled
from keepgate.scrubbing.bare import host_in
from keepgate.scrubbing.hosts import fold_host
from keepgate.scrubbing.re2text import re2_safe

#: A domain written in a message: labels joined by dots, a letter-led last label.
_DOMAIN = re2.compile(
    r"(?i)\b((?:[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9\-]{1,62})\b"
)
#: An absolute URL written in a message (scheme or `www.`), to its first space or quote.
_URL = re2.compile(r"(?i)(?:\b[a-z][a-z0-9+.\-]{0,30}://|\bwww\.)[^\s\"'<>`]+")
#: A dotted word of any script (`pаypal-secure.com` with a Cyrillic a), dots and hyphens
#: full-width or ideographic too (`ｅｖｉｌ．ｃｏｍ`, `evil。com`): bare-domain mentions.
_DOTTED = re2.compile(
    r"(?:[\p{L}\p{N}](?:[\p{L}\p{N}\-\x{ff0d}]*[\p{L}\p{N}])?[.\x{3002}\x{ff0e}\x{ff61}])+"
    r"\p{L}[\p{L}\p{N}\-\x{ff0d}]*"
)
_IDENT = codenames.IDENT
#: Messages scanned at most this far (a prefix: what lies past it vouches for nothing).
MAX_SCAN = 2_000_000
#: JSON outputs parsed for whole-field URLs at most this long.
MAX_JSON = 2_000_000
#: A JSON key under which a bare domain is the record's address (its field vouches for it).
_ADDRESS_KEY = re2.compile(r"(?i)(url|uri|link|href|website|homepage|domain|site|host|web)")
_TRAIL = ".,;:!?)]}*_~'\""


def clean_url(url: str) -> str:
    """A URL as compared: trailing punctuation off, scheme and host lower-cased."""
    u = url.strip().rstrip(_TRAIL)
    i = u.find("//")
    if i < 0:
        return u.lower()
    j = i + 2
    while j < len(u) and u[j] not in "/?#":
        j += 1
    return u[:j].lower() + u[j:]


def registrable(host: str) -> str:
    """The host's domain under its public suffix (`a.b.example.co.uk` -> `example.co.uk`),
    or "" for a bare suffix (`co.uk`) or an unknown one."""
    return tldextract.extract(host).top_domain_under_public_suffix


@dataclass
class LinkContext:
    """The conversation's evidence for links, by where it came from."""

    #: Domains the system / developer prompt or the user named (each with a registrable
    #: part: `co.uk` alone vouches for nothing).
    named_domains: set[str] = field(default_factory=set)
    #: URLs written in the system / developer prompt or by the user, cleaned.
    trusted_urls: set[str] = field(default_factory=set)
    #: URLs that are a whole string value of a tool output's JSON (a record's own link).
    field_urls: set[str] = field(default_factory=set)
    #: Bare domains (`acme.com`, `acme.com/pricing`) that are a whole string value of a
    #: tool output's JSON, lower-cased (`bare.BareDomains`).
    field_hosts: set[str] = field(default_factory=set)
    #: URLs written anywhere in the conversation's tool output (prose included), cleaned.
    seen_urls: set[str] = field(default_factory=set)
    #: Folded text of the tool output and of the system prompt (data the user did not
    #: type), and of the user's messages.
    data_text: str = ""
    user_text: str = ""
    #: Hosts any message mentions (for `unseen_hosts`).
    mentioned: set[str] = field(default_factory=set)
    #: Dotted words any message holds (letters of any script), with their parent domains
    #: of two labels or more, lower-cased: for `links.bare_domains: mentioned`.
    bare_mentioned: set[str] = field(default_factory=set)
    #: Dotted names a message writes as code (`mailer.send(user.email)`), and those one
    #: writes as an address (`acme.io/x`): `codenames`.
    code_names: set[str] = field(default_factory=set)
    address_names: set[str] = field(default_factory=set)
    #: Every message's words, for domains spelled out (`evil dot com`): `spelled`.
    spelled: Spelled = field(default_factory=lambda: Spelled(""))

    def named(self, host: str) -> bool:
        """Is `host` a domain the application or the user named, or under one?"""
        return any(host == d or host.endswith("." + d) for d in self.named_domains)

    def mentions(self, host: str) -> bool:
        return host in self.mentioned or host.removeprefix("www.") in self.mentioned

    def code_name(self, host: str) -> bool:
        """Does a message write `host` as code, and none as an address?"""
        return host in self.code_names and host not in self.address_names

    def mentions_bare(self, host: str) -> bool:
        """Does a message write `host`, a domain above it or one under it?"""
        return any(d in self.bare_mentioned for d in _parents(host))


def build(body: Mapping[str, Any]) -> LinkContext:
    """The context of a chat, Responses or Messages request body. Each message is made
    RE2-safe once and scanned once for every pattern; one budget of MAX_SCAN characters
    covers them all, in this order: system, user, tool output, tool output's JSON decoded
    (what lies past it vouches for nothing and mentions nothing)."""
    trusted: list[str] = []
    user: list[str] = []
    tools: list[str] = []
    for role, text in _texts(body):
        if role == "tool":
            tools.append(text)
        elif role == "user":
            user.append(text)
        elif role in ("system", "developer"):
            trusted.append(text)
    ctx = LinkContext()
    scan = _Scan(ctx, MAX_SCAN)
    for text in (*trusted, *user):
        t = scan.take(text)
        for m in _URL.finditer(t):
            ctx.trusted_urls.add(clean_url(m.group(0)))
        for d in scan.domains(t):
            if registrable(d):
                ctx.named_domains.add(d.removeprefix("www."))
    decoded_texts: list[str] = []
    for text in tools:
        t = scan.take(text)
        for m in _URL.finditer(t):
            ctx.seen_urls.add(clean_url(m.group(0)))
        as_json = t.lstrip().startswith(("{", "["))
        scan.domains(t, json_doc=as_json)
        if as_json and len(t) <= MAX_JSON:
            urls, hosts, decoded = _field_urls(t)
            ctx.field_urls.update(urls)
            ctx.field_hosts.update(hosts)
            if "\\" in t:  # escapes hide what the model reads: scan the decoded text too
                # (`p\u0430ypal.com`; and a file read as `{"content": ...}` writes its
                # code's quotes and newlines as `\"` and `\n`: `'org.acme.store'\n` is a
                # quoted value, `codenames` sees it as one only decoded)
                decoded_texts.append("\n".join(decoded))
    for text in decoded_texts:
        scan.domains(scan.take(text))
    ctx.data_text = "\n".join([*trusted, *tools])[:MAX_SCAN].lower()
    ctx.user_text = "\n".join(user)[:MAX_SCAN].lower()
    ctx.spelled = Spelled("\n".join([*trusted, *user, *tools, *decoded_texts])[:MAX_SCAN])
    return ctx


@dataclass
class _Scan:
    """One budget for every message, each made RE2-safe once."""

    ctx: LinkContext
    budget: int

    def take(self, text: str) -> str:
        t = re2_safe(text[: max(0, self.budget)])
        self.budget -= len(t)
        return t

    def domains(self, t: str, json_doc: bool = False) -> list[str]:
        """Records the domains and dotted words of `t` (mentions, bare mentions, code
        names: in a JSON document, `json_doc`, a quoted one only as a key); returns the
        ASCII domains found."""
        ctx = self.ctx
        found = [m.group(1).lower() for m in _DOMAIN.finditer(t)]
        ctx.mentioned.update(found)
        for m in _DOTTED.finditer(t):
            word = fold_host(m.group(0))
            ctx.bare_mentioned.update(_parents(word))
            if _IDENT.fullmatch(word):
                a, b = m.span()
                if codenames.in_code(t, a, b, json_doc):
                    labels = word.split(".")  # `user.email.lower()`: `user.email` too
                    ctx.code_names.update(".".join(labels[:i]) for i in range(2, len(labels) + 1))
                elif codenames.as_address(t, a, b):
                    ctx.address_names.add(word)
        return found


def _parents(host: str) -> list[str]:
    """`host` and the domains above it of two labels or more."""
    labels = host.split(".")
    return [".".join(labels[i:]) for i in range(max(0, len(labels) - 1))][:16]


def _field_urls(text: str) -> tuple[list[str], list[str], list[str]]:
    """String values of a JSON document that are one URL and nothing else; those that are
    one bare domain (with its path) and nothing else under a key that names an address
    (`website`, `url`, `domain`…: the app's schema, not the writer's text — a bare domain as
    the whole `body` of an attacker's e-mail vouches for nothing); and every key and string
    value decoded (the model reads `p\\u0430ypal.com` and `evil\\u002ecom` decoded)."""
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError):
        return [], [], []
    out: list[str] = []
    hosts: list[str] = []
    decoded: list[str] = []
    stack: list[tuple[Any, str]] = [(doc, "")]
    while stack:
        v, key = stack.pop()
        if isinstance(v, str):
            decoded.append(v)
            s = v.strip()
            if s and not any(c.isspace() for c in s):
                if _URL.fullmatch(re2_safe(s)):
                    out.append(clean_url(s))
                elif len(s) <= 2048 and _ADDRESS_KEY.search(re2_safe(key[:200])):
                    found = host_in(s)
                    if found is not None and found[:2] == (0, len(s)):
                        hosts.append(s.lower())
        elif isinstance(v, dict):
            for k, x in v.items():
                decoded.append(str(k))
                stack.append((x, str(k)))
        elif isinstance(v, list):
            stack.extend((x, key) for x in v)
    return out, hosts, decoded


def _texts(body: Mapping[str, Any]) -> Iterable[tuple[str, str]]:
    """(role, text) of every message: chat `messages`, Responses `instructions`/`input`,
    Messages `system`. Tool results count as `tool` whatever message carries them (an
    Anthropic `tool_result` block sits in a user message)."""
    for key in ("system", "instructions"):
        v = body.get(key)
        if v:
            yield "system", message_text(v)
    items = body.get("messages")
    if not isinstance(items, list):
        items = body.get("input")
    if isinstance(items, str):
        yield "user", items
        return
    if not isinstance(items, list):
        return
    for m in items:
        if not isinstance(m, dict):
            continue
        kind = m.get("type")
        if kind in ("function_call_output", "mcp_call", "tool_result"):
            yield "tool", message_text(m.get("output") if "output" in m else m.get("content"))
            continue
        role = m.get("role")
        content = m.get("content")
        if role in ("tool", "function"):
            yield "tool", message_text(content)
            continue
        if role not in ("system", "developer", "user"):
            continue
        if isinstance(content, list):
            own = []
            for b in content:
                if isinstance(b, dict) and b.get("type") == "tool_result":
                    yield "tool", message_text(b.get("content"))
                else:
                    own.append(b)
            yield role, message_text(own)
        else:
            yield role, message_text(content)
