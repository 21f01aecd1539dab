"""Bare domains in an answer (`evil-payments.com/verify`): judged like links.

The link scanner (`links`) reads `scheme://` and `www.` starts. A bare domain has neither,
yet chat clients link it (Slack, Teams, iMessage, markdown-it's linkify, ...), so an
injection that makes the model write "verify your account at evil-payments.com/verify"
reaches a click. After untrusted output, a word that *is* a domain — it starts the word
(after markdown openers such as `(`, `**`, `_`), its last label is a public suffix
(tldextract's bundled list, as for written e-mails) with a name under it, and only a port,
path, query or closing punctuation follows — is judged as a link: it passes when the
conversation vouches for it (`LinkNeutraliser.vouches_bare`), else it is defanged
(`evil-payments[.]com/verify`).

Not hosts: words whose last label is no public suffix (`file.txt`, `node.js`, `v1.2.3`,
`config.yaml`, `e.g.`), a file name one label long whose extension is also a country's
domain (`setup.py`, `README.md`, `main.rs`, `report.zip`; with a path or port it is a
host again), abbreviations of short labels ending in a dot (`M.Sc.`), a word followed by
more than closing punctuation (`app.run()`, `[a.com](#)`), a dotted word inside a URL,
an e-mail address or a path (`docs/index.md`), and anything in a code span or fenced
code block (no renderer links there). A code identifier written in prose whose last
label is a real suffix (`user.name`, `self.id`) is a host here as it is to a chat client
that links it; with `mentioned` the verdict lets it pass when the conversation writes it
as code (`codenames`). Full-width and ideographic dots are dots (`evil。com`), the host
compared as UTS 46 maps it.

Streaming: the text comes from the link scanner, which releases up to a space; this
stage holds the last word (at most `links.MAX_HOLD` characters; a longer one is judged on
what is there, its host passes only on an allowed host) and text after an unmatched
backtick run until its closing run, the line's end or `CODE_HOLD` characters (then the
backticks are literal, as in CommonMark). Work is linear: each word is one anchored RE2
match and at most one suffix lookup.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import re2
import tldextract

from keepgate.scrubbing.heldrun import HeldRun
from keepgate.scrubbing.hosts import fold_host
from keepgate.scrubbing.re2text import re2_safe

#: Text after an unmatched backtick run is held at most this long for its closing run.
CODE_HOLD = 512
#: A word held at most this long for its end.
WORD_HOLD = 2048
#: A host at a word's start (after markdown openers): labels of letters, digits, hyphens.
#: Dots and hyphens full-width or ideographic too (`ｅｖｉｌ．ｃｏｍ`, `evil。com`): a browser
#: maps them (UTS 46) and clients that link bare domains by a TLD list may too.
_HOST = re2.compile(
    r"^[(\[{*_~|]*((?:[\p{L}\p{N}](?:[\p{L}\p{N}\-\x{ff0d}]*[\p{L}\p{N}])?[.\x{3002}\x{ff0e}\x{ff61}])+"
    r"\p{L}[\p{L}\p{N}\-\x{ff0d}]*)"
)
#: What a dot may be written as in a host.
DOTS = ".\u3002\uff0e\uff61"
#: What may follow a host: a port, then a path, query or fragment (to the word's end).
_TAIL = re2.compile(r"^(?::[0-9]{1,5})?(?:[/?#].*)?$")
#: Punctuation a word may end with after the host or URL.
_CLOSERS = ")]}*_~|.,;:!?\\\u3002\uff0e\uff61\uff0c"
#: Extensions that are also public suffixes: `setup.py` alone is a file name.
FILE_SUFFIXES = frozenset(
    "py md rs sh pl pm cc so mk ml tf in am ac sc mo ps ai zip mov gd cr do bz ly ws".split()
)
_SPACE = re2.compile(r"\s")
#: What the image scanner writes before a removed image's host.
_PLACEHOLDER = "[image removed: "
_WORDS = re2.compile(r"[^\s\"'<>`]+")


def is_file_name(host: str, tail: str) -> bool:
    """`setup.py`, `main.rs:42` (a line number): one label and a file-like suffix, no path."""
    parts = host.split(".")
    return len(parts) == 2 and parts[1] in FILE_SUFFIXES and (not tail or tail[1:].isdigit())


def host_in(word: str) -> tuple[int, int, str] | None:
    """(start, end, host) of the bare domain `word` is, or None."""
    safe = re2_safe(word)
    m = _HOST.search(safe)
    if m is None:
        return None
    start, end = m.span(1)
    host = fold_host(word[start:end])
    if host.startswith("www."):
        return None  # the link scanner's
    rest = word[end:].rstrip(_CLOSERS)
    if not _TAIL.match(re2_safe(rest)):
        return None
    tail = word[end:].rstrip(_CLOSERS)
    labels = host.split(".")
    if len(host) > 253 or any(len(p) > 63 for p in labels):
        return None  # no DNS name
    if word[end : end + 1] in (*DOTS,) and all(len(p) <= 2 for p in labels):
        return None  # `M.Sc.`, `U.S.`
    if is_file_name(host, tail):
        return None
    if not tldextract.extract(host).top_domain_under_public_suffix:
        return None
    return start, end + len(tail), host


@dataclass
class BareDomains(HeldRun):
    """A `posts.TextPost` after the link scanner: defangs bare domains it does not vouch for.

    `judge(host, text, whole)`: does the conversation vouch for this bare domain (`text`:
    the host with its port and path; `whole` False: the word was cut at `WORD_HOLD`);
    `record(host, text)`: counts it and returns what to show."""

    judge: Callable[[str, str, bool], bool]
    record: Callable[[str, str], str]
    neutralise: bool = True
    pending: str = ""
    #: The fence (``` or ~~~ run) of the open fenced code block, or "".
    _fence: str = ""
    #: The next character released starts a line.
    _line_start: bool = True
    #: The last release ended inside a word (cut at WORD_HOLD): its rest is not judged.
    _mid_word: bool = False
    #: Does the host of an image placeholder (`[image removed: host]`, the image scanner's
    #: text) pass? The scanner removed that image; its host passes as it did before
    #: `mentioned` judged unseen domains (`LinkNeutraliser.vouches_placeholder`).
    placeholder: Callable[[str], bool] | None = None
    #: The last characters released (a placeholder's start may be in an earlier piece).
    _tail: str = ""

    def _run(self, final: bool) -> str:
        s = self.pending
        out: list[str] = []
        pos = 0
        n = len(s)
        while pos < n:
            nl = s.find("\n", pos)
            line_end = n if nl < 0 else nl + 1
            if self._line_start and self._fence_line(s[pos:line_end], nl >= 0 or final):
                out.append(s[pos:line_end])
                pos = line_end
                self._line_start = True
                continue
            if self._fence:
                part = s[pos:line_end]
                if nl < 0 and not final and self._line_start and _may_close(part, self._fence):
                    if len(part) <= CODE_HOLD:
                        break  # the start of a line that may close the fence: held to its end
                    # Too long to wait for (each piece re-read it: quadratic): taken as the
                    # closing line, the safe side, since what follows is then judged as text.
                    self._fence = ""
                out.append(part)
                pos = line_end
                self._line_start = nl >= 0
                continue
            done = self._line(s, pos, line_end, complete=nl >= 0 or final, out=out)
            if done < line_end:
                self._line_start = self._line_start and done == pos
                pos = done
                break
            pos = line_end
            self._line_start = nl >= 0
        self.pending = s[pos:]
        released = "".join(out)
        self._tail = (self._tail + released[-len(_PLACEHOLDER) :])[-len(_PLACEHOLDER) :]
        return released

    def _fence_line(self, line: str, complete: bool) -> bool:
        """Is `line` a fence that opens or closes a code block (CommonMark, simplified)?"""
        body = line.lstrip(" ")
        if len(line) - len(body) > 3 or body[:3] not in ("```", "~~~"):
            return False
        if not complete and "\n" not in line:
            return False  # the rest of the line decides (an info string with a backtick)
        ch = body[0]
        run = len(body) - len(body.lstrip(ch))
        info = body[run:].strip()
        if self._fence:
            if ch == self._fence[0] and run >= len(self._fence) and not info:
                self._fence = ""
                return True
            return False
        if ch == "`" and "`" in info:
            return False
        self._fence = ch * run
        return True

    def _line(self, s: str, start: int, end: int, complete: bool, out: list[str]) -> int:
        """Judges s[start:end] (one line or its released part) outside code spans; returns
        how far it got (less than `end` when the rest must wait)."""
        i = start
        unmatched: dict[int, int] = {}  # width -> a start from which no closing run was found
        while i < end:
            tick = s.find("`", i, end)
            if tick < 0:
                stop = self._text(s, i, end, complete, out)
                return stop
            if tick > 0 and s[tick - 1] == "\\":
                stop = self._text(s, i, tick + 1, True, out)
                i = tick + 1
                continue
            run = tick
            while run < end and s[run] == "`":
                run += 1
            width = run - tick
            close = -1 if unmatched.get(width, end) <= run else _closing(s, run, end, width)
            if close < 0:
                unmatched[width] = run
            if close < 0:
                waiting = not complete and end - tick <= CODE_HOLD
                if waiting:
                    self._text(s, i, tick, True, out)
                    return tick
                self._text(s, i, run, True, out)  # literal backticks
                i = run
                continue
            self._text(s, i, tick, True, out)
            out.append(s[tick : close + width])
            i = close + width
        return end

    def _text(self, s: str, start: int, end: int, complete: bool, out: list[str]) -> int:
        """Defangs the bare domains among the words of s[start:end]; a last word not
        followed by a space is held unless `complete` (or it is longer than WORD_HOLD)."""
        if start >= end:
            return end
        seg = s[start:end]
        pos = 0
        if self._mid_word:
            m = _SPACE.search(re2_safe(seg))
            cut = m.start() if m else len(seg)
            out.append(seg[:cut])
            pos = cut
            self._mid_word = m is None
        for m in _WORDS.finditer(re2_safe(seg), pos):
            a: int = m.start()
            b: int = m.end()
            last = b == len(seg)
            whole = True
            if last and not complete and start + b == len(s):
                if b - a <= WORD_HOLD:
                    out.append(seg[pos:a])
                    return start + a
                whole = False
                self._mid_word = True
            found = host_in(seg[a:b])
            if found is None:
                continue
            hs, he, host = found
            shown = seg[a + hs : a + he]
            if self.judge(host, shown, whole):
                continue
            if self.placeholder is not None and hs == 0 and self.placeholder(host):
                before = self._tail + s[max(0, start + a - len(_PLACEHOLDER)) : start + a]
                if before.endswith(_PLACEHOLDER):
                    continue
            out.append(seg[pos : a + hs])
            if self.neutralise:
                shown = defang_dots(shown, host.count("."))
            out.append(self.record(host, shown))
            pos = a + he
        out.append(seg[pos:])
        return end


def defang_dots(shown: str, n: int) -> str:
    """`shown` with its first `n` dots (of any width) written `[.]`."""
    out = []
    for c in shown:
        if n > 0 and c in DOTS:
            out.append("[.]")
            n -= 1
        else:
            out.append(c)
    return "".join(out)


def _may_close(part: str, fence: str) -> bool:
    """Can the unfinished line `part` still become the line that closes `fence`?"""
    body = part.lstrip(" ")
    if len(part) - len(body) > 3:
        return False
    run = len(body) - len(body.lstrip(fence[0]))
    return not body[run:].strip(" \t") and (run == len(body) or run >= len(fence))


def _closing(s: str, start: int, end: int, width: int) -> int:
    """Where a backtick run of exactly `width` starts in s[start:end], or -1."""
    i = start
    while True:
        j = s.find("`" * width, i, end)
        if j < 0:
            return -1
        k = j + width
        if (j == 0 or s[j - 1] != "`") and (k >= len(s) or s[k] != "`"):
            return j
        while k < end and s[k] == "`":
            k += 1
        i = k
