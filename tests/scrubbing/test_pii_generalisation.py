"""Rounds 4 and 6 (after held-out sets 4 and 5): what the NER must leave alone in short and
non-English text, the names it must still find, and the secrets told in prose, through the
real gateway with the openai SDK (real Presidio, the shipped NER, the fake model as
upstream)."""

from __future__ import annotations

from typing import Any

import openai
import pytest

pytestmark = pytest.mark.slow(cpu_s=0.4)  # scheduled first: tests/conftest.py

PII_ON = {"guards": {"pii": {"enabled": True}}}


def answer(client: openai.OpenAI, text: str, stream: bool) -> str:
    fake: dict[str, Any] = {"reply": text, "chunk_chars": 5}
    if not stream:
        reply = client.chat.completions.create(
            model="demo", messages=[{"role": "user", "content": "hi"}], extra_body={"fake": fake}
        )
        return reply.choices[0].message.content or ""
    chunks = client.chat.completions.create(
        model="demo",
        messages=[{"role": "user", "content": "hi"}],
        stream=True,
        extra_body={"fake": fake},
    )
    return "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)


@pytest.fixture
def client(gateway_factory) -> openai.OpenAI:
    return gateway_factory(PII_ON).client()


#: Ordinary sentences the tagger read as names before round 4: a whole Spanish question
#: as a place, a greeting or a question word at a sentence start, German nouns.
BENIGN = [
    "¿Dónde puedo descargar la factura del mes pasado?",
    "Pourquoi mon colis n'est-il pas encore arrivé ?",
    "Guten Morgen, ich habe eine Frage zur Lieferung.",
    "Ich suche eine Wohnung mit Balkon und Garten.",
    "Buonasera, vorrei sapere quando arriva il pacco.",
]


def test_ordinary_words_in_other_languages_are_not_names(client: openai.OpenAI) -> None:
    for text in BENIGN:
        for stream in (False, True):
            assert answer(client, text, stream) == text, stream


NAMED = [
    ("Guten Morgen, hier spricht Katrin Neumann.", "Katrin Neumann"),
    ("Please call Amara Nwosu tomorrow.", "Amara Nwosu"),
    ("hi its maria josé de la fuente, my order is late", "maria josé de la fuente"),
    ("Sehr geehrte Frau Dr. Oberhuber, anbei die Rechnung.", "Oberhuber"),
]


def test_names_are_still_found(client: openai.OpenAI) -> None:
    for text, name in NAMED:
        for stream in (False, True):
            got = answer(client, text, stream)
            assert "<" in got and not any(w in got for w in name.split() if len(w) > 3), got


#: A password told in the user's language, after a setting name that ends in a password
#: word, and a diceware passphrase: all passed before round 4.
PASSWORDS = [
    ("Mi contraseña nueva es gatito2019, apúntala.", "gatito2019"),
    ("Das neue Kennwort lautet Winter2026 (bitte merken).", "Winter2026"),
    ("Mijn wachtwoord: zonnebloem42", "zonnebloem42"),
    ("Şifreniz: deniz4455", "deniz4455"),
    ("パスワード：hikari77", "hikari77"),
    ("Meu login é ana.souza e a senha é abacaxi2020.", "abacaxi2020"),
    ("requirepass=Xk3mQ9vL2p", "Xk3mQ9vL2p"),
    ("passphrase: purple-monkey-dishwasher-lamp", "purple-monkey-dishwasher-lamp"),
]


def test_passwords_in_other_languages_and_shapes(client: openai.OpenAI) -> None:
    for text, value in PASSWORDS:
        for stream in (False, True):
            got = answer(client, text, stream)
            assert value not in got and "<SECRET>" in got, (got, stream)


def test_a_sentence_in_a_script_without_spaces_is_not_a_password(client: openai.OpenAI) -> None:
    """After `パスワード` the next "word" is the rest of the sentence ("I forgot my
    password, what do I do?"): a password word's value is never CJK, kana or Hangul."""
    text = "パスワードを忘れました。どうすればいいですか？"
    for stream in (False, True):
        assert answer(client, text, stream) == text


#: Round 5: product and tech names the tagger read as places or organisations in short
#: questions (each was redacted before `model/product_terms.txt`).
PRODUCTS = [
    "How do I run Postgres inside Docker?",
    "Is there a dark theme for Android?",
    "Which is better for a beginner, Python or Java?",
    "The app crashes on Linux but works on macOS.",
]


def test_product_and_tech_names_are_not_names(client: openai.OpenAI) -> None:
    for text in PRODUCTS:
        for stream in (False, True):
            assert answer(client, text, stream) == text, stream


#: The same words where something before them says a place, a person or an employer is
#: meant.
PRODUCT_AS_PLACE = [
    ("She was born in Java and moved to Jakarta.", "Java", "<LOCATION>"),
    ("He lives in Galaxy, a small town up north.", "Galaxy", "<LOCATION>"),
    ("She works for Docker in Berlin.", "Docker", "<ORGANIZATION>"),
]


def test_a_product_word_after_a_place_or_employer_phrase_is_still_redacted(
    client: openai.OpenAI,
) -> None:
    for text, word, label in PRODUCT_AS_PLACE:
        for stream in (False, True):
            got = answer(client, text, stream)
            assert word not in got and label in got, (got, stream)


#: Round 6: questions with Spanish punctuation or accented words that the English share
#: (`de`, `la`, `el`, `en` are frequent in English tweets) judged English, so a question
#: word at the start stayed a place.
QUESTIONS = [
    "¿Cómo cambio la contraseña de mi cuenta de correo?",
    "¡Qué rápido llegó el pedido, gracias!",
]


def test_spanish_questions_are_not_english(client: openai.OpenAI) -> None:
    for text in QUESTIONS:
        for stream in (False, True):
            assert answer(client, text, stream) == text, stream


#: Round 6: a name in lower case right after a phrase that introduces one, in a text that
#: capitalises its sentences (where a lower-case span was dropped as an ordinary word).
INTRODUCED = [
    ("Hello! I'm priya, how can I help you today?", "priya"),
    ("Thanks for calling. My name is elena and I will handle your case.", "elena"),
    ("Hi, my name is sanjay kumar.", "sanjay kumar"),
    ("Guten Tag, ich heiße jonas weber und habe eine Frage.", "jonas weber"),
]


def test_a_lower_case_name_after_an_introduction_is_redacted(client: openai.OpenAI) -> None:
    for text, name in INTRODUCED:
        for stream in (False, True):
            got = answer(client, text, stream)
            assert "<PERSON>" in got and not any(w in got for w in name.split()), (got, stream)


#: ... but not an ordinary word after the same phrases.
NOT_INTRODUCED = ["I'm fine, thanks.", "This is urgent, please reply.", "My name is not important."]


def test_an_ordinary_word_after_an_introduction_stays(client: openai.OpenAI) -> None:
    for text in NOT_INTRODUCED:
        for stream in (False, True):
            assert answer(client, text, stream) == text, stream


#: Round 6: a door, gate or alarm code told with the code word first and the thing it
#: opens after it, in several languages (the keyword recognizer needs `door code`).
ACCESS_CODES = [
    ("The code for the garage is 8642.", "8642"),
    ("Der Code für das Tor lautet 5190.", "5190"),
    ("Le code de l'immeuble est 7315.", "7315"),
    ("Il codice dell'allarme è 2468.", "2468"),
    ("El código del garaje es 6135, no lo compartas.", "6135"),
    ("the safe combination is 31-07-19", "31-07-19"),
]


def test_access_codes_told_in_prose_are_secrets(client: openai.OpenAI) -> None:
    for text, value in ACCESS_CODES:
        for stream in (False, True):
            got = answer(client, text, stream)
            assert value not in got and "<SECRET>" in got, (got, stream)


#: Codes that name a thing, and numbers too short or too long for a lock.
OPEN_CODES = [
    "The status code is 2000 when the job is queued.",
    "Exit code is 1 after the update.",
    "Use the error code: 4011 to look it up.",
    "The sensor reports code 12 when the battery is low.",
]


def test_codes_that_name_a_thing_are_not_secrets(client: openai.OpenAI) -> None:
    for text in OPEN_CODES:
        for stream in (False, True):
            assert answer(client, text, stream) == text, stream
