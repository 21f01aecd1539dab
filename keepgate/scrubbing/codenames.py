"""Where a message writes a dotted name as code (`links.bare_domains: mentioned`).

`user.email`, `end.Next`, `cache.store`, `socket.io` are hosts by their last label, and a
conversation about code is full of them: the file the tool read writes
`mailer.send(user.email)`, `for end.Next() {`, `"socket.io": "^4"`. When a message writes
a name *as code* (a call, an assignment, an index, a statement's end, a call's argument,
a quoted key or argument, a code span) and none writes it as an address (with a path, a
port, after `//` or `@`), an answer that names it in prose is naming the code, not
sending the user somewhere. Only names that can be code take this way (ASCII letters,
digits and `_`: no hyphen, no other script; the caller checks): a hyphenated, IDN or
homoglyph domain is judged however it is written. Each test looks at a bounded window
around the match: linear in the text.
"""

from __future__ import annotations

import re2

#: A name that can be code: identifiers joined by dots (already lower-cased).
IDENT = re2.compile(r"[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)+")
_ID_CHAR = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_$")
#: How far back a call's open parenthesis is looked for, on the same line.
_CALL_BACK = 200


def in_code(t: str, a: int, b: int, json_doc: bool = False) -> bool:
    """Is t[a:b] written as code where it stands? In a JSON document (`json_doc`, a tool
    output as sent) a double-quoted name is code only as a key (`"socket.io": "^4"`): a
    string value is a record's data (`{"link": "verify.app"}`), whoever wrote it."""
    before = t[a - 1] if a > 0 else "\n"
    after = t[b] if b < len(t) else "\n"
    if json_doc and before == '"' and after == '"':
        return t[b + 1 : b + 2] == ":"
    if after in "([=;" or t.startswith((" = ", " == ", " != "), b):
        return True  # a call, an index, an assignment or comparison, a statement's end
    if before in "=[{" or (a >= 2 and t[a - 2 : a] == "= "):
        return True  # a value assigned, an index, an object's first item
    if before == "`" and after == "`":
        return True  # a code span
    if before in "'\"" and after == before:
        nxt = t[b + 1] if b + 1 < len(t) else "\n"
        return nxt in ":),;]}\n\r"  # a quoted key or argument (`"socket.io": "^4"`)
    if after in ",)" or before in "(,":
        return _in_call(t, a)
    return False


def _in_call(t: str, a: int) -> bool:
    """Is position `a` inside the parentheses of a call (`send(x, user.email)`) on its line?"""
    lo = max(0, a - _CALL_BACK)
    line = t.rfind("\n", lo, a)
    lo = line + 1 if line >= 0 else lo
    op = t.rfind("(", lo, a)
    if op <= 0 or t.find(")", op, a) >= 0:
        return False
    return t[op - 1] in _ID_CHAR


def as_address(t: str, a: int, b: int) -> bool:
    """Is t[a:b] written as an address (a path or port after it, `//` or `@` before it)?"""
    after = t[b : b + 2]
    return (
        after[:1] == "/"
        or (after[:1] == ":" and after[1:2].isdigit())
        or t[max(0, a - 2) : a] == "//"
        or t[a - 1 : a] == "@"
    )
