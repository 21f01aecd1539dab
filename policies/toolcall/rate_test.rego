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

with_totals(name, totals) := object.union(call("user", name, {}), {"facts": {"totals": totals}})

test_total_amount_within_limit if {
	count(rate.deny) == 0 with input as with_totals("transfer_money", {"amounts": {"transfer_money": 300}}) with data.keepgate as data_keepgate
}

test_total_amount_over_limit if {
	r := rate.deny with input as with_totals("transfer_money", {"amounts": {"transfer_money": 300.01}}) with data.keepgate as data_keepgate
	some reason in r
	startswith(reason, "rate.max_total:")
}

test_distinct_recipients_over_limit if {
	r := rate.deny with input as with_totals("transfer_money", {"recipients": {"transfer_money": 3}}) with data.keepgate as data_keepgate
	some reason in r
	startswith(reason, "rate.max_distinct_recipients:")
}

test_conversation_wide_recipients if {
	inp := with_totals("send_email", {"distinct_recipients": 4})
	count(rate.deny) == 0 with input as inp with data.keepgate as data_keepgate
	count(rate.deny) == 1 with input as inp with data.keepgate as data_keepgate with data.keepgate.limits as {"max_distinct_recipients": 3}
}
