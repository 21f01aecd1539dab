"""Input guards: normalisation, rule packs, a local classifier and an optional LLM judge."""
