"""Templated training sentences in the style of assistant answers and user messages.

The labelled corpora are tweets, web text and news; agent traffic looks different: "My name
is …", "Please contact Jane O'Neil at …", sign-offs, attendee lists, shipping addresses.
These templates fill such sentences with names, companies and places from `faker`'s locale
lists (MIT), in many locales, a quarter of them lower-cased (chat is often typed that way).
Only the trainer uses this module (`faker` is a training dependency, not a runtime one).
The benchmark's LLM-style sentences (`bench/pii_cases.py`) are written separately and share
no template with these.
"""

from __future__ import annotations

import random
from typing import Any

import regex as re

from training.ner.data import Example

LOCALES = (
    "en_US",
    "en_GB",
    "en_IN",
    "en_CA",
    "en_AU",
    "en_IE",
    "en_NZ",
    "de_DE",
    "fr_FR",
    "es_ES",
    "es_MX",
    "it_IT",
    "nl_NL",
    "pt_BR",
    "pt_PT",
    "pl_PL",
    "sv_SE",
    "tr_TR",
    "da_DK",
    "fi_FI",
    "cs_CZ",
    "ro_RO",
    "id_ID",
    "vi_VN",
    "fil_PH",
    "de_AT",
    "fr_CA",
    "no_NO",
    "hu_HU",
    "ga_IE",
    "zu_ZA",
    "yo_NG",
    "tw_GH",
    "en_NG",
    "en_KE",
    "en_PK",
    "en_PH",
    "es_AR",
    "es_CO",
    "hr_HR",
    "sk_SK",
    "lt_LT",
    "et_EE",
    "sq_AL",
)

#: {slot} -> label; slots not listed are plain filler (e-mails, phones, dates).
SLOTS = {
    "name": "PERSON",
    "first": "PERSON",
    "last": "PERSON",
    "name2": "PERSON",
    "name3": "PERSON",
    "company": "ORGANIZATION",
    "company2": "ORGANIZATION",
    "city": "LOCATION",
    "country": "LOCATION",
    "address": "LOCATION",
    "state": "LOCATION",
    "city2": "LOCATION",
}

TEMPLATES = (
    "My name is {name} and I live in {city}.",
    "Hi, I'm {first}. Can you help me update my profile?",
    "Please contact {name} at {email} for the invoice.",
    "You can reach {first} {last} on {phone} or by email.",
    "Best regards,\n{name}\n{company}",
    "Thanks,\n{first}",
    "Kind regards, {name} ({job}, {company})",
    "Dear {name},\n\nThank you for your order.",
    "Dear Mr. {last}, your appointment is confirmed for {date}.",
    "Dear Ms. {last}, we received your application.",
    "Hello {first}, your package will arrive at {address} tomorrow.",
    "Ship to: {name}, {address}",
    "Attendees: {name}, {name2} and {name3}.",
    "The meeting with {name} from {company} is moved to {date}.",
    "{name} joined {company} as {job} in {year}.",
    "{first} works at {company} in {city}, {country}.",
    "I spoke to {first} yesterday; she said {company} will sign.",
    "Forward this to {first} and {name2}, they handle {city}.",
    "The customer, {name}, lives at {address}.",
    "Name: {name}\nEmail: {email}\nPhone: {phone}",
    "Full name: {name}, date of birth {date}, city: {city}",
    "Patient {name} was admitted on {date}.",
    "According to {name}, the {company} office in {city} will close.",
    "Our CEO {name} will visit {city} next week.",
    "{company} announced a new office in {city}.",
    "I flew from {city} to {city2} with my colleague {first}.",
    "She grew up in {country} before moving to {city}.",
    "Can you write an email to {name} about the delay?",
    "Sure! Here's a draft:\n\nHi {first},\n\nI hope you're well.",
    "Sure, here is the summary of the call with {name}:",
    "- {name} ({company})\n- {name2} ({company2})",
    "1. {name}, {city}\n2. {name2}, {city2}",
    "The account belongs to {name}, {address}.",
    "Emergency contact: {name} ({phone})",
    "{first} {last} reported the issue to {company} support.",
    "Invoice for {company}, attention {name}, {address}",
    "i met {first} at the {company} conference in {city} lol",
    "ask {first} about it, he knows the {city} team",
    "thx {first}! see u in {city}",
    "{name} said hi, she moved to {city} last month",
    "Reviewed by {name} on {date}.",
    "Signed, {name}, {job}",
    "Please add {name} ({email}) to the {company} account.",
    "The lease is signed by {name} and {name2}.",
    "Mr. {name} and Mrs. {name2} are expected at {address}.",
    "Ticket assigned to {first} {last}.",
    "Author: {name}",
    "Contact person at {company}: {name}",
    "{name} is the landlord of the flat at {address}.",
    "Our branch at {address} opens at 9.",
    "I work for {company} and my manager is {name}.",
    "My sister {first} lives in {state}.",
    "{name}, born in {city}, {country}, is a {job}.",
    "Greetings from {city}! {first} and I are having a great time.",
)


def _faker(locale: str, seed: int) -> Any:  # faker is a training-only dependency
    from faker import Faker

    f = Faker(locale)
    f.seed_instance(seed)
    return f


_CITIES: dict[int, tuple[str, ...]] = {}


def _city(f: Any, rnd: random.Random) -> str:
    # Locales with a city list: pick from it, sorted (some keep it in a set, and their
    # city() draws from that set, which varies with the hash seed); others make names up.
    cities = _CITIES.get(id(f))
    if cities is None:
        found: set[str] = set()
        for prov in f.providers:
            found.update(str(c) for c in (getattr(prov, "cities", None) or ()))
        cities = _CITIES[id(f)] = tuple(sorted(found))
    if cities:
        return rnd.choice(cities)
    try:
        return str(f.city())
    except AttributeError:
        return str(f.country())


def _safe(f: Any, method: str, fallback: Any) -> str:
    try:
        return str(getattr(f, method)())
    except (AttributeError, ValueError, KeyError):
        return str(getattr(fallback, method)())


def _joined(spans: list[tuple[int, int, str]], text: str) -> list[tuple[int, int, str]]:
    """`{first} {last}` is one name, not two."""
    out: list[tuple[int, int, str]] = []
    for s in spans:
        if out and out[-1][2] == s[2] == "PERSON" and text[out[-1][1] : s[0]] == " ":
            out[-1] = (out[-1][0], s[1], s[2])
        else:
            out.append(s)
    return out


def generate(n: int, seed: int, locales: tuple[str, ...] = LOCALES) -> list[Example]:
    """`n` labelled sentences, reproducible for a given seed."""
    rnd = random.Random(seed)
    fakers = [_faker(loc, seed + i) for i, loc in enumerate(locales)]
    en = fakers[0]
    slot = re.compile(r"\{(\w+)\}")
    out: list[Example] = []
    for k in range(n):
        f = rnd.choice(fakers)
        template = TEMPLATES[k % len(TEMPLATES)] if k < len(TEMPLATES) else rnd.choice(TEMPLATES)
        values = {
            "name": f.name(),
            "name2": rnd.choice(fakers).name(),
            "name3": f.name(),
            "first": f.first_name(),
            "last": f.last_name(),
            "company": _safe(f, "company", en),
            "company2": en.company(),
            "city": _city(f, rnd),
            "city2": _city(rnd.choice(fakers), rnd),
            "country": _safe(f, "country", en),
            "address": _safe(f, "street_address", en)
            + (", " + _city(f, rnd) if rnd.random() < 0.6 else ""),
            "state": _safe(f, "state", en),
            "email": en.email(),
            "phone": en.phone_number(),
            # not faker's date(): its range ends today, so the data would change daily
            "date": f"{rnd.randint(1990, 2024)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}",
            "year": str(rnd.randint(1990, 2025)),
            "job": en.job(),
        }
        text, spans, pos = [], [], 0
        length = 0
        for m in slot.finditer(template):
            lit = template[pos : m.start()]
            text.append(lit)
            length += len(lit)
            value = values[m.group(1)].replace("\n", ", ")
            label = SLOTS.get(m.group(1))
            if label:
                spans.append((length, length + len(value), label))
            text.append(value)
            length += len(value)
            pos = m.end()
        text.append(template[pos:])
        sentence = "".join(text)
        spans = _joined(spans, sentence)
        if rnd.random() < 0.25:
            sentence = sentence.lower()
        out.append(Example(sentence, tuple(spans), "template"))
    return out
