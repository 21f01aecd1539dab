"""Configuration: `keepgate.yaml`, environment overrides, and the embedded demo defaults."""

from gateway.config.load import ConfigError, load_config
from gateway.config.model import GeneralSettings, KeepgateConfig, KeyEntry, ModelDeployment

__all__ = ["ConfigError", "GeneralSettings", "KeepgateConfig", "KeyEntry", "ModelDeployment",
           "load_config"]
