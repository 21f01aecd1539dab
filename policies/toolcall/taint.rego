# Detector findings: once the input guard flagged a message or tool result of the
# conversation as an injection (input.facts.detected), every tool with effects needs
# approval (or is denied, per data.keepgate.taint.action), whatever its arguments.
# Taint by source (any untrusted tool output) is handled per argument in provenance.rego.
#
# input.tool.effects comes from data.keepgate.tools[t].effects (or the older side_effects
# flag); a tool missing from the catalogue counts as "egress".
package toolcall.taint

import rego.v1

deny contains sprintf("taint.side_effect_denied: %q has side effects and the input guard flagged the context", [input.tool.name]) if {
	detected
	input.tool.effects != "none"
	object.get(data.keepgate, ["taint", "action"], "require_approval") == "deny"
}

require_approval contains sprintf("taint.side_effect_needs_approval: %q has side effects and the input guard flagged the context", [input.tool.name]) if {
	detected
	input.tool.effects != "none"
	object.get(data.keepgate, ["taint", "action"], "require_approval") != "deny"
}

# Inputs from before the `detected` fact: `tainted` meant a detector finding.
detected if input.facts.detected == true

detected if {
	input.facts.tainted == true
	not "detected" in object.keys(input.facts)
}
