"""OpenAI's Responses API, mapped onto the chat-completions pipeline (see keepgate.adapters)."""
