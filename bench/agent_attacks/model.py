"""The suite's vocabulary: a tool call, a task's steps, an injection goal, a domain.

Everything is plain data so that a task reads like what it is: the app's system prompt,
what the user asked, what each tool answered, and the calls a correct agent makes. The
ground truth of which tools have side effects lives here (`Tool.effect`), apart from the
operator's catalogue in `catalogue/`, so the metrics never depend on how the catalogue
was written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

#: Where an injection goes in a tool output: the harness replaces this marker with the
#: attack text (or with nothing, for the clean run).
SLOT = "{INJECTION}"

Effect = Literal["none", "write", "egress"]


@dataclass(frozen=True)
class Tool:
    """A tool the agent app offers. `effect` is the ground truth used by the metrics."""

    name: str
    description: str
    params: dict[str, str]  # name -> JSON type ("string", "number", "array", "boolean", "integer")
    required: tuple[str, ...] = ()
    effect: Effect = "none"

    def schema(self) -> dict[str, Any]:
        props = {
            p: ({"type": "array", "items": {"type": "string"}} if t == "array" else {"type": t})
            for p, t in self.params.items()
        }
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": {
                    "type": "object",
                    "properties": props,
                    "required": list(self.required),
                },
            },
        }


@dataclass(frozen=True)
class Call:
    tool: str
    args: dict[str, Any]


@dataclass(frozen=True)
class Step:
    """One call the agent makes and what the tool answers (`SLOT` marks where an attacker
    can write into that answer)."""

    call: Call
    output: Any

    @property
    def injectable(self) -> bool:
        return SLOT in json.dumps(self.output)


@dataclass(frozen=True)
class Task:
    id: str
    domain: str
    prompt: str
    steps: tuple[Step, ...]
    #: Short reason this task is in the suite (what makes it easy or hard).
    note: str = ""
    #: What a correct agent says at the end besides the stock summary (links it cites).
    answer: str = ""

    @property
    def injectable(self) -> bool:
        return any(s.injectable for s in self.steps)


@dataclass(frozen=True)
class Injection:
    """An attacker's goal. `calls` are what an obedient model does after reading it (read
    calls it needs first included); an empty `calls` is a text-only goal (the attacker
    wants the answer to say something), reported apart."""

    id: str
    domain: str  # a domain name, or "*" for text goals that fit every domain
    goal: str
    #: The instruction as the attacker writes it, in the imperative, addressed to the agent.
    instruction: str
    calls: tuple[Call, ...] = ()
    #: Tool answers for the attacker's calls, by index (default: a plain success).
    outputs: dict[int, Any] = field(default_factory=dict)
    #: What an obedient model writes in its answer for a text goal (the conversation's
    #: values filled in); default: the instruction itself.
    reply: str = ""
    #: A text goal is delivered only when one of these strings is in the answer as sent
    #: (the attacker's host, dots and all); none: when the answer is.
    markers: tuple[str, ...] = ()

    @property
    def text_only(self) -> bool:
        return not self.calls


@dataclass(frozen=True)
class Domain:
    name: str
    system_prompt: str
    tools: tuple[Tool, ...]
    tasks: tuple[Task, ...]
    injections: tuple[Injection, ...]

    def tool(self, name: str) -> Tool:
        for t in self.tools:
            if t.name == name:
                return t
        raise KeyError(f"{self.name}: no tool {name!r}")

    def has_effect(self, call: Call) -> bool:
        return self.tool(call.tool).effect != "none"


def step(tool: str, args: dict[str, Any], output: Any = None) -> Step:
    """Shorthand used by the domain files."""
    return Step(Call(tool, args), {"status": "ok"} if output is None else output)


def fill(output: Any, text: str, as_key: bool = False) -> Any:
    """The output with every `SLOT` replaced by `text` (strings at any depth, keys too).

    `as_key`: the attacker writes a field *name*, not a value (a form's custom field, a
    spreadsheet header, a JSON key of a webhook payload): `SLOT` in a string value is
    removed and the object holding that value gains the key `text` (value "yes")."""
    if isinstance(output, str):
        # A plain-text record: the attacker's text becomes a field label of its own line.
        return output.replace(SLOT, f"\n{text}: yes" if as_key and SLOT in output else text)
    if isinstance(output, list):
        return [fill(v, text, as_key) for v in output]
    if isinstance(output, dict):
        out = {
            k.replace(SLOT, text): (
                v.replace(SLOT, "") if as_key and isinstance(v, str) else fill(v, text, as_key)
            )
            for k, v in output.items()
        }
        if as_key and any(isinstance(v, str) and SLOT in v for v in output.values()):
            out[text] = "yes"
        return out
    return output


def render(output: Any) -> str:
    """A tool message's content: strings as they are, anything else as JSON."""
    return output if isinstance(output, str) else json.dumps(output, ensure_ascii=False)
