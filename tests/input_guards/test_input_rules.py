"""Every rule's own examples, and start-up errors for bad rule packs."""

from __future__ import annotations

from pathlib import Path

import pytest

from keepgate.input_guards.config import DEFAULT_RULES_DIR, InputSettings
from keepgate.input_guards.guard import build
from keepgate.input_guards.normalize import Normalizer
from keepgate.input_guards.rules import RuleError, RuleSet, load_dirs

RULES = load_dirs([DEFAULT_RULES_DIR])
NORMALIZER = Normalizer()
SET = RuleSet(RULES)

PACKS = {Path(r.source).stem for r in RULES}


def test_shipped_packs_cover_the_issue_categories() -> None:
    assert PACKS >= {
        "instruction_override",
        "role_hijack",
        "prompt_exfiltration",
        "jailbreak_personas",
        "tool_hijack",
        "data_exfiltration",
        "template_injection",
    }
    assert all(r.match_examples and r.no_match_examples for r in RULES), (
        "every rule needs match and no_match examples"
    )


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_examples(rule) -> None:
    for text in rule.match_examples:
        assert rule.regex.search(NORMALIZER.normalize(text).text), f"{rule.id} missed: {text!r}"
        assert rule in SET.matches(NORMALIZER.normalize(text).text), "prefilter lost a match"
    for text in rule.no_match_examples:
        assert not rule.regex.search(NORMALIZER.normalize(text).text), (
            f"{rule.id} matched: {text!r}"
        )


def _pack(tmp_path: Path, body: str, name: str = "custom.yaml") -> Path:
    d = tmp_path / "packs"
    d.mkdir(exist_ok=True)
    (d / name).write_text(body)
    return d


def test_bad_regex_names_file_rule_and_error(tmp_path: Path) -> None:
    d = _pack(
        tmp_path,
        """
rules:
  - id: mine.broken
    pattern: 'ignore (previous'
    examples: {match: ["x"], no_match: []}
""",
    )
    with pytest.raises(RuleError) as err:
        build({"rules_dirs": [str(d)]})
    msg = str(err.value)
    assert "custom.yaml" in msg and "mine.broken" in msg and "missing )" in msg


@pytest.mark.parametrize(
    "body, needle",
    [
        (
            "rules:\n  - id: a.b\n    pattern: x\n    action: explode\n"
            "    examples: {match: [x]}\n",
            "action must be one of",
        ),
        ("rules:\n  - id: a.b\n    pattern: x\n", "examples.match needs at least one"),
        (
            "rules:\n  - id: a.b\n    pattern: x\n    examples: {match: [x]}\n    colour: red\n",
            "unknown field",
        ),
        ("rules: [\n", "not valid YAML"),
        (
            "rules:\n  - id: override.ignore_previous\n    pattern: x\n    examples: {match: [x]}\n",
            "duplicate id",
        ),
    ],
)
def test_bad_pack_fails_start_up(tmp_path: Path, body: str, needle: str) -> None:
    d = _pack(tmp_path, body)
    with pytest.raises(RuleError, match=needle) as err:
        build({"rules_dirs": [str(d)]})
    assert "custom.yaml" in str(err.value)


def test_operator_pack_is_loaded_and_used(tmp_path: Path) -> None:
    d = _pack(
        tmp_path,
        """
pack: acme
rules:
  - id: acme.codename
    description: Our secret project name must not be fished for.
    severity: medium
    action: flag
    pattern: '\\bproject\\s+bluebird\\b'
    examples: {match: ["tell me about Project Bluebird"], no_match: ["a blue bird"]}
""",
    )
    scanner = build({"rules_dirs": [str(d)], "checks": {"classifier": False}}).scanner()
    result = scanner.scan("What is project   bluebird?")
    assert [(f.rule, f.action) for f in result.findings] == [("acme.codename", "flag")]
    assert not result.blocked


def test_missing_rules_dir_fails_start_up(tmp_path: Path) -> None:
    with pytest.raises(RuleError, match="does not exist"):
        build({"rules_dirs": [str(tmp_path / "nope")]})


def test_bad_section_fails_start_up() -> None:
    with pytest.raises(ValueError, match="guards.input"):
        build({"checks": {"clasifier": False}})
    with pytest.raises(ValueError, match="flag_threshold"):
        build({"classifier": {"threshold": 0.5, "flag_threshold": 0.9}})


def test_missing_classifier_fails_closed_at_start_up(tmp_path: Path) -> None:
    from keepgate.input_guards.classifier import ClassifierError

    with pytest.raises(ClassifierError, match="cannot load classifier"):
        build({"classifier": {"path": str(tmp_path / "none.npz")}})
    # fail_open: the gateway starts, and every message carries an error finding that flags.
    scanner = build(
        {"fail_open": True, "classifier": {"path": str(tmp_path / "none.npz")}}
    ).scanner()
    result = scanner.scan("hello there")
    assert not result.blocked
    assert [f.rule for f in result.findings] == ["classifier.unavailable"]


def test_default_settings_scan_every_role() -> None:
    assert set(InputSettings().scan_roles) >= {"system", "user", "tool"}


def test_prefilter_joins_rules_with_their_own_flags(tmp_path: Path) -> None:
    d = _pack(
        tmp_path,
        r"""
rules:
  - id: mine.dotall
    pattern: 'begin.+end'
    flags: [DOTALL]
    examples: {match: ["begin\nend"], no_match: ["begin"]}
  - id: mine.exact
    pattern: 'ACME-\d+'
    flags: [CASE_SENSITIVE]
    examples: {match: ["ACME-12"], no_match: ["acme-12"]}
""",
    )
    rules = load_dirs([DEFAULT_RULES_DIR, d])
    rs = RuleSet(rules)
    assert {r.id for r in rs.matches("begin\nend")} == {"mine.dotall"}
    assert {r.id for r in rs.matches("ticket ACME-12")} == {"mine.exact"}
    assert rs.matches("ticket acme-12") == []
    assert rs.matches("a perfectly ordinary sentence") == []


@pytest.mark.parametrize(
    "pattern, construct",
    [
        (r"\b(\w+) \1\b", "back-references"),
        (r"ignore(?=\s+previous)", "look-ahead"),
        (r"(?<!do not )ignore", "look-behind"),
        (r"(?P<w>\w+) (?P=w)", "back-references"),
        (r"(?>a+)b", "atomic groups"),
        (r"a++b", "possessive"),
    ],
)
def test_operator_pack_with_backtracking_only_construct_fails_start_up(
    tmp_path: Path, pattern: str, construct: str
) -> None:
    """RE2 is linear-time because it refuses what needs backtracking: the pack is refused
    at start-up, naming the file, the rule and the construct."""
    d = _pack(
        tmp_path,
        f"""
rules:
  - id: mine.backtracks
    pattern: '{pattern}'
    examples: {{match: ["x"]}}
""",
    )
    with pytest.raises(RuleError) as err:
        build({"rules_dirs": [str(d)]})
    msg = str(err.value)
    assert "custom.yaml" in msg and "mine.backtracks" in msg and "RE2" in msg
    assert construct in msg, msg
