"""Address ends and street lines the tagger leaves: postcodes, regions, house numbers.

The tagger finds the place words of an address (`Richmond`, `Toronto`) but often stops
before what follows them: a region code and a postcode (`VIC 3121`, `ON M5H 2N2`, `Leeds
LS6 2QX`, `Osaka 530-0047`, `Lagos 106104`), so the postcode leaked while the city was
redacted. And a street line in English layout (`200 Queen St W`, `77 King William St`)
has no place word at all for it to find. Two additions, both by shape, neither a list of
places:

* **postcode tails** (`extend_tails`): a LOCATION span followed (after a comma, a dash or
  spaces) by an optional region code of two or three capitals and a postcode in one of the
  common national layouts (Canadian `A1A 1A1`, British `AA9A 9AA`, Japanese `999-9999`,
  Brazilian and ZIP+4 `99999-999(9)`, four to six digits, Dutch `9999 AA`) grows over them.
  A bare four-digit number that reads as a year (1800-2099: "Berlin, 1989") is taken only
  after a region code (`NSW 2000`);
* **street lines** (`street_lines`): a house number (`200`, `12b`, `3/41`, `Unit 5, 88`),
  one to three capitalised words and a street type (`Street`, `St`, `Road`, `Ave`,
  `Blvd`, `Lane`, `Way`, `Parade`, ... with an optional `N`/`S`/`E`/`W`) is a LOCATION,
  and so is the `, City` and postcode tail right after it.

Both regexes are bounded (no nested unbounded repetition: linear on any input).
"""

from __future__ import annotations

import regex as re

from keepgate.scrubbing.ner.tagger import Entity

_POSTCODE = (
    r"[A-Za-z]\d[A-Za-z][ \t]?\d[A-Za-z]\d"  # Canada
    r"|[A-Z]{1,2}\d[A-Z\d]?[ \t]?\d[A-Z]{2}"  # United Kingdom
    r"|\d{3}-\d{4}"  # Japan
    r"|\d{5}-\d{3,4}"  # Brazil (CEP), US ZIP+4
    r"|\d{4}[ \t][A-Z]{2}(?![\w])"  # Netherlands
    r"|\d{4,6}"  # Australia, New Zealand, Germany, France, India, Nigeria, Viet Nam, ...
)
#: After a place: a separator, an optional region code, a postcode, nothing word-like after.
_TAIL = re.compile(
    r"(?:[ \t]{0,2}[,\-–][ \t]{0,2}|[ \t]{1,3})"
    r"(?:(?P<region>\p{Lu}{2,3}|\p{Ll}{2,3})[ \t]{0,2},?[ \t]{1,3})?"
    r"(?P<code>" + _POSTCODE + r")(?![\w\-/.]\w|\w)"
)
#: A region code ending the tagger's span (`Sydney NSW`): the postcode after it is not a year.
_REGION_END = re.compile(r"(?<![\w])\p{Lu}{2,3}$")
_YEAR = re.compile(r"(?:18|19|20)\d\d")

_STREET_TYPES = (
    "Street|St|Road|Rd|Avenue|Ave|Av|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Place|Pl|"
    "Terrace|Tce|Way|Crescent|Cres|Close|Grove|Parade|Pde|Highway|Hwy|Square|Sq|Mews|"
    "Circle|Cir|Parkway|Pkwy|Trail|Walk|Gardens|Gdns|Row|Esplanade|Quay"
)
#: `200 Queen St W`, `Unit 5, 88 Eagle St`, `12b Marine Parade`, `3/41 Smith Street`.
_STREET = re.compile(
    r"(?<![\w.,/\-])(?:(?:Unit|Flat|Apt|Apartment|Suite|Ste|Shop|Level)\.?[ \t]?\w{1,5},?[ \t]{1,3})?"
    r"\d{1,5}[A-Za-z]?(?:[/\-]\d{1,5}[A-Za-z]?)?,?[ \t]{1,3}"
    r"(?:\p{Lu}[\p{L}'’\-]{0,24}[ \t]{1,3}){1,3}"
    r"(?:" + _STREET_TYPES + r")\.?"
    r"(?:[ \t]{1,2}(?:[NSEW]|N[EW]|S[EW]|North|South|East|West))?(?![\w'’\-])"
)
#: `, Toronto` or `, Richmond` between a street line and its postcode tail.
_CITY = re.compile(
    r"[ \t]{0,2},[ \t]{0,2}\p{Lu}[\p{L}'’\-]{1,24}(?:[ \t]{1,2}\p{Lu}[\p{L}'’\-]{1,24}){0,2}"
)


def _tail_end(text: str, start: int, end: int) -> int:
    """Where a place ending at `end` really ends: after its region and postcode, if any."""
    m = _TAIL.match(text, end, min(len(text), end + 24))
    if m is None:
        return _split_code_end(text, start, end)
    region, code = m.group("region"), m.group("code")
    if region is not None and region.islower() and not text[start:end].islower():
        return end  # `Paris in 2019`: a lower-case word after a capitalised place is prose
    if len(code) == 4 and code.isdigit() and _YEAR.fullmatch(code):
        if region is None and not _REGION_END.search(text, start, end):
            return end  # `Berlin, 1989`: a year, not a postcode
    return int(m.end())


def _split_code_end(text: str, start: int, end: int) -> int:
    """A place whose span took the digits of a two-part postcode but not its letters
    (`Amsterdam 1015` of `Amsterdam 1015 CJ`): the end after the letters, else `end`."""
    k = end
    while k > start and text[k - 1].isdigit():
        k -= 1
    if end - k != 4 or k == start or text[k - 1] not in " \t":
        return end
    m = _DUTCH_LETTERS.match(text, end, min(len(text), end + 4))
    return int(m.end()) if m is not None else end


#: The letters of a Dutch postcode after its four digits (`1015 CJ`).
_DUTCH_LETTERS = re.compile(r"[ \t][A-Z]{2}(?!\w)")


def extend_tails(text: str, found: list[Entity]) -> list[Entity]:
    """Every LOCATION grown over the postcode tail right after it (module doc)."""
    out = []
    for e in found:
        if e.label == "LOCATION":
            end = _tail_end(text, e.start, e.end)
            if end != e.end:
                e = Entity(e.start, end, e.label, e.score)
        out.append(e)
    return out


STREET_SCORE = 0.75


def street_lines(text: str) -> list[Entity]:
    """Street lines in English layout, with the city and postcode after them (module doc)."""
    if not any(c.isdigit() for c in text):
        return []
    out = []
    for m in _STREET.finditer(text):
        end = m.end()
        city = _CITY.match(text, end, min(len(text), end + 80))
        if city is not None and _tail_end(text, m.start(), city.end()) != city.end():
            end = _tail_end(text, m.start(), city.end())
        else:
            end = _tail_end(text, m.start(), end)
        out.append(Entity(m.start(), end, "LOCATION", STREET_SCORE))
    return out


def merge_addresses(text: str, found: list[Entity]) -> list[Entity]:
    """The tagger's entities with postcode tails added and street lines joined in: a street
    line overlapping a span of the tagger widens that span to cover both."""
    found = extend_tails(text, found)
    for s in street_lines(text):
        hit = [i for i, e in enumerate(found) if e.start < s.end and s.start < e.end]
        if not hit:
            found.append(s)
            continue
        for i in hit:
            e = found[i]
            found[i] = Entity(min(e.start, s.start), max(e.end, s.end), e.label, e.score)
    return found
