"""Policy files read again with the same texts are not parsed again (`Bundle.key`), and
any change to a text is: a gateway build or a reload never serves a policy its files no
longer hold."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import keepgate.policy.bundle as bundle_mod
from keepgate.policy.bundle import load_bundle
from keepgate.policy.embedded import EmbeddedEngine
from keepgate.policy.engine import PolicyService
from keepgate.policy.settings import PolicySettings

_POLICY = """package toolcall.main
import rego.v1
default allow := false
allow if input.tool.name == "{name}"
allow if input.tool.name in data.keepgate.extra
decision := {{"allow": allow}}
"""


def _call(name: str) -> dict[str, Any]:
    return {
        "principal": {"key_id": "k", "role": "", "team": None, "metadata": {}},
        "tool": {"name": name, "arguments": {}, "arguments_valid": True, "call_id": "c"},
        "tools_offered": [],
        "model": "",
        "facts": {"tainted": False, "taint_sources": [], "tools_called": [], "tool_counts": {}},
        "metadata": {},
    }


def _write_keeping_stat(path: Path, text: str) -> None:
    """Rewrite `path` with a text of the same length and put its mtime back: a change the
    reloader's fingerprint (size, mtime) cannot see, so only the texts can tell."""
    st = path.stat()
    assert len(text.encode()) == st.st_size
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


def _policy_dir(tmp_path: Path) -> Path:
    root = tmp_path / "policies"
    (root / "data").mkdir(parents=True)
    (root / "toolcall.rego").write_text(_POLICY.format(name="aaa"), encoding="utf-8")
    (root / "data" / "extra.yaml").write_text("keepgate:\n  extra: [xxx]\n", encoding="utf-8")
    return root


def test_unchanged_files_are_not_parsed_again(tmp_path, monkeypatch):
    root = _policy_dir(tmp_path)
    first = EmbeddedEngine(load_bundle([root]))
    parsed: list[Path] = []
    parse = bundle_mod._parse_data
    monkeypatch.setattr(bundle_mod, "_parse_data", lambda p, t: parsed.append(p) or parse(p, t))
    os.utime(root / "toolcall.rego")  # a new mtime only: the same texts
    again = load_bundle([root])
    second = EmbeddedEngine(again)
    assert parsed == []
    assert again.data is first.bundle.data and again.fingerprint != first.bundle.fingerprint
    assert second.evaluate(_call("aaa")).allow and second.evaluate(_call("xxx")).allow
    assert not second.evaluate(_call("bbb")).allow


def test_a_changed_text_is_read_and_compiled_again_whatever_its_size_and_mtime(tmp_path):
    root = _policy_dir(tmp_path)
    engine = EmbeddedEngine(load_bundle([root]))
    assert engine.evaluate(_call("aaa")).allow and not engine.evaluate(_call("bbb")).allow

    _write_keeping_stat(root / "toolcall.rego", _POLICY.format(name="bbb"))
    engine = EmbeddedEngine(load_bundle([root]))
    assert engine.evaluate(_call("bbb")).allow and not engine.evaluate(_call("aaa")).allow

    _write_keeping_stat(root / "data" / "extra.yaml", "keepgate:\n  extra: [yyy]\n")
    engine = EmbeddedEngine(load_bundle([root]))
    assert engine.evaluate(_call("yyy")).allow and not engine.evaluate(_call("xxx")).allow

    # Back to the first texts: the first policy again (a cached one, still correct).
    _write_keeping_stat(root / "toolcall.rego", _POLICY.format(name="aaa"))
    _write_keeping_stat(root / "data" / "extra.yaml", "keepgate:\n  extra: [xxx]\n")
    engine = EmbeddedEngine(load_bundle([root]))
    assert engine.evaluate(_call("aaa")).allow and engine.evaluate(_call("xxx")).allow
    assert not engine.evaluate(_call("bbb")).allow and not engine.evaluate(_call("yyy")).allow


async def test_a_forced_reload_serves_a_text_changed_behind_the_fingerprint(tmp_path):
    root = _policy_dir(tmp_path)
    service = PolicyService(PolicySettings(policy_dirs=[root], hot_reload=False))
    assert (await service.decide(_call("aaa"))).allow
    _write_keeping_stat(root / "toolcall.rego", _POLICY.format(name="bbb"))
    assert not service.changed()  # the fingerprint cannot see it...
    assert await service.reload(force=True)  # ...the texts can
    assert (await service.decide(_call("bbb"))).allow
    assert not (await service.decide(_call("aaa"))).allow
