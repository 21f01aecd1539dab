"""`guards.pii` at start-up: clear errors with file and line, the optional NER model, offline."""

from __future__ import annotations

import socket

import pytest
import spacy

from gateway.config.load import ConfigError


def _pii(**section: object) -> dict:
    return {"guards": {"pii": {"enabled": True, **section}}}


@pytest.mark.parametrize(("section", "expected"), [
    ({"score_threshold": 2}, r"keepgate-0\.yaml:\d+: guards\.pii\.score_threshold: .*less than"),
    ({"entities": ["EMAIL_ADDRESS", "SHOE_SIZE"]},
     r"keepgate-0\.yaml:\d+: guards\.pii\.entities: no recognizer for \['SHOE_SIZE'\]"),
    ({"operators": {"EMAIL_ADDRESS": {"type": "shred"}}},
     r"guards\.pii\.operators\.EMAIL_ADDRESS\.type: Input should be"),
    ({"operators": {"EMAIL": "mask"}}, r"guards\.pii\.operators: unknown entity type"),
    ({"operators": {"EMAIL_ADDRESS": "hash"}}, r"guards\.pii\.hash_salt: the hash operator"),
    ({"roles": {"support": {"operators": {"CREDIT_CARD": "hash"}}}},
     r"guards\.pii\.roles\.support\.hash_salt"),
    ({"keys": {"ci-bot": {"operators": {"NOPE": "mask"}}}},
     r"keepgate-0\.yaml:\d+: guards\.pii\.keys\.ci-bot\.operators: unknown entity type"),
    ({"roles": {"support": {"entities": ["SHOE_SIZE"]}}},
     r"guards\.pii\.roles\.support\.entities: no recognizer for \['SHOE_SIZE'\]"),
    ({"fail_opne": True}, r"guards\.pii\.fail_opne: Extra inputs are not permitted"),
    ({"nlp_model": "en_core_web_sm"},
     r"guards\.pii\.nlp_model: spaCy model 'en_core_web_sm' is not installed"),
])
def test_bad_sections_stop_start_up_with_file_and_line(gateway_factory, monkeypatch,
                                                       section: dict, expected: str) -> None:
    monkeypatch.delenv("KEEPGATE_PII_SALT", raising=False)
    with pytest.raises(ConfigError, match=expected):
        gateway_factory(_pii(**section))


@pytest.fixture(scope="module")
def ner_model(tmp_path_factory) -> str:
    """A spaCy pipeline with rule-based PERSON/GPE entities: the NER path, no weights."""
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "PERSON", "pattern": [{"LOWER": "jane"}, {"LOWER": "doe"}]},
                        {"label": "GPE", "pattern": "Lisbon"}])
    path = tmp_path_factory.mktemp("ner") / "model"
    nlp.to_disk(path)
    return str(path)


def test_a_configured_ner_model_adds_person_and_location(gateway_factory, ner_model) -> None:
    gw = gateway_factory(_pii(nlp_model=ner_model))
    text = "Ask Jane Doe in Lisbon, or mail jane@acme.io today."
    expected = "Ask <PERSON> in <LOCATION>, or mail <EMAIL_ADDRESS> today."
    client = gw.client()
    out = client.chat.completions.create(model="demo", messages=[{"role": "user", "content": "x"}],
                                         extra_body={"fake": {"reply": text}})
    assert out.choices[0].message.content == expected
    for k in range(1, len(text) + 1):
        stream = client.chat.completions.create(
            model="demo", messages=[{"role": "user", "content": "x"}], stream=True,
            extra_body={"fake": {"reply": text, "chunk_chars": k}})
        got = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
        assert got == expected, k


def test_presidio_stays_offline(monkeypatch) -> None:
    """tldextract (URL and email validation) reads its bundled suffix list, never the network."""
    import tldextract.tldextract as tld

    from gateway.scrubbing.engine import Detector
    from gateway.scrubbing.scrubber import Scrubber
    from gateway.scrubbing.settings import parse_settings

    def no_network(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(tld, "TLD_EXTRACTOR", tld.TLDExtract())  # a cold extractor
    scrubber = Scrubber(Detector(), parse_settings({}))
    assert tld.TLD_EXTRACTOR.suffix_list_urls == ()
    text, counts = scrubber.scrub("See https://intranet.acme.co.uk/x?session=Zk8Qw2Lm9Xv4Tp7R "
                                  "or mail a.b@acme.co.uk")
    assert counts == {"URL": 1, "EMAIL_ADDRESS": 1}, text
