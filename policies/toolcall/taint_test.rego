package toolcall.taint_test

import rego.v1

import data.toolcall.fixtures.call
import data.toolcall.fixtures.data_keepgate
import data.toolcall.taint

tainted(role, name) := object.union(call(role, name, {}), {"facts": {"tainted": true, "detected": true}})

test_clean_context_needs_nothing if {
	count(taint.require_approval) == 0 with input as call("user", "send_email", {}) with data.keepgate as data_keepgate
}

test_tainted_side_effect_needs_approval if {
	count(taint.require_approval) == 1 with input as tainted("user", "send_email") with data.keepgate as data_keepgate
	count(taint.deny) == 0 with input as tainted("user", "send_email") with data.keepgate as data_keepgate
}

test_tainted_read_only_tool_is_fine if {
	count(taint.require_approval) == 0 with input as tainted("user", "search") with data.keepgate as data_keepgate
}

test_unknown_tool_counts_as_side_effect if {
	count(taint.require_approval) == 1 with input as tainted("admin", "launch_rockets") with data.keepgate as data_keepgate
}

test_deny_action if {
	count(taint.deny) == 1 with input as tainted("user", "send_email")
		with data.keepgate as data_keepgate
		with data.keepgate.taint.action as "deny"
}

test_untrusted_output_alone_is_not_a_detector_finding if {
	inp := object.union(call("user", "send_email", {}), {"facts": {"tainted": true, "detected": false}})
	count(taint.require_approval) == 0 with input as inp with data.keepgate as data_keepgate
}

test_input_without_detected_reads_tainted if {
	inp := object.union(call("user", "send_email", {}), {"facts": {"tainted": true}})
	inp2 := object.remove(inp, ["facts"])
	inp3 := object.union(inp2, {"facts": {"tainted": true}})
	count(taint.require_approval) == 1 with input as inp3 with data.keepgate as data_keepgate
}
