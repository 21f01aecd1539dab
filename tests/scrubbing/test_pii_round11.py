"""Round 11 (docs/pii.md): names where a greeting addresses them, credentials under config
keys of their own. Whole (the value goes, the words around it stay) and streamed (every
two-chunk split gives exactly the whole scrub). None of these texts is from held-out set 11.
"""

from __future__ import annotations

import pytest

from tests.scrubbing.test_pii_stream_splits import (
    GUARD,
    P_GUARD,
    P_SCRUBBER,
    SCRUBBER,
    new_call,
    run,
    stream_of,
    text_of,
)

pytestmark = pytest.mark.slow(cpu_s=4)

#: (text, values that must go, words that must stay)
GREETED = [
    ("Привет, Светлана! Как дела?", ("Светлана",), ("Как",)),
    ("Γεια σου Γιώργο, τα λέμε αύριο.", ("Γιώργο",), ("αύριο",)),
    ("مرحبا خالد، نراك غدا", ("خالد",), ("نراك",)),
    ("שלום יוסי, נתראה מחר", ("יוסי",), ("שלום",)),
    ("नमस्ते अमित जी, कल मिलते हैं", ("अमित",), ("नमस्ते",)),
    ("hey lorenzo, got a sec?", ("lorenzo",), ("hey", "sec")),
]
#: Greetings that address nobody in particular, or a thing.
NOT_GREETED = [
    "Hi team, the build is green.",
    "Hallo zusammen, kurze Frage.",
    "Hola a todos, buenos días.",
    "Привет всем! Вопрос по релизу.",
    "Hello world!",
    "Good morning sunshine!",
    "Hey, quick question: what is a monad?",
    "Dear Customer,\nyour order has shipped.",
    "Good morning dolls! New post up.",
    "Good morning sir, how can I help?",
    "Good morning ' x",
]
#: (text, value) credentials under keys named for them in their own words
KEYED = [
    ('{"unlock_phrase": "marble-Otter-63", "user": "ops"}', "marble-Otter-63"),
    ('mqtt:\n  secret_phrase: "violet canyon 2290"\n  port: 1883', "violet canyon 2290"),
    ("jdbc.cred=Tundr4-Fox!\njdbc.user=etl", "Tundr4-Fox!"),
    ('network:\n  ssid: "Home"\n  wpa: "coral-Reef-88"', "coral-Reef-88"),
    ('[[mirror]]\nsafeword = "Birch+Lake+4"', "Birch+Lake+4"),
]
NOT_KEYED = [
    "wpa=2\nwpa_key_mgmt=WPA-PSK",
    '{"search_phrase": "cheap flights 2024", "phrase": "hello there"}',
    "cred: ${CRED_FILE}",
]


async def _every_split(guard, scrubber, text: str) -> None:
    expected, _ = scrubber.scrub(text)
    for k in range(1, len(text)):
        out = await run(guard, new_call(), stream_of([text[:k], text[k:]]))
        assert text_of(out) == expected, f"split at {k}"


@pytest.mark.parametrize("case", GREETED, ids=[c[1][0] for c in GREETED])
async def test_a_greeted_name_goes_at_every_split(
    case: tuple[str, tuple[str, ...], tuple[str, ...]],
) -> None:
    text, gone, kept = case
    out, counts = SCRUBBER.scrub(text)
    assert all(v not in out for v in gone), out
    assert all(w in out for w in kept), out
    assert set(counts) <= {"PERSON", "LOCATION"} and counts, counts
    await _every_split(GUARD, SCRUBBER, text)


@pytest.mark.parametrize("text", NOT_GREETED)
def test_a_greeting_to_a_group_or_a_thing_is_no_name(text: str) -> None:
    out, counts = SCRUBBER.scrub(text)
    assert "PERSON" not in counts, out


@pytest.mark.parametrize("ner", [True, False], ids=["ner", "patterns"])
@pytest.mark.parametrize("case", KEYED, ids=[c[1] for c in KEYED])
async def test_a_credential_under_its_own_key_goes_at_every_split(
    case: tuple[str, str], ner: bool
) -> None:
    text, value = case
    scrubber, guard = (SCRUBBER, GUARD) if ner else (P_SCRUBBER, P_GUARD)
    out, counts = scrubber.scrub(text)
    assert value not in out and counts.get("SECRET") == 1, (out, counts)
    await _every_split(guard, scrubber, text)


@pytest.mark.parametrize("text", NOT_KEYED)
def test_a_version_a_phrase_or_a_reference_under_such_a_key_stays(text: str) -> None:
    out, counts = P_SCRUBBER.scrub(text)
    assert out == text and not counts, out
