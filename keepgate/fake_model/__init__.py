"""A scriptable local model speaking the OpenAI protocol over real HTTP (demo + tests)."""

from keepgate.fake_model.app import create_fake_app

__all__ = ["create_fake_app"]
