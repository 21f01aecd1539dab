"""The one base class for "this configuration cannot be used".

Every error that a bad `keepgate.yaml`, rule pack, policy or settings section raises at
start-up derives from `ConfigError`, so `keepgate serve` / `config check` (and anyone
embedding the gateway) catch one type and print its message, which names the file and line
where one is known. Errors that mean "cannot decide right now" (a classifier artefact that
failed to load, an upstream judge that is down) are not config errors and stay
`RuntimeError`s. Modules keep their own subclasses so callers can still tell them apart.
"""

from __future__ import annotations


class ConfigError(Exception):
    """A config that cannot be used; the message names the file and line."""
