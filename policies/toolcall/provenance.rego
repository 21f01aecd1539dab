# Taint by source: once an untrusted tool output is in the conversation (input.facts.tainted),
# a side-effecting call (input.tool.effects internal or egress) must not take a sensitive
# value only from untrusted output or from nowhere (input.facts.untrusted_sensitive, computed
# by the gateway from where each value appears in the conversation). Such a call needs
# approval (or is denied: data.keepgate.taint.action == "deny").
# An egress tool with no sensitive argument to vouch for it needs approval after untrusted
# output; an internal write with none passes (its effect stays inside the user's account).
#
# Speed: the cheap input tests come first, so a clean conversation costs one failed
# expression per rule.
package toolcall.provenance

import rego.v1

deny contains sprintf("provenance.untrusted_argument: argument %q of %q comes only from untrusted tool output or from nowhere", [trim_left(input.facts.untrusted_sensitive[0], "/"), input.tool.name]) if {
	input.facts.tainted == true
	count(input.facts.untrusted_sensitive) > 0
	input.tool.effects != "none"
	object.get(data.keepgate, ["taint", "action"], "require_approval") == "deny"
}

require_approval contains sprintf("provenance.untrusted_argument: argument %q of %q comes only from untrusted tool output or from nowhere", [trim_left(input.facts.untrusted_sensitive[0], "/"), input.tool.name]) if {
	input.facts.tainted == true
	count(input.facts.untrusted_sensitive) > 0
	input.tool.effects != "none"
	object.get(data.keepgate, ["taint", "action"], "require_approval") != "deny"
}

require_approval contains sprintf("provenance.egress_unverified: %q sends data out and has no argument with a trusted source, after untrusted tool output", [input.tool.name]) if {
	input.facts.tainted == true
	input.tool.effects == "egress"
	count(input.facts.untrusted_sensitive) == 0
	not has_sensitive_leaf
}

has_sensitive_leaf if {
	some leaf in input.facts.provenance
	leaf.sensitive == true
}
