"""Configuration: `keepgate.yaml`, environment overrides, and the embedded demo defaults."""

from keepgate.config.load import ConfigError, load_config
from keepgate.config.model import GeneralSettings, KeepgateConfig, KeyEntry, ModelDeployment

__all__ = [
    "ConfigError",
    "GeneralSettings",
    "KeepgateConfig",
    "KeyEntry",
    "ModelDeployment",
    "load_config",
]
