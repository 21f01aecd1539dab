"""The OpenAI-compatible HTTP surface: chat completions, embeddings, models."""
