"""The hosted reference agent: a tool-using loop whose every model call passes the gateway's
guards and whose every tool execution asks the tool-call policy first."""
