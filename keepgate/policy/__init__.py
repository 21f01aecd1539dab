"""Tool-call policy: an OPA/Rego decision on every tool call, streamed or not.

For the agent loop and other callers:

    from keepgate.policy.engine import make_service
    from keepgate.policy.inputs import build_policy_input
    from keepgate.policy.settings import PolicySettings

    service = make_service(config.guards.settings("policy", PolicySettings))  # or the guard's
    decision = await service.decide(build_policy_input(principal, name, arguments, ...))

Nothing is re-exported here: the config loader imports `keepgate.policy.settings` to type
`guards.policy`, and importing this package must not load the policy engines for that.
"""
