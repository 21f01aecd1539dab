# Which role may call which tool: data.keepgate.roles[role].tools lists tool names or glob
# patterns ("read_*"; "*" for all).
# Also: a tool the request did not offer cannot be called (a hijacked model inventing tools).
package toolcall.roles

import rego.v1

role := object.get(input, ["principal", "role"], "")

patterns := object.get(data.keepgate, ["roles", role, "tools"], [])

default tool_allowed := false

tool_allowed if input.tool.name in patterns

tool_allowed if "*" in patterns

tool_allowed if {
	is_string(input.tool.name)
	some pattern in patterns
	glob.match(pattern, [], input.tool.name)
}

deny contains sprintf("role.tool_not_allowed: role %q may not call tool %q", [role, input.tool.name]) if {
	is_string(input.tool.name)
	not tool_allowed
}

offered := object.get(input, "tools_offered", [])

deny contains sprintf("role.tool_not_offered: tool %q was not offered in the request", [input.tool.name]) if {
	is_array(offered)
	count(offered) > 0
	not input.tool.name in offered
}
