# Rate-like limits per conversation: data.keepgate.tools[tool].max_calls_per_conversation,
# counted over the tool calls already in the conversation (input.facts.tool_counts),
# including earlier calls of the same response.
package toolcall.rate

import rego.v1

deny contains sprintf("rate.max_calls_per_conversation: %q may be called at most %v times per conversation", [input.tool.name, limit]) if {
	limit := object.get(data.keepgate, ["tools", input.tool.name, "max_calls_per_conversation"], null)
	is_number(limit)
	object.get(input, ["facts", "tool_counts", input.tool.name], 0) >= limit
}
