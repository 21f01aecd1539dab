"""Which tool-call ids the gateway handed to which principal, and what it decided.

A `tool` message is only accepted as the answer to a call this gateway released to the same
principal. In memory, LRU-bounded per principal and in the number of principals: with several
replicas and no sticky sessions, a tool message reaching another replica is rejected as
unknown (turn `check_tool_messages` off there, or pin conversations to a replica).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Literal

Status = Literal["allowed", "denied", "held"]


class IssuedToolCalls:
    def __init__(self, max_per_principal: int = 10_000, max_principals: int = 10_000) -> None:
        self.max_per_principal = max_per_principal
        self.max_principals = max_principals
        self._by_principal: OrderedDict[str, OrderedDict[str, Status]] = OrderedDict()

    def record(self, principal: str, call_id: str, status: Status) -> None:
        ids = self._by_principal.get(principal)
        if ids is None:
            ids = self._by_principal[principal] = OrderedDict()
            while len(self._by_principal) > self.max_principals:
                self._by_principal.popitem(last=False)
        else:
            self._by_principal.move_to_end(principal)
        ids[call_id] = status
        ids.move_to_end(call_id)
        while len(ids) > self.max_per_principal:
            ids.popitem(last=False)

    def status(self, principal: str, call_id: str) -> Status | None:
        ids = self._by_principal.get(principal)
        return ids.get(call_id) if ids else None

    def __len__(self) -> int:
        return sum(len(v) for v in self._by_principal.values())
