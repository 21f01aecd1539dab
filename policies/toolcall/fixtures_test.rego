# Shared test fixtures: a small data.keepgate and an input builder (loaded only by tests).
package toolcall.fixtures

import rego.v1

data_keepgate := {
	"roles": {
		"admin": {"tools": ["*"]},
		"user": {"tools": ["search", "send_email", "http_get", "sql_query", "read_file", "transfer_money"]},
		"guest": {"tools": ["search"]},
		"reader": {"tools": ["read_*"]},
	},
	"tools": {
		"search": {"side_effects": false},
		"http_get": {"side_effects": false},
		"sql_query": {"side_effects": false},
		"read_file": {"side_effects": false},
		"send_email": {"effects": "egress", "sensitive": ["to", "cc", "bcc"], "max_calls_per_conversation": 2, "drop_arguments": ["bcc"]},
		"transfer_money": {"effects": "egress", "sensitive": ["iban", "amount"], "max_total": {"argument": "amount", "limit": 300}, "max_distinct_recipients": 2},
		"write_file": {"effects": "internal", "sensitive": ["path"]},
		"share_file": {"effects": "egress", "sensitive": []},
		"create_event": {"effects": "internal", "sensitive": []},
	},
	"taint": {"action": "require_approval"},
	"constraints": {
		"email_recipients": {"send_email": {"fields": ["to", "cc", "bcc"], "allowed_domains": ["example.com"]}},
		"url_host": {"http_get": {"fields": ["url"], "allowed_hosts": ["api.example.com", "*.wikipedia.org"]}},
		"sql_read_only": {"sql_query": {"fields": ["query"]}},
		"path_root": {"read_file": {"fields": ["path"], "root": "/srv/data"}},
		"amount_limit": {"transfer_money": {"fields": ["amount"], "max": 100}},
	},
}

# The input the gateway builds for one call in a conversation with no tool output yet
# (what Python computes — arguments_ci, effects, provenance — is filled in the same way
# here for the fixture data; tests override `facts` with object.union).
call(role, name, args) := {
	"principal": {"key_id": "k1", "role": role, "team": "t1", "metadata": {}},
	"tool": {
		"name": name, "arguments": args, "arguments_valid": true, "call_id": "call_1",
		"arguments_ci": args_ci(args), "effects": effects(name), "known": name in object.keys(data_keepgate.tools),
		"extra_arguments": [], "missing_arguments": [],
	},
	"tools_offered": [],
	"model": "demo",
	"facts": {
		"tainted": false, "detected": false, "taint_sources": [], "tools_called": [], "tool_counts": {},
		"untrusted_outputs": {"count": 0, "tools": []}, "provenance": {}, "untrusted_sensitive": [],
		"constraint_violations": [], "pii": [],
		"totals": {"calls": {}, "amounts": {}, "recipients": {}, "distinct_recipients": 0},
	},
	"metadata": {},
}

args_ci(args) := {lower(k): vals |
	some k, v in args
	v != null
	vals := array_items(v)
} if is_object(args)

else := null

array_items(v) := [x | some x in v; x != null] if is_array(v)

else := [v]

effects(name) := data_keepgate.tools[name].effects if {
	data_keepgate.tools[name].effects
} else := "none" if {
	data_keepgate.tools[name].side_effects == false
} else := "egress"

# A conversation after an untrusted tool output, where the call's sensitive leaves `paths`
# came only from that output (or nowhere).
after_untrusted(inp, paths) := object.union(inp, {"facts": {
	"tainted": true,
	"untrusted_outputs": {"count": 1, "tools": ["read_inbox"]},
	"untrusted_sensitive": paths,
	"provenance": {p: {"sources": ["untrusted_tool"], "tools": ["read_inbox"], "sensitive": true, "allowlisted": null} | some p in paths},
}})
