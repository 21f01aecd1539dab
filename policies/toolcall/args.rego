# Argument constraints, keyed by kind then tool in data.keepgate.constraints:
#   email_recipients  every address in the listed fields is in an allowed (lower-case) domain
#   url_host          the URL's scheme is http(s) and its host matches an allowlist
#   sql_read_only     the query is one read-only statement
#   path_root         file paths stay inside a root (no "..", absolute, under root)
#   amount_limit      amounts are numbers in (0, max]
# Field names match argument names case-insensitively (input.tool.arguments_ci holds each
# argument under its lower-case name as a list of its non-null values: `Bcc` is checked as
# `bcc`, and `"cc": null` is not checked at all).
# Per-argument constraints of the catalogue (data.keepgate.tools[t].constraints: allow /
# pattern / domains / hosts / per_user) are matched by the gateway after normalisation;
# input.facts.constraint_violations lists the arguments that matched none, with the
# configured action (deny | require_approval).
# Unknown arguments (input.tool.extra_arguments, from the request's tool schema) on a tool
# with effects are denied unless data.keepgate.tools[t].extra_arguments is "allow"; missing
# required ones (input.tool.missing_arguments) too.
# And argument rewriting: data.keepgate.tools[tool].drop_arguments are removed
# (case-insensitively).
#
# Speed: one `deny` rule looks the tool up once per constraint kind (object indexing; a
# tool without constraints costs five failed lookups) and dispatches to `violation`, whose
# definitions are selected by their constant first argument. Each kind's checks form one
# else-chain, so at most one reason per (field, value) and no work after the first match.
package toolcall.args

import rego.v1

deny contains reason if {
	some kind, by_tool in data.keepgate.constraints
	c := by_tool[input.tool.name]
	some field in c.fields
	some v in input.tool.arguments_ci[lower(field)]
	reason := violation(kind, c, field, v)
}

deny contains sprintf("args.value_not_allowed: argument %q of %q is not one of the allowed values", [v.argument, input.tool.name]) if {
	some v in input.facts.constraint_violations
	v.action == "deny"
}

require_approval contains sprintf("args.value_not_listed: argument %q of %q is not one of the listed values", [v.argument, input.tool.name]) if {
	some v in input.facts.constraint_violations
	v.action == "require_approval"
}

deny contains sprintf("args.unknown_argument: %q has no argument %q in its schema", [input.tool.name, input.tool.extra_arguments[0]]) if {
	count(input.tool.extra_arguments) > 0
	input.tool.effects != "none"
	object.get(data.keepgate, ["tools", input.tool.name, "extra_arguments"], "deny") != "allow"
}

deny contains sprintf("args.required_missing: %q needs argument %q", [input.tool.name, input.tool.missing_arguments[0]]) if {
	count(input.tool.missing_arguments) > 0
	input.tool.effects != "none"
}

# --- email recipients ---------------------------------------------------------------
violation("email_recipients", c, field, v) := sprintf("args.email_invalid: argument %q of %q is not an email address", [field, input.tool.name]) if {
	not email_domain(v)
} else := sprintf("args.email_domain_not_allowed: argument %q of %q has a recipient outside the allowed domains", [field, input.tool.name]) if {
	not email_domain(v) in c.allowed_domains
}

email_domain(address) := lower(parts[count(parts) - 1]) if {
	is_string(address)
	parts := split(trim_space(address), "@")
	count(parts) == 2
	parts[0] != ""
}

# --- URL host allowlist -------------------------------------------------------------
violation("url_host", c, field, v) := sprintf("args.url_invalid: argument %q of %q is not an http(s) URL or host name without credentials", [field, input.tool.name]) if {
	not url_host(v)
} else := sprintf("args.url_host_not_allowed: argument %q of %q points to a host outside the allowlist", [field, input.tool.name]) if {
	not host_allowed(url_host(v), c.allowed_hosts)
}

# The host of an http(s) URL; the scheme may be left out (`www.example.com/path`).
url_host(url) := m[0][1] if {
	is_string(url)
	m := regex.find_all_string_submatch_n(`^(?:https?://)?([a-z0-9-]+(?:\.[a-z0-9-]+)*)\.?(:[0-9]{1,5})?([/?#][^@\s\\]*)?$`, lower(trim_space(url)), 1)
	count(m) == 1
}

host_allowed(host, allowed) if {
	some pattern in allowed
	glob.match(lower(pattern), ["."], host)
}

# --- SQL read-only --------------------------------------------------------------------
violation("sql_read_only", _, field, v) := sprintf("args.sql_not_read_only: argument %q of %q must be a single read-only statement", [field, input.tool.name]) if {
	not sql_read_only(v)
}

write_keywords := `(?i)\b(insert|update|delete|merge|upsert|replace|drop|alter|create|truncate|grant|revoke|attach|detach|pragma|copy|call|exec|execute|vacuum|lock|set|into)\b`

sql_read_only(q) if {
	is_string(q)
	regex.match(`(?is)^\s*(select|with|explain|show|describe)\b`, q)
	not regex.match(write_keywords, q)
	not regex.match(`;\s*\S`, q)
}

# --- file paths inside a root ---------------------------------------------------------
violation("path_root", c, field, v) := sprintf("args.path_outside_root: argument %q of %q must be a normalised path under the allowed root", [field, input.tool.name]) if {
	not path_inside(v, c.root)
}

# Percent-escapes are refused outright: `%2e%2e` is `..` to any tool that decodes it, and a
# path under a root has no reason to be escaped.
path_inside(path, root) if {
	is_string(path)
	startswith(path, concat("", [trim_right(root, "/"), "/"]))
	not regex.match(`(^|/)\.\.?(/|$)`, path)
	not contains(path, "\u0000")
	not contains(path, "//")
	not contains(path, "%")
	not contains(path, "\\")
}

# --- amount limits -------------------------------------------------------------------
violation("amount_limit", c, field, v) := sprintf("args.amount_invalid: argument %q of %q must be a positive number", [field, input.tool.name]) if {
	not positive_number(v)
} else := sprintf("args.amount_over_limit: argument %q of %q exceeds the limit of %v", [field, input.tool.name, c.max]) if {
	v > c.max
}

positive_number(v) if {
	is_number(v)
	v > 0
}

# --- rewriting -----------------------------------------------------------------------
default rewritten := null

rewritten := object.remove(input.tool.arguments, names) if {
	drop := data.keepgate.tools[input.tool.name].drop_arguments
	is_object(input.tool.arguments)
	lowered := {lower(d) | some d in drop}
	names := {k | some k, _ in input.tool.arguments; lower(k) in lowered}
	count(names) > 0
}
