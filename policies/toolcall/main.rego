# The tool-call decision: the one document the gateway asks for (data.toolcall.main.decision).
#
# Every other package adds reasons to `deny` or `require_approval`; this one validates the
# input's shape and combines them. A reason is "<id>: <message>" and never quotes argument
# values, so it can go into headers, the audit log and the text shown to the user.
#
# Speed (regorus, measured): other packages are referenced by their full path, not through
# `import data.toolcall.args` aliases: regorus evaluates a whole imported package (every
# rule in it) when a rule is reached through the alias, ~20 µs per decision for args.rego.
package toolcall.main

import rego.v1

deny contains "input.arguments_invalid_json: the tool-call arguments are not valid JSON" if {
	input.tool.arguments_valid == false
}

deny contains "input.arguments_not_object: the tool-call arguments must be a JSON object" if {
	input.tool.arguments_valid != false
	not is_object(input.tool.arguments)
}

deny contains "input.tool_name_missing: the tool call has no function name" if {
	not is_string(input.tool.name)
}

deny contains "input.tool_name_missing: the tool call has no function name" if {
	input.tool.name == ""
}

deny contains reason if some reason in data.toolcall.roles.deny

deny contains reason if some reason in data.toolcall.args.deny

deny contains reason if some reason in data.toolcall.taint.deny

deny contains reason if some reason in data.toolcall.rate.deny

deny contains reason if some reason in data.toolcall.provenance.deny

deny contains reason if some reason in data.toolcall.pii.deny

approval contains reason if some reason in data.toolcall.taint.require_approval

approval contains reason if some reason in data.toolcall.provenance.require_approval

approval contains reason if some reason in data.toolcall.args.require_approval

approval contains reason if some reason in data.toolcall.pii.require_approval

# Any deny wins; otherwise the call is allowed, or needs approval if a package asked for it.
decision := {
	"allow": false,
	"deny": deny,
	"require_approval": false,
	"approval": approval,
	"rewritten_arguments": null,
	"policy": "toolcall.main",
} if {
	count(deny) > 0
} else := {
	"allow": count(approval) == 0,
	"deny": deny,
	"require_approval": count(approval) > 0,
	"approval": approval,
	"rewritten_arguments": data.toolcall.args.rewritten,
	"policy": "toolcall.main",
}

# The decision's fields as rules of their own, for queries such as data.toolcall.main.allow.
allow := decision.allow

require_approval := decision.require_approval

rewritten_arguments := decision.rewritten_arguments
