"""Key-aware structured PII: a value under a field name that says what it is.

Tool results and model answers carry records: `{"first_name": "Yuki"}`, `door_pin: 7391`,
`DB_PASS=correcthorse`, a CSV whose header says `Nachname`. The NER cannot tell `Will`,
`Hope`, `Gold` or a lone `Tanaka` from ordinary words, and a password without a digit
does not look like one; the field name says what the value is. `FieldValueRecognizer`
reads `"key": "value"` (JSON), `key: value` (YAML, headers, logs), `key=value` (env files,
log lines) and CSV/TSV/semicolon tables with a header row, and reports the value as the
entity its key names, whatever the value looks like:

* PERSON: `first_name firstName last_name surname given_name full_name customer contact
  patient employee author assignee cardholder ...` (and any `*_first_name`,
  `customer_name`-style key), `Vorname Nachname Kunde Kontakt`, `apellido cliente contacto`, `prenom`,
  `sobrenome`; user names (`username`, `user`, `login`) when the value is a handle made of
  letters (`daniel.okafor`, `rkhan`) and not a service account (`admin`, `app`, `mailer`);
* SECRET: a key whose last word is `password passwd pass pwd passphrase passcode pin psk`
  (`DB_PASS`, `door_pin`, `adminPin`), `senha contraseña passwort kennwort
  mot_de_passe`; a PIN must be 4-8 digits; placeholders (`***`, `${DB_PASS}`, `<password>`,
  `required`) are left. `password_min_length`, `password_hash`, `password_reset_url`
  end in another word and are not secrets. Keys named for a credential in words of their
  own (`cred`, `creds`, `wpa`, `wpakey`, `secretword`, `safeword`, and `…_phrase` after
  `login`/`key`/`secret`/`recovery`/...) count when the value has 6+ characters and a
  letter (`wpa=2` is hostapd's WPA version);
* LOCATION: `address street address_line1 adresse Straße dirección endereço` (a value
  with a space or digit; not `ip_address`, `mac_address`, `email_address`, `server_address`);
* PHONE_NUMBER, DATE_OF_BIRTH, NATIONAL_ID, IBAN_CODE: `phone mobile telefono`, `dob
  birth_date Geburtsdatum`, `ssn national_id dni cpf`, `iban`, with a value of that shape.

A bare `name` (`nombre`, `nom`, `nome`, `display_name`) and a `city` are a person's or a
place of one only in a person's record: when a sibling key in the same object (between
the nearest brackets or blank lines; for a CSV, the header) or the object's parent key is
a person's field (`email`, `phone`, `first_name`, `address`, `dob`, `customer`,
`patient`, `user`, `author`, `contact`, `billing`, `shipping`, ...) and no sibling names a
thing (`version`, `description`, `parameters`, `image`, `vendor`, `runner`, `license`,
`dependencies`, `category`, ...). So a tool schema's `name`, a package's, a job's, a
product's, a weather tool's `city` and every `tool_name`, `model_name`, `file_name`,
`app_name`, `queue_name`, `container_name` pass. A stream decides `name` on the text it
analyses (the value, what came before it in the held text and 64 characters of released
context), so while the value's object is open and its keys so far say neither person nor
thing, the stream holds the value (`undecided_value`, up to `MAX_UNDECIDED` characters):
a sibling that arrives after it still decides it, as in the whole text.

Cost: the detector runs the recognizer only around a key stem followed by a separator
(`FIELD_TRIGGER`, after a substring prefilter); inside it, one RE2 pass for key/value
pairs, one for table lines, and per match a dictionary lookup.
"""

from __future__ import annotations

import re as _re
import unicodedata
from bisect import bisect_right
from typing import Any

import re2
from presidio_analyzer import RecognizerResult

from keepgate.scrubbing.re2text import re2_safe

from keepgate.scrubbing.local import LocalRecognizer
from keepgate.scrubbing.ner.tables import rows as table_rows

#: Every key this module acts on contains one of these (lower-cased): the prefilter.
STEMS = (
    "name",
    "nom",
    "pass",
    "pwd",
    "psk",
    "phrase",
    "cred",
    "wpa",
    "secretword",
    "safeword",
    "pin",
    "senha",
    "contrase",
    "kennwort",
    "user",
    "login",
    "customer",
    "client",
    "kunde",
    "contact",
    "kontakt",
    "patient",
    "paciente",
    "employee",
    "empleado",
    "author",
    "assignee",
    "holder",
    "apellid",
    "addres",
    "adres",
    "street",
    "stra",
    "direcci",
    "endere",
    "phone",
    "tel",
    "mobile",
    "dob",
    "birth",
    "geburt",
    "nacimiento",
    "naissance",
    "nascimento",
    "ssn",
    "iban",
    "dni",
    "cpf",
    "national",
    "city",
    "stadt",
    "ciudad",
    "ville",
    "cidade",
)
#: A stem inside a key, the rest of the key, then a separator (`:`/`=` or a table's).
FIELD_TRIGGER = (
    r"(?i)(?:" + "|".join(STEMS) + r"|straße|prénom|dirección|endereço)"
    # \w or any non-ASCII character: the trigger runs under RE2 (engine.Re2), whose
    # \w is ASCII, so `teléfono:` stopped at the é (\pL with (?i) overflows RE2's DFA).
    "[\\w\\-.\u0080-\U0010ffff]{0,30}"  # the range as characters: RE2 and `regex` read it
    r"[\"']?[ \t]{0,3}[:=,;\t|]"
)


def may_hold_field(text: str) -> bool:
    low = text.lower()
    return any(s in low for s in STEMS)


#: `key` `sep` `value`: a JSON/quoted key or a bare one at a boundary; a quoted value (to
#: its closing quote or the end of the text: a stream's value may still be arriving) or a
#: bare word (after a bare key and `:`, extended in Python to the end of the line).
_KV = re2.compile(
    r"(?m)(?:^|[\s{,;&(\[])"
    r"(?:\"(?P<jk>[^\"\n\\]+)\"|'(?P<sk>[^'\n]+)'|(?P<bk>[\pL_][\pL\pN_\-.]*))"
    r"[ \t]*(?P<sep>[:=])[ \t]*"
    r"(?:\"(?P<dv>(?:[^\"\\\n]|\\.)*)(?:\"|\z)|'(?P<sv>[^'\n]*)(?:'|\z)"
    r"|(?P<bv>[^\s\"'{\[,}\]]+))?"
)
#: RE2 bounds by construction (counted repeats of Unicode classes blow up its DFA): the
#: lengths are checked in Python.
MAX_KEY = 40
MAX_VALUE = 200
_GROUP = _KV.groupindex
_LINE = re2.compile(r"(?m)^[^\n]*$")
#: Where an object's sibling keys stop: a bracket or a blank line.
_BOUNDARY = re2.compile(r"[{}\[\]]|\n[ \t]*\n")
_PARENT = re2.compile(r"[\"']?([\pL_][\pL\pN_\-.]*)[\"']?[ \t]*:[ \t]*\z")
#: stdlib: a look-ahead, on keys of at most 40 characters
_WORDS = _re.compile(r"[A-Z]?[a-z\d]+|[A-Z]+(?![a-z])|\d+")
_HEADER_CELL = re2.compile(r"^[ \t]*\"?([\pL_][\pL\pN_\-. ]*?)\"?[ \t]*$")
_HANDLE = re2.compile(r"^[A-Za-z]{2,}(?:[._\-][A-Za-z]{2,}){0,2}$")
_PERSON_VALUE = re2.compile(r"^[\pL][\pL .'\-,]*$")
_DIGITS = re2.compile(r"\d")
_HOUSE_NUMBER = re2.compile(r"(?:^|\s)\d{1,5}[A-Za-z]?(?:[\s,]|$)")
_PHONE_VALUE = re2.compile(r"^[+(]?[\d][\d \t().\-/]{4,30}\d(?:[ \t]?(?:x|ext\.?)[ \t]?\d{1,6})?$")
_IBAN_VALUE = re2.compile(r"^[A-Za-z]{2}\d{2}[A-Za-z0-9 ]{10,34}$")
_ID_VALUE = re2.compile(r"^[A-Za-z0-9][A-Za-z0-9 .\-/]{4,24}$")
_PIN_VALUE = re2.compile(r"^\d{2,4}[ \-]?\d{2,4}$")

PERSON = "PERSON"
SECRET = "SECRET"
LOCATION = "LOCATION"
PHONE = "PHONE_NUMBER"
DOB = "DATE_OF_BIRTH"
NATIONAL_ID = "NATIONAL_ID"
IBAN = "IBAN_CODE"
#: A key that names a thing as often as a person: decided by the object's other keys.
AMBIGUOUS_NAME = "name?"
AMBIGUOUS_PLACE = "place?"
USER = "user?"
PIN = "pin"
#: A key that holds a credential under a name of its own (`login_phrase`, `cred`, `wpa`):
#: a SECRET when the value has a password's length (`wpa: 2` is hostapd's WPA version).
LOOSE_SECRET = "secret?"

_PERSON_KEYS = frozenset(
    """firstname lastname surname givenname familyname middlename fullname forename
    customer customername contact contactname contactperson patient patientname employee
    employeename author assignee reporter recipientname cardholder cardholdername
    accountholder accountholdername holdername holder nextofkin emergencycontact
    vorname nachname familienname kunde kundenname ansprechpartner mitarbeiter kontakt
    kontaktperson contacto personadecontacto contactpersoon
    apellido apellidos nombrecompleto cliente paciente empleado
    prenom nomdefamille nomcomplet patronyme
    sobrenome apelido nomecompleto funcionario""".split()
)
#: The last words of a person's `*_name` key (`customer_name`, `billing_first_name`).
_PERSON_NAME_HEADS = frozenset(
    """first last given family middle full customer contact patient employee holder
    author recipient sender owner manager member guest client passenger student driver
    applicant beneficiary spouse guardian parent child account""".split()
)
_AMBIGUOUS_NAMES = frozenset("name nombre nom nome displayname naam".split())
_USER_KEYS = frozenset("username user login benutzername usuario utilisateur".split())
_SECRET_LAST = frozenset(
    "password passwd pass pwd passphrase passcode senha contrasena passwort kennwort "
    "wachtwoord clave psk".split()
)
_PIN_LAST = frozenset("pin pincode".split())
#: A `…_phrase` key is a credential after a head that says so (`login_phrase`,
#: `key_phrase`, `recovery_phrase`); `search_phrase`, an i18n `phrase` are not.
_PHRASE_HEADS = frozenset(
    "key login logon signin secret pass recovery seed safe access auth master unlock wallet "
    "mnemonic".split()
)
_LOOSE_SECRET = frozenset("cred creds wpa wpakey wpa2 secretword safeword".split())
#: An e-mail field's label (`Correo:`, `E-Mail:`, `Courriel :`): a label, not a name; its
#: value is the e-mail recognizer's to find (no entity from here).
_EMAIL_LAST = frozenset(
    "email mail emailaddress correo correoelectronico courriel epost eposta emailadres".split()
)
_SECRET_JOINED = frozenset({"motdepasse"})  # pincode/doorpin are PINs (checked first)
_ADDRESS_LAST = frozenset(
    "address street streetaddress adresse anschrift strasse direccion domicilio endereco "
    "addressline1 addressline2 line1 line2".split()
)
_NOT_PERSONAL_ADDRESS = frozenset(
    "ip mac email mail e server host wallet contract bind listen remote local proxy base "
    "network memory mem bitcoin btc eth web url from reply return".split()
)
_PLACE_KEYS = frozenset("city town stadt ort ciudad localidad ville cidade".split())
_PHONE_LAST = frozenset(
    "phone telephone tel mobile cell cellphone phonenumber telefono telefon telefone "
    "handy movil celular portable mobilenumber".split()
)
_DOB_JOINED = frozenset(
    "dob birthdate dateofbirth birthday geburtsdatum geburtstag fechadenacimiento "
    "fechanacimiento datedenaissance datanascimento datadenascimento".split()
)
_ID_JOINED = frozenset(
    "ssn socialsecuritynumber socialsecurity nationalid nationalidnumber taxid dni nif "
    "cpf nino personnummer".split()
)
#: Keys whose presence makes an object a person's record (with the person keys above).
_PERSON_CONTEXT = frozenset(
    """email emailaddress mail phone mobile telephone tel dob birthdate dateofbirth
    address street ssn gender customer patient employee user users author contact
    person people owner member members recipient sender billing shipping guest client
    passenger student applicant profile customers contacts employees patients kunde
    cliente paciente""".split()
)
#: Keys whose presence makes an object a thing's (a tool, a package, a product, a job).
_THING_CONTEXT = frozenset(
    """version description parameters properties schema inputschema image dependencies
    devdependencies vendor runner function arguments license mime mimetype category
    platform repository package tool tools model steps apt state module main scripts
    container ports manufacturer sku price""".split()
)
_SERVICE_USERS = frozenset(
    """admin administrator root app api mailer mail noreply service system sys svc deploy
    deployer ci bot build jenkins git github gitlab nobody guest test tester demo user
    default anonymous anon postgres mysql redis ubuntu centos debian oracle sa dbo
    readonly reader writer backup monitor monitoring nginx apache daemon operator support
    info sales dev developer staging prod production web worker runner example foo bar
    baz www data ftp sftp ssh docker kube kubernetes airflow grafana elastic kibana
    superuser owner public anonymous""".split()
)
_PLACEHOLDERS = frozenset(
    """null none nil true false required optional string str text hidden masked redacted
    secret see same empty unknown yes no set unset n/a na tbd todo placeholder example
    password pass your_password yourpassword changeit value undefined""".split()
)


def _fold(key: str) -> list[str]:
    """A key's words, lower-cased and without accents (`billingFirstName` -> billing, first,
    name; `Straße` -> strasse; `prénom` -> prenom)."""
    key = key.replace("ß", "ss")
    key = "".join(c for c in unicodedata.normalize("NFKD", key) if not unicodedata.combining(c))
    return [w.lower() for w in _WORDS.findall(key)]


def classify(key: str) -> str | None:
    """What a value under `key` is, or None (not personal, or not known)."""
    return _classify(_fold(key))


def is_label(key: str) -> bool:
    """Is `key` a form's field label: a key `classify` knows, or an e-mail field's label
    (`Correo:`, `E-Mail:`, `Courriel :`), whose value the e-mail recognizer judges?"""
    words = _fold(key)
    if _classify(words) is not None:
        return True
    return bool(words) and len(words) <= 3 and "".join(words[-2:]) in _EMAIL_LAST | {"emailaddress"}


def _classify(words: list[str]) -> str | None:
    """`classify` of a key already split and folded (`_fold`)."""
    if not words or len(words) > 6:
        return None
    joined = "".join(words)
    last = words[-1]
    if joined in _PERSON_KEYS:
        return PERSON
    if joined in _AMBIGUOUS_NAMES:
        return AMBIGUOUS_NAME
    if last == "name" and len(words) >= 2:
        if words[-2] in _PERSON_NAME_HEADS and "user" not in words and "file" not in words:
            return PERSON
        if words[-2] == "user":
            return USER
        return None
    if last in ("firstname", "lastname", "surname", "fullname", "givenname", "familyname"):
        return PERSON
    if joined in _USER_KEYS:
        return USER
    if joined in _DOB_JOINED or last in ("dob", "birthdate", "birthday"):
        return DOB
    if joined in _ID_JOINED or last == "ssn":
        return NATIONAL_ID
    if last == "iban":
        return IBAN
    if last in _PIN_LAST or joined in ("doorpin", "pincode"):
        return PIN
    if last in _SECRET_LAST or joined in _SECRET_JOINED:
        return SECRET
    if last in _LOOSE_SECRET or joined in _LOOSE_SECRET:
        return LOOSE_SECRET
    if last == "phrase" and len(words) >= 2 and words[-2] in _PHRASE_HEADS:
        return LOOSE_SECRET
    if last in _PHONE_LAST or joined.endswith("phonenumber"):
        return PHONE
    if last in _ADDRESS_LAST or joined.endswith("streetaddress"):
        if any(w in _NOT_PERSONAL_ADDRESS for w in words[:-1]):
            return None
        return LOCATION
    if joined in _PLACE_KEYS:
        return AMBIGUOUS_PLACE
    return None


def _known_name_part(handle: str) -> bool:
    """Is a part of a user name (`daniel.okafor`, `carter`) a first name or surname the
    NER's gazetteers know? Service accounts (`svc_billing`, `reporting`) are not."""
    from keepgate.scrubbing.ner.shipped import shipped_tagger
    from keepgate.scrubbing.ner.tagger import G_FIRST, G_LAST, _id

    gaz = shipped_tagger().gaz
    return any(gaz.flags(_id(p)) & (G_FIRST | G_LAST) for p in _re.split(r"[._\-]", handle) if p)


def _person_context(keys: list[str]) -> bool:
    """Is an object with these keys a person's record (and not a thing's)?"""
    return _record(keys) is True


def _record(keys: list[str]) -> bool | None:
    """True: a person's record; False: a thing's (a key names a thing); None: neither yet."""
    person = False
    for k in keys:
        words = _fold(k)
        joined = "".join(words)
        if joined in _THING_CONTEXT or (words and words[-1] in _THING_CONTEXT):
            return False
        kind = _classify(words)
        if kind in (PERSON, PHONE, DOB, NATIONAL_ID, LOCATION, USER, IBAN):
            person = True
        elif joined in _PERSON_CONTEXT or (words and words[-1] in _PERSON_CONTEXT):
            person = True
    return True if person else None


#: How long a stream holds a bare `name` value for a sibling key that may still say whose
#: it is: the recognizer's window after a key (engine.LOCATED).
MAX_UNDECIDED = 2000


def undecided_value(text: str) -> int:
    """Start of a bare `name`/`city` value in the object still open at the end of `text`
    whose keys so far say neither person nor thing, or -1.

    A stream releases text before it has seen the rest of an object; a sibling arriving
    after the value (`{"name": "Rose", "plan": "pro", …, "email": …}`) decides it, so the
    stream holds the value until the object closes (a bracket or a blank line ends it, as
    `FieldValueRecognizer` reads it) or `MAX_UNDECIDED` characters have followed."""
    if not may_hold_field(text):
        return -1
    text = re2_safe(text)
    seg = max((m.start() for m in _BOUNDARY.finditer(text)), default=-1)
    if seg < 0 or text[seg] != "{":
        return -1  # no object open at the end (closed, or not JSON): decided as it is
    if len(text) - seg > MAX_UNDECIDED:
        return -1
    keys: list[str] = []
    first = -1
    for m in _KV.finditer(text, seg):
        key = m.group(_GROUP["jk"]) or m.group(_GROUP["sk"]) or m.group(_GROUP["bk"])
        if key is None or len(key) > MAX_KEY:
            continue
        keys.append(key)
        if first < 0 and classify(key) in (AMBIGUOUS_NAME, AMBIGUOUS_PLACE):
            value = m.start(_GROUP["dv"]) if m.group(_GROUP["dv"]) is not None else m.end()
            first = value
    if first < 0:
        return -1
    parent = _PARENT.search(text[max(0, seg - 60) : seg])
    if parent is not None:
        keys.append(parent.group(1))
    return first if _record(keys) is None else -1


def _value_entity(kind: str, value: str, quoted: bool) -> str | None:
    """The entity `value` is under a key of `kind`, or None when it is not one."""
    v = value.strip()
    if len(v) > MAX_VALUE:
        return None
    low = v.lower()
    if not v or low in _PLACEHOLDERS or v[0] in "{[<$%" or v.startswith("{{"):
        return None
    if set(v) <= set("*xX•#.-_ "):
        return None
    if kind in (PERSON, AMBIGUOUS_NAME):
        if len(v) > 80 or len(v.split()) > 6 or _PERSON_VALUE.match(v) is None:
            return None
        if not quoted and len(v.split()) > 1 and not all(w[:1].isupper() for w in v.split()):
            return None  # `Contact: support team`: an unquoted name is written capitalised
        return PERSON
    if kind == USER:
        if low in _SERVICE_USERS or _HANDLE.match(v) is None:
            return None
        return PERSON if _known_name_part(low) else None
    if kind == PIN:
        return SECRET if _PIN_VALUE.match(v) else None
    if kind == LOOSE_SECRET and (len(v) < 6 or not any(c.isalpha() for c in v)):
        return None
    if kind in (SECRET, LOOSE_SECRET):
        if len(v) > 200 or (not quoted and (" " in v or "(" in v or ")" in v)):
            return None
        return SECRET
    if kind == LOCATION:
        if len(v) > 150 or len(v.split()) > 10 or "://" in v or "@" in v or "(" in v:
            return None  # a docstring's `address: A string or integer (…)`
        if not any(c.isalpha() for c in v):
            return None
        if not (_HOUSE_NUMBER.search(v) if not quoted else _DIGITS.search(v) or " " in v):
            return None  # unquoted, a street address has its number (`address: A string…`)
        return LOCATION
    if kind == AMBIGUOUS_PLACE:
        if len(v) > 40 or _PERSON_VALUE.match(v) is None:
            return None
        return LOCATION
    if kind == PHONE:
        return PHONE if _PHONE_VALUE.match(v) else None
    if kind == DOB:
        return DOB if len(v) <= 30 and _DIGITS.search(v) else None
    if kind == NATIONAL_ID:
        ok = _ID_VALUE.match(v) and sum(c.isdigit() for c in v) >= 6
        return NATIONAL_ID if ok else None
    if kind == IBAN:
        return IBAN if _IBAN_VALUE.match(v) else None
    return None


SCORE = 0.85
#: Types with their own shape recognizers (checksums, phone metadata): a field's find
#: scores low, so where both matched the shape recognizer's label names the span (an SSN
#: stays a `US_SSN`); it still clears the default `score_threshold` (0.35).
SHAPED_SCORE = 0.4
_SHAPED = frozenset({PHONE, DOB, NATIONAL_ID, IBAN})


class FieldValueRecognizer(LocalRecognizer):
    """A value under a field name that says what it is (module docstring)."""

    SUPPORTED = (PERSON, SECRET, LOCATION, PHONE, DOB, NATIONAL_ID, IBAN)

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: Any = None
    ) -> list[RecognizerResult]:
        text = re2_safe(text)  # a lone surrogate (`password: \ud800`) is no 500 (re2text.py)
        out: list[RecognizerResult] = []
        pairs: list[tuple[int, str, int, int, bool]] = []  # key start, key, value span, quoted
        for m in _KV.finditer(text):
            key = m.group(_GROUP["jk"]) or m.group(_GROUP["sk"]) or m.group(_GROUP["bk"])
            if key is None or len(key) > MAX_KEY:
                continue
            for g in ("dv", "sv", "bv"):
                if m.group(_GROUP[g]) is not None:
                    a, b = m.span(_GROUP[g])
                    quoted = g != "bv"
                    break
            else:
                a = b = m.end()
                quoted = False
            if (
                not quoted
                and m.group(_GROUP["sep"]) == "="
                and text[m.start(_GROUP["sep"]) - 1] in " \t"
            ):
                continue  # `passwd = getpass()`: code assigns a name; env files write `KEY=value`
            if not quoted and m.group(_GROUP["sep"]) == ":" and m.group(_GROUP["bk"]):
                line = text[text.rfind("\n", 0, m.start(_GROUP["bk"])) + 1 : m.start(_GROUP["bk"])]
                if line.strip(" \t-"):
                    continue  # `The contact: support team`: prose, not a field at a line's start
                # `Name: Sandy Shore` (YAML, a header, a log): the value runs to the line's end
                eol = text.find("\n", b)
                b = len(text) if eol < 0 else eol
                b = a + len(text[a:b].rstrip())
            pairs.append((m.start(), key, a, b, quoted))
        if pairs:
            self._pairs(text, pairs, out)
        if "\n" in text:
            self._tables(text, out)
        return [r for r in out if r.entity_type in entities]

    def _pairs(
        self,
        text: str,
        pairs: list[tuple[int, str, int, int, bool]],
        out: list[RecognizerResult],
    ) -> None:
        bounds = [m.start() for m in _BOUNDARY.finditer(text)]
        segments: dict[int, list[str]] = {}
        for pos, key, *_ in pairs:
            segments.setdefault(bisect_right(bounds, pos), []).append(key)
        decided: dict[int, bool] = {}
        for pos, key, a, b, quoted in pairs:
            kind = classify(key)
            if kind is None or a >= b:
                continue
            if kind in (AMBIGUOUS_NAME, AMBIGUOUS_PLACE):
                seg = bisect_right(bounds, pos)
                if seg not in decided:
                    keys = list(segments.get(seg, []))
                    start = bounds[seg - 1] if seg > 0 else 0
                    if seg > 0 and text[start] == "{":
                        parent = _PARENT.search(text[max(0, start - 60) : start])
                        if parent is not None:
                            keys.append(parent.group(1))
                    decided[seg] = _person_context(keys)
                if not decided[seg]:
                    continue
            entity = _value_entity(kind, text[a:b], quoted)
            if entity is not None:
                lead = len(text[a:b]) - len(text[a:b].lstrip())
                score = SHAPED_SCORE if entity in _SHAPED else SCORE
                out.append(RecognizerResult(entity, a + lead, b, score))

    def _tables(self, text: str, out: list[RecognizerResult]) -> None:
        """CSV/TSV/semicolon rows under a header row that names their columns."""
        lines = [(m.start(), m.group()) for m in _LINE.finditer(text)]
        i = 0
        while i < len(lines):
            start, line = lines[i]
            header = _header(line)
            i += 1
            if header is None:
                continue
            sep, kinds = header
            while i < len(lines) and lines[i][1].strip():
                pos, line = lines[i]
                # `rows`: rows the fold joined (`…,19.90 5513,…`) are split again
                for off, cells in table_rows(line, sep, len(kinds)) or ():
                    offset = pos + off
                    for cell, kind in zip(cells, kinds):
                        if kind is not None:
                            v = cell.strip().strip('"')
                            entity = _value_entity(kind, v, True) if v else None
                            if entity is not None:
                                a = offset + cell.index(v)
                                score = SHAPED_SCORE if entity in _SHAPED else SCORE
                                out.append(RecognizerResult(entity, a, a + len(v), score))
                        offset += len(cell) + 1
                i += 1


def _header(line: str) -> tuple[str, list[str | None]] | None:
    """(separator, kind per column) for a table's header row, or None."""
    for sep in (",", ";", "\t", "|"):
        if line.count(sep) < 1:
            continue
        cells = line.split(sep)
        names = []
        for c in cells:
            m = _HEADER_CELL.match(c)
            if m is None or len(m.group(1)) > 30 or len(m.group(1).split()) > 3:
                return None
            names.append(m.group(1))
        kinds = [classify(n) for n in names]
        if not any(kinds):
            return None
        if any(k in (AMBIGUOUS_NAME, AMBIGUOUS_PLACE) for k in kinds) and not _person_context(
            names
        ):
            kinds = [None if k in (AMBIGUOUS_NAME, AMBIGUOUS_PLACE) else k for k in kinds]
        if not any(kinds):
            return None
        return sep, kinds
    return None
