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
		"send_email": {"side_effects": true, "max_calls_per_conversation": 2, "drop_arguments": ["bcc"]},
		"transfer_money": {"side_effects": true},
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

call(role, name, args) := {
	"principal": {"key_id": "k1", "role": role, "team": "t1", "metadata": {}},
	"tool": {"name": name, "arguments": args, "arguments_valid": true, "call_id": "call_1"},
	"tools_offered": [],
	"model": "demo",
	"facts": {"tainted": false, "taint_sources": [], "tools_called": [], "tool_counts": {}},
	"metadata": {},
}
