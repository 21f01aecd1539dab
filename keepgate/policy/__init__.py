"""Tool-call policy: an OPA/Rego decision on every tool call, streamed or not.

For the agent loop and other callers:

    from keepgate.policy import build_policy_input, make_service
    service = make_service(config.guards.settings("policy", PolicySettings))  # or the guard's `.service`
    decision = await service.decide(build_policy_input(principal, name, arguments, ...))
"""

from keepgate.policy.bundle import PolicyLoadError
from keepgate.policy.decision import PolicyDecision
from keepgate.policy.engine import PolicyEngine, PolicyService, make_service
from keepgate.policy.inputs import build_policy_input

__all__ = [
    "PolicyDecision",
    "PolicyEngine",
    "PolicyLoadError",
    "PolicyService",
    "build_policy_input",
    "make_service",
]
