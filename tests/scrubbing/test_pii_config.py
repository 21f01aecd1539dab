"""`guards.pii` at start-up: clear errors with file and line, the optional NER model, offline."""

from __future__ import annotations

import socket

import pytest
import spacy

from keepgate.config.load import ConfigError

pytestmark = pytest.mark.slow(cpu_s=2)  # scheduled first: tests/conftest.py


def _pii(**section: object) -> dict:
    return {"guards": {"pii": {"enabled": True, **section}}}


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        (
            {"score_threshold": 2},
            r"keepgate-0\.yaml:\d+: guards\.pii\.score_threshold: .*less than",
        ),
        (
            {"entities": ["EMAIL_ADDRESS", "SHOE_SIZE"]},
            r"keepgate-0\.yaml:\d+: guards\.pii\.entities: no recognizer for \['SHOE_SIZE'\]",
        ),
        (
            {"operators": {"EMAIL_ADDRESS": {"type": "shred"}}},
            r"guards\.pii\.operators\.EMAIL_ADDRESS\.type: Input should be",
        ),
        ({"operators": {"EMAIL": "mask"}}, r"guards\.pii\.operators: unknown entity type"),
        ({"operators": {"EMAIL_ADDRESS": "hash"}}, r"guards\.pii\.hash_salt: the hash operator"),
        (
            {"roles": {"support": {"operators": {"CREDIT_CARD": "hash"}}}},
            r"guards\.pii\.roles\.support\.hash_salt",
        ),
        (
            {"keys": {"ci-bot": {"operators": {"NOPE": "mask"}}}},
            r"keepgate-0\.yaml:\d+: guards\.pii\.keys\.ci-bot\.operators: unknown entity type",
        ),
        (
            {"roles": {"support": {"entities": ["SHOE_SIZE"]}}},
            r"guards\.pii\.roles\.support\.entities: no recognizer for \['SHOE_SIZE'\]",
        ),
        ({"fail_opne": True}, r"guards\.pii\.fail_opne: Extra inputs are not permitted"),
        (
            {"nlp_model": "en_core_web_sm"},
            r"guards\.pii\.nlp_model: spaCy model 'en_core_web_sm' is not installed",
        ),
    ],
)
def test_bad_sections_stop_start_up_with_file_and_line(
    gateway_factory, monkeypatch, section: dict, expected: str
) -> None:
    monkeypatch.delenv("KEEPGATE_PII_SALT", raising=False)
    with pytest.raises(ConfigError, match=expected):
        gateway_factory(_pii(**section))


#: Sentences the test's spaCy pipeline is trained on (PERSON, ORG and GPE labels).
TRAIN = [
    ("Ask Jane Doe in Lisbon about it.", [(4, 12, "PERSON"), (16, 22, "GPE")]),
    ("Jane Doe works for Acme Corp now.", [(0, 8, "PERSON"), (19, 28, "ORG")]),
    ("Acme Corp opened an office in Lisbon.", [(0, 9, "ORG"), (30, 36, "GPE")]),
    ("We met Jane Doe at Acme Corp.", [(7, 15, "PERSON"), (19, 28, "ORG")]),
    ("The weather in Lisbon is mild.", [(15, 21, "GPE")]),
    ("Nothing to see here today.", []),
]


@pytest.fixture(scope="module")
def ner_model(tmp_path_factory) -> str:
    """A spaCy NER pipeline trained here from scratch (blank English + `ner`), saved to disk:
    the production path (`nlp_model: <path or package>`) exercised on real weights."""
    from spacy.training import Example

    spacy.util.fix_random_seed(15)
    nlp = spacy.blank("en")
    ner = nlp.add_pipe("ner")
    for _, ents in TRAIN:
        for *_, label in ents:
            ner.add_label(label)
    examples = [Example.from_dict(nlp.make_doc(t), {"entities": e}) for t, e in TRAIN]
    optimizer = nlp.initialize(lambda: examples)
    for _ in range(40):
        nlp.update(examples, sgd=optimizer, drop=0.0)
    doc = nlp("Ask Jane Doe in Lisbon, or mail jane@acme.io; Acme Corp knows.")
    assert {(e.text, e.label_) for e in doc.ents} >= {("Jane Doe", "PERSON"), ("Lisbon", "GPE")}
    path = tmp_path_factory.mktemp("ner") / "model"
    nlp.to_disk(path)
    return str(path)


def test_a_configured_spacy_model_adds_person_location_and_organization(
    gateway_factory, ner_model
) -> None:
    gw = gateway_factory(_pii(nlp_model=ner_model))
    text = "Ask Jane Doe in Lisbon, or mail jane@acme.io; Acme Corp knows."
    expected = "Ask <PERSON> in <LOCATION>, or mail <EMAIL_ADDRESS>; <ORGANIZATION> knows."
    client = gw.client()
    out = client.chat.completions.create(
        model="demo",
        messages=[{"role": "user", "content": "x"}],
        extra_body={"fake": {"reply": text}},
    )
    assert out.choices[0].message.content == expected
    for k in range(1, len(text) + 1):
        stream = client.chat.completions.create(
            model="demo",
            messages=[{"role": "user", "content": "x"}],
            stream=True,
            extra_body={"fake": {"reply": text, "chunk_chars": k}},
        )
        got = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
        assert got == expected, k


def test_the_shipped_ner_is_on_by_default_and_can_be_turned_off(gateway_factory) -> None:
    text = "Please forward the contract to Daniel Whitaker at Acme Corp in Leeds."
    client = gateway_factory(_pii()).client()
    out = client.chat.completions.create(
        model="demo",
        messages=[{"role": "user", "content": "x"}],
        extra_body={"fake": {"reply": text}},
    )
    assert out.choices[0].message.content == (
        "Please forward the contract to <PERSON> at <ORGANIZATION> in <LOCATION>."
    )
    client = gateway_factory(_pii(nlp_model=None)).client()
    out = client.chat.completions.create(
        model="demo",
        messages=[{"role": "user", "content": "x"}],
        extra_body={"fake": {"reply": text}},
    )
    assert out.choices[0].message.content == text


def test_presidio_stays_offline(monkeypatch) -> None:
    """tldextract (URL and email validation) reads its bundled suffix list, never the network."""
    import tldextract.tldextract as tld

    from keepgate.scrubbing.engine import Detector
    from keepgate.scrubbing.scrubber import Scrubber
    from keepgate.scrubbing.settings import parse_settings

    def no_network(*args, **kwargs):
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(tld, "TLD_EXTRACTOR", tld.TLDExtract())  # a cold extractor
    scrubber = Scrubber(Detector(), parse_settings({}))
    assert tld.TLD_EXTRACTOR.suffix_list_urls == ()
    text, counts = scrubber.scrub(
        "See https://intranet.acme.co.uk/x?session=Zk8Qw2Lm9Xv4Tp7R or mail a.b@acme.co.uk"
    )
    assert counts == {"URL": 1, "EMAIL_ADDRESS": 1}, text
