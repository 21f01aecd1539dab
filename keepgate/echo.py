"""What of a client's input an error message may repeat back.

Error messages reach the client, the log and the audit line, none of which go through the
PII scrubber. A value is repeated only when it looks like a name (a type, an encoding, a
model or tool name): ASCII letters first, then letters, digits and `_ . : / -`, short, and
(for type-like names) no run of 4+ digits. Anything else (spaces, `@`, markup, a phone or
card number, long text) is described by its length instead, so a developer still sees
which field was wrong without the message carrying what was in it.
"""

from __future__ import annotations


import re2

_NAME = re2.compile(r"[A-Za-z][A-Za-z0-9_.:/\-]*")
_DIGITS = re2.compile(r"[0-9]{4}")  # a year, a PIN, part of a phone or card number
_LONG_DIGITS = re2.compile(r"[0-9]{9}")  # longer than a date (20240620)


def shown(value: object, limit: int = 40, digits: bool = False) -> str:
    """`'name'` quoted when safe to repeat, else a description such as
    `(a string of 58 characters, not shown)` or `(a number)`. `digits`: allow runs of up
    to 8 digits (model names carry dates: `claude-3-5-sonnet-20240620`)."""
    if isinstance(value, str):
        if (
            len(value) <= limit
            and _NAME.fullmatch(value)
            and not (_LONG_DIGITS if digits else _DIGITS).search(value)
        ):
            return f"'{value}'"
        return f"(a string of {len(value)} characters, not shown)"
    if value is None:
        return "(null)"
    if isinstance(value, bool):
        return "(a boolean)"
    if isinstance(value, (int, float)):
        return "(a number)"
    if isinstance(value, list):
        return "(an array)"
    if isinstance(value, dict):
        return "(an object)"
    return f"(a {type(value).__name__})"
