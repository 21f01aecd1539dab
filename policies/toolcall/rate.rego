# Per-conversation limits, counted over the tool calls already in the conversation plus
# the ones released earlier in the same response:
#   data.keepgate.tools[t].max_calls_per_conversation   (input.facts.tool_counts)
#   data.keepgate.tools[t].max_total: {argument, limit}  sum of that argument over the
#       conversation including this call (input.facts.totals.amounts[t])
#   data.keepgate.tools[t].max_distinct_recipients       distinct recipients (addresses,
#       accounts, URLs in sensitive arguments) of t, this call included
#       (input.facts.totals.recipients[t])
#   data.keepgate.limits.max_distinct_recipients          the same over every egress tool
#       (input.facts.totals.distinct_recipients)
package toolcall.rate

import rego.v1

deny contains sprintf("rate.max_calls_per_conversation: %q may be called at most %v times per conversation", [input.tool.name, limit]) if {
	limit := data.keepgate.tools[input.tool.name].max_calls_per_conversation
	is_number(limit)
	object.get(input, ["facts", "tool_counts", input.tool.name], 0) >= limit
}

deny contains sprintf("rate.max_total: the total of %q over this conversation would exceed %v", [input.tool.name, t.limit]) if {
	t := data.keepgate.tools[input.tool.name].max_total
	input.facts.totals.amounts[input.tool.name] > t.limit
}

deny contains sprintf("rate.max_distinct_recipients: %q may reach at most %v distinct recipients per conversation", [input.tool.name, limit]) if {
	limit := data.keepgate.tools[input.tool.name].max_distinct_recipients
	input.facts.totals.recipients[input.tool.name] > limit
}

deny contains sprintf("rate.max_distinct_recipients: this conversation may reach at most %v distinct recipients", [limit]) if {
	limit := data.keepgate.limits.max_distinct_recipients
	input.facts.totals.distinct_recipients > limit
}
