"""Identity numbers: national ids, tax ids, passports and driver's licences.

Two sources:

* Presidio's country recognizers where the format is distinctive or carries a checksum:
  Indian PAN and Aadhaar (Verhoeff), UK National Insurance numbers, Spanish NIF/NIE
  (check letter), Italian codice fiscale, Polish PESEL, Finnish HETU, Swedish
  personnummer (date + Luhn), Canadian SIN (Luhn), Singapore NRIC/FIN. Presidio ships
  them for other languages or disabled; here they run on English text too.
* `KeywordIdRecognizer`: most id numbers have no shape of their own (a passport is
  `X1234567` or `123456789`, a licence `D123-4567-8901`), but people write the document's
  name next to them: "passport number: 533380006", "my SSN is 536228491", "Aadhaar
  2345 6789 0123", "PAN: ABCDE1234F", "driver's licence D1234567". After such a keyword
  (and up to three short words: "number", "is", "my"), the first token of 5-20 letters and
  digits with at least two digits is the id, typed by the keyword (US_SSN, PASSPORT,
  DRIVER_LICENSE, NATIONAL_ID, TAX_ID, UK_NINO, IN_PAN, IN_AADHAAR); after "card" or "cc",
  a Luhn-valid number of 12-19 digits is a CREDIT_CARD in any layout.
"""

from __future__ import annotations

from typing import Any

import re as _re

import regex as re
from presidio_analyzer import EntityRecognizer, Pattern, RecognizerResult

from keepgate.scrubbing.local import LocalRecognizer

#: keyword regex -> entity of the value after it (first match wins; order matters).
KEYWORDS: tuple[tuple[str, str], ...] = (
    (r"ssn|ss#|social[ \-]security(?:[ \-]n(?:o|umber))?", "US_SSN"),
    (r"(?:credit|debit)[ \-]card|card(?:[ \-](?:no|number))?|cc", "CREDIT_CARD"),
    (r"passport", "PASSPORT"),
    (
        r"driver'?s?[ \-]licen[cs]e|driving[ \-]licen[cs]e|licen[cs]e[ \-](?:no|number|#)|dl[ #]",
        "DRIVER_LICENSE",
    ),
    (r"national[ \-]insurance|ni[ \-]number|nino", "UK_NINO"),
    (r"aadhaa?r|uidai", "IN_AADHAAR"),
    (
        r"pan(?:[ \-]card)?(?=[ \t]{0,3}(?:no|number|#|:|is))|permanent[ \-]account[ \-]number",
        "IN_PAN",
    ),
    (
        r"tax[ \-]?(?:payer)?[ \-]?(?:id|identification|number|code|file)|tin|ein|itin|utr|"
        r"vat[ \-](?:id|number|no)|steuer[ \-]?id|steuernummer|nif|nip|codice[ \-]fiscale|cpf|rfc",
        "TAX_ID",
    ),
    # Japan's My Number: twelve digits are too common alone; after its name and with a
    # valid check digit only
    (r"my[ \-]?number|マイナンバー|個人番号", "NATIONAL_ID"),
    (
        r"national[ \-]id(?:entity)?|identity[ \-](?:card|number|no)|id[ \-](?:card|number|no)|"
        r"personal[ \-](?:id|identity)|citizen[ \-]id|resident[ \-]id(?:entity)?|"
        r"bsn|dni|nie|nric|fin|pesel|personnummer|"
        r"henkilötunnus|hetu|curp|emirates[ \-]id|sin|social[ \-]insurance|nin|"
        r"carte[ \-]d'identit[ée]|personalausweis|numéro[ \-]de[ \-]sécurité[ \-]sociale|insee|nir",
        "NATIONAL_ID",
    ),
)
ENTITIES = tuple(dict.fromkeys(e for _, e in KEYWORDS))
_KEYWORD = re.compile(
    r"(?i)(?<![\w])(?:"
    + "|".join(f"(?P<k{i}>{rx})" for i, (rx, _) in enumerate(KEYWORDS))
    + r")(?![a-z])"
)
#: The same keywords without groups: the detector's trigger (its windows and stream gate).
KEYWORD = re.compile(r"(?i)(?<![\w])(?:" + "|".join(rx for rx, _ in KEYWORDS) + r")(?![a-z])")
#: The first word (letters only, lower-cased) of every keyword above; words starting with
#: `tax` also count (`taxpayer`, `taxid`). A text without one cannot match `KEYWORD`.
FIRST_WORDS = frozenset(
    "card cc credit debit ssn ss social passport driver drivers driving licence license dl national ni nino "
    "aadhaar aadhar uidai pan permanent tin ein itin utr vat steuer steuerid steuernummer nif "
    "nip resident codice cpf rfc identity id personal citizen bsn dni nie nric fin pesel personnummer "
    "henkilötunnus hetu curp emirates sin nin carte personalausweis numéro insee nir".split()
)
_LETTERS = _re.compile(r"[^\W\d_]+")


def may_hold_id_keyword(text: str) -> bool:
    low = text.lower()
    if any(w in low for w in _MY_NUMBER_WORDS):
        return True
    return "tax" in low or not FIRST_WORDS.isdisjoint(_LETTERS.findall(low))


_MY_NUMBER_WORDS = ("my number", "mynumber", "my-number", "マイナンバー", "個人番号")
_MY_NUMBER = _re.compile(r"my[ \-]?number|マイナンバー|個人番号")


def _my_number_valid(value: str) -> bool:
    """Japan's My Number: 12 digits, the last a mod-11 check over the first eleven
    (weights 2-7 then 2-6 from the right; a remainder of 0 or 1 gives 0)."""
    digits = [int(c) for c in value if c.isdigit()]
    if len(digits) != 12 or len(digits) != sum(c.isalnum() for c in value):
        return False
    total = sum(d * (n + 1 if n <= 6 else n - 5) for n, d in enumerate(reversed(digits[:11]), 1))
    r = total % 11
    return digits[11] == (0 if r <= 1 else 11 - r)


#: Between the keyword and the value.
_GAP = re.compile(r"[\s:#=\-–—.,()\"'`：]*")
_TOKEN = re.compile(r"[A-Za-z0-9]{1,20}(?:[ \-./][A-Za-z0-9]{1,20}){0,5}")
_SHORT = frozenset(
    "no nr num number numbers is was are of my his her their your the a an id "
    "card details be will on file reads listed as under code #".split()
)
REACH = 64
#: A Mexican RFC: 3-4 letters, a yymmdd date, 3 check characters (`GODE561231GR8`).
_RFC = re.compile(r"[A-Za-zÑñ&]{3,4}[ \-]?\d{6}[ \-]?[A-Za-z0-9]{3}")


def _value_at(text: str, pos: int, limit: int) -> tuple[int, int] | None:
    """The id value starting at `pos` (joined groups: `2345 6789 0123`, `D123-4567-8901`)."""
    m = _TOKEN.match(text, pos, limit)
    if not m:
        return None
    value = m.group()
    # keep groups while they look like parts of one id (digits, or short letter groups)
    parts = re.split(r"([ \-./])", value)
    kept = parts[0]
    if not any(c.isdigit() for c in kept) and not kept.isupper():
        return None  # a word (`is`, `number`), not the start of an id
    for i in range(1, len(parts) - 1, 2):
        sep, nxt = parts[i], parts[i + 1]
        if sep == "." and not nxt[:1].isdigit():
            break
        if not any(c.isdigit() for c in nxt) and not (len(nxt) <= 2 and nxt.isupper()):
            break  # a word after the number (`is`, `on`), not a letter group of it
        kept += sep + nxt
    digits = sum(c.isdigit() for c in kept)
    alnum = sum(c.isalnum() for c in kept)
    if digits < 2 or not 5 <= alnum <= 24:
        return None
    return pos, pos + len(kept)


def _card_number(value: str) -> bool:
    """12-19 digits (separators allowed) passing the Luhn check: a card number after
    `card`/`cc` in a layout Presidio's card patterns do not cover (19-digit Visa, 12-digit
    Maestro)."""
    digits = [int(c) for c in value if c.isdigit()]
    if not 12 <= len(digits) <= 19 or len(digits) != sum(c.isalnum() for c in value):
        return False
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


class KeywordIdRecognizer(LocalRecognizer):
    """An id number after the name of its document (see the module docstring)."""

    SUPPORTED = ENTITIES

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: Any = None
    ) -> list[RecognizerResult]:
        out: list[RecognizerResult] = []
        taken = -1
        for m in _KEYWORD.finditer(text):
            if m.start() < taken:
                continue
            entity = KEYWORDS[int(m.lastgroup[1:])][1]
            if entity not in entities:
                continue
            check = _card_number if entity == "CREDIT_CARD" else None
            if _MY_NUMBER.fullmatch(m.group().lower()):
                check = _my_number_valid
            # `BSN van de klant: 111222333`: a keyword in capitals or a long one (not `pan`,
            # `tin`, `sin`, which are words too) may be followed by any few short words
            word = m.group()
            lenient = (word.isupper() and len(word) >= 3) or len(word) >= 6
            pos, limit = m.end(), min(len(text), m.end() + REACH)
            for _ in range(4):
                gap = _GAP.match(text, pos, limit)
                pos = gap.end() if gap else pos
                if "\n\n" in (gap.group() if gap else ""):
                    break
                found = _value_at(text, pos, limit)
                if found and check is not None and not check(text[found[0] : found[1]]):
                    break
                if (
                    found
                    and word.lower() == "rfc"
                    and not _RFC.fullmatch(text[found[0] : found[1]])
                ):
                    break  # `RFC 2373 2.7` is a standard, not a Mexican tax id
                if found:
                    # keyword + Luhn: as sure as Presidio's checksummed ids (and longer)
                    score = 1.0 if check is not None else 0.8
                    out.append(RecognizerResult(entity, found[0], found[1], score))
                    taken = found[1]
                    break
                w = re.match(r"[^\s:#=]+", text[pos:limit])
                bare = w.group().lower().rstrip(".,:") if w else ""
                if bare not in _SHORT and not (lenient and bare.isalpha() and len(bare) <= 12):
                    break
                pos += w.end()
        return out


def _cpf_valid(value: str) -> bool:
    d = [int(c) for c in value if c.isdigit()]
    if len(d) != 11 or len(set(d)) == 1:
        return False
    for n in (9, 10):
        check = sum(v * (n + 1 - i) for i, v in enumerate(d[:n])) * 10 % 11 % 10
        if check != d[n]:
            return False
    return True


def _cn_resident_valid(value: str) -> bool:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c) * w for c, w in zip(value[:17], weights, strict=True))
    return "10X98765432"[total % 11] == value[17].upper()


def _cl_rut_valid(value: str) -> bool:
    """Chilean RUT: mod 11 over the body with weights 2..7 from the right; 10 is `K`."""
    body, check = value[:-2].replace(".", ""), value[-1].upper()
    total = sum(int(c) * (2 + i % 6) for i, c in enumerate(reversed(body)))
    return "0123456789K0"[11 - total % 11] == check


def _be_register_valid(value: str) -> bool:
    """Belgian national register number: 97 - (first nine digits mod 97), with `2` in
    front of the nine for people born from 2000."""
    digits = "".join(c for c in value if c.isdigit())
    base, check = int(digits[:9]), int(digits[9:])
    return check in (97 - base % 97, 97 - (2_000_000_000 + base) % 97)


class ChecksumIdRecognizer(LocalRecognizer):
    """National ids whose layout and checksum are enough without a keyword: the Brazilian
    CPF in its written form (`529.982.247-25`, two mod-11 digits), the Chinese resident
    id (18 characters: region, birth date, a mod-11 check character that may be `X`), the
    Chilean RUT in its written form (`12.345.678-5`, mod 11 with `K`) and the Belgian
    national register number in its written form (`85.07.30-033.28`, mod 97)."""

    CPF = re.compile(r"(?<![\w.\-])\d{3}\.\d{3}\.\d{3}-\d{2}(?![\w\-]|\.\d)")
    CN = re.compile(
        r"(?<![\w])\d{6}(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![\w])"
    )

    RUT = re.compile(r"(?<![\w.\-])\d{1,2}\.\d{3}\.\d{3}-[\dKk](?![\w\-]|\.\d)")
    BE = re.compile(r"(?<![\w.\-])\d\d\.(?:0\d|1[0-2])\.[0-3]\d-\d{3}\.\d\d(?![\w\-]|\.\d)")

    SUPPORTED = ("NATIONAL_ID",)

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: Any = None
    ) -> list[RecognizerResult]:
        out = []
        for rx, valid in (
            (self.CPF, _cpf_valid),
            (self.CN, _cn_resident_valid),
            (self.RUT, _cl_rut_valid),
            (self.BE, _be_register_valid),
        ):
            for m in rx.finditer(text):
                if valid(m.group()):
                    out.append(RecognizerResult("NATIONAL_ID", m.start(), m.end(), 1.0))
        return out


#: Presidio country recognizers run on English text (class name, trigger for the detector).
PRESIDIO_COUNTRY = (
    "InPanRecognizer",
    "InAadhaarRecognizer",
    "UkNinoRecognizer",
    "EsNifRecognizer",
    "EsNieRecognizer",
    "ItFiscalCodeRecognizer",
    "PlPeselRecognizer",
    "FiPersonalIdentityCodeRecognizer",
    "SePersonnummerRecognizer",
    "CaSinRecognizer",
    "SgFinRecognizer",
)


def id_recognizers() -> list[EntityRecognizer]:
    import presidio_analyzer.predefined_recognizers as predefined

    out: list[EntityRecognizer] = [KeywordIdRecognizer(), ChecksumIdRecognizer()]
    for name in PRESIDIO_COUNTRY:
        rec = getattr(predefined, name)(supported_language="en")
        # Drop look-aheads that scan the rest of the text (`(?=.*?[0-9]{4})` in the PAN
        # "low" pattern): quadratic, and they match any 10-letter word before a year.
        rec.patterns = [_bounded(p) for p in rec.patterns if "(?=.*" not in p.regex]
        out.append(rec)
    return out


def _bounded(pattern: Pattern) -> Pattern:
    """The pattern between word boundaries, where Presidio's has none (PESEL, the weak
    Finnish and Swedish variants, the codice fiscale): without them eleven digits inside a
    longer number, an order id or a hash that pass PESEL's checksum (one in ten) were
    redacted as a PESEL."""
    regex = pattern.regex
    if "\\b" in regex:
        return pattern
    flags = ""
    if regex.startswith("(?i)"):
        flags, regex = "(?i)", regex[4:]
    return Pattern(pattern.name, f"{flags}\\b(?:{regex})\\b", pattern.score)
