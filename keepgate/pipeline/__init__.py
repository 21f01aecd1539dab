"""The guard pipeline: an ordered chain of guards around one upstream call.

Every guard sees the request before it goes upstream (`check_request`) and the upstream's
answer as a stream of OpenAI `chat.completion.chunk` dicts (`transform`), so streamed and
non-streamed answers share one code path. Guards speak in `Verdict` records.
"""

from keepgate.pipeline.call import Call, Facts, Outcome, Usage
from keepgate.pipeline.guard import Guard, GuardBlocked
from keepgate.pipeline.verdict import Decision, Verdict

__all__ = ["Call", "Decision", "Facts", "Guard", "GuardBlocked", "Outcome", "Usage", "Verdict"]
