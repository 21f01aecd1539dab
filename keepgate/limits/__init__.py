"""Spend limits: per-key and per-team token buckets for requests, tokens and money.

Reserve an estimate before the upstream call, settle with the actual usage after it;
buckets live in process or in Redis (shared by replicas), behind one interface.
"""
