"""Key-aware structured PII (keepgate/scrubbing/fields.py), on the scrubber as shipped."""

from __future__ import annotations

import pytest

from keepgate.scrubbing.fields import FieldValueRecognizer, classify
from keepgate.scrubbing.guard import build

SCRUBBER = build({}, None, None).scrubber_for_section({})
REC = FieldValueRecognizer()


def found(text: str) -> list[tuple[str, str]]:
    return [(r.entity_type, text[r.start : r.end]) for r in REC.analyze(text, list(REC.SUPPORTED))]


@pytest.mark.parametrize(
    ("key", "kind"),
    [
        ("first_name", "PERSON"),
        ("firstName", "PERSON"),
        ("billing_last_name", "PERSON"),
        ("Nachname", "PERSON"),
        ("prénom", "PERSON"),
        ("customer_name", "PERSON"),
        ("door_pin", "pin"),
        ("ADMIN_PIN", "pin"),
        ("DB_PASS", "SECRET"),
        ("senha", "SECRET"),
        ("Straße", "LOCATION"),
        ("name", "name?"),
        ("username", "user?"),
        ("tool_name", None),
        ("file_name", None),
        ("app_name", None),
        ("model", None),
        ("password_min_length", None),
        ("password_hash", None),
        ("ip_address", None),
        ("email_address", None),
        ("spin", None),
    ],
)
def test_keys_are_classified(key: str, kind: str | None) -> None:
    assert classify(key) == kind


def test_values_only_their_key_identifies_are_redacted() -> None:
    text = '{"first_name": "Will", "last_name": "Hope", "door_pin": "7391", "password": "sunshine"}'
    out, counts = SCRUBBER.scrub(text)
    assert out == (
        '{"first_name": "<PERSON>", "last_name": "<PERSON>", "door_pin": "<SECRET>", '
        '"password": "<SECRET>"}'
    )
    assert counts == {"PERSON": 2, "SECRET": 2}


def test_a_key_with_accented_letters_after_its_stem_is_located() -> None:
    """The key's rest may hold non-ASCII letters (`teléfono`): the whole-text trigger runs
    under RE2, whose \\w is ASCII only, so it once stopped at the é and never looked."""
    out, counts = SCRUBBER.scrub("número_de_teléfono=612345678")
    assert out == "número_de_teléfono=<PHONE_NUMBER>"
    assert counts == {"PHONE_NUMBER": 1}


def test_a_bare_name_is_a_person_only_in_a_persons_record() -> None:
    assert found('{"customer": {"name": "Will Hope", "tier": "gold"}}') == [("PERSON", "Will Hope")]
    assert found('{"name": "Rose", "email": "r@x.io"}') == [("PERSON", "Rose")]
    assert found('{"name": "get_weather", "description": "x", "email": "r@x.io"}') == []
    assert found('{"product": {"name": "Excel", "vendor": "Microsoft"}}') == []
    assert found("- name: Install packages\n  apt:\n    name: nginx") == []
    assert found('{"city": "Paris", "temp_c": 14}') == []


def test_csv_columns_under_a_header() -> None:
    text = "id,first_name,email\n1,Hope,h@x.io\n2,Sunny,s@x.io\n\nname,version\nDjango,4.2"
    assert found(text) == [("PERSON", "Hope"), ("PERSON", "Sunny")]


@pytest.mark.parametrize(
    "text",
    [
        "Password: required",
        "Reset your password: click the link below",
        "The contact: support team",
        '{"password": "${DB_PASSWORD}", "pin": "****"}',
        '{"user": "admin", "username": "postgres"}',
        '{"customer": "cus_NffrFeUfNV2Hib"}',
        "PASSWORD_MIN_LENGTH=12",
        '{"field": "password", "error": "too short"}',
    ],
)
def test_placeholders_prose_and_service_accounts_pass(text: str) -> None:
    assert found(text) == []
