package toolcall.main_test

import rego.v1

import data.toolcall.fixtures.call
import data.toolcall.fixtures.data_keepgate
import data.toolcall.main

test_allowed_call_is_allowed if {
	d := main.decision with input as call("user", "search", {"q": "rego"}) with data.keepgate as data_keepgate
	d.allow
	count(d.deny) == 0
	not d.require_approval
	d.policy == "toolcall.main"
}

test_invalid_json_is_denied if {
	inp := object.union(call("user", "search", null), {"tool": {"name": "search", "arguments": null, "arguments_valid": false}})
	d := main.decision with input as inp with data.keepgate as data_keepgate
	not d.allow
	some reason in d.deny
	startswith(reason, "input.arguments_invalid_json:")
}

test_non_object_arguments_are_denied if {
	d := main.decision with input as call("user", "search", ["a"]) with data.keepgate as data_keepgate
	not d.allow
	some reason in d.deny
	startswith(reason, "input.arguments_not_object:")
}

test_missing_tool_name_is_denied if {
	d := main.decision with input as call("user", "", {}) with data.keepgate as data_keepgate
	not d.allow
	some reason in d.deny
	startswith(reason, "input.tool_name_missing:")
}

test_rewrite_drops_fields if {
	d := main.decision with input as call("user", "send_email", {"to": "a@example.com", "bcc": "b@example.com"})
		with data.keepgate as data_keepgate
	d.allow
	d.rewritten_arguments == {"to": "a@example.com"}
}

test_no_rewrite_when_nothing_to_drop if {
	d := main.decision with input as call("user", "send_email", {"to": "a@example.com"}) with data.keepgate as data_keepgate
	d.rewritten_arguments == null
}

test_approval_is_not_allow if {
	inp := object.union(call("user", "send_email", {"to": "a@example.com"}), {"facts": {"tainted": true, "detected": true}})
	d := main.decision with input as inp with data.keepgate as data_keepgate
	not d.allow
	d.require_approval
	some reason in d.approval
	startswith(reason, "taint.side_effect_needs_approval:")
}

test_deny_wins_over_approval if {
	inp := object.union(call("user", "send_email", {"to": "a@evil.com"}), {"facts": {"tainted": true, "detected": true}})
	d := main.decision with input as inp with data.keepgate as data_keepgate
	not d.allow
	not d.require_approval
}

test_rewrite_drops_fields_case_insensitively if {
	d := main.decision with input as call("user", "send_email", {"to": "a@example.com", "Bcc": "b@example.com"})
		with data.keepgate as data_keepgate
	d.allow
	d.rewritten_arguments == {"to": "a@example.com"}
}
