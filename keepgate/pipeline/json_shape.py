"""Where a JSON object or array arriving in pieces closes, read once per piece.

The PII guard holds a streamed tool call until its arguments are a whole JSON value and
asked after every delta whose text ended in a closing bracket: a long string of `}` sent
a character a delta (red team round 6) joined and parsed the arguments so far at every
delta, quadratic on the event loop. `JsonShape` reads each piece once (strings skipped by
one regex search, so brackets inside them cost nothing) and says when the top-level
container has just closed: the one moment a parse can succeed, since text after it is
either whitespace (no change to validity) or makes the value invalid for good.
"""

from __future__ import annotations

import re

#: Outside a string: a bracket or a quote. Inside one: a quote or an escape.
_OUTSIDE = re.compile(r'[{}\[\]"]')
_INSIDE = re.compile(r'["\\]')
#: Past this depth no parser here accepts the value (json's recursion limit is lower).
MAX_DEPTH = 4096

OPEN, CLOSED, NEVER = 0, 1, 2


class JsonShape:
    """The state of one growing JSON text: depth, in a string, an escape pending."""

    __slots__ = ("depth", "escaped", "in_string", "started", "state", "unseen_close")

    def __init__(self) -> None:
        self.depth = 0
        self.in_string = False
        self.escaped = False
        self.started = False
        #: OPEN (may still close), CLOSED (the container closed, whitespace since),
        #: NEVER (not a container, or text after it closed, or too deep).
        self.state = OPEN
        #: The container closed and nobody has asked since (`take_close`).
        self.unseen_close = False

    def feed(self, piece: str) -> None:
        if self.state == NEVER or not piece:
            return
        if self.state == CLOSED:
            if not piece.isspace():
                self._never()
            return
        pos, n = 0, len(piece)
        while pos < n:
            if self.escaped:  # the escaped character, whatever it is
                self.escaped = False
                pos += 1
                continue
            if self.in_string:
                m = _INSIDE.search(piece, pos)
                if m is None:
                    return
                if m.group() == '"':
                    self.in_string = False
                else:
                    self.escaped = True
                pos = m.end()
                continue
            m = _OUTSIDE.search(piece, pos)
            if not self.started:
                first = piece[pos : m.start() if m else n]
                if first and not first.isspace():
                    self._never()  # a bare string, number or literal: not a container
                    return
                if m is None:
                    return
                if m.group() not in "{[":
                    self._never()
                    return
                self.started = True
            elif m is None:
                return
            c = m.group()
            pos = m.end()
            if c == '"':
                self.in_string = True
            elif c in "{[":
                self.depth += 1
                if self.depth > MAX_DEPTH:
                    self._never()
                    return
            else:
                self.depth -= 1
                if self.depth == 0:
                    if piece[pos:] and not piece[pos:].isspace():
                        self._never()
                    else:
                        self.state = CLOSED
                        self.unseen_close = True
                    return

    def _never(self) -> None:
        self.state = NEVER
        self.unseen_close = False

    def take_close(self) -> bool:
        """Has the container closed since the last call (with nothing but whitespace
        after)? True once per close, so a caller parses the text at most once."""
        seen, self.unseen_close = self.unseen_close, False
        return seen
