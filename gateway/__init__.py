"""Keepgate: a guardrail gateway for AI agents.

Importing the package sets the environment switches that keep litellm, Presidio and
tldextract offline; they must be in place before those libraries are imported.
"""

import os as _os

_os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
_os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
_os.environ.setdefault("LITELLM_LOG", "ERROR")

__version__ = "0.1.0"
