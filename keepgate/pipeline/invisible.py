"""Characters that render as nothing, and combining marks that only decorate: one list for
every normaliser (the input guard's and the PII scrubber's).

A hand-picked list of "zero-width characters" misses most of them: Unicode's
Default_Ignorable_Code_Point property (DerivedCoreProperties.txt) names every code point a
renderer shows as nothing, and any of them inside a word hides the word from a pattern while
a model, and a reader, still see it (`Ig\\u206anore`, `123\\u206b-45-6789`). The ranges below
are that property, plus the interlinear annotation controls (U+FFF9..U+FFFB, format
characters that also render as nothing). Bidi controls (U+202A..U+202E, U+2066..U+2069) are
in the property too; the input guard reads them as a trick of their own before stripping.

The generic combining-mark blocks decorate any letter (`i̲g̲n̲o̲r̲e̲`, strike-through,
"Zalgo" stacks): after NFKC has composed every accented letter that has a precomposed form,
what is left of them on a Latin letter or digit is decoration.
"""

from __future__ import annotations

#: Default_Ignorable_Code_Point (Unicode 15.1) and U+FFF9..U+FFFB, as (first, last) pairs.
IGNORABLE_RANGES: tuple[tuple[int, int], ...] = (
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFFB),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)
#: Combining Diacritical Marks (and Extended, Supplement), for Symbols, Half Marks.
COMBINING_RANGES: tuple[tuple[int, int], ...] = (
    (0x0300, 0x036F),
    (0x1AB0, 0x1AFF),
    (0x1DC0, 0x1DFF),
    (0x20D0, 0x20FF),
    (0xFE20, 0xFE2F),
)


def char_class(ranges: tuple[tuple[int, int], ...], without: str = "") -> str:
    """The body of a regex character class (no brackets) for `ranges`, less the single
    characters in `without`; valid for `re` and RE2 alike."""
    skip = {ord(c) for c in without}
    out: list[str] = []
    for first, last in ranges:
        run_start: int | None = None
        for cp in range(first, last + 2):
            inside = cp <= last and cp not in skip
            if inside and run_start is None:
                run_start = cp
            elif not inside and run_start is not None:
                end = cp - 1
                out.append(chr(run_start) if end == run_start else f"{chr(run_start)}-{chr(end)}")
                run_start = None
    return "".join(out)


IGNORABLE: frozenset[str] = frozenset(
    chr(cp) for first, last in IGNORABLE_RANGES for cp in range(first, last + 1)
)
COMBINING: frozenset[str] = frozenset(
    chr(cp) for first, last in COMBINING_RANGES for cp in range(first, last + 1)
)
