"""A gateway shared by a test module's stateless tests (starting one per test is most of
their time); tests that read the audit log start their own with `gateway_factory`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import yaml

from keepgate.config.load import parse_config
from tests.apis.support import model_list
from tests.conftest import Gateway, base_config, serve


@pytest.fixture(scope="module")
def shared_gw(fake_model_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    tmp = tmp_path_factory.mktemp("apis")
    cfg = base_config(fake_model_url)
    cfg["model_list"] = model_list(fake_model_url)
    cfg["general_settings"]["audit_log"] = str(tmp / "audit.jsonl")
    path = tmp / "keepgate.yaml"
    path.write_text(yaml.safe_dump(cfg))
    config = parse_config(path.read_text(), str(path), environ={})
    gw = serve(config, fake_model_url, tmp / "audit.jsonl")
    yield gw
    gw.stop()
