"""Tools the agent can execute: a registry of schema-checked async functions."""
