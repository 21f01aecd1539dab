"""Turn regorus' error text (a caret diagram plus a Rust backtrace) into `file:line:col: message`."""

from __future__ import annotations

import re

_LOC = re.compile(r"-->\s*(?P<file>.+?):(?P<line>\d+):(?P<col>\d+)")
_MSG = re.compile(r"^error:\s*(?P<msg>.+)$", re.MULTILINE)


def short(exc: BaseException | str) -> str:
    """One line: "policies/x.rego:4:1: expecting expression" (or the first line of the text)."""
    text = str(exc).split("Stack backtrace:", 1)[0].strip()
    loc, msg = _LOC.search(text), _MSG.search(text)
    if loc and msg:
        return f"{loc['file']}:{loc['line']}:{loc['col']}: {msg['msg'].strip()}"
    if msg:
        return msg["msg"].strip()
    return next((ln.strip() for ln in text.splitlines() if ln.strip()), type(exc).__name__)


def location(exc: BaseException | str) -> tuple[str, int, int] | None:
    m = _LOC.search(str(exc))
    return (m["file"], int(m["line"]), int(m["col"])) if m else None
