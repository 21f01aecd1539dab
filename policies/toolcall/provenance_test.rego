package toolcall.provenance_test

import rego.v1

import data.toolcall.fixtures.after_untrusted
import data.toolcall.fixtures.call
import data.toolcall.fixtures.data_keepgate
import data.toolcall.main
import data.toolcall.provenance

test_clean_conversation_needs_nothing if {
	count(provenance.require_approval) == 0 with input as call("user", "send_email", {"to": "a@example.com"}) with data.keepgate as data_keepgate
}

test_recipient_from_untrusted_output_needs_approval if {
	inp := after_untrusted(call("user", "send_email", {"to": "a@example.com"}), ["/to"])
	r := provenance.require_approval with input as inp with data.keepgate as data_keepgate
	r == {`provenance.untrusted_argument: argument "to" of "send_email" comes only from untrusted tool output or from nowhere`}
	count(provenance.deny) == 0 with input as inp with data.keepgate as data_keepgate
}

test_strict_profile_denies if {
	inp := after_untrusted(call("user", "send_email", {"to": "a@example.com"}), ["/to"])
	count(provenance.deny) == 1 with input as inp with data.keepgate as data_keepgate with data.keepgate.taint.action as "deny"
	count(provenance.require_approval) == 0 with input as inp with data.keepgate as data_keepgate with data.keepgate.taint.action as "deny"
}

test_recipient_the_user_gave_passes_after_untrusted_output if {
	inp := object.union(after_untrusted(call("user", "send_email", {"to": "a@example.com"}), []), {"facts": {"provenance": {"/to": {"sources": ["user", "untrusted_tool"], "tools": ["read_inbox"], "sensitive": true, "allowlisted": null}}}})
	count(provenance.require_approval) == 0 with input as inp with data.keepgate as data_keepgate
	d := main.decision with input as inp with data.keepgate as data_keepgate
	d.allow
}

test_read_only_tool_passes_with_untrusted_values if {
	inp := after_untrusted(call("user", "search", {"q": "x"}), ["/q"])
	count(provenance.require_approval) == 0 with input as inp with data.keepgate as data_keepgate
}

test_internal_write_with_untrusted_path_needs_approval if {
	inp := after_untrusted(call("user", "write_file", {"path": "/srv/data/out/x"}), ["/path"])
	count(provenance.require_approval) == 1 with input as inp with data.keepgate as data_keepgate
}

test_internal_write_without_sensitive_arguments_passes if {
	inp := after_untrusted(call("user", "create_event", {"title": "sync"}), [])
	count(provenance.require_approval) == 0 with input as inp with data.keepgate as data_keepgate
}

test_egress_without_sensitive_arguments_needs_approval if {
	inp := after_untrusted(call("user", "share_file", {"file_id": "f1"}), [])
	r := provenance.require_approval with input as inp with data.keepgate as data_keepgate
	some reason in r
	startswith(reason, "provenance.egress_unverified:")
}

test_egress_with_trusted_sensitive_argument_passes if {
	inp := object.union(after_untrusted(call("user", "transfer_money", {"iban": "DE89", "amount": 5}), []), {"facts": {"provenance": {
		"/iban": {"sources": ["allowlisted"], "tools": [], "sensitive": true, "allowlisted": true},
		"/amount": {"sources": ["user"], "tools": [], "sensitive": true, "allowlisted": null},
	}}})
	count(provenance.require_approval) == 0 with input as inp with data.keepgate as data_keepgate
}

test_unknown_tool_after_untrusted_output_needs_approval if {
	inp := after_untrusted(call("admin", "launch_rockets", {"target": "moon"}), ["/target"])
	count(provenance.require_approval) == 1 with input as inp with data.keepgate as data_keepgate
}

test_approval_reaches_the_decision if {
	inp := after_untrusted(call("user", "send_email", {"to": "a@example.com"}), ["/to"])
	d := main.decision with input as inp with data.keepgate as data_keepgate
	not d.allow
	d.require_approval
	d.approval == {`provenance.untrusted_argument: argument "to" of "send_email" comes only from untrusted tool output or from nowhere`}
}

test_untrusted_url_in_a_message_body_needs_approval if {
	inp := object.union(after_untrusted(call("admin", "send_channel_message", {"channel": "general", "body": "re-verify at www.evil.example"}), []), {"facts": {
		"provenance": {"/channel": {"sources": ["user"], "tools": [], "sensitive": true, "allowlisted": null}},
		"untrusted_embedded": [{"path": "/body", "kind": "url"}],
	}})
	r := provenance.require_approval with input as inp with data.keepgate as data_keepgate
	r == {`provenance.untrusted_embedded: argument "body" of "send_channel_message" carries a url that no trusted source in the conversation wrote`}
	d := main.decision with input as inp with data.keepgate as data_keepgate
	d.require_approval
	count(provenance.deny) == 1 with input as inp with data.keepgate as data_keepgate with data.keepgate.taint.action as "deny"
}

test_embedded_values_do_not_matter_before_untrusted_output if {
	inp := object.union(call("user", "send_channel_message", {"body": "token=abc123456"}), {"facts": {"untrusted_embedded": [{"path": "/body", "kind": "secret"}]}})
	count(provenance.require_approval) == 0 with input as inp with data.keepgate as data_keepgate
}

test_read_only_tool_ignores_embedded_values if {
	inp := object.union(after_untrusted(call("user", "search", {"q": "www.evil.example"}), []), {"facts": {"untrusted_embedded": [{"path": "/q", "kind": "url"}]}})
	count(provenance.require_approval) == 0 with input as inp with data.keepgate as data_keepgate
}

test_destructive_call_on_a_listed_id_needs_approval if {
	inp := object.union(after_untrusted(call("user", "cancel_reservation", {"reservation_id": "res-1"}), []), {"facts": {
		"provenance": {"/reservation_id": {"sources": ["trusted_tool"], "tools": ["list_reservations"], "sensitive": true, "allowlisted": null}},
		"unchosen_destructive": ["/reservation_id"],
	}})
	r := provenance.require_approval with input as inp with data.keepgate as data_keepgate
	r == {`provenance.unchosen_destructive: "cancel_reservation" is destructive or authorising and the user did not choose its argument "reservation_id" (only a tool output names it)`}
}

test_input_without_the_new_facts_still_decides if {
	inp := after_untrusted(call("user", "create_event", {"title": "sync"}), [])
	count(provenance.require_approval) == 0 with input as inp with data.keepgate as data_keepgate
}

test_call_made_only_of_untrusted_values_needs_approval if {
	inp := object.union(after_untrusted(call("user", "create_event", {"title": "VIPSTAFF100"}), []), {"facts": {"untrusted_only": ["/title"]}})
	r := provenance.require_approval with input as inp with data.keepgate as data_keepgate
	r == {`provenance.untrusted_only_call: no argument of "create_event" has a trusted source and argument "title" comes only from untrusted tool output`}
	count(provenance.deny) == 1 with input as inp with data.keepgate as data_keepgate with data.keepgate.taint.action as "deny"
}

test_untrusted_only_call_is_one_reason_not_two if {
	inp := object.union(after_untrusted(call("user", "send_email", {"to": "a@example.com"}), ["/to"]), {"facts": {"untrusted_only": ["/to"]}})
	r := provenance.require_approval with input as inp with data.keepgate as data_keepgate
	r == {`provenance.untrusted_argument: argument "to" of "send_email" comes only from untrusted tool output or from nowhere`}
}

test_untrusted_only_values_do_not_matter_before_untrusted_output_or_on_reads if {
	clean := object.union(call("user", "create_event", {"title": "x"}), {"facts": {"untrusted_only": ["/title"]}})
	count(provenance.require_approval) == 0 with input as clean with data.keepgate as data_keepgate
	read := object.union(after_untrusted(call("user", "search", {"q": "x"}), []), {"facts": {"untrusted_only": ["/q"]}})
	count(provenance.require_approval) == 0 with input as read with data.keepgate as data_keepgate
}

test_unrequested_setting_needs_approval_after_untrusted_output if {
	inp := object.union(after_untrusted(call("user", "create_event", {"state": "disarmed"}), []), {"facts": {"unrequested_settings": [{"path": "/state", "kind": "value"}]}})
	r := provenance.require_approval with input as inp with data.keepgate as data_keepgate
	r == {`provenance.unrequested_setting: argument "state" of "create_event" sets a setting the user did not ask for`}
	count(provenance.deny) == 1 with input as inp with data.keepgate as data_keepgate with data.keepgate.taint.action as "deny"
}

test_unrequested_unchecked_setting_needs_approval if {
	inp := object.union(after_untrusted(call("user", "create_event", {"state": "disarmed"}), []), {"facts": {"unrequested_settings": [{"path": "/tags/50", "kind": "unchecked"}]}})
	r := provenance.require_approval with input as inp with data.keepgate as data_keepgate
	r == {`provenance.unrequested_setting: argument "tags/50" of "create_event" sets a setting past the ones checked the user did not ask for`}
}

test_unrequested_switch_names_its_kind if {
	inp := object.union(after_untrusted(call("user", "create_event", {"required": false}), []), {"facts": {"unrequested_settings": [{"path": "/required", "kind": "boolean"}]}})
	r := provenance.require_approval with input as inp with data.keepgate as data_keepgate
	r == {`provenance.unrequested_setting: argument "required" of "create_event" sets a switch the user did not ask for`}
}

test_unrequested_settings_do_not_matter_before_untrusted_output_or_on_reads if {
	clean := object.union(call("user", "create_event", {"state": "disarmed"}), {"facts": {"unrequested_settings": [{"path": "/state", "kind": "value"}]}})
	count(provenance.require_approval) == 0 with input as clean with data.keepgate as data_keepgate
	read := object.union(after_untrusted(call("user", "search", {"q": "x", "safe": false}), []), {"facts": {"unrequested_settings": [{"path": "/safe", "kind": "boolean"}]}})
	count(provenance.require_approval) == 0 with input as read with data.keepgate as data_keepgate
}

test_unselected_record_needs_approval_after_untrusted_output if {
	inp := object.union(after_untrusted(call("user", "create_event", {"user_id": "U077MAX"}), []), {"facts": {"unselected": ["/user_id"]}})
	r := provenance.require_approval with input as inp with data.keepgate as data_keepgate
	r == {`provenance.unselected_record: argument "user_id" of "create_event" is in a trusted listing, but nothing the user wrote picks its record`}
	count(provenance.deny) == 1 with input as inp with data.keepgate as data_keepgate with data.keepgate.taint.action as "deny"
}

test_untrusted_number_needs_approval_after_untrusted_output if {
	inp := object.union(after_untrusted(call("user", "create_event", {"days": 1}), []), {"facts": {"untrusted_numbers": ["/days"]}})
	r := provenance.require_approval with input as inp with data.keepgate as data_keepgate
	r == {`provenance.untrusted_number: argument "days" of "create_event" is a number only untrusted tool output wrote`}
}

test_unselected_and_numbers_do_not_matter_before_untrusted_output_or_on_reads if {
	facts := {"facts": {"unselected": ["/user_id"], "untrusted_numbers": ["/days"]}}
	clean := object.union(call("user", "create_event", {"user_id": "U1", "days": 1}), facts)
	count(provenance.require_approval) == 0 with input as clean with data.keepgate as data_keepgate
	read := object.union(after_untrusted(call("user", "search", {"user_id": "U1", "days": 1}), []), facts)
	count(provenance.require_approval) == 0 with input as read with data.keepgate as data_keepgate
}
