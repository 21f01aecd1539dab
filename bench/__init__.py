"""Benchmarks: Keepgate vs the fake model directly and vs LiteLLM Proxy."""
