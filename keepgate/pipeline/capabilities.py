"""What a guard offers the rest of the gateway besides its hooks, as typed protocols.

The hosted agent (`keepgate.agent`), the MCP gateway (`keepgate.mcp`) and other guards use
a guard's abilities outside the chat pipeline: scan a tool result for injected
instructions, decide a tool call with the Rego policy, scrub what they show. They find the
guard by the capability it implements (`tool_policy(rt.guards)`), never by its name plus
`getattr`, so a replacement guard only has to implement the protocol, and mypy checks both
sides. A guard declares a capability by listing the protocol among its bases
(`class PolicyGuard(Guard, ToolPolicy)`), which also has mypy check its signatures there.

Each lookup returns the first guard in pipeline order that has the capability, or None
when no such guard is on (each caller decides what "none" means: deny, pass, refuse).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from keepgate.auth.principal import Principal
from keepgate.jsontypes import JsonObject, JsonValue

if TYPE_CHECKING:  # types only: the guard packages build on the pipeline, not the reverse
    from keepgate.limits.backend import Amounts, Backend, ReserveResult
    from keepgate.limits.spec import Subject
    from keepgate.pipeline.call import Call
    from keepgate.policy.catalog import Catalog
    from keepgate.policy.decision import PolicyDecision
    from keepgate.policy.held import HeldCalls


class RuleHit(Protocol):
    """One reason a scanned text is suspect (never the text itself)."""

    @property
    def rule(self) -> str: ...

    #: The stage that found it; "error" when a stage could not run (undecided).
    @property
    def stage(self) -> str: ...


class ScanFinding(Protocol):
    """What a scan found: whether it blocks, and which rules fired (empty: clean)."""

    @property
    def blocked(self) -> bool: ...

    @property
    def rule_ids(self) -> list[str]: ...

    @property
    def findings(self) -> Sequence[RuleHit]: ...


@runtime_checkable
class ResultScanner(Protocol):
    """Scans text that reaches a model from outside the client (tool results, MCP tool
    descriptions) for injected instructions: the input guard."""

    #: When the scan itself fails: withhold the text (True) or let it pass.
    fail_closed: bool

    async def scan_tool_result(self, principal: Principal, text: str) -> ScanFinding | None:
        """A tool's output, as the principal's settings scan it; None when scanning is off."""
        ...

    async def scan_text(
        self, principal: Principal | None, text: str, role: str
    ) -> ScanFinding | None:
        """Any text in the given message role ("tool_definition" for a tool's description)."""
        ...


class TextScrubber(Protocol):
    """One principal's PII scrubbing: texts, and tool-call arguments as JSON."""

    def scrub(self, text: str) -> tuple[str, dict[str, int]]:
        """(the text with PII replaced, entity type -> count). Same object when unchanged."""
        ...

    def scrub_arguments(self, arguments: str) -> tuple[str, dict[str, int]]:
        """A JSON text with every string value scrubbed, still valid JSON."""
        ...

    def redacts_arguments_of(self, tool: str) -> bool:
        """Whether this policy rewrites the arguments of calls to `tool`."""
        ...

    def locate_arguments(self, arguments: JsonValue) -> list[dict[str, str]]:
        """Entity types and JSON paths found in parsed arguments (never the values)."""
        ...


class StreamingScrubber(Protocol):
    """Text arriving in deltas, held back just enough to scrub across delta boundaries."""

    #: What was fed and not yet released (released as is if scrubbing fails open).
    pending: str

    def feed(self, delta: str) -> str: ...

    def flush(self) -> str: ...


@runtime_checkable
class Redactor(Protocol):
    """Scrubs PII with the policy a principal's proxied answers get: the PII guard."""

    #: When scrubbing fails: withhold the text (True) or show it unscrubbed.
    fail_closed: bool

    def scrubber_for(self, principal: Principal) -> TextScrubber | None:
        """None when the principal's overrides turn scrubbing off."""
        ...

    def stream_for(
        self, principal: Principal, counts: Counter[str] | None = None
    ) -> StreamingScrubber | None:
        """A streaming scrubber for the principal (None when scrubbing is off for it);
        what it redacts is added to `counts`."""
        ...

    def answer_stream_for(
        self, principal: Principal, call: Call, counts: Counter[str] | None = None
    ) -> StreamingScrubber | None:
        """`stream_for`, with the answer filters (remote images, links) the conversation of
        `call` calls for; what they removed is added to `call.audit` when it is flushed."""
        ...

    def answer_text_for(self, principal: Principal, body: JsonObject, text: str) -> str:
        """`text`, an answer to the conversation `body`, through the answer filters alone."""
        ...

    def record_redactions(self, counts: Mapping[str, int]) -> None:
        """Count redactions made outside the pipeline (agent, MCP) in the guard's metrics."""
        ...


@runtime_checkable
class ToolPolicy(Protocol):
    """Decides tool calls with the Rego policy: the policy guard. The hosted agent and the
    MCP gateway ask it the same question the proxy path does (`build_policy_input`)."""

    #: When the engine cannot decide: deny (True) or allow.
    fail_closed: bool

    @property
    def policy_version(self) -> int:
        """Changes whenever the policy is reloaded: caches of decisions are keyed by it."""
        ...

    def tool_catalog(self) -> Catalog:
        """The tool catalogue of the loaded policy data (effects, argument provenance)."""
        ...

    def may_read(self, path: tuple[str, ...]) -> bool:
        """Whether the loaded policy can read the input document at `path` (e.g.
        `("facts", "taint_sources")`): False only when the engine's analysis of the policy
        shows it cannot, so a caller may leave that value out (keeping its key) and get
        the same decision. Answers for the policy loaded now: `policy_version` tells a
        caller that a reload came in between."""
        ...

    async def decide_tool(self, input: JsonObject) -> PolicyDecision:
        """Decide one call. `input` is the Rego input document (JSON by contract, built by
        `keepgate.policy.inputs.build_policy_input`). Raises when the engine cannot decide."""
        ...

    def use_approvals(self, held: HeldCalls) -> None:
        """File the proxy path's calls held for approval in `held` (the approvals store the
        MCP gateway shares, `/v1/approvals`); until then held calls are only held."""
        ...


@runtime_checkable
class Limiter(Protocol):
    """Takes from the limits store's buckets for other parts (the MCP gateway's calls per
    minute), with the store's fail-closed / fallback handling: the limits guard."""

    async def reserve(
        self, call: Call, subjects: Sequence[Subject], need: Amounts
    ) -> tuple[Backend, ReserveResult]:
        """Take `need` from every subject's buckets, or from none (the result says which
        bucket ran dry). Raises `GuardBlocked` when the store is down and fails closed."""
        ...


@runtime_checkable
class PoolScanner(Protocol):
    """Scans big items in the offload process pool (`keepgate.pipeline.procwork`): the
    input guard. The app asks it what the pool's processes load when they start."""

    def pool_settings(self) -> str:
        """Its base scanner's settings as a pool process rebuilds the scanner (JSON): loaded
        at start-up, so the first big request does not pay for the rule packs and models."""
        ...


def limiter(guards: Iterable[object]) -> Limiter | None:
    return next((g for g in guards if isinstance(g, Limiter)), None)


def result_scanner(guards: Iterable[object]) -> ResultScanner | None:
    return next((g for g in guards if isinstance(g, ResultScanner)), None)


def redactor(guards: Iterable[object]) -> Redactor | None:
    return next((g for g in guards if isinstance(g, Redactor)), None)


def tool_policy(guards: Iterable[object]) -> ToolPolicy | None:
    return next((g for g in guards if isinstance(g, ToolPolicy)), None)


def pool_scanner(guards: Iterable[object]) -> PoolScanner | None:
    return next((g for g in guards if isinstance(g, PoolScanner)), None)
