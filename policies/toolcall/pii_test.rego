package toolcall.pii_test

import rego.v1

import data.toolcall.fixtures.call
import data.toolcall.fixtures.data_keepgate
import data.toolcall.pii

with_pii(inp, allowlisted) := object.union(inp, {"facts": {
	"pii": [{"type": "IBAN_CODE", "path": "/body"}, {"type": "EMAIL_ADDRESS", "path": "/to"}],
	"provenance": {
		"/to": {"sources": ["user"], "tools": [], "sensitive": true, "allowlisted": allowlisted},
		"/body": {"sources": [], "tools": [], "sensitive": false, "allowlisted": null},
	},
}})

test_reported_only_by_default if {
	inp := with_pii(call("user", "send_email", {"to": "a@example.com", "body": "x"}), false)
	count(pii.require_approval) == 0 with input as inp with data.keepgate as data_keepgate
	count(pii.deny) == 0 with input as inp with data.keepgate as data_keepgate
}

test_held_to_unlisted_destination if {
	inp := with_pii(call("user", "send_email", {"to": "a@example.com", "body": "x"}), false)
	r := pii.require_approval with input as inp with data.keepgate as data_keepgate with data.keepgate.pii.egress_action as "require_approval"
	r == {`pii.egress_needs_approval: "send_email" would send personal data (IBAN_CODE) to a destination that is not allowlisted`}
}

test_denied_in_strict_profile if {
	inp := with_pii(call("user", "send_email", {"to": "a@example.com", "body": "x"}), null)
	count(pii.deny) == 1 with input as inp with data.keepgate as data_keepgate with data.keepgate.pii.egress_action as "deny"
}

test_allowlisted_destination_passes if {
	inp := with_pii(call("user", "send_email", {"to": "a@example.com", "body": "x"}), true)
	count(pii.require_approval) == 0 with input as inp with data.keepgate as data_keepgate with data.keepgate.pii.egress_action as "require_approval"
}

test_read_only_tool_passes if {
	inp := with_pii(call("user", "search", {"to": "a@example.com", "body": "x"}), false)
	count(pii.require_approval) == 0 with input as inp with data.keepgate as data_keepgate with data.keepgate.pii.egress_action as "require_approval"
}
