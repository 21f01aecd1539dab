# Tainted context: once any message or tool result in the conversation was flagged as an
# injection, a tool with side effects needs approval (or is denied, per data.keepgate.taint.action).
# A tool missing from data.keepgate.tools is assumed to have side effects.
package toolcall.taint

import rego.v1

side_effects := object.get(data.keepgate, ["tools", input.tool.name, "side_effects"], true)

action := object.get(data.keepgate, ["taint", "action"], "require_approval")

tainted if input.facts.tainted == true

deny contains sprintf("taint.side_effect_denied: %q has side effects and the context is tainted", [input.tool.name]) if {
	tainted
	side_effects
	action == "deny"
}

require_approval contains sprintf("taint.side_effect_needs_approval: %q has side effects and the context is tainted", [input.tool.name]) if {
	tainted
	side_effects
	action != "deny"
}
