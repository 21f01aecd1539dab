"""Links in an answer: defanged unless the conversation vouches for them.

After an injection the model writes a link — `[verify](https://evil.example/?q=<data>)`, a
bare `https://…`, `www.…`, an `<a href>`, an autolink, a reference definition — that
sends the user, or the conversation's data, to the attacker. Recognising the attacker's
words does not hold; where the link came from does (`linkctx`). In an answer to a
conversation that read untrusted output, a URL passes when:

* its host is in `guards.pii.links.allow_hosts` or `guards.pii.images.allow_hosts` (a
  host covers its subdomains), or
* the URL itself is written in the system prompt or by the user, or is a whole string
  value of a tool output's JSON (a search result's `url`, a record's link: copied, not
  built), or
* its host is a domain the system prompt or the user named (or under one), and the URL is
  written somewhere in the conversation or carries no data of it (no query or fragment
  value that the tool output or the system prompt holds and the user did not type; no
  long encoded string; no URL inside it whose host would not pass), or
* `unseen_hosts: pass` and no message mentions its host (the model's own knowledge).

Any other URL is defanged where it stands — `https://evil.example/p` becomes
`hxxps://evil[.]example/p`: readable, copyable by a user who wants it, linked by no
renderer (markdown, GFM autolinks, HTML) — or, with `action: flag`, left as it is and only
reported. Either way the hosts go to the audit record (`links_neutralised` /
`links_flagged`), and a neutralised link counts as `LINK` in the redaction counts.

Streaming: `feed()` holds back only the text's last word (a URL has no spaces), at most
`MAX_HOLD` characters; a longer run is released but for its last `KEEP_TAIL` characters
(where a URL could still be starting), and a URL whose host is cut at the end of what is
held is defanged before its host is seen (it cannot be judged, so it does not pass).
Every scan is linear: one RE2 pass for URL starts, bounded parses from each.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import parse_qsl, unquote_plus

import re2
import tldextract
from pydantic import BaseModel, ConfigDict, Field, field_validator

from keepgate.scrubbing.codenames import IDENT
from keepgate.scrubbing.hosts import SPECIAL_SCHEMES, WebHost, strip_tab_newline, web_host
from keepgate.scrubbing.images import host_names
from keepgate.scrubbing.linkctx import LinkContext, clean_url
from keepgate.scrubbing.heldrun import HeldRun
from keepgate.scrubbing.re2text import re2_safe

#: An unfinished word is held back at most this long.
MAX_HOLD = 2048
#: Of a word longer than MAX_HOLD, this much of its end stays held (a scheme, `://` and the
#: longest host name fit in it).
KEEP_TAIL = 320
#: The entity name counted in redactions and metrics.
ENTITY = "LINK"
#: Where a link starts: `scheme://` (slashes also as `\\` or HTML entities), `//` after an
#: attribute's quote, a paren or `<`, or a word-initial `www.`.
#: The colon may be a character reference (`https&#58;//`: CommonMark and HTML decode it in
#: a destination), and spaces or a line break may stand between the lead and `//`
#: (`[v]( //h)`, `href = //h`, `href=" //h"`: the URL parser strips them) (red team 8).
#: A tab or a newline may stand anywhere in an attribute's URL (the URL parser removes them:
#: `href="https:\t//h"`), and a special scheme needs no slashes after a lead
#: (`[v](http:h)`, `href="https:/h"`, `<http:h>`: `hosts.SPECIAL_SCHEMES`) (red team 8).
#: Any run of spaces after a lead (CommonMark and the URL parser bound none), a numeric
#: reference with or without its `;` (HTML decodes `&#58//h`), and a slash escaped with a
#: backslash (CommonMark decodes `https:\/\/h`) (review of red team 8).
_COLON = r"(?::|&#0*58;?|&#x0*3a;?|&colon;)"
_START = re2.compile(
    r"(?i)[(\"'=<]\s*(?:https?|wss?|ftp)"
    + _COLON
    + r"|(?:[a-z][a-z0-9+.\-]{0,30}"
    + _COLON
    + r"|[(\"'=<]\s*)(?:[\t\r\n]{0,16}(?:\\?/|\\|&#x0*2f;?|&#0*47;?|&sol;)){2}"
    r"|\bwww[.\x{3002}\x{ff0e}\x{ff61}]"
)
#: A special scheme at a URL's start (`_parse` then skips every slash after it).
_SPECIAL = re.compile(r"(?i)(?:" + "|".join(SPECIAL_SCHEMES) + r")" + _COLON)
#: Slashes, backslashes, tabs and newlines after a special scheme: all skipped by a browser.
_SLASHES = re.compile(r"(?i)(?:[/\\]|&#x0*2f;|&#0*47;|&sol;){1,64}")
_SLASHES_GAP = re.compile(r"(?i)(?:[/\\\t\r\n]|&#x0*2f;|&#0*47;|&sol;){1,64}")
_TAB_NL = "\t\r\n"
#: What ends a URL's user info, and an `@` that ends it as user info (`_parse`).
_INFO_STOP = re.compile(r"[/?#\\ \t\r\n\"'<>@]")
_INFO_STOP_GAP = re.compile(r"[/?#\\ \"'<>@]")
#: A character reference in a host (`evil&#46;com` is `evil.com` to a renderer): read
#: through, not taken for the host's end.
#: A numeric one needs no `;` (HTML reads `evil&#46com`).
_CHAR_REF = re.compile(r"&(?:#[0-9]{1,7};?|#[xX][0-9a-fA-F]{1,6};?|[A-Za-z][A-Za-z0-9]{1,31};)")
#: Such a reference to a dot, defanged like a dot.
_REF_DOT = re.compile(r"(?i)&#0*46(?![0-9]);?|&#x0*2e(?![0-9a-f]);?|&period;")
#: Where a URL ends: a space (`\s` is `str.isspace`) or a quote or bracket. Searched in C:
#: a run of 2,000 URLs without a space cost ~2.8 s when each start stepped to its end in
#: Python (tests/scrubbing/test_pii_links_end.py).
_URL_STOP = re.compile(r"[\s\"'<>`]")
#: Dots a browser reads as dots in a host name (ideographic and full-width ones too).
_DOTS = ".\u3002\uff0e\uff61"
_HOST_STOP = frozenset("/\\?#:@ \t\r\n\"'<>()[]{}|`*,;!&")
#: A long run a URL could smuggle data in (base64, hex, an id).
_ENCODED = re2.compile(r"[A-Za-z0-9+/_=\-]{24,}")
_WORD = re2.compile(r"[^\W_]{4,}")
#: A percent-escaped dot in a host (`evil%2Ecom`), defanged like a dot.
_PCT_DOT = re.compile(r"%2[Ee]")


class LinkSettings(BaseModel):
    """`guards.pii.links`: links in answers (docs/pii.md, "Links in answers")."""

    model_config = ConfigDict(extra="forbid")

    #: `tainted` (default): only in answers to a conversation that read untrusted output (a
    #: tool result, or a message an input guard flagged); `always`: in every answer; `off`.
    mode: Literal["off", "tainted", "always"] = "tainted"
    #: `neutralise` (default): defang a link the conversation does not vouch for; `flag`:
    #: leave it and only report it (audit `links_flagged`).
    action: Literal["neutralise", "flag"] = "neutralise"
    #: Hosts whose links always pass (a host covers its subdomains): `docs.example.com`.
    allow_hosts: list[str] = Field(default_factory=list)
    #: A host no message mentions (the model's own knowledge, or an address the attacker
    #: split or spelled so that no message holds it): `neutralise` (default) or `pass`.
    unseen_hosts: Literal["neutralise", "pass"] = "neutralise"
    #: Bare domains (`evil.com/verify`, no scheme, no `www.`: chat clients link them;
    #: `bare.BareDomains`): `mentioned` (default): judged as links, but a name that can be
    #: code (`user.email`: ASCII, no hyphen, no path) passes when a message writes it as
    #: code, or when no message writes it nor spells it out (the model's own knowledge);
    #: `all`: every bare domain judged (unseen ones as `unseen_hosts` says); `off`.
    bare_domains: Literal["off", "mentioned", "all"] = "mentioned"

    @field_validator("allow_hosts")
    @classmethod
    def _hosts(cls, v: list[str]) -> list[str]:
        return host_names(v, "docs.example.com")


def _allowed(host: str, allow: list[str]) -> bool:
    return any(host == h or host.endswith("." + h) for h in allow)


@dataclass
class _Url:
    start: int  # where the link starts (its scheme, `//` or `www`)
    host_start: int
    host_end: int  # -1: the host runs past the text held
    end: int  # the URL's end (first space or quote), -1: past the text held
    hold: int = -1  # where to hold from while it is unfinished: its start, or its `=`


def _attr_quote(s: str, start: int) -> tuple[str, int]:
    """The quote of the HTML attribute value a URL starting at s[start] stands in
    (`href = " https://…`) and the index of its `=`, or ("", start): inside one, tabs and
    newlines are no stop (the URL parser removes them) and the value ends at its quote.
    Bounded look-back."""
    i = start - 1
    while i >= 0 and start - i <= 16 and s[i].isspace():
        i -= 1
    if i < 1 or s[i] not in "\"'":
        return "", start
    j = i - 1
    while j >= 0 and i - j <= 16 and s[j].isspace():
        j -= 1
    return (s[i], j) if j >= 0 and s[j] == "=" else ("", start)


def _parse(s: str, m_start: int, m_end: int, lead: bool, memo: list[int] | None = None) -> _Url:
    """The URL whose start pattern matched s[m_start:m_end]; `lead`: the match began with
    the quote, paren or `=` before `//`, which is not part of the link. `memo` ([from, end],
    for starts met in order in one text): the last end found, so the URLs of one long run
    without a space find its end once, not once each."""
    start = m_start + 1 if lead else m_start
    if lead:
        while start < m_end and s[start].isspace():
            start += 1
    quote, hold = _attr_quote(s, start)
    gap = _TAB_NL if quote else ""  # characters the host and user info read through
    if s[m_end - 1] in _DOTS and s[m_start : m_start + 3].lower() == "www":
        host_start = m_start
    else:
        host_start = m_end
        if _SPECIAL.match(s, start, m_end):  # `https:///h`, `http:\\h`, `https:/h`: h
            more = (_SLASHES_GAP if gap else _SLASHES).match(s, host_start)
            if more is not None:
                host_start = more.end()
    # user info: `https://user:pw@host` (bounded; a host never holds `@`), its stops found
    # in C: a run of `(http:` starts with no stop in it cost 256 Python steps each
    n = len(s)
    j = host_start
    limit = min(n, host_start + 256)
    stop = _INFO_STOP_GAP if gap else _INFO_STOP
    while (m := stop.search(s, j, limit)) is not None:
        j = m.start()
        if s[j] == "\\" and j + 1 < limit and s[j + 1] == "@":  # markdown's escaped `@`
            host_start = j = j + 2
        elif s[j] == "@":
            host_start = j = j + 1
        else:
            break
    k = host_start
    if k < n and s[k] == "[":  # an IPv6 literal: `[::1]`, to its `]` (bounded)
        close = s.find("]", k, min(n, k + 64))
        k = close + 1 if close > 0 else k
    while k < n:
        if s[k] == "&":
            ref = _CHAR_REF.match(s, k)
            if ref is None:
                break
            k = ref.end()
            continue
        if s[k] == "\\" and k + 1 < n and s[k + 1] == ".":  # markdown's escaped dot
            k += 2
            continue
        if s[k] in _HOST_STOP and s[k] not in gap:
            break
        k += 1
    host_end = k if k < n else -1
    if quote:  # an attribute's URL ends at its quote (-1: not come yet, or past the bound)
        return _Url(start, host_start, host_end, s.find(quote, k, k + MAX_HOLD), hold)
    if memo is not None and memo[0] <= k <= memo[1]:
        e = memo[1]  # the first stop after memo[0], and none lies before k
    else:
        m = _URL_STOP.search(s, k)
        e = m.start() if m else n
        if memo is not None:
            memo[:] = [k, e]
    return _Url(start, host_start, host_end, e if e < n else -1, start)


def host_of(s: str, u: _Url) -> WebHost:
    """The host a browser would connect to (`hosts.web_host`: percent-escapes, IDNA dots,
    IPv4 number forms, IPv6 literals), its port dropped."""
    h = strip_tab_newline(s[u.host_start : u.host_end if u.host_end >= 0 else len(s)])
    h = h.replace("\\.", ".")
    return web_host(html.unescape(h) if "&" in h else h)


def judged(h: WebHost) -> bool:
    """Is this a host a link's verdict applies to? Not an empty one (`//` in prose) nor a
    single-label name (`localhost`, an intranet host) that is no public suffix; an address
    in any form, a dotted name and a host no browser accepts all are."""
    if not h.name:
        return False
    if not h.valid or h.ip or not h.single_label:
        return True
    return bool(tldextract.extract(h.name).suffix)  # `http://ai/`: a TLD with an address


def defang(s: str, u: _Url, end: int) -> str:
    """s[u.start:end] with its scheme and the dots of its host defanged."""
    head = s[u.start : u.host_start]
    low = head.lower()
    if low.startswith("http"):
        head = head[0] + "xx" + head[3:]
    host = s[u.host_start : end]
    for d in _DOTS:
        host = host.replace(d, "[.]")
    host = _REF_DOT.sub("[.]", _PCT_DOT.sub("[.]", host))
    if "[.]" not in host:  # `//1249767460`, `//[::1]`: brackets no browser reads as a host
        host = "[" + host + "]"
    return head + host


@dataclass
class LinkNeutraliser(HeldRun):
    """Per-text state: feed released text in, get text with unvouched links defanged."""

    #: The conversation's LinkContext, built on first need.
    ctx_source: Callable[[], LinkContext]
    allow: list[str]
    action: Literal["neutralise", "flag"] = "neutralise"
    unseen_pass: bool = False
    counts: Counter[str] = field(default_factory=Counter)
    #: Hosts of the links neutralised or flagged (at most 20), for the audit.
    hosts: list[str] = field(default_factory=list)
    #: `bare_domains: mentioned`: a name that can be code passes when a message writes it
    #: as code, or when no message writes nor spells it (`_code_or_unseen`).
    bare_unseen_pass: bool = True
    #: Hosts of the images the image scanner removed from this answer (its report's list).
    removed_images: list[str] = field(default_factory=list)
    pending: str = ""
    _ctx: LinkContext | None = None
    #: The last release ended inside a host that was defanged unseen: its next characters
    #: (up to the host's end) are defanged too.
    _in_host: bool = False

    @property
    def ctx(self) -> LinkContext:
        if self._ctx is None:
            self._ctx = self.ctx_source()
        return self._ctx

    def _run(self, final: bool) -> str:
        s = self.pending
        head = ""
        if self._in_host:
            k = 0
            while k < len(s) and s[k] not in _HOST_STOP:
                k += 1
            if k == len(s) and not final:
                self.pending = ""
                return "".join("[.]" if c in _DOTS else c for c in s)
            head = "".join("[.]" if c in _DOTS else c for c in s[:k])
            s = s[k:]
            self._in_host = False
        n = len(s)
        if final:
            cut = n
        else:
            cut = n
            while cut > 0 and not s[cut - 1].isspace():
                cut -= 1
            # A lead (`(`, a quote, `=`, `<`) and the spaces after it: `//` may still come.
            j = cut
            while j > 0 and cut - j <= MAX_HOLD and s[j - 1].isspace():
                j -= 1
            if j < cut and j > 0 and s[j - 1] in "(\"'=<":
                cut = j - 1
            if n - cut > MAX_HOLD:
                cut = n - KEEP_TAIL
        out: list[str] = [head]
        pos = 0  # s[pos:] not emitted yet
        skip = 0  # starts before this lie inside a URL already judged
        ends = [n + 1, n]  # `_parse`'s memo of the last URL end (none yet)
        for m in _START.finditer(re2_safe(s)):
            if m.start() >= cut:
                break
            lead = s[m.start()] in "(\"'=<"
            u = _parse(s, m.start(), m.end(), lead, ends)
            if u.start < skip:
                continue
            if u.end < 0 and not final:
                if n - u.hold <= MAX_HOLD:
                    cut = max(u.hold, pos)  # hold it (and its attribute's `=`) until it ends
                    break
                if u.host_end < 0:
                    # Too long to wait for: defanged unjudged, and so is the rest of its host.
                    out.append(s[pos : u.start])
                    out.append(self._record("(unfinished)", defang(s, u, n)))
                    self._in_host = self.action == "neutralise"
                    self.pending = ""
                    return "".join(out)
                # Its host is whole: judged on what is here.
            web = host_of(s, u)
            end = u.end if u.end >= 0 else n
            if not judged(web) or self._passes(web, s[u.start : end], whole=u.end >= 0 or final):
                skip = end  # `//` in prose, `http://localhost`, or a link that passes
                continue
            he = u.host_end if u.host_end >= 0 else n
            out.append(s[pos : u.start])
            shown = defang(s, u, he) if self.action == "neutralise" else s[u.start : he]
            out.append(self._record(web.name, shown))
            pos = skip = he  # a URL inside this one (a redirect's target) is judged too
        cut = max(cut, pos)
        out.append(s[pos:cut])
        self.pending = s[cut:]
        return "".join(out)

    def _record(self, host: str, text: str) -> str:
        if self.action == "neutralise":
            self.counts[ENTITY] += 1
        if len(self.hosts) < 20:
            self.hosts.append(host)
        return text

    # -- the verdict -----------------------------------------------------------------

    def _passes(self, web: WebHost, url: str, whole: bool) -> bool:
        """The verdict on a link; one streamed past `MAX_HOLD` and not ended yet (`whole`
        False) passes only on an allowed host: the rest of it, its query with the data, is
        not here to judge."""
        if not whole:
            return web.valid and _allowed(web.name, self.allow)
        return web.valid and self._vouched(web.name, url)

    def _vouched(self, host: str, url: str, depth: int = 0) -> bool:
        if _allowed(host, self.allow):
            return True
        ctx = self.ctx
        c = clean_url(url)
        if c in ctx.trusted_urls or c in ctx.field_urls:
            return True
        if ctx.named(host):
            return c in ctx.seen_urls or not self._carries_data(url, depth)
        if self.unseen_pass and not ctx.mentions(host):
            return not self._carries_data(url, depth)
        return False

    def vouches_bare(self, host: str, text: str, whole: bool) -> bool:
        """The verdict on a bare domain (`bare.BareDomains`; `text`: it with its port and
        path) is a link's, and a tool output's JSON string value that is exactly this bare
        domain vouches for it as a URL field does. `whole` False: the word was cut before
        its end (its data not here to judge): only an allowed host passes."""
        if _allowed(host, self.allow):
            return True
        if not whole:
            return False
        ctx = self.ctx
        if text.lower() in ctx.field_hosts:
            return True
        if self.bare_unseen_pass and self._code_or_unseen(host, text):
            return True
        return self._vouched(host, text)

    def vouches_placeholder(self, host: str) -> bool:
        """The host in an image placeholder the image scanner wrote for this answer: it
        passes (with `mentioned`) when no message writes it, as every unseen domain did
        before; one the conversation writes is judged (the injected tool output's host)."""
        return (
            self.bare_unseen_pass
            and host in self.removed_images
            and not self.ctx.mentions_bare(host)
        )

    def _code_or_unseen(self, host: str, text: str) -> bool:
        """`bare_domains: mentioned`: a name that can be code (`codenames.IDENT`: no
        hyphen, ASCII) written without a path or port passes when a message writes it as
        code and none as an address (`user.email`, `end.Next`, `socket.io` in the file the
        tool read), or when no message writes it nor spells it out (`docs.python.org`
        from the model's own knowledge). Any other shape (`secure-billing.net`,
        `pаypal.com`, `ｅｖｉｌ．ｃｏｍ`) is judged as a link even when no message writes
        it: the attacker gets no way through by leaving their domain unwritten."""
        if text.lower() != host or not IDENT.fullmatch(host):
            return False
        ctx = self.ctx
        if ctx.code_name(host):
            return True
        return not ctx.mentions_bare(host) and not ctx.spelled.spells(host)

    def record(self, host: str, text: str) -> str:
        """Counts a neutralised or flagged link (a bare domain too); returns `text`."""
        return self._record(host, text)

    def _carries_data(self, url: str, depth: int) -> bool:
        """Does a URL the model built carry the conversation's data (see module doc)?"""
        cut = url.find("//")
        rest = url[cut + 2 :] if cut >= 0 else url
        slash = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
        tail = rest[slash:]
        safe = re2_safe(tail)
        if _ENCODED.search(safe) and _looks_encoded(safe):
            return True
        decoded = unquote_plus(unquote_plus(tail))
        # A URL inside it (an open redirect) must pass on its own.
        memo = [len(decoded) + 1, len(decoded)]  # `_parse`'s memo: one end search per run
        for m in _START.finditer(re2_safe(decoded)):
            lead = decoded[m.start()] in "(\"'=<"
            u = _parse(decoded, m.start(), m.end(), lead, memo)
            h = host_of(decoded, u)
            end = u.end if u.end >= 0 else len(decoded)
            if judged(h) and (
                depth >= 2
                or not h.valid
                or not self._vouched(h.name, decoded[u.start : end], depth + 1)
            ):
                return True
        q = tail.find("?")
        f = tail.find("#")
        query = tail[q + 1 :] if q >= 0 else ""
        frag = tail[f + 1 :] if f >= 0 else ""
        values = [v for _, v in parse_qsl(query.split("#", 1)[0], keep_blank_values=False)]
        values.append(unquote_plus(frag))
        ctx = self.ctx
        for v in values:
            for w in _WORD.findall(v.lower())[:32]:
                if w in ctx.data_text and w not in ctx.user_text:
                    return True
        return False


def _looks_encoded(safe: str) -> bool:
    """A long run that is not a slug (`quayside-plots-sale-8812`: words and numbers joined
    by dashes or underscores, each part plain); `safe`: the tail, `re2_safe` already."""
    for m in _ENCODED.finditer(safe):
        parts = [p for p in re2.split(r"[-_/]", m.group(0)) if p]
        if len(parts) > 1 and all(len(p) < 16 and (p.isalpha() or p.isdigit()) for p in parts):
            continue
        return True
    return False
