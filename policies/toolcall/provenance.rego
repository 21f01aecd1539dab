# Taint by source: once an untrusted tool output is in the conversation (input.facts.tainted),
# a side-effecting call (input.tool.effects internal or egress) must not take a sensitive
# value only from untrusted output or from nowhere (input.facts.untrusted_sensitive, computed
# by the gateway from where each value appears in the conversation). Such a call needs
# approval (or is denied: data.keepgate.taint.action == "deny").
# An egress tool with no sensitive argument to vouch for it needs approval after untrusted
# output; an internal write with none passes (its effect stays inside the user's account).
# Free text carries values too: a URL or e-mail address inside a message body that no
# trusted source wrote, or a secret the user did not write (input.facts.untrusted_embedded),
# holds the call the same way. A `destructive` tool (cancel, delete, remove; approve,
# grant, merge, unlock: keepgate.policy.catalog) needs its
# sensitive values from the user, the system prompt or an allowlist: a trusted listing says
# what exists, not which one the user wants gone (input.facts.unchosen_destructive).
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

deny contains reason if {
	input.facts.tainted == true
	input.tool.effects != "none"
	object.get(data.keepgate, ["taint", "action"], "require_approval") == "deny"
	some reason in held_values
}

require_approval contains reason if {
	input.facts.tainted == true
	input.tool.effects != "none"
	object.get(data.keepgate, ["taint", "action"], "require_approval") != "deny"
	some reason in held_values
}

held_values contains sprintf("provenance.untrusted_embedded: argument %q of %q carries a %s that no trusted source in the conversation wrote", [trim_left(e.path, "/"), input.tool.name, kind]) if {
	embedded := object.get(input.facts, "untrusted_embedded", [])
	count(embedded) > 0
	e := embedded[0]
	kind := object.get({"unchecked": "value past the ones looked up"}, e.kind, e.kind)
}

# A call none of whose values has a trusted source, with at least one found only in
# untrusted output, is the outsider's call, whatever the catalogue marks sensitive: the
# 100 %-off discount code named in a customer's note, on a write declared
# `sensitive: []` (input.facts.untrusted_only; empty as soon as one value is vouched).
held_values contains sprintf("provenance.untrusted_only_call: no argument of %q has a trusted source and argument %q comes only from untrusted tool output", [input.tool.name, trim_left(only[0], "/")]) if {
	only := object.get(input.facts, "untrusted_only", [])
	count(only) > 0
	count(input.facts.untrusted_sensitive) == 0 # else already held, by its sensitive value
}

held_values contains sprintf("provenance.unchosen_destructive: %q is destructive or authorising and the user did not choose its argument %q (only a tool output names it)", [input.tool.name, trim_left(unchosen[0], "/")]) if {
	unchosen := object.get(input.facts, "unchosen_destructive", [])
	count(unchosen) > 0
}

# A sensitive value that only a trusted listing holds, in a record the user's words do not
# single out (input.facts.unselected): the directory vouches that U077MAX exists, not that
# the user, who asked to promote Jonas, wants Max made an admin.
held_values contains sprintf("provenance.unselected_record: argument %q of %q is in a trusted listing, but nothing the user wrote picks its record", [trim_left(u[0], "/"), input.tool.name]) if {
	u := object.get(input.facts, "unselected", [])
	count(u) > 0
}

# A number (an amount, a limit, a count, a temperature) on an argument not marked
# sensitive that only untrusted tool output wrote (input.facts.untrusted_numbers): the
# harm of `days: 1` on a legal hold's retention is its number, whoever named the channel.
held_values contains sprintf("provenance.untrusted_number: argument %q of %q is a number only untrusted tool output wrote", [trim_left(n[0], "/"), input.tool.name]) if {
	n := object.get(input.facts, "untrusted_numbers", [])
	count(n) > 0
}

# A setting the user did not ask for: a boolean whose subject (a word of the tool's or the
# argument's name) the user never wrote, or a setting value (`public-read`, `disarmed`,
# `none`) on an argument not marked sensitive whose words the user never wrote
# (input.facts.unrequested_settings). "Disarm the alarm" in a delivery note becomes
# `set_alarm(state: "disarmed")`: a value found nowhere as written, on a write whose
# object is the user's own; only the user's words say they wanted that state.
held_values contains sprintf("provenance.unrequested_setting: argument %q of %q sets a %s the user did not ask for", [trim_left(u.path, "/"), input.tool.name, kind]) if {
	settings := object.get(input.facts, "unrequested_settings", [])
	count(settings) > 0
	u := settings[0]
	kind := {"boolean": "switch", "value": "setting", "unchecked": "setting past the ones checked"}[u.kind]
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
