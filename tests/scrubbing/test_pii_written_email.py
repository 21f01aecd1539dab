"""E-mail addresses written out (`at`/`dot`, bracketed, spaced) and session cookies by
name, and the prose and config around them that must stay: the scrubber the gateway
builds (`keepgate.scrubbing.guard.build`), with the shipped NER and with patterns only.
Every split of a stream is checked in test_pii_stream_splits.py (cases.FORMATS)."""

from __future__ import annotations

import pytest

from keepgate.scrubbing.guard import build
from keepgate.scrubbing.written_email import is_written_email

SCRUBBERS = {
    "ner": build({}, None, None).scrubber_for_section({}),
    "patterns": build({"nlp_model": None}, None, None).scrubber_for_section({"nlp_model": None}),
}

WRITTEN = [
    (
        "Send the draft to aiko.sato at yahoo dot co dot jp by noon.",
        "aiko.sato at yahoo dot co dot jp",
    ),
    ("Kontakt: lars [at] firma [dot] se", "lars [at] firma [dot] se"),
    ("Contact: pablo(at)unam(dot)mx", "pablo(at)unam(dot)mx"),
    ("mail ZOE AT SPARKMAIL DOT IO for the keys", "ZOE AT SPARKMAIL DOT IO"),
    ("my address is n.fischer at posteo.de, thanks", "n.fischer at posteo.de"),
    ("write to oluwa {at} mail {dot} ng", "oluwa {at} mail {dot} ng"),
    ("reach me at chidi.eze @ proton . me if the form fails", "chidi.eze @ proton . me"),
    # a function word before the separator must not start a match that hides the address
    ("reach me at j.smith at example dot com", "j.smith at example dot com"),
    ("Contact us at mei.lin [at] outlook [dot] com please", "mei.lin [at] outlook [dot] com"),
]
PROSE = [
    "We met at the dot com bubble's peak.",
    "Look at example.com for the API reference.",
    "Point the resolver at cloudflare dot com and retry.",
    "He works at Google and lives at the edge of town.",
    "I was at home. It rained all day.",
    "Write to r.smith at home. It was late.",
    "Open the file app.py at github.com in the browser.",
    "The TSV file has columns at, dot, com and net.",
    "Look at this dot product: a . b is zero.",
    "The sid= parameter is optional and defaults to none.",
    "It lies inside the side panel; consider the sid column.",
    "Set session=true in the config to keep users logged in.",
]


@pytest.mark.parametrize("mode", sorted(SCRUBBERS))
@pytest.mark.parametrize(("text", "value"), WRITTEN, ids=[v for _, v in WRITTEN])
def test_a_written_out_address_is_an_email(mode: str, text: str, value: str) -> None:
    out, counts = SCRUBBERS[mode].scrub(text)
    assert counts.get("EMAIL_ADDRESS") == 1, (out, counts)
    if mode == "patterns":
        assert out == text.replace(value, "<EMAIL_ADDRESS>")
    else:  # the tagger may add a name nearby (`Kontakt`), never leave part of the address
        assert text[: text.index(value)] in out or "<" in out[: text.index(value)]
        assert "<EMAIL_ADDRESS>" in out and not any(
            w in out for w in value.replace("(", " ").replace(")", " ").split() if len(w) > 3
        )


@pytest.mark.parametrize("text", PROSE)
def test_at_and_dot_in_prose_are_not_an_email(text: str) -> None:
    out, counts = SCRUBBERS["patterns"].scrub(text)
    assert counts == {}, out
    out, counts = SCRUBBERS["ner"].scrub(text)
    assert "EMAIL_ADDRESS" not in counts and "SECRET" not in counts, out


def test_the_domain_needs_a_public_suffix_and_a_name_under_it() -> None:
    assert is_written_email("ana at example dot com")
    assert not is_written_email("ana at example dot zzqx")  # no such suffix
    assert not is_written_email("ana at the dot com")  # a function word is no domain
    assert is_written_email("ana [at] the [dot] com")  # a marked `at` says address


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Cookie: theme=dark; sid=Wm4Qx8Lz2Rv7Tp3K; lang=fr", "Wm4Qx8Lz2Rv7Tp3K"),
        ("JSESSIONID=9F8E7D6C5B4A39281706F5E4D3C2B1A0; Path=/", "9F8E7D6C5B4A39281706F5E4D3C2B1A0"),
        ("GET /app?sid=Qx7vL2mZ9pR4tW8k HTTP/1.1", "Qx7vL2mZ9pR4tW8k"),
    ],
)
def test_a_session_cookie_by_its_name_is_a_secret(text: str, value: str) -> None:
    out, counts = SCRUBBERS["patterns"].scrub(text)
    assert counts == {"SECRET": 1} and value not in out, out


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Teléfono de contacto: 612 48 93 07", "612 48 93 07"),
        ("Numéro de téléphone : 06 71 23 45 89", "06 71 23 45 89"),
    ],
)
def test_a_label_of_several_words_is_not_a_name(text: str, value: str) -> None:
    """The tagger reads the first word of a form's label as a place or a name; the field
    recognizer reads the label as a key (keepgate/scrubbing/ner/recognizer.py)."""
    out, counts = SCRUBBERS["ner"].scrub(text)
    assert counts == {"PHONE_NUMBER": 1}, out
    assert out == text.replace(value, "<PHONE_NUMBER>")


def test_a_name_before_a_label_phrase_mid_sentence_is_still_a_name() -> None:
    """`his address:` after a name is not a form label (presidio-research's templates)."""
    out, counts = SCRUBBERS["ner"].scrub("Kevin had given Alma his address: 5049 Harjukuja 54")
    assert "Alma" not in out and counts.get("PERSON", 0) >= 2, out
