"""Lone names in the columns of a table with no header that says so.

`2024-03-01,Sakura,83.20` or `5512;Gonzalo;19.90`: a CSV row gives the tagger one word with
no sentence around it, so it finds none. The column does say what its cells are: when
most of a column's cells are first names or surnames the gazetteers know, the column holds
names, and every cell of it goes (the unknown `Oyelaran` with the known `Sakura` and
`Benedikt`); a column of places likewise. A column needs at least two rows, every cell one
to three capitalised words, and over half of them known to the gazetteers as names (or as
places) and not as common English words.

Rows are split where the detector's text still shows them: `normalize.fold` reads a newline
between a digit and a letter or digit as a space (a card or phone number broken over
lines), so `…,83.20\\n2024-03-02,…` reaches the recognizers as `…,83.20 2024-03-02,…`.
`rows` undoes that: when a line holds more cells than a row, the cells that join two rows
(`83.20 2024-03-02`) are split at that space. `fields.py` reads tables with a header
through the same function.
"""

from __future__ import annotations

from collections.abc import Callable

import re2

from keepgate.scrubbing.ner.tagger import G_COMMON, G_FIRST, G_LAST, G_PLACE, Entity, _id

Flags = Callable[[int], int]
_SEPARATORS = (",", ";", "\t", "|")
MAX_COLUMNS = 12
#: One to three capitalised words (`Sakura`, `Ruairí Ó Briain`, `Jean-Luc`).
_CELL_NAME = re2.compile(r"^\p{Lu}[\pL'’\-]*(?:[ ]\pL[\pL'’\-]*){0,2}$")
SCORE = 0.7


def _split_join(cell: str) -> tuple[str, str] | None:
    """`83.20 2024-03-02` -> (`83.20`, `2024-03-02`): a space the fold put where a newline
    was, between the last cell of one row and the first of the next (a digit on a side)."""
    i = cell.rfind(" ")
    if i <= 0 or i == len(cell) - 1:
        return None
    left, right = cell[:i], cell[i + 1 :]
    if not (left[-1].isdigit() or right[0].isdigit()) or not right[0].isalnum():
        return None
    return left, right


def rows(line: str, sep: str, width: int) -> list[tuple[int, list[str]]] | None:
    """The rows of `width` cells in `line` (each with its offset in the line), re-split where
    the fold joined rows; None when the line does not divide into such rows."""
    cells = line.split(sep)
    if len(cells) == width:
        return [(0, cells)]
    if width < 2 or len(cells) < width or (len(cells) - width) % (width - 1):
        return None
    out: list[tuple[int, list[str]]] = []
    cur: list[str] = []
    start = pos = 0
    for i, cell in enumerate(cells):
        if len(cur) == width - 1 and i < len(cells) - 1:
            parts = _split_join(cell)
            if parts is None:
                return None
            cur.append(parts[0])
            out.append((start, cur))
            start = pos + len(parts[0]) + 1
            cur = [parts[1]]
        else:
            cur.append(cell)
        pos += len(cell) + 1
    if len(cur) != width:
        return None
    out.append((start, cur))
    return out


#: More spaces than a cell of names, numbers or dates holds (or two of them joined): prose.
MAX_CELL_SPACES = 4


def _width(line: str, sep: str) -> int | None:
    """The row width that splits a line of joined rows (the smallest that works)."""
    n = line.count(sep) + 1
    if n < 2 or line.count(" ") > MAX_CELL_SPACES * n:
        return None  # prose with commas, not a row: its cells are phrases
    for width in range(2, min(n, MAX_COLUMNS) + 1):
        if rows(line, sep, width) is not None:
            return width
    return None


def table_names(text: str, flags: Flags, is_label: Callable[[str], bool]) -> list[Entity]:
    """Cells of name and place columns in header-less tables (module doc). `is_label` tells
    a field label (`fields.is_label`, passed in: `fields` reads tables through `rows`), so a
    first row of labels is a header."""
    if not any(s in text for s in _SEPARATORS):
        return []
    lines, pos = [], 0
    for line in text.split("\n"):
        lines.append((pos, line))
        pos += len(line) + 1
    out: list[Entity] = []
    for sep in _SEPARATORS:
        block: list[tuple[int, list[str]]] = []  # (offset in text, cells) of one table
        width = None
        for start, line in [*lines, (len(text), "")]:
            w = _width(line, sep) if sep in line else None
            split = rows(line, sep, w) if w is not None else None
            if split is not None and (width is None or w == width):
                width = w
                block.extend((start + off, cells) for off, cells in split)
                continue
            if len(block) >= 2:
                out.extend(_columns(block, flags, is_label))
            block, width = [], None
            if split is not None:
                width = w
                block.extend((start + off, cells) for off, cells in split)
    return out


def _columns(
    block: list[tuple[int, list[str]]], flags: Flags, is_label: Callable[[str], bool]
) -> list[Entity]:
    if any(is_label(c.strip().strip('"')) for c in block[0][1] if c.strip()):
        block = block[1:]  # a header row (`Vorname;Nachname;Stadt`): labels, not names
        if len(block) < 2:
            return []
    out: list[Entity] = []
    for col in range(len(block[0][1])):
        cells = []
        for start, row in block:
            off = start + sum(len(c) + 1 for c in row[:col])
            raw = row[col]
            v = raw.strip().strip('"')
            cells.append((off + raw.find(v), v))
        if not all(v and _CELL_NAME.match(v) for _, v in cells[1:]):
            continue
        if not _CELL_NAME.match(cells[0][1]):
            cells = cells[1:]  # a header row (`first`, `Vorname`): its cell is not a name
            if len(cells) < 2:
                continue
        people = places = 0
        for _, v in cells:
            f = 0
            for w in v.split():
                f |= flags(_id(w.lower()))
            if f & G_COMMON and not f & (G_FIRST | G_LAST):
                continue
            people += bool(f & (G_FIRST | G_LAST))
            places += bool(f & G_PLACE)
        label = "PERSON" if people >= places else "LOCATION"
        if max(people, places) * 2 <= len(cells):
            continue
        out.extend(Entity(a, a + len(v), label, SCORE) for a, v in cells)
    return out
