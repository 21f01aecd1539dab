package toolcall.rate_test

import rego.v1

import data.toolcall.fixtures.call
import data.toolcall.fixtures.data_keepgate
import data.toolcall.rate

with_counts(name, n) := object.union(call("user", name, {}), {"facts": {"tool_counts": {name: n}}})

test_under_limit if {
	count(rate.deny) == 0 with input as with_counts("send_email", 1) with data.keepgate as data_keepgate
}

test_at_limit_is_denied if {
	count(rate.deny) == 1 with input as with_counts("send_email", 2) with data.keepgate as data_keepgate
}

test_no_limit_configured if {
	count(rate.deny) == 0 with input as with_counts("search", 1000) with data.keepgate as data_keepgate
}
