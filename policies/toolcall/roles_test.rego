package toolcall.roles_test

import rego.v1

import data.toolcall.fixtures.call
import data.toolcall.fixtures.data_keepgate
import data.toolcall.roles

test_role_may_call_listed_tool if {
	count(roles.deny) == 0 with input as call("user", "search", {}) with data.keepgate as data_keepgate
}

test_role_may_not_call_unlisted_tool if {
	reasons := roles.deny with input as call("guest", "send_email", {}) with data.keepgate as data_keepgate
	reasons == {`role.tool_not_allowed: role "guest" may not call tool "send_email"`}
}

test_wildcard_role_may_call_anything if {
	count(roles.deny) == 0 with input as call("admin", "launch_rockets", {}) with data.keepgate as data_keepgate
}

test_glob_pattern_matches_tool_names if {
	count(roles.deny) == 0 with input as call("reader", "read_file", {}) with data.keepgate as data_keepgate
	count(roles.deny) == 1 with input as call("reader", "write_file", {}) with data.keepgate as data_keepgate
}

test_unknown_role_may_call_nothing if {
	count(roles.deny) == 1 with input as call("intruder", "search", {}) with data.keepgate as data_keepgate
}

test_tool_not_offered_is_denied if {
	inp := object.union(call("user", "search", {}), {"tools_offered": ["http_get"]})
	reasons := roles.deny with input as inp with data.keepgate as data_keepgate
	some r in reasons
	startswith(r, "role.tool_not_offered:")
}

test_offered_tool_is_fine if {
	inp := object.union(call("user", "search", {}), {"tools_offered": ["search", "http_get"]})
	count(roles.deny) == 0 with input as inp with data.keepgate as data_keepgate
}
