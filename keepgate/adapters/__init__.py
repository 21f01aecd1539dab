"""Route adapters: the only code that knows a wire format other than chat completions.

Each adapter maps its route's request to the pipeline's call model (a chat-completions-shaped
`Call.body`), and the guarded chunk stream back to its own answer, streamed or not. Every guard
therefore sees one shape whatever the client spoke, and a change to a guard applies to every
route at once. An adapter also knows how to pass its request to an upstream that speaks the
same API natively, and how to read that upstream's event stream back into chunks.

- `responses`: OpenAI's Responses API (`POST /v1/responses` and the stored-response routes).
- `messages`: Anthropic's Messages API (`POST /v1/messages`, `/v1/messages/count_tokens`).
"""
