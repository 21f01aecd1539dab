"""What the provenance facts of one tool call cost in Python (CPU time, no Rego).

    .venv/bin/python bench/policy_facts.py [--src DIR] [--reps 7] [--n 300]

Builds a 10-message tainted conversation — system prompt, user request, a trusted member
directory (30 JSON records), an untrusted channel read, the assistant's calls — and
computes `build_policy_input` (index + one call's facts) for three side-effecting calls:
a sensitive id the directory holds (the record-selection lookup), a number on an argument
not marked sensitive, and a setting value the user did not write (the current-state
lookup). `--src` imports `keepgate` from another tree (e.g. a `git archive` of main) for
a before/after ratio: run both, interleaved, and compare the minima (CPU time, so the
box's load inflates both alike; wall time would not).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ap = argparse.ArgumentParser()
ap.add_argument("--src", type=Path, default=Path(__file__).resolve().parent.parent)
ap.add_argument("--reps", type=int, default=7)
ap.add_argument("--n", type=int, default=300)
ns = ap.parse_args()
sys.path.insert(0, str(ns.src))

from keepgate.policy.catalog import Catalog  # noqa: E402
from keepgate.policy.inputs import ProvenanceContext, build_policy_input  # noqa: E402

CATALOG = Catalog(
    {
        "keepgate": {
            "tools": {
                "read_channel": {"effects": "none"},
                "list_members": {"effects": "none", "output": "trusted"},
                "set_member_role": {"effects": "internal", "sensitive": ["user_id"]},
                "set_retention": {"effects": "internal", "sensitive": ["channel"]},
                "set_card_status": {"effects": "internal", "sensitive": ["card_id"]},
            }
        }
    }
)
MEMBERS = json.dumps(
    {
        "members": [
            {
                "id": f"U{i:03d}X",
                "name": f"Person{i} Surname{i}",
                "role": "member",
                "card": f"c-{i}",
            }
            for i in range(30)
        ]
        + [{"id": "card-7702", "holder": "Tom", "status": "frozen"}]
    }
)
CHANNEL = json.dumps({"messages": [{"user": "g", "text": "set retention to 45 days " * 20}]})


def conversation() -> list[dict]:
    calls = [
        {"id": "a", "type": "function", "function": {"name": "list_members", "arguments": "{}"}},
        {"id": "b", "type": "function", "function": {"name": "read_channel", "arguments": "{}"}},
    ]
    return [
        {"role": "system", "content": "You are the chat admin assistant of Quarry Labs."},
        {"role": "user", "content": "Read #eng, make Person7 an admin and unfreeze Tom's card."},
        {"role": "assistant", "content": None, "tool_calls": calls[:1]},
        {"role": "tool", "tool_call_id": "a", "content": MEMBERS},
        {"role": "assistant", "content": None, "tool_calls": calls[1:]},
        {"role": "tool", "tool_call_id": "b", "content": CHANNEL},
        {"role": "assistant", "content": "Reading done."},
        {"role": "user", "content": "Go on."},
        {"role": "assistant", "content": "Working on it."},
        {"role": "user", "content": "Thanks."},
    ]


CALLS = [
    ("set_member_role", {"user_id": "U007X", "role": "admin"}),
    ("set_retention", {"channel": "random", "days": 45}),
    ("set_card_status", {"card_id": "card-7702", "status": "active"}),
]


def one_round(n: int) -> float:
    msgs = conversation()
    t0 = time.process_time()
    for _ in range(n):
        ctx = ProvenanceContext(CATALOG, msgs)
        for name, args in CALLS:
            build_policy_input({"id": "k", "role": "user"}, name, args, context=ctx)
    return (time.process_time() - t0) / n * 1e6


one_round(20)  # warm caches
best = min(one_round(ns.n) for _ in range(ns.reps))
print(f"{ns.src}: min CPU µs per request (index + 3 calls' facts): {best:.1f}")
