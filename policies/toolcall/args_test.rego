package toolcall.args_test

import rego.v1

import data.toolcall.args
import data.toolcall.fixtures.call
import data.toolcall.fixtures.data_keepgate

ids(reasons) := {split(r, ":")[0] | some r in reasons}

test_email_in_allowed_domain if {
	ids(args.deny) == set() with input as call("user", "send_email", {"to": "Bob@Example.com"}) with data.keepgate as data_keepgate
}

test_email_outside_domain_in_list if {
	r := ids(args.deny) with input as call("user", "send_email", {"to": ["a@example.com", "b@evil.com"]}) with data.keepgate as data_keepgate
	r == {"args.email_domain_not_allowed"}
}

test_email_lookalike_domain if {
	r := ids(args.deny) with input as call("user", "send_email", {"to": "a@example.com.evil.io"}) with data.keepgate as data_keepgate
	r == {"args.email_domain_not_allowed"}
}

test_email_not_an_address if {
	r := ids(args.deny) with input as call("user", "send_email", {"cc": "nobody"}) with data.keepgate as data_keepgate
	r == {"args.email_invalid"}
}

test_url_allowed_host if {
	ids(args.deny) == set() with input as call("user", "http_get", {"url": "https://en.wikipedia.org/wiki/Rego"}) with data.keepgate as data_keepgate
}

test_url_other_host if {
	r := ids(args.deny) with input as call("user", "http_get", {"url": "https://evil.example.net/x"}) with data.keepgate as data_keepgate
	r == {"args.url_host_not_allowed"}
}

test_url_with_credentials_trick if {
	r := ids(args.deny) with input as call("user", "http_get", {"url": "https://api.example.com@evil.net/"}) with data.keepgate as data_keepgate
	r == {"args.url_invalid"}
}

test_url_other_scheme if {
	r := ids(args.deny) with input as call("user", "http_get", {"url": "file:///etc/passwd"}) with data.keepgate as data_keepgate
	r == {"args.url_invalid"}
}

test_url_not_a_string if {
	r := ids(args.deny) with input as call("user", "http_get", {"url": 42}) with data.keepgate as data_keepgate
	r == {"args.url_invalid"}
}

test_sql_select_is_read_only if {
	ids(args.deny) == set() with input as call("user", "sql_query", {"query": "SELECT name FROM users WHERE id = 1"}) with data.keepgate as data_keepgate
}

test_sql_write_is_denied if {
	r := ids(args.deny) with input as call("user", "sql_query", {"query": "DELETE FROM users"}) with data.keepgate as data_keepgate
	r == {"args.sql_not_read_only"}
}

test_sql_stacked_statement_is_denied if {
	r := ids(args.deny) with input as call("user", "sql_query", {"query": "select 1; drop table users"}) with data.keepgate as data_keepgate
	r == {"args.sql_not_read_only"}
}

test_sql_cte_with_write_is_denied if {
	r := ids(args.deny) with input as call("user", "sql_query", {"query": "with x as (delete from t returning *) select * from x"}) with data.keepgate as data_keepgate
	r == {"args.sql_not_read_only"}
}

test_path_inside_root if {
	ids(args.deny) == set() with input as call("user", "read_file", {"path": "/srv/data/reports/q1.csv"}) with data.keepgate as data_keepgate
}

test_path_traversal_is_denied if {
	r := ids(args.deny) with input as call("user", "read_file", {"path": "/srv/data/../../etc/passwd"}) with data.keepgate as data_keepgate
	r == {"args.path_outside_root"}
}

test_path_prefix_sibling_is_denied if {
	r := ids(args.deny) with input as call("user", "read_file", {"path": "/srv/database/x"}) with data.keepgate as data_keepgate
	r == {"args.path_outside_root"}
}

test_amount_within_limit if {
	ids(args.deny) == set() with input as call("user", "transfer_money", {"amount": 99.5}) with data.keepgate as data_keepgate
}

test_amount_over_limit if {
	r := ids(args.deny) with input as call("user", "transfer_money", {"amount": 1000}) with data.keepgate as data_keepgate
	r == {"args.amount_over_limit"}
}

test_amount_as_string_is_invalid if {
	r := ids(args.deny) with input as call("user", "transfer_money", {"amount": "1"}) with data.keepgate as data_keepgate
	r == {"args.amount_invalid"}
}

test_negative_amount_is_invalid if {
	r := ids(args.deny) with input as call("user", "transfer_money", {"amount": -5}) with data.keepgate as data_keepgate
	r == {"args.amount_invalid"}
}

test_unconstrained_tool_has_no_arg_denials if {
	ids(args.deny) == set() with input as call("user", "search", {"q": "anything; drop table"}) with data.keepgate as data_keepgate
}

test_argument_names_are_case_insensitive if {
	r := ids(args.deny) with input as call("user", "send_email", {"to": "a@example.com", "Bcc": "spy@evil.com"}) with data.keepgate as data_keepgate
	r == {"args.email_domain_not_allowed"}
}

test_null_optional_argument_is_not_an_error if {
	ids(args.deny) == set() with input as call("user", "send_email", {"to": "a@example.com", "cc": null}) with data.keepgate as data_keepgate
}

test_null_inside_a_list_is_skipped if {
	ids(args.deny) == set() with input as call("user", "send_email", {"to": ["a@example.com", null]}) with data.keepgate as data_keepgate
}

test_scheme_less_url_parses if {
	ids(args.deny) == set() with input as call("user", "http_get", {"url": "en.wikipedia.org/wiki/Rego"}) with data.keepgate as data_keepgate
	r := ids(args.deny) with input as call("user", "http_get", {"url": "www.evil.net/x"}) with data.keepgate as data_keepgate
	r == {"args.url_host_not_allowed"}
}

test_javascript_url_is_invalid if {
	r := ids(args.deny) with input as call("user", "http_get", {"url": "javascript:alert(1)"}) with data.keepgate as data_keepgate
	r == {"args.url_invalid"}
}

test_encoded_traversal_is_denied if {
	r := ids(args.deny) with input as call("user", "read_file", {"path": "/srv/data/%2e%2e/etc/passwd"}) with data.keepgate as data_keepgate
	r == {"args.path_outside_root"}
}

test_backslash_traversal_is_denied if {
	r := ids(args.deny) with input as call("user", "read_file", {"path": "/srv/data/..\\..\\etc"}) with data.keepgate as data_keepgate
	r == {"args.path_outside_root"}
}

test_constraint_violation_denies if {
	inp := object.union(call("user", "transfer_money", {"iban": "X"}), {"facts": {"constraint_violations": [{"path": "/iban", "argument": "iban", "action": "deny"}]}})
	r := args.deny with input as inp with data.keepgate as data_keepgate
	r == {`args.value_not_allowed: argument "iban" of "transfer_money" is not one of the allowed values`}
}

test_constraint_violation_can_ask_for_approval if {
	inp := object.union(call("user", "transfer_money", {"iban": "X"}), {"facts": {"constraint_violations": [{"path": "/iban", "argument": "iban", "action": "require_approval"}]}})
	count(args.deny) == 0 with input as inp with data.keepgate as data_keepgate
	count(args.require_approval) == 1 with input as inp with data.keepgate as data_keepgate
}

test_unknown_argument_on_side_effecting_tool_is_denied if {
	inp := object.union(call("user", "send_email", {"to": "a@example.com", "recipients": "x@evil.com"}), {"tool": {"extra_arguments": ["recipients"]}})
	r := ids(args.deny) with input as inp with data.keepgate as data_keepgate
	r == {"args.unknown_argument"}
}

test_unknown_argument_allowed_when_configured if {
	inp := object.union(call("user", "send_email", {"to": "a@example.com", "x": 1}), {"tool": {"extra_arguments": ["x"]}})
	ids(args.deny) == set() with input as inp with data.keepgate as data_keepgate with data.keepgate.tools.send_email.extra_arguments as "allow"
}

test_unknown_argument_on_read_only_tool_passes if {
	inp := object.union(call("user", "search", {"q": "a", "x": 1}), {"tool": {"extra_arguments": ["x"]}})
	ids(args.deny) == set() with input as inp with data.keepgate as data_keepgate
}

test_missing_required_argument_is_denied if {
	inp := object.union(call("user", "send_email", {"body": "hi"}), {"tool": {"missing_arguments": ["to"]}})
	r := ids(args.deny) with input as inp with data.keepgate as data_keepgate
	r == {"args.required_missing"}
}
