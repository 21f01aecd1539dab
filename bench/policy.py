"""Tool-call policy: what one decision costs, per engine, against a no-policy baseline.

    .venv/bin/python bench/policy.py [--quick] [--n 3000]

Everything runs in this process, interleaved round by round (the box may be busy), over
the same rotating set of policy inputs (allowed, denied by role, by argument, by taint...):

- baseline: build the policy input and ask an always-allow engine (what the guard pays
  with no policy at all);
- embedded: the shipped policies/ in regorus, in-process (`EmbeddedEngine.decide`), and
  the bare engine call (`set_input_json` + `eval_rule`) without our wrapping;
- embedded, trivial policy: one rule, to show the interpreter's floor;
- regorus' bytecode VM on the shipped policies: faster, but not used (it answers some
  inputs differently from OPA; see keepgate/policy/embedded.py);
- OPA engine in-process: the real OPA (Go) through opa-golib-python-bindings, if installed;
- REST: `OpaServerEngine.decide` through opa-python-client's AsyncOpaClient to the OPA
  REST stand-in on loopback (uvicorn in a thread, evaluating with the real OPA engine), and
  the same stand-in with a trivial policy (the HTTP round trip alone).

- with provenance: the shipped policies with the input built from a 10-message
  conversation (system prompt, user task, tool outputs) through `ProvenanceContext`, the
  index built per decision (what one tool call of one request pays);
- `--before DIR`: another copy of policies/ (e.g. `git archive main policies | tar -x -C
  /tmp/before`, then `--before /tmp/before/policies`) in the same process, for the ratio.

Prints one table: decisions/s, p50 and p99 in µs, and p50 as a multiple of the baseline,
then the provenance index's cost at 10 / 100 / 1000 messages (tool outputs of ~4 KB): build the
index and compute one call's facts, µs and µs per KB (`--curve-only` prints just that).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import keepgate  # noqa: E402,F401 - offline switches

from keepgate.policy.bundle import DEFAULT_POLICY_DIR, Bundle, load_bundle  # noqa: E402
from keepgate.policy.decision import PolicyDecision  # noqa: E402
from keepgate.policy.embedded import EmbeddedEngine  # noqa: E402
from keepgate.policy.catalog import Catalog  # noqa: E402
from keepgate.policy.inputs import ProvenanceContext, build_policy_input  # noqa: E402
from keepgate.policy.remote import OpaServerEngine  # noqa: E402
from tests.opa_server import OpaTestServer  # noqa: E402
from bench.stats import pct  # noqa: E402

TRIVIAL = (
    "package toolcall.main\n\nimport rego.v1\n\ndefault allow := false\n\n"
    "allow if input.tool.name in data.keepgate.roles[input.principal.role].tools\n\n"
    'decision := {"allow": allow, "deny": set()}\n'
)

CALLS = [  # (role, tool, arguments, tainted)
    ("user", "search", {"q": "opa rego"}, False),
    ("user", "send_email", {"to": "bob@example.com", "subject": "hi"}, False),
    ("user", "send_email", {"to": "eve@evil.com"}, False),
    ("guest", "send_email", {"to": "bob@example.com"}, False),
    ("user", "http_get", {"url": "https://en.wikipedia.org/wiki/Rego"}, False),
    ("developer", "sql_query", {"query": "select * from t; drop table t"}, False),
    ("user", "read_file", {"path": "/srv/data/../../etc/passwd"}, False),
    ("user", "send_email", {"to": "bob@example.com"}, True),
]

Decide = Callable[[dict[str, Any]], Awaitable[PolicyDecision]]


def inputs() -> list[tuple[str, str, bool, str]]:
    out = []
    for role, tool, args, tainted in CALLS:
        out.append((role, tool, tainted, json.dumps(args)))
    return out


_CATALOG: list[Catalog] = []


def make_input(
    role: str, tool: str, tainted: bool, args: str, conversation: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    context = None
    if conversation is not None:
        context = ProvenanceContext(_CATALOG[0], conversation)
    return build_policy_input(
        {"key_id": "bench", "role": role, "team": None},
        tool,
        args,
        offered_tools=["search", "send_email", "http_get", "sql_query", "read_file"],
        model="demo",
        call_id="call_1",
        facts={"tainted": tainted, "tools_called": ["search"]},
        metadata={"route": "chat.completions", "stream": False},
        context=context,
    )


WORDS = (
    "the quarterly numbers look fine but the vendor asked us to confirm the new bank "
    "details before Friday and to copy the finance team on every reply "
).split()


def conversation(n: int, chars: int = 4000) -> list[dict[str, Any]]:
    """A system prompt, a user task, then assistant tool calls and ~`chars`-character tool
    outputs (mail, documents) with addresses, URLs, IBANs and amounts in them."""
    msgs: list[dict[str, Any]] = [
        {"role": "system", "content": "You are an AI assistant that uses the given tools."},
        {"role": "user", "content": "Summarise my inbox and mail the summary to bob@example.com."},
    ]
    i = 0
    while len(msgs) < n:
        i += 1
        body = " ".join(WORDS[(i + k) % len(WORDS)] for k in range(chars // 6))
        body += (
            f" Contact ops{i}@vendor{i}.example or see https://docs.vendor{i}.example/a/{i}"
            f" IBAN DE89 3704 0044 0532 0130 {i:02d} amount {i},250.00 EUR."
        )
        tcid = f"call_{i}"
        msgs.append(
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": tcid,
                        "type": "function",
                        "function": {"name": "search", "arguments": json.dumps({"q": f"page {i}"})},
                    }
                ],
            }
        )
        if len(msgs) < n:
            msgs.append({"role": "tool", "tool_call_id": tcid, "content": body[:chars]})
    return msgs[:n]


class _WithProvenance:
    """The shipped policies, the input built with a ProvenanceContext over `conversation`."""

    def __init__(self, engine: EmbeddedEngine, conv: list[dict[str, Any]]) -> None:
        self.engine, self.conv = engine, conv

    async def decide(self, input: dict[str, Any]) -> PolicyDecision:
        return await self.engine.decide(input)


class _Allow:
    async def decide(self, input: dict[str, Any]) -> PolicyDecision:
        return PolicyDecision(allow=True)


class _Raw:
    """The bare regorus call, without input building or decision parsing."""

    def __init__(self, engine: EmbeddedEngine) -> None:
        self.engine = engine

    async def decide(self, input: dict[str, Any]) -> Any:
        e = self.engine._engine()
        e.set_input_json(input["_json"])
        return e.eval_rule(self.engine.query)


class _RegorusVm:
    """regorus' bytecode VM (`Program` + `Rvm`) on the same bundle: measured, not used by the
    gateway (see keepgate/policy/embedded.py: it kept evaluating a rule body after a function
    came back undefined, so some answers differ from OPA's)."""

    def __init__(self, bundle: Bundle, query: str) -> None:
        import regorus

        program = regorus.Program.compile_from_modules(
            json.dumps(bundle.data), list(bundle.modules), [query]
        )
        self.vm = regorus.Rvm()
        self.vm.load_program(program)
        self.vm.set_data_json(json.dumps(bundle.data))

    async def decide(self, input: dict[str, Any]) -> PolicyDecision:
        self.vm.set_input_json(json.dumps(input, separators=(",", ":"), default=str))
        result = self.vm.execute()
        return PolicyDecision.from_result(
            json.loads(result) if isinstance(result, str) else result, "toolcall.main"
        )


class _OpaInProcess:
    def __init__(self, bundle: Bundle) -> None:
        from opa_bindings import OpaEngine

        self.engine = OpaEngine()
        for path, src in bundle.modules:
            self.engine.add_policy(path, src)
        self.engine.add_data(bundle.data)

    async def decide(self, input: dict[str, Any]) -> PolicyDecision:
        return PolicyDecision.from_result(
            self.engine.eval_document("toolcall.main.decision", input)
        )


class _Server:
    """The OPA REST stand-in on a free loopback port, in a thread."""

    def __init__(self) -> None:
        import socket

        import uvicorn

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        self.opa = OpaTestServer()
        cfg = uvicorn.Config(
            self.opa.app(),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            access_log=False,
            lifespan="on",
        )
        self.server = uvicorn.Server(cfg)
        self.server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
        self.thread = threading.Thread(target=lambda: asyncio.run(self.server.serve()), daemon=True)
        self.thread.start()
        while not self.server.started:
            time.sleep(0.01)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


async def measure(
    engines: dict[str, Any], n: int, rounds: int, build: bool
) -> dict[str, list[int]]:
    """Interleave the engines round by round; each timing covers input build + decide."""
    times: dict[str, list[int]] = {name: [] for name in engines}
    rows = inputs()
    per_round = max(1, n // rounds)
    for _ in range(rounds):
        for name, engine in engines.items():
            sink = times[name]
            raw = isinstance(engine, _Raw)
            prebuilt = [make_input(*r) for r in rows]
            for p in prebuilt:
                p["_json"] = json.dumps(p, separators=(",", ":"))
            for i in range(per_round):
                r = rows[i % len(rows)]
                t0 = time.perf_counter_ns()
                if raw:
                    await engine.decide(prebuilt[i % len(rows)])
                elif isinstance(engine, _WithProvenance):
                    await engine.decide(make_input(*r, conversation=engine.conv))
                else:
                    await engine.decide(make_input(*r) if build else prebuilt[i % len(rows)])
                sink.append(time.perf_counter_ns() - t0)
    return times


def curve(sizes: tuple[int, ...] = (10, 100, 1000), reps: int = 15) -> None:
    """The provenance index: build + one call's facts, per conversation size. Sizes are
    interleaved rep by rep (the box's load drifts); min is the least load-sensitive figure."""
    from rich.console import Console
    from rich.table import Table

    args = json.dumps(
        {"to": "ops7@vendor7.example", "subject": "summary", "body": "the summary", "amount": 7250}
    )
    table = Table(
        title="Provenance index: build + one call's facts (send_email, 4 leaves)",
        title_justify="left",
    )
    for col in ("messages", "KB", "min µs", "p50 µs", "p90 µs", "min µs / KB"):
        table.add_column(col, justify="right")
    convs = {n: conversation(n) for n in sizes}
    times: dict[int, list[int]] = {n: [] for n in sizes}
    for _ in range(reps):
        for n in sizes:
            t0 = time.perf_counter_ns()
            make_input("user", "send_email", False, args, conversation=convs[n])
            times[n].append(time.perf_counter_ns() - t0)
    for n in sizes:
        kb = sum(len(m.get("content") or "") for m in convs[n]) / 1024
        ts = times[n]
        lo = min(ts) / 1000
        table.add_row(
            str(n),
            f"{kb:,.0f}",
            f"{lo:,.0f}",
            f"{pct(ts, 50) / 1000:,.0f}",
            f"{pct(ts, 90) / 1000:,.0f}",
            f"{lo / kb:,.2f}",
        )
    Console(width=110).print(table)


async def main_async(n: int, rounds: int, before: Path | None = None) -> None:
    from rich.console import Console
    from rich.table import Table

    bundle = load_bundle([DEFAULT_POLICY_DIR])
    trivial = Bundle((("trivial.rego", TRIVIAL),), (), bundle.data)
    # The evaluation itself: the decision cache (which would answer these few rotating
    # inputs from memory after the first round) is off, for every engine measured here.
    embedded = EmbeddedEngine(bundle, cache_entries=0)
    # Same answers from every engine before timing anything.
    engines: dict[str, Any] = {
        "baseline: no policy (input + always-allow)": _Allow(),
        "embedded regorus, shipped policies": embedded,
        "  with provenance facts (10-message conversation)": _WithProvenance(
            embedded, conversation(10)
        ),
        "  bare eval (no input build/parsing)": _Raw(embedded),
        "embedded regorus, one-rule policy": EmbeddedEngine(trivial, cache_entries=0),
    }
    if before is not None:
        engines[f"embedded regorus, policies in {before}"] = EmbeddedEngine(
            load_bundle([before]), cache_entries=0
        )
    vm = "regorus bytecode VM, shipped (not used)"
    engines[vm] = _RegorusVm(bundle, "data." + embedded.policy)
    try:
        engines["OPA (Go) in-process, shipped policies"] = _OpaInProcess(bundle)
    except ImportError:
        pass
    server = _Server()
    trivial_server = _Server()
    remote = OpaServerEngine(server.url, timeout=2.0)
    remote_trivial = OpaServerEngine(trivial_server.url, timeout=2.0)
    await remote.load(bundle)
    await remote_trivial.load(trivial)
    engines[f"REST to OPA API ({server.opa.engine} engine), shipped"] = remote
    engines["REST to OPA API, one-rule policy"] = remote_trivial
    for name, engine in engines.items():
        if (
            isinstance(engine, (_Raw, _Allow, _RegorusVm, _WithProvenance))
            or "one-rule" in name
            or "policies in" in name
        ):
            continue
        got = [(await engine.decide(make_input(*r))).outcome for r in inputs()]
        want = [(await embedded.decide(make_input(*r))).outcome for r in inputs()]
        assert got == want, (name, got, want)
    outcomes = [(await embedded.decide(make_input(*r))).outcome for r in inputs()]
    try:
        await measure(engines, max(50, n // 20), 1, True)  # warm-up
        rest_n = max(200, n // 5)
        local = {k: v for k, v in engines.items() if not k.startswith("REST")}
        rest = {k: v for k, v in engines.items() if k.startswith("REST")}
        times = await measure(local, n, rounds, True)
        times.update(await measure(rest, rest_n, rounds, True))
    finally:
        await remote.aclose()
        await remote_trivial.aclose()
        server.stop()
        trivial_server.stop()

    base_p50 = pct(times[next(iter(times))], 50) / 1000
    table = Table(
        title=f"Policy decision latency ({len(CALLS)} rotating inputs: "
        f"{', '.join(sorted(set(outcomes)))}; {rounds} interleaved rounds)",
        title_justify="left",
    )
    for col in ("engine", "decisions/s", "p50 µs", "p99 µs", "p50 × baseline", "n"):
        table.add_column(col, justify="left" if col == "engine" else "right")
    for name, ts in times.items():
        p50 = pct(ts, 50) / 1000  # ns -> µs
        table.add_row(
            name,
            f"{1e9 / (sum(ts) / len(ts)):,.0f}",
            f"{p50:,.1f}",
            f"{pct(ts, 99) / 1000:,.1f}",
            f"{p50 / base_p50:,.1f}",
            str(len(ts)),
        )
    Console(width=110).print(table)
    curve()
    embedded_cost()


def embedded_cost(sizes: tuple[int, ...] = (10, 100), reps: int = 40) -> None:
    """What looking up values inside free text adds to one call's facts: a `send_email`
    whose 600-character body carries two URLs, an address and a secret, with the extraction
    on and off (`provenance._embedded_facts` stubbed out), interleaved rep by rep."""
    from rich.console import Console
    from rich.table import Table

    from keepgate.policy import provenance

    body = (
        "Hi team, the vendor report is at https://docs.vendor7.example/a/7 and the status "
        "page at www.status-vendor.example/q3. Questions to ops7@vendor7.example. "
        "The staging key is STAGING_KEY=q8Lk2vX91. "
    ) * 3
    args = json.dumps({"to": "ops7@vendor7.example", "subject": "summary", "body": body})
    real = provenance._embedded_facts
    convs = {n: conversation(n) for n in sizes}
    times: dict[tuple[int, bool], list[int]] = {(n, on): [] for n in sizes for on in (False, True)}
    try:
        for _ in range(reps):
            for n in sizes:
                for on in (False, True):
                    provenance._embedded_facts = real if on else (lambda index, value: [])
                    t0 = time.perf_counter_ns()
                    make_input("user", "send_email", False, args, conversation=convs[n])
                    times[(n, on)].append(time.perf_counter_ns() - t0)
    finally:
        provenance._embedded_facts = real
    table = Table(
        title="Values inside free text: one call's facts, extraction off vs on",
        title_justify="left",
    )
    for col in ("messages", "off p50 µs", "on p50 µs", "on / off"):
        table.add_column(col, justify="right")
    for n in sizes:
        off, on = pct(times[(n, False)], 50) / 1000, pct(times[(n, True)], 50) / 1000
        table.add_row(str(n), f"{off:,.0f}", f"{on:,.0f}", f"{on / off:,.2f}")
    Console(width=110).print(table)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer decisions (~5 s)")
    ap.add_argument("--n", type=int, default=5000, help="decisions per in-process engine")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--before", type=Path, help="another policies/ directory to compare")
    ap.add_argument("--curve-only", action="store_true", help="only the provenance index curve")
    ap.add_argument(
        "--embedded-only",
        action="store_true",
        help="only the cost of looking up values inside free text",
    )
    ns = ap.parse_args()
    _CATALOG.append(Catalog(load_bundle([DEFAULT_POLICY_DIR]).data))
    if ns.curve_only:
        curve()
        return
    if ns.embedded_only:
        embedded_cost()
        return
    n = 800 if ns.quick else ns.n
    asyncio.run(main_async(n, ns.rounds, ns.before))


if __name__ == "__main__":
    main()
