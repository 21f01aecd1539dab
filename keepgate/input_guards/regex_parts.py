"""The top-level parts of an RE2 pattern, for matchers that search a pattern in pieces.

A phrase cue such as "a reveal verb, up to 48 characters, then a secret" is one pattern;
searched unanchored over a text, its automaton keeps one thread per verb still within 48
characters, and every new mix of those threads is a new DFA state to build (most of the
prompt-cue stage's cost on text it has not seen). The same pattern run *anchored* where a
verb starts has one thread at a time. To do that the matcher needs the pattern's *head*:
the part before its first wide repetition, with every match of the pattern starting with a
match of the head. That holds for a prefix of the pattern's top-level concatenation (not
inside a group or class, no top-level alternation), which is what `gap_split` returns
with the gap and the tail after it.

`atoms` cuts a pattern into its top-level atoms, each with its quantifier; it reads RE2
syntax as far as placing those cuts needs (escapes, `\\p{..}`, classes with `[:alpha:]`
and a leading `]`, groups, `{n,m}` counts) and gives up (None) on what it does not know
(`\\Q..\\E`), so a caller falls back to searching the whole pattern.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: A repetition that allows more than this many characters is *wide*.
WIDE = 8
_COUNT = re.compile(r"\{(\d+)(,(\d*))?\}")


@dataclass(frozen=True, slots=True)
class Atom:
    """`pattern[start:end]` is one top-level atom and its quantifier (`pattern[body:end]`)."""

    start: int
    body: int
    end: int
    kind: str  # "group" | "class" | "escape" | "literal" | "anchor"


def _class_end(p: str, i: int) -> int | None:
    """Index after the character class that opens at `p[i] == "["`."""
    j = i + 1
    if p[j : j + 1] == "^":
        j += 1
    if p[j : j + 1] == "]":  # a "]" first in the class is a literal
        j += 1
    while j < len(p):
        c = p[j]
        if c == "\\":
            j += 2
        elif c == "[" and p[j + 1 : j + 2] == ":":
            k = p.find(":]", j + 2)
            if k < 0:
                return None
            j = k + 2
        elif c == "]":
            return j + 1
        else:
            j += 1
    return None


def _escape_end(p: str, i: int) -> int | None:
    """Index after the escape that starts at `p[i] == "\\\\"`."""
    nxt = p[i + 1 : i + 2]
    if not nxt or nxt == "Q":
        return None
    if nxt in "pPx" and p[i + 2 : i + 3] == "{":
        k = p.find("}", i + 3)
        return None if k < 0 else k + 1
    if nxt == "x":
        return i + 4
    return i + 2


def _group_end(p: str, i: int) -> int | None:
    """Index after the group that opens at `p[i] == "("`."""
    depth, j = 0, i
    while j < len(p):
        c = p[j]
        if c == "\\":
            e = _escape_end(p, j)
            if e is None:
                return None
            j = e
            continue
        if c == "[":
            e = _class_end(p, j)
            if e is None:
                return None
            j = e
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return j + 1
        j += 1
    return None


def _quantifier_end(p: str, i: int) -> int:
    """Index after the quantifier (if any, with its lazy `?`) that starts at `p[i]`."""
    if p[i : i + 1] in ("*", "+", "?"):
        i += 1
    else:
        m = _COUNT.match(p, i)
        if m is None:
            return i
        i = m.end()
    return i + 1 if p[i : i + 1] == "?" else i


def atoms(pattern: str) -> list[Atom] | None:
    """The top-level atoms of `pattern` in order, or None when it has a top-level
    alternation or syntax this reader does not place (then no part of it is a head)."""
    out: list[Atom] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "|" or c == ")":
            return None
        if c == "(":
            end, kind = _group_end(pattern, i), "group"
            if end is not None and pattern.startswith("(?", i) and pattern[i + 2 : i + 3] != ":":
                # "(?i)" sets flags for the rest; "(?P<n>" and "(?i:" are groups
                if re.match(r"\(\?[imsU-]*\)", pattern[i:end]):
                    kind = "anchor"
        elif c == "[":
            end, kind = _class_end(pattern, i), "class"
        elif c == "\\":
            end = _escape_end(pattern, i)
            kind = "anchor" if pattern[i + 1 : i + 2] in ("b", "B", "A", "z") else "escape"
        elif c in "^$":
            end, kind = i + 1, "anchor"
        elif c in "*+?{":
            if c == "{" and _COUNT.match(pattern, i) is None:
                end, kind = i + 1, "literal"  # a "{" that counts nothing is a literal
            else:
                return None  # a quantifier with nothing to repeat
        else:
            end, kind = i + 1, "literal"
        if end is None:
            return None
        q = _quantifier_end(pattern, end)
        out.append(Atom(i, end, q, kind))
        i = q
    return out


def _max_repeat(quantifier: str) -> int | None:
    """The most repetitions `quantifier` allows (None: unbounded)."""
    if not quantifier or quantifier == "?":
        return 1
    if quantifier[0] in "*+":
        return None
    m = _COUNT.match(quantifier)
    if m is None:
        return 1
    if m.group(2) is None:
        return int(m.group(1))
    return int(m.group(3)) if m.group(3) else None


_SPACE_ATOMS = frozenset({r"\s", " ", "[ ]", r"[\s]"})


def is_wide(pattern: str, atom: Atom) -> bool:
    """Whether `atom` can match more than `WIDE` characters: a repetition beyond `WIDE`
    (a run of whitespace excepted), or a group with such a repetition inside."""
    quantifier = pattern[atom.body : atom.end].rstrip("?") or pattern[atom.body : atom.end]
    most = _max_repeat(quantifier)
    body = pattern[atom.start : atom.body]
    if (most is None or most > WIDE) and body not in _SPACE_ATOMS:
        return True
    if atom.kind != "group":
        return False
    inner = body[body.find(":") + 1 : -1] if body.startswith("(?") else body[1:-1]
    for branch in _branches(inner):
        parts = atoms(branch)
        if parts is None or any(is_wide(branch, a) for a in parts):
            return True
    return False


def _branches(p: str) -> list[str]:
    """`p` split at its top-level "|"."""
    out, depth, start, i = [], 0, 0, 0
    while i < len(p):
        c = p[i]
        if c == "\\":
            i = _escape_end(p, i) or len(p)
            continue
        if c == "[":
            i = _class_end(p, i) or len(p)
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            out.append(p[start:i])
            start = i + 1
        i += 1
    out.append(p[start:])
    return out


def required_group(pattern: str) -> str | None:
    """A top-level group of `pattern` that every match contains (not optional, no wide
    repetition inside): a cheap pattern to search first, since where it does not occur
    `pattern` cannot match. The first such group after a wide atom (its selective middle,
    as in "a quote, up to 60 characters, an attack word, up to 60, a quote"); None if none."""
    parts = atoms(pattern)
    if not parts:
        return None
    seen_wide = False
    for a in parts:
        if is_wide(pattern, a):
            seen_wide = True
            continue
        if seen_wide and a.kind == "group" and a.body == a.end:
            return pattern[a.start : a.body]
    return None


@dataclass(frozen=True, slots=True)
class GapSplit:
    """`head`, then up to `most` characters none of which is in `stops`, then `tail`, then
    the rest: the shape of a phrase cue ("ignore ... instructions" within a sentence)."""

    head: str
    stops: str
    most: int
    tail: str


_CLASS_ESCAPES = {"n": "\n", "t": "\t", "r": "\r"}


def _negated_chars(cls: str) -> str | None:
    """The characters of a negated class of plain characters ("[^.!?\\n]"), or None for
    any other class (ranges, class escapes, POSIX classes)."""
    if not (cls.startswith("[^") and cls.endswith("]")) or len(cls) < 4:
        return None
    out, i, body = [], 0, cls[2:-1]
    while i < len(body):
        c = body[i]
        if c == "\\":
            nxt = body[i + 1 : i + 2]
            if nxt in _CLASS_ESCAPES:
                out.append(_CLASS_ESCAPES[nxt])
            elif nxt and not nxt.isalnum():
                out.append(nxt)
            else:
                return None
            i += 2
            continue
        if c in "-[]" or c.isalnum():
            return None  # a range, a nested class, or a letter that case folding widens
        out.append(c)
        i += 1
    return "".join(out)


def gap_split(pattern: str) -> GapSplit | None:
    """`pattern` as head, gap, tail when its first wide top-level atom (after a group or a
    literal) is a bounded run of a negated class of plain characters (`[^.!?\\n]{0,48}?`)
    followed by an unquantified group or literal; None otherwise. Every match of `pattern`
    is a match of the head, then at most `most` characters without a stop, then a match of
    the tail."""
    parts = atoms(pattern)
    if not parts:
        return None
    named = False
    for k, a in enumerate(parts):
        if not (named and is_wide(pattern, a)):
            named = named or a.kind in ("group", "literal")
            continue
        m = _COUNT.match(pattern, a.body)
        stops = _negated_chars(pattern[a.start : a.body]) if a.kind == "class" else None
        if m is None or m.group(2) is None or not m.group(3) or stops is None:
            return None
        if k + 1 >= len(parts):
            return None
        t = parts[k + 1]
        if t.kind not in ("group", "literal") or t.body != t.end:
            return None
        if any(x.kind == "anchor" and pattern[x.start] == "(" for x in parts[:k]):
            return None  # a flag set for the rest ("(?s)") would not reach the tail alone
        return GapSplit(pattern[: a.start], stops, int(m.group(3)), pattern[t.start : t.body])
    return None


def branch_count(pattern: str) -> int:
    """How many alternatives the pattern's first top-level group has (1 if none)."""
    parts = atoms(pattern)
    for a in parts or ():
        if a.kind == "group":
            body = pattern[a.start : a.body]
            inner = body[body.find(":") + 1 : -1] if body.startswith("(?") else body[1:-1]
            return len(_branches(inner))
    return 1
