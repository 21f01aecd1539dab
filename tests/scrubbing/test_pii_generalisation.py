"""Round 4 (held-out set 4): what the NER must leave alone in short and non-English text,
and the names it must still find, through the real gateway with the openai SDK (real
Presidio, the shipped NER, the fake model as upstream)."""

from __future__ import annotations

from typing import Any

import openai
import pytest

pytestmark = pytest.mark.slow(cpu_s=4)  # scheduled first: tests/conftest.py

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
