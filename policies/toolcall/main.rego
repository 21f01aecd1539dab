# The tool-call decision: the one document the gateway asks for (data.toolcall.main.decision).
#
# Every other package adds reasons to `deny` or `require_approval`; this one validates the
# input's shape and combines them. A reason is "<id>: <message>" and never quotes argument
# values, so it can go into headers, the audit log and the text shown to the user.
package toolcall.main

import rego.v1

import data.toolcall.args
import data.toolcall.rate
import data.toolcall.roles
import data.toolcall.taint

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

deny contains reason if some reason in roles.deny

deny contains reason if some reason in args.deny

deny contains reason if some reason in taint.deny

deny contains reason if some reason in rate.deny

approval contains reason if some reason in taint.require_approval

default rewritten_arguments := null

rewritten_arguments := args.rewritten if count(deny) == 0

default require_approval := false

require_approval if {
	count(deny) == 0
	count(approval) > 0
}

default allow := false

allow if {
	count(deny) == 0
	count(approval) == 0
}

decision := {
	"allow": allow,
	"deny": deny,
	"require_approval": require_approval,
	"approval": approval,
	"rewritten_arguments": rewritten_arguments,
	"policy": "toolcall.main",
}
