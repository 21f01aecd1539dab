"""The NER shipped in the package: a Presidio recognizer, its handle and code rules, and the
training script (run end to end on a small slice of the shared data)."""

from __future__ import annotations

from pathlib import Path

import pytest

from keepgate.scrubbing.ner.recognizer import KeepgateNerRecognizer
from keepgate.scrubbing.ner.tagger import Tagger

pytestmark = pytest.mark.slow(cpu_s=3.4)  # scheduled first: tests/conftest.py

LABELS = ["PERSON", "LOCATION", "ORGANIZATION"]
DATA = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "pii"


@pytest.fixture(scope="module")
def ner() -> KeepgateNerRecognizer:
    return KeepgateNerRecognizer()


def found(ner: KeepgateNerRecognizer, text: str) -> set[tuple[str, str]]:
    return {(text[r.start : r.end], r.entity_type) for r in ner.analyze(text, LABELS)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Of course! Here is a reminder you can send to Daniel Whitaker about the invoice.",
            {("Daniel Whitaker", "PERSON")},
        ),
        (
            "She works for Microsoft in Seattle.",
            {("Microsoft", "ORGANIZATION"), ("Seattle", "LOCATION")},
        ),
        ("my brother jake lives in denver", {("jake", "PERSON"), ("denver", "LOCATION")}),
        ("Kind regards,\nPriya Raghunathan", {("Priya Raghunathan", "PERSON")}),
    ],
)
def test_names_places_and_organisations(
    ner: KeepgateNerRecognizer, text: str, expected: set[tuple[str, str]]
) -> None:
    assert expected <= found(ner, text)


def test_a_handle_is_a_name_but_code_after_an_at_sign_is_not(ner: KeepgateNerRecognizer) -> None:
    assert ("jdoe88", "PERSON") in found(ner, "thx @jdoe88 for the lift to the station")
    code = (
        "@app.route('/users')\n@property\ndef name(self):\n    return self.first\n"
        "/* @media print { } */ import '@types/node'"
    )
    assert found(ner, code) == set()


def test_identifiers_and_field_names_are_not_names(ner: KeepgateNerRecognizer) -> None:
    assert found(ner, "DB_USER=app\nDB_PASSWORD=x\nAadhaar 2345 6789 0124 is linked.") == set()


def test_it_runs_inside_presidio(ner: KeepgateNerRecognizer) -> None:
    """A recognizer like any other: registered with a Presidio AnalyzerEngine."""
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry

    from keepgate.scrubbing.engine import blank_nlp_engine

    registry = RecognizerRegistry(supported_languages=["en"])
    registry.add_recognizer(ner)
    analyzer = AnalyzerEngine(
        registry=registry, nlp_engine=blank_nlp_engine(), supported_languages=["en"]
    )
    text = "Please call Amara Nwosu tomorrow."
    results = analyzer.analyze(text, language="en", entities=["PERSON"])
    assert [(text[r.start : r.end], r.entity_type) for r in results] == [("Amara Nwosu", "PERSON")]


def test_the_training_script_trains_saves_and_loads(tmp_path: Path) -> None:
    """End to end on a slice (one epoch, one faker locale): the same code as the shipped
    model's training run, which takes a few minutes on the full data."""
    from training.ner import train as T

    if not DATA.is_dir():
        pytest.fail(f"{DATA} is missing: the NER trainer reads ../shared/datasets/pii")
    tagger, meta = T.train(
        DATA, epochs=1, n_templates=200, limit=1500, log=lambda *_: None, locales=("en_US",)
    )
    out = tmp_path / "m.npz"
    T.save(tagger, out)
    loaded = Tagger.load(out)
    assert meta["train_sentences"] > 1500 and len(loaded.platt) == 2
    # the entity offsets were tuned on held-back rows and saved: never a worse F2 there
    before, after = meta["bias"]["before"], meta["bias"]["after"]
    assert after[2] >= before[2] and after[1] >= T.MIN_PRECISION or after == before
    assert loaded.bias.shape == (len(T.TAGS),) and (loaded.bias == tagger.bias).all()
    text = "My name is John Smith and I live in London."
    assert {(text[e.start : e.end], e.label) for e in loaded.entities(text)} & {
        ("John Smith", "PERSON"),
        ("London", "LOCATION"),
    }


def test_names_in_text_go_but_tool_arguments_keep_their_entity_list() -> None:
    """Agents name cities and people to their tools: by default the NER applies to answer
    text, and tool-call arguments keep the pattern entities (listing PERSON etc. in
    `entities` applies it there too)."""
    from keepgate.scrubbing.guard import build

    default = build({}, None, None).scrubber_for_section({})
    assert default.scrub("Oslo is sunny.") == ("<LOCATION> is sunny.", {"LOCATION": 1})
    args = '{"city": "Oslo", "to": "jane@acme.io"}'
    assert default.scrub_arguments(args) == (
        '{"city": "Oslo", "to": "<EMAIL_ADDRESS>"}',
        {"EMAIL_ADDRESS": 1},
    )
    section = {"entities": ["LOCATION", "EMAIL_ADDRESS"]}
    listed = build(section, None, None).scrubber_for_section(section)
    assert listed.scrub_arguments(args)[1] == {"LOCATION": 1, "EMAIL_ADDRESS": 1}


def test_a_name_inside_json_leaves_the_json_valid(ner: KeepgateNerRecognizer) -> None:
    import json

    from keepgate.scrubbing.guard import build

    scrubber = build({}, None, None).scrubber_for_section({})
    text = json.dumps({"rows": [["Ada Byron", "ada@example.com"], ["Grace Hopper", "g@x.io"]]})
    out, _ = scrubber.scrub(text)
    assert json.loads(out) == {
        "rows": [["<PERSON>", "<EMAIL_ADDRESS>"], ["<PERSON>", "<EMAIL_ADDRESS>"]]
    }


def test_the_shipped_weights_carry_entity_offsets_that_the_decoder_adds() -> None:
    """Places and organisations lean towards redaction (tuned for F2 at training time);
    names and `O` keep no offset, and the offset is part of every token's tag scores."""
    import numpy as np

    from keepgate.scrubbing.ner.recognizer import shipped_tagger
    from keepgate.scrubbing.ner.tagger import TAGS, tokenize

    tagger = shipped_tagger()
    offset = dict(zip(TAGS, tagger.bias.tolist()))
    assert offset["O"] == offset["B-PERSON"] == offset["I-PERSON"] == 0
    assert offset["B-LOCATION"] == offset["I-LOCATION"] > 0
    assert offset["B-ORGANIZATION"] == offset["I-ORGANIZATION"] > 0
    text = "She moved from Leeds to work for Northwind."
    plain = Tagger(tagger.W, tagger.trans, tagger.start, tagger.gaz, tagger.platt)
    tokens = tokenize(text)
    assert np.allclose(tagger.emissions(text, tokens) - plain.emissions(text, tokens), tagger.bias)


def test_the_product_vocabulary_is_built_from_its_sources_without_gazetteer_names() -> None:
    """The committed file is what the script builds (no hand edits), and no term holds a
    word the gazetteers know as a first name, surname, place or organisation."""
    from keepgate.scrubbing.ner.recognizer import PRODUCT_TERMS_FILE, product_terms
    from training.ner.product_terms import build

    terms, _ = build()
    assert set(terms) == product_terms()
    assert {"Docker", "Android", "Windows", "Kubernetes"} <= product_terms()
    assert not {"Ruby", "Julia", "Swift", "Jordan", "Paris"} & product_terms()
    assert PRODUCT_TERMS_FILE.read_text(encoding="utf-8").startswith("# Product and tech")


def test_the_cjk_name_lists_are_built_from_faker() -> None:
    """The committed lists are what the script builds from the pinned faker (no hand edits)."""
    from keepgate.scrubbing.ner.cjk import names
    from training.ner.cjk_names import build

    surnames, given = build()
    assert (frozenset(surnames), frozenset(given)) == names()
    assert {"王", "李", "佐藤", "김"} <= names()[0]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("联系人：张伟，电话见附件。", "张伟"),
        ("我把合同寄给刘洋了。", "刘洋"),
        ("田中さんに聞いてください。", "田中"),
        ("佐藤健です。", "佐藤健"),
        ("정민수님의 주문이 취소되었습니다.", "정민수"),
    ],
)
def test_names_in_han_and_hangul_are_persons(text: str, name: str) -> None:
    spans = KeepgateNerRecognizer().analyze(text, ["PERSON"])
    assert [(text[r.start : r.end], r.entity_type) for r in spans] == [(name, "PERSON")]


@pytest.mark.parametrize(
    "text",
    [
        "如何清除浏览器缓存？",  # set 5's benign part (dev)
        "这个方法很高明，我和明天的会议无关。",
        "ライセンスの全文と使い方を読んでください。",  # opensource.guide ja (dev): `全` + `文`
        "スマホの画面が固まったらどうすればいいですか？",
    ],
)
def test_cjk_words_that_are_not_names_stay(text: str) -> None:
    from keepgate.scrubbing.ner.cjk import cjk_names

    assert cjk_names(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "Then upgrade Django 4.2 on the server.",
        "Pin it to npm 9.6.7 for now.",
        "Install Python 3.12 first.",
        "Teléfono: (obligatorio)",
        "Adresse: siehe unten",
        "X" * 200_000,
    ],
)
def test_versions_labels_and_padding_are_not_names(text: str) -> None:
    """Round 8: a span with a dotted version in or after it, a field key before `:`, and a
    run of one letter were read as places (`Django`, `Teléfono`, 200,000 `X`)."""
    assert KeepgateNerRecognizer().analyze(text, ["PERSON", "LOCATION", "ORGANIZATION"]) == []


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Thanks to Bill and Faith for the help.", ["Bill", "Faith"]),
        ("We met Dawn and Summer at the airport.", ["Dawn", "Summer"]),
        ("I spoke with Maria and Python is great.", ["Maria"]),
    ],
)
def test_a_name_joined_to_a_name_is_one(text: str, names: list[str]) -> None:
    """Round 8: `X and Faith`: a known first name or surname joined to a person the tagger
    found is a person too, though it is also an ordinary word (`Python` is no name)."""
    spans = KeepgateNerRecognizer().analyze(text, ["PERSON"])
    assert sorted(text[r.start : r.end] for r in spans) == sorted(names)
