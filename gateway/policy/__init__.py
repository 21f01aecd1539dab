"""Tool-call policy: an OPA/Rego decision on every tool call, streamed or not.

For the agent loop and other callers:

    from gateway.policy import build_policy_input, make_service
    service = make_service(config.guard_section("policy"))   # or the guard's `.service`
    decision = await service.decide(build_policy_input(principal, name, arguments, ...))
"""

from gateway.policy.bundle import PolicyLoadError
from gateway.policy.decision import PolicyDecision
from gateway.policy.engine import PolicyEngine, PolicyService, make_service
from gateway.policy.inputs import build_policy_input

__all__ = ["PolicyDecision", "PolicyEngine", "PolicyLoadError", "PolicyService",
           "build_policy_input", "make_service"]
