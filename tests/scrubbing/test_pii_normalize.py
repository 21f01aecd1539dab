"""Reformatted values are folded for detection, and the ORIGINAL characters are redacted."""

from __future__ import annotations

import pytest

from keepgate.scrubbing.normalize import fold
from keepgate.scrubbing.scrubber import Scrubber
from keepgate.scrubbing.settings import parse_settings
from keepgate.scrubbing.engine import Detector

#: (original value, what the detector must read, entity)
FORMS = [
    ("4111  1111  1111  1111", "4111 1111 1111 1111", "CREDIT_CARD"),
    ("4111\t1111\t1111\t1111", "4111 1111 1111 1111", "CREDIT_CARD"),
    ("4111\n1111\n1111\n1111", "4111 1111 1111 1111", "CREDIT_CARD"),
    ("4111\u00a01111\u00a01111\u00a01111", "4111 1111 1111 1111", "CREDIT_CARD"),
    ("4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1", "4111111111111111", "CREDIT_CARD"),
    ("４１１１ １１１１ １１１１ １１１１", "4111 1111 1111 1111", "CREDIT_CARD"),
    ("GB82  WEST  1234  5698  7654  32", "GB82 WEST 1234 5698 7654 32", "IBAN_CODE"),
    ("john.smith＠acme.io", "john.smith@acme.io", "EMAIL_ADDRESS"),
    ("john.smith%40acme.io", "john.smith@acme.io", "EMAIL_ADDRESS"),
    ("john.smith&#64;acme.io", "john.smith@acme.io", "EMAIL_ADDRESS"),
    ("john.smith&commat;acme.io", "john.smith@acme.io", "EMAIL_ADDRESS"),
    ("john.smith\u200b@acme.io", "john.smith@acme.io", "EMAIL_ADDRESS"),
    ("jo\u200dhn.smith\u2060@ac\u00adme.io", "john.smith@acme.io", "EMAIL_ADDRESS"),
    ("536\u2013228\u20134910", "536-228-4910", "PHONE_NUMBER"),
    # every default-ignorable character, not a hand-picked few (red team, 2026-12-07)
    ("jane.doe\u206a@example.com", "jane.doe@example.com", "EMAIL_ADDRESS"),
    ("536\u206b-228-4910", "536-228-4910", "PHONE_NUMBER"),
    ("4111\U000e01001111\u180b1111\ufff91111", "4111111111111111", "CREDIT_CARD"),
    ("4111\U0001d1731111\u20651111\u206f1111", "4111111111111111", "CREDIT_CARD"),
    # combining marks styling the digits (underline, strike-through)
    ("4\u03321\u033211 1111 1111 1\u0336111", "4111 1111 1111 1111", "CREDIT_CARD"),
]


@pytest.fixture(scope="module")
def scrubber() -> Scrubber:
    return Scrubber(Detector(None), parse_settings({"nlp_model": None}))


@pytest.mark.parametrize(("value", "folded", "entity"), FORMS)
def test_fold_reads_the_plain_value_and_maps_back_to_the_original(
    value: str, folded: str, entity: str
) -> None:
    text = f"Value: {value} (end)"
    f = fold(text)
    assert f.text == f"Value: {folded} (end)"
    start = f.text.index(folded)
    assert f.span(start, start + len(folded)) == (len("Value: "), len("Value: ") + len(value))


@pytest.mark.parametrize(("value", "folded", "entity"), FORMS)
def test_the_original_span_is_redacted(
    scrubber: Scrubber, value: str, folded: str, entity: str
) -> None:
    text = f"Here it is: {value} — keep it safe."
    out, counts = scrubber.scrub(text)
    assert out == f"Here it is: <{entity}> — keep it safe.", out
    assert counts == {entity: 1}


def test_plain_text_takes_the_fast_path() -> None:
    text = "The team agreed to move the nightly batch jobs to the new scheduler."
    assert fold(text).map is None and fold(text).text == text


def test_offsets_after_a_folded_piece_stay_aligned(scrubber: Scrubber) -> None:
    text = "Ｎａｍｅ: x — mail a&#64;b.io, then mail carol.king@acme.io\u200b today"
    out, counts = scrubber.scrub(text)
    assert out == "Ｎａｍｅ: x — mail <EMAIL_ADDRESS>, then mail <EMAIL_ADDRESS>\u200b today"
    assert counts == {"EMAIL_ADDRESS": 2}


def test_prose_with_entities_and_escapes_is_not_changed(scrubber: Scrubber) -> None:
    text = "Tom &amp; Jerry scored 50% more; café au lait costs €3 — ½ price on 2024-05-01."
    assert scrubber.scrub(text) == (text, {})
