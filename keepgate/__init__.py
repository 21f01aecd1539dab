"""Keepgate: a guardrail gateway for AI agents.

Importing the package sets the environment switches that keep litellm, Presidio and
tldextract offline; they must be in place before those libraries are imported.
"""

import os as _os

_os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
_os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
_os.environ.setdefault("LITELLM_LOG", "ERROR")

from importlib.metadata import PackageNotFoundError as _NotFound
from importlib.metadata import version as _version

try:
    #: The one place the version lives is pyproject.toml; this reads the installed metadata.
    __version__ = _version("keepgate")
except _NotFound:  # a bare checkout on sys.path, never installed
    __version__ = "0+unknown"
