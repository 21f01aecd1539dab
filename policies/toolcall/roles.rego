# Which role may call which tool: data.keepgate.roles[role].tools lists tool names or glob
# patterns ("read_*"; "*" for all).
# Also: a tool the request did not offer cannot be called (a hijacked model inventing tools).
#
# Speed: every rule evaluated costs the interpreter a few µs, so lookups are inlined and
# `tool_allowed` is an else-chain: an exact name (the common case) never reaches glob.match.
package toolcall.roles

import rego.v1

role := object.get(input, ["principal", "role"], "")

default tool_allowed := false

tool_allowed := true if {
	input.tool.name in patterns
} else := true if {
	"*" in patterns
} else := true if {
	is_string(input.tool.name)
	some pattern in patterns
	glob.match(pattern, [], input.tool.name)
}

patterns := object.get(data.keepgate, ["roles", object.get(input, ["principal", "role"], ""), "tools"], [])

deny contains sprintf("role.tool_not_allowed: role %q may not call tool %q", [role, input.tool.name]) if {
	is_string(input.tool.name)
	not tool_allowed
}

deny contains sprintf("role.tool_not_offered: tool %q was not offered in the request", [input.tool.name]) if {
	offered := object.get(input, "tools_offered", [])
	is_array(offered)
	count(offered) > 0
	not input.tool.name in offered
}
