"""Quoted mentions: an attack phrase the text talks *about*, not one it says.

Security writing, questions and reports quote attacks: "an attacker types 'Ignore all
previous instructions'", "an example like 'ignore previous instructions'", "O que significa
'ignorar instruções anteriores'?". The phrase is the object of the writer's own sentence (an
example, something typed, said or meant), so nobody is told to do it. Round 9's dev batches
blocked such documents and questions on the override rules and the instruction stage's
override cue alone.

A mention is read from structure, not from what is quoted:

* a **quotation** on one line (paired marks: '…', "…", ‘…’, “…”, «…», „…“, 「…」, 『…』),
  opened after a space or bracket and embedded in a sentence of the text (a word before it
  on its line: a line that is all quotation is a message, not a mention);
* right after a **frame** that makes it an object: an example marker ("such as", "like",
  "e.g.", "example", "etwa", "por ejemplo", "例如"…), a verb of writing or saying ("typing",
  "writes", "says", "schreibt", "escribe"…) or a question of meaning ("what does … mean",
  "significa", "bedeutet"…) within the few words before the mark;
* and **no use** of a quotation anywhere outside them: a text that asks for what it quotes
  to be followed, decoded, combined or carried out is an attack that quotes its payload
  (payload splitting), so every quotation in it counts as said.

Callers ask whether a span (a rule's match, a cue's match) lies wholly inside a mention. Cost:
nothing for a text without quotation marks; otherwise one RE2 pass for the quotations and one
for the use verbs, both only when a caller already found an attack phrase.
"""

from __future__ import annotations

from keepgate.input_guards import linear

#: A quotation on one line, after a space, a bracket or a colon; group 1 is its inside.
_QUOTE = linear.compile(
    r"(?:^|[\s(\[:,])(?:'([^'\n]{3,240})'|\"([^\"\n]{3,240})\"|‘([^’\n]{3,240})’|“([^”\n]{3,240})”"
    r"|«([^»\n]{3,240})»|„([^“”\n]{3,240})[“”]|「([^」\n]{3,240})」|『([^』\n]{3,240})』)"
)
#: The frame right before the opening mark (matched on the 40 characters before it).
_FRAME = linear.compile(
    r"(?i:(?:\bsuch\s+as|\blike|\be\.\s?g\.,?|\bfor\s+example|\bfor\s+instance|\b(?:examples?|payloads?|phrases?|strings?|patterns?|lines?|sentences?|"
    r"prompts?|texts?|inputs?|commands?)(?:\s+(?:is|was|being|would\s+be|reads?))?|\bsay|\bsays|\bsaid|\bsaying|\btyp(?:e|es|ed|ing)|"
    r"\bwrit(?:e|es|ing)|\bwrote|\bpast(?:e|es|ed|ing)|\bwords?|\bterm|\bcalled|\bnamed|\bmeans?|"
    r"\bmeaning\s+of|\bwhat\s+(?:does|do|is)|\bcontaining|\bcontains|"
    r"\b(?:tell|tells|telling|told|ask|asks|asking|asked)\s+(?:(?:the|a|an|this|that|its|their|"
    r"his|her|my|our)\s+(?:\S+\s+){0,2}|(?:me|us|him|her|them)\s+)to|"
    r"\bincluding|\bsuch|\betwa|\bwie|\bz\.\s?b\.|\bbeispiel|\bschreibt|\bbedeutet|\bhei[ßs]t|"
    r"\bcomo|\bcomme|\bpar\s+exemple|\bpor\s+ejemplo|\bpor\s+exemplo|\bescribe|\bescreve|"
    r"\b[ée]crit|\bsignifica|\bsignifie|\bcome|\bad\s+esempio|\bscrive|\bbijvoorbeeld|"
    # RE2's \b is ASCII: the Cyrillic and CJK frames stand without it
    r"\bzoals|\bbetekent|\bnapisz|\bnp\.|например|значит|означает|пишет|"
    r"例如|比如|如|意思|とは|など|例えば|라는|예를\s*들어)[\s:,]*$)"
)
#: A use of what is quoted: follow it, carry it out, decode or assemble it. A word list is
#: never complete (the review found `go ahead and proceed with that`): it errs wide, since a
#: use it misses turns a block into a flag.
_USE = linear.compile(
    r"(?i:\b(?:follow|obey|comply|execute|perform|carry\s+out|act\s+on|decode|combine|join|"
    r"concatenate|assemble|merge|append|evaluate|apply|do\s+(?:it|this|that|what|as|so)|"
    r"proceed|go\s+ahead|accordingly|implement|run\s+(?:it|this|that)|heed|honou?r|adopt|"
    r"what\s+(?:it|they)\s+says?|as\s+(?:it|they)\s+says?|as\s+(?:instructed|written|stated|quoted)|"
    r"make\s+it\s+so|"
    r"mach|tu\s+(?:es|das)|haz|hazlo|fais|faites|fa[çc]a|fallo|fai|esegui|voer|uitvoeren|"
    r"ausf[üu]hren|befolge|ejecuta|ex[ée]cute|segue|sigue)\b|"
    r"выполни|сделай|следуй|照做|执行|執行|実行|従って|실행)"
)

_UTF8 = "utf-8"
#: Opening marks: a text with none of them has no quotation (no pass at all).
_MARKS = tuple(m.encode(_UTF8) for m in ("'", '"', "‘", "“", "«", "„", "「", "『"))
#: What may stand before an opening mark (the byte `_QUOTE` consumes before it).
_BEFORE = (b" ", b"\t", b"\n", b"(", b"[", b":", b",")
#: Byte strings one of which a text with a quotation holds (`has_marks`); the apostrophe
#: only where it can open one, or at the very start.
_OPENERS = tuple(m for m in _MARKS if m != b"'") + tuple(b + b"'" for b in _BEFORE)


def _encode(text: str) -> bytes:
    return text.encode(_UTF8, "surrogatepass")


def has_marks(data: bytes) -> bool:
    """Whether UTF-8 `data` may open a quotation at all (a few `bytes.find`s): a paired mark,
    or an apostrophe after a space, a bracket or a colon (not the "'" of "don't", which
    most English text has)."""
    return any(q in data for q in _OPENERS)


def spans(data: bytes) -> list[tuple[int, int]]:
    """Byte spans of the mentions in UTF-8 `data` (the quotations' insides), empty when
    the text has none or uses a quotation. A retold directive ("my manager told me to …")
    is not a mention: the clause is the attack itself as often as it is a question's
    context, so it is read as said."""
    if not has_marks(data) and not data.startswith(b"'"):
        return []
    out: list[tuple[int, int]] = []
    quoted: list[tuple[int, int]] = []
    for a, b in linear.byte_spans(_QUOTE, data):
        mark = a + (data[a : a + 1] in _BEFORE)
        inside = (mark + len(_first_char(data, mark)), b - len(_last_char(data, b)))
        quoted.append(inside)
        line_start = data.rfind(b"\n", 0, mark) + 1
        head = data[max(line_start, mark - 120) : mark].decode(_UTF8, "ignore")
        if not any(c.isalnum() for c in head):
            continue  # the quotation opens its line: said, not mentioned
        if linear.found(_FRAME, _encode(head[-40:])):
            out.append(inside)
    if not out:
        return []
    if linear.found(_USE, blank(data, quoted)):
        return []
    return out


def _first_char(data: bytes, at: int) -> bytes:
    n = 1
    while at + n < len(data) and (data[at + n] & 0xC0) == 0x80:
        n += 1
    return data[at : at + n]


def _last_char(data: bytes, end: int) -> bytes:
    n = 1
    while end - n > 0 and (data[end - n] & 0xC0) == 0x80:
        n += 1
    return data[end - n : end]


def blank(data: bytes, mentions: list[tuple[int, int]]) -> bytes:
    """UTF-8 `data` with each mention's inside replaced by spaces (same length): the rest
    of the text, to be read on its own (`Scanner._said`). The spans are whole characters
    (`spans` cuts after the opening mark and before the closing one)."""
    out = bytearray(data)
    for a, b in mentions:
        out[a:b] = b" " * (b - a)
    return bytes(out)


def inside(span: tuple[int, int], mentions: list[tuple[int, int]]) -> bool:
    """Whether the byte `span` lies wholly inside one of `mentions`."""
    a, b = span
    return any(x <= a and b <= y for x, y in mentions)


def all_mentioned(found: list[tuple[int, int]], mentions: list[tuple[int, int]]) -> bool:
    """Whether every span in `found` (at least one) lies inside a mention."""
    return bool(found) and all(inside(s, mentions) for s in found)


def mentioned(text: str, regex: linear.Regex) -> bool:
    """Whether every match of `regex` in `text` (at least one) lies inside a mention."""
    data = _encode(text)
    m = spans(data)
    return bool(m) and all_mentioned(list(linear.byte_spans(regex, data)), m)
