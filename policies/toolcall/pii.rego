# PII in tool-call arguments as a policy fact (input.facts.pii: entity type and argument
# path, never the value; reported by the PII guard, which leaves the arguments intact by
# default). With data.keepgate.pii.egress_action set to require_approval or deny, an egress
# tool whose arguments carry PII outside its sensitive (destination) arguments, to a
# destination that is not allowlisted, is held or denied. Default "allow": the fact is
# reported (audit, headers) and nothing else happens.
package toolcall.pii

import rego.v1

deny contains sprintf("pii.egress_denied: %q would send personal data (%s) to a destination that is not allowlisted", [input.tool.name, concat(", ", types)]) if {
	count(input.facts.pii) > 0
	data.keepgate.pii.egress_action == "deny"
	input.tool.effects == "egress"
	types := leaking_types
	count(types) > 0
}

require_approval contains sprintf("pii.egress_needs_approval: %q would send personal data (%s) to a destination that is not allowlisted", [input.tool.name, concat(", ", types)]) if {
	count(input.facts.pii) > 0
	data.keepgate.pii.egress_action == "require_approval"
	input.tool.effects == "egress"
	types := leaking_types
	count(types) > 0
}

# Entity types found outside the destination arguments, when some destination is not
# allowlisted.
leaking_types := {e.type |
	some e in input.facts.pii
	not input.facts.provenance[e.path].sensitive == true
} if {
	some leaf in input.facts.provenance
	leaf.sensitive == true
	leaf.allowlisted != true
}
