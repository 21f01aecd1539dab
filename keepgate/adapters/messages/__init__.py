"""Anthropic's Messages API, mapped onto the chat-completions pipeline (see keepgate.adapters)."""
