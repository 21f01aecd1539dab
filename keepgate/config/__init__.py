"""Configuration: `keepgate.yaml`, environment overrides, and the embedded demo defaults.

`keepgate.config.load` reads and validates a config (`load_config`); `model` holds the
typed sections the config package owns, `tree` types `guards:` from the guard registry
(`guards`), `schema` gives the JSON Schema of the whole file. Only names that import no
other keepgate module are re-exported here: a guard's settings module imports this package,
and the loader imports those settings modules by name (keepgate.config.tree).
"""

from keepgate.config.errors import ConfigError
from keepgate.config.model import GeneralSettings, KeepgateConfig, KeyEntry, ModelDeployment

__all__ = ["ConfigError", "GeneralSettings", "KeepgateConfig", "KeyEntry", "ModelDeployment"]
