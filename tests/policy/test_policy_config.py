"""A bad `guards.policy` option stops start-up naming the file and line."""

from __future__ import annotations

import pytest


def test_bad_policy_option_names_file_and_line(tmp_path):
    from keepgate.app import build_runtime
    from keepgate.config.load import ConfigError, load_config

    path = tmp_path / "keepgate.yaml"
    path.write_text("model_list: []\nguards:\n  policy:\n    on_deny: explode\n")
    with pytest.raises(ConfigError, match=rf"{path}:4: guards\.policy\.on_deny: "):
        build_runtime(load_config(path, environ={}))
