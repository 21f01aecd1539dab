# Tainted context: once any message or tool result in the conversation was flagged as an
# injection, a tool with side effects needs approval (or is denied, per data.keepgate.taint.action).
# A tool missing from data.keepgate.tools is assumed to have side effects.
#
# Speed: the cheap input test comes first and the data lookups are inlined, so a clean
# context costs one failed expression per rule.
package toolcall.taint

import rego.v1

deny contains sprintf("taint.side_effect_denied: %q has side effects and the context is tainted", [input.tool.name]) if {
	input.facts.tainted == true
	object.get(data.keepgate, ["tools", input.tool.name, "side_effects"], true)
	object.get(data.keepgate, ["taint", "action"], "require_approval") == "deny"
}

require_approval contains sprintf("taint.side_effect_needs_approval: %q has side effects and the context is tainted", [input.tool.name]) if {
	input.facts.tainted == true
	object.get(data.keepgate, ["tools", input.tool.name, "side_effects"], true)
	object.get(data.keepgate, ["taint", "action"], "require_approval") != "deny"
}
