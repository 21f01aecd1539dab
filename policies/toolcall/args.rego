# Argument constraints, keyed by tool in data.keepgate.constraints:
#   email_recipients  every address in the listed fields is in an allowed (lower-case) domain
#   url_host          the URL's scheme is http(s) and its host matches an allowlist
#   sql_read_only     the query is one read-only statement
#   path_root         file paths stay inside a root (no "..", absolute, under root)
#   amount_limit      amounts are numbers in (0, max]
# and argument rewriting: data.keepgate.tools[tool].drop_arguments are removed.
package toolcall.args

import rego.v1

name := input.tool.name

arguments := input.tool.arguments if {
	is_object(input.tool.arguments)
} else := {}

# [field, value] pairs present in the call; an array value yields each of its items.
values(c) := {[field, v] |
	some field in c.fields
	some v in items(arguments, field)
}

items(args, field) := args[field] if {
	is_array(args[field])
} else := [args[field]]

# --- email recipients ---------------------------------------------------------------
email_domain(address) := lower(parts[count(parts) - 1]) if {
	parts := split(trim_space(address), "@")
	count(parts) == 2
	parts[0] != ""
}

deny contains sprintf("args.email_invalid: %s.%s is not an email address", [name, field]) if {
	c := data.keepgate.constraints.email_recipients[name]
	some [field, v] in values(c)
	not email_domain(v)
}

deny contains sprintf("args.email_domain_not_allowed: %s.%s has a recipient outside the allowed domains", [name, field]) if {
	c := data.keepgate.constraints.email_recipients[name]
	some [field, v] in values(c)
	domain := email_domain(v)
	not domain in c.allowed_domains
}

# --- URL host allowlist -------------------------------------------------------------
url_host(url) := m[0][1] if {
	is_string(url)
	m := regex.find_all_string_submatch_n(`^https?://([a-z0-9.-]+)(:[0-9]{1,5})?([/?#][^@\s]*)?$`, lower(url), 1)
	count(m) == 1
}

deny contains sprintf("args.url_invalid: %s.%s is not an http(s) URL without credentials", [name, field]) if {
	c := data.keepgate.constraints.url_host[name]
	some [field, v] in values(c)
	not url_host(v)
}

deny contains sprintf("args.url_host_not_allowed: %s.%s points to a host outside the allowlist", [name, field]) if {
	c := data.keepgate.constraints.url_host[name]
	some [field, v] in values(c)
	host := url_host(v)
	not host_allowed(host, c.allowed_hosts)
}

host_allowed(host, allowed) if {
	some pattern in allowed
	glob.match(lower(pattern), ["."], host)
}

# --- SQL read-only --------------------------------------------------------------------
write_keywords := `(?i)\b(insert|update|delete|merge|upsert|replace|drop|alter|create|truncate|grant|revoke|attach|detach|pragma|copy|call|exec|execute|vacuum|lock|set|into)\b`

sql_read_only(q) if {
	is_string(q)
	regex.match(`(?is)^\s*(select|with|explain|show|describe)\b`, q)
	not regex.match(write_keywords, q)
	not regex.match(`;\s*\S`, q)
}

deny contains sprintf("args.sql_not_read_only: %s.%s must be a single read-only statement", [name, field]) if {
	c := data.keepgate.constraints.sql_read_only[name]
	some [field, v] in values(c)
	not sql_read_only(v)
}

# --- file paths inside a root ---------------------------------------------------------
path_inside(path, root) if {
	is_string(path)
	startswith(path, concat("", [trim_right(root, "/"), "/"]))
	not regex.match(`(^|/)\.\.?(/|$)`, path)
	not contains(path, "\u0000")
	not contains(path, "//")
}

deny contains sprintf("args.path_outside_root: %s.%s must be a normalised path under the allowed root", [name, field]) if {
	c := data.keepgate.constraints.path_root[name]
	some [field, v] in values(c)
	not path_inside(v, c.root)
}

# --- amount limits -------------------------------------------------------------------
deny contains sprintf("args.amount_invalid: %s.%s must be a positive number", [name, field]) if {
	c := data.keepgate.constraints.amount_limit[name]
	some [field, v] in values(c)
	not positive_number(v)
}

positive_number(v) if {
	is_number(v)
	v > 0
}

deny contains sprintf("args.amount_over_limit: %s.%s exceeds the limit of %v", [name, field, c.max]) if {
	c := data.keepgate.constraints.amount_limit[name]
	some [field, v] in values(c)
	positive_number(v)
	v > c.max
}

# --- rewriting -----------------------------------------------------------------------
drop := object.get(data.keepgate, ["tools", name, "drop_arguments"], [])

default rewritten := null

rewritten := object.remove(arguments, drop) if {
	some field in drop
	field in {k | some k, _ in arguments}
}
