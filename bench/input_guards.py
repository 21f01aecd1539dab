"""Input guard benchmark: quality on the dev split and latency per stage, in one process.

    .venv/bin/python -m bench.input_guards [--requests 300] [--data DIR]

1. A smoke check of quality on three shared files (the shipped models train on them; the
   held-out protocol is `python -m training.input_guards.evaluate`): precision, recall and
   false-positive rate for the rule packs, the classifier and what the gateway blocks.
2. Per-message latency of each scan stage (normalise, rules, classifier) on the dev texts,
   p50/p99, and the classifier's cost per KB.
3. Speed per KB on prose and on adversarial text (runs of whitespace, repeated tokens,
   nested delimiters, long words, escapes), 1 KB to the 4 MB body limit, per stage; and the
   rule packs on Python's `re` (the engine before RE2) on the same prose and on whitespace
   runs, to show what linear time buys.
4. End to end through real HTTP: the same chat requests against a gateway with the input
   guard on and a no-guard baseline gateway, both served from this process in front of the
   fake model, with the ratio between them.

`bench/stall.py` measures the other side: /healthz and small requests while 4 MB requests
are scanned.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from typing import Any

import uvloop

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

import keepgate  # noqa: F401 - offline switches first
from bench.stats import pct, table
from training.input_guards import dataset
from keepgate.input_guards.guard import InputGuard
from keepgate.input_guards.metrics import metrics


def quality_and_stages(dev: list[dataset.Row]) -> None:
    scanner = InputGuard({}).scanner()
    labels, rule_hits, cls_hits, both = [], [], [], []
    stage: dict[str, list[float]] = {"normalize": [], "rules": [], "classifier": [], "scan": []}
    per_kb: list[float] = []
    cpu_kb: list[float] = []
    cpu_total = 0.0
    thr = scanner.settings.classifier.threshold
    for r in dev:
        t0, c0 = time.perf_counter(), time.thread_time()
        res = scanner.scan(r.text)
        stage["scan"].append(time.perf_counter() - t0)
        cpu = time.thread_time() - c0
        cpu_total += cpu
        kb = max(len(r.text) / 1024, 1e-9)
        per_kb.append(stage["scan"][-1] * 1e3 / kb)
        cpu_kb.append(cpu * 1e3 / kb)
        for k in ("normalize", "rules", "classifier"):
            stage[k].append(res.timings.get(k, 0.0))
            rules = any(f.stage in ("rules", "normalize") for f in res.findings)
        cls = res.score >= thr
        labels.append(r.label)
        rule_hits.append(rules)
        cls_hits.append(cls)
        both.append(res.blocked)
    rows = []
    for name, hits in (
        ("rules alone (any finding)", rule_hits),
        (f"classifier alone (score >= {thr})", cls_hits),
        ("combined: gateway blocks", both),
    ):
        m = metrics(labels, hits)
        rows.append([name, f"{m.precision:.3f}", f"{m.recall:.3f}", f"{m.fpr:.4f}", f"{m.f1:.3f}"])
    n_att = sum(labels)
    print(
        f"\nDev files: {len(dev)} messages ({n_att} attacks, {len(dev) - n_att} benign) "
        f"from {', '.join(dataset.DEV_FILES)} -- the shipped models now train on every "
        "shared file, so this is a smoke check; held-out figures come from "
        "`python -m training.input_guards.evaluate` (rules/classifier/CLASSIFIER.md)\n"
    )
    print(table(["checks", "precision", "recall", "FPR", "F1"], rows))
    mean_len = statistics.mean(len(r.text) for r in dev)
    print(f"\nPer-message latency by stage (dev texts, mean {mean_len:.0f} chars, one core)\n")
    print(
        table(
            ["stage", "p50 µs", "p99 µs", "mean µs"],
            [
                [
                    k,
                    f"{pct(v, 50) * 1e6:.0f}",
                    f"{pct(v, 99) * 1e6:.0f}",
                    f"{statistics.mean(v) * 1e6:.0f}",
                ]
                for k, v in stage.items()
            ],
        )
    )
    total_kb = sum(len(r.text) for r in dev) / 1024
    print(
        f"\nwhole scan per KB on the dev texts (short messages pay the fixed cost): wall p50 "
        f"{pct(per_kb, 50):.3f} ms/KB per message, {sum(stage['scan']) * 1e3 / total_kb:.3f} "
        f"ms/KB over all; CPU (thread time) p50 {pct(cpu_kb, 50):.3f} ms/KB per message, "
        f"{cpu_total * 1e3 / total_kb:.3f} ms/KB over all"
    )


# -- end to end ----------------------------------------------------------------------------


async def end_to_end(texts: list[str], n: int) -> None:
    """The whole gateway path (auth, parsing, guards, upstream stream, assembly) in-process.

    Client → gateway uses httpx's ASGI transport; gateway → fake model is a real loopback
    HTTP server in the same event loop, as in production.
    """
    import httpx
    import yaml

    from keepgate.app import build_runtime, create_app
    from keepgate.config.load import parse_config
    from keepgate.fake_model.serve import BackgroundFakeModel

    master = "sk-bench-input-0123456789"
    fake = BackgroundFakeModel()
    await fake.start()

    def app(input_on: bool) -> Any:
        doc = {
            "model_list": [
                {
                    "model_name": "demo",
                    "litellm_params": {"model": "openai/demo", "api_base": fake.url},
                }
            ],
            "general_settings": {"master_key": master, "num_retries": 0, "audit_log": None},
            "guards": {
                "limits": {"enabled": False},
                "pii": {"enabled": False},
                "policy": {"enabled": False},
                "input": {"enabled": input_on},
            },
        }
        cfg = parse_config(yaml.safe_dump(doc), "<bench>", environ={})
        return create_app(cfg, runtime=build_runtime(cfg))

    apps = {name: app(on) for name, on in (("no guard (baseline)", False), ("input guard", True))}
    clients = {
        name: httpx.AsyncClient(
            transport=httpx.ASGITransport(a),
            base_url="http://gw",
            timeout=30,
            headers={"authorization": f"Bearer {master}"},
        )
        for name, a in apps.items()
    }
    results: dict[str, list[float]] = {k: [] for k in clients}
    rng = random.Random(5)
    sample = [rng.choice(texts) for _ in range(n)]
    for client in clients.values():  # warm up
        for t in sample[:20]:
            r = await client.post(
                "/v1/chat/completions",
                json={
                    "model": "demo",
                    "messages": [{"role": "user", "content": "warm " + t}],
                    "fake": {"reply": "ok"},
                },
            )
            assert r.status_code in (200, 400), r.text
    for i, t in enumerate(sample):
        order = list(clients.items())
        if i % 2:
            order.reverse()  # interleave so drift hits both equally
        for name, client in order:
            body = {
                "model": "demo",
                "messages": [{"role": "user", "content": f"{i} {t}"}],
                "fake": {"reply": "ok"},
            }
            t0 = time.perf_counter()
            await client.post("/v1/chat/completions", json=body)
            results[name].append(time.perf_counter() - t0)
    base = results["no guard (baseline)"]
    rows = [
        [
            name,
            f"{pct(v, 50) * 1e3:.3f}",
            f"{pct(v, 99) * 1e3:.3f}",
            f"{pct(v, 50) / pct(base, 50):.2f}x",
            f"{pct(v, 99) / pct(base, 99):.2f}x",
        ]
        for name, v in results.items()
    ]
    print(
        f"\nWhole request path, {n} chat requests per gateway (unique dev texts, so no "
        "result-cache hits), in-process ASGI, same process\n"
    )
    print(table(["keepgate", "p50 ms", "p99 ms", "p50 vs baseline", "p99 vs baseline"], rows))
    for client in clients.values():
        await client.aclose()
    for a in apps.values():
        await a.state.keepgate.upstream.aclose()
    await fake.stop()


def classifier_per_kb(dev: list[dataset.Row]) -> None:
    """The issue's budget: ≤ 1 ms per 1 KB message on one core."""
    scanner = InputGuard({}).scanner()
    clf = scanner.classifier
    assert clf is not None
    joined = "\n".join(r.text for r in dev)
    texts = [joined[i : i + 1024] for i in range(0, min(len(joined), 1024 * 300), 1024)]
    times = []
    for t in texts:
        t0 = time.perf_counter()
        clf.score(t)
        times.append(time.perf_counter() - t0)
    print(
        f"\nclassifier on {len(texts)} 1 KB messages: p50 {pct(times, 50) * 1e6:.0f} µs, "
        f"p99 {pct(times, 99) * 1e6:.0f} µs (budget 1000 µs)"
    )


def stages_per_kb(dev: list[dataset.Row]) -> None:
    """Every stage of the default scanner on 1 KB texts, as a user message and as a tool
    result (the gibberish stage reads user text, the instruction stage tool results and
    documents pasted into user messages), in thread CPU time, with the ratio to the
    first-stage classifier measured in the same run."""
    from training.input_guards.evaluate import latency_per_kb

    rep = latency_per_kb([r.text for r in dev], n=200)
    base = rep.get("classifier (user)", {}).get("p50_us") or 1.0
    print("\nPer stage on 1 KB texts (one core)\n")
    print(
        table(
            ["stage", "p50 µs", "p99 µs", "p50 vs classifier"],
            [
                [k, f"{v['p50_us']:.0f}", f"{v['p99_us']:.0f}", f"{v['p50_us'] / base:.2f}x"]
                for k, v in rep.items()
            ],
        )
    )


# -- speed per KB: prose vs adversarial ----------------------------------------------------


def _fill(unit: str, size: int) -> str:
    return (unit * (size // len(unit) + 1))[:size]


ADVERSARIAL = {
    "whitespace runs": "  \n" + " " * 600 + "\t",
    "repeated 'ignore all the '": "ignore all the ",
    "repeated 'system: '": "system:   ",
    "nested delimiters": "[(<{#*![x](",
    "long words": "a" * 5000 + " ",
    "url-escaped tokens": "%41%42%43 ",
    "mixed-script words": "\u0456gn\u043ere ",
    "zero-width splits": "a\u200b",
}


def _prose(dev: list[dataset.Row]) -> str:
    benign = [r.text for r in dev if not r.label]
    return "\n\n".join(benign)


def speed_per_kb(dev: list[dataset.Row], sizes: tuple[int, ...]) -> None:
    """CPU time of each stage (thread_time: what this thread used, so the other developers'
    load on the box inflates it far less than wall time), and wall time of the whole scan."""
    scanner = InputGuard({}).scanner()
    assert scanner.ruleset is not None
    prose = _prose(dev)

    def cpu(fn: Any) -> tuple[float, Any]:
        t0 = time.thread_time()
        out = fn()
        return time.thread_time() - t0, out

    rows, base = [], {}
    for name, unit in [("prose (dev benign)", None), *ADVERSARIAL.items()]:
        for size in sizes:
            text = _fill(prose, size) if unit is None else _fill(unit, size)
            samples = []
            for _ in range(3 if size <= 64 * 1024 else 1):
                t_norm, norm = cpu(lambda text=text: scanner.normalizer.normalize(text))
                t_rules, _ = cpu(lambda norm=norm: scanner.ruleset.matches(norm.text))
                t_cls, _ = cpu(lambda norm=norm: scanner._classify(norm.text, "user", None))
                t0 = time.perf_counter()
                scanner.scan(text)
                wall = time.perf_counter() - t0
                samples.append((t_norm + t_rules + t_cls, t_norm, t_rules, t_cls, wall))
            total, t_norm, t_rules, t_cls, wall = sorted(samples)[len(samples) // 2]
            kb = size / 1024
            if unit is None:
                base[size] = total
            rows.append(
                [
                    name,
                    f"{kb:,.0f}",
                    f"{total * 1e3 / kb:.3f}",
                    f"{total / base[size]:.2f}x",
                    f"{t_norm * 1e3 / kb:.3f}",
                    f"{t_rules * 1e3 / kb:.3f}",
                    f"{t_cls * 1e3 / kb:.3f}",
                    f"{wall * 1e3 / kb:.3f}",
                ]
            )
    print(
        "\nWhole scan per KB by stage, CPU ms per KB (median of 3 up to 64 KB), vs prose of "
        "the same size, and wall ms/KB of one Scanner.scan\n"
    )
    print(
        table(
            [
                "input",
                "KB",
                "CPU ms/KB",
                "vs prose",
                "normalise",
                "rules",
                "classifier",
                "wall ms/KB",
            ],
            rows,
        )
    )


def rules_before_after(dev: list[dataset.Row]) -> None:
    """The same rule patterns on Python's `re` (before) and RE2 (now)."""
    import re

    from keepgate.input_guards.config import DEFAULT_RULES_DIR
    from keepgate.input_guards.rules import RuleSet, load_dirs

    rules = load_dirs([DEFAULT_RULES_DIR])
    old = [re.compile(r.pattern, re.IGNORECASE) for r in rules]
    new = RuleSet(rules)
    prose = _fill(_prose(dev), 64 * 1024)
    rows = []

    def timed(fn) -> float:
        t0 = time.perf_counter()
        fn()
        return time.perf_counter() - t0

    t_old = timed(lambda: [p.search(prose) for p in old])
    t_new = timed(lambda: new.matches(prose))
    rows.append(
        [
            "prose, 64 KB",
            f"{t_old * 1e3 / 64:.3f} ms/KB",
            f"{t_new * 1e3 / 64:.4f} ms/KB",
            f"{t_old / t_new:.0f}x",
        ]
    )
    for n in (200, 400, 800):
        text = "x" + " " * n + "y"
        t_old = timed(lambda text=text: [p.search(text) for p in old])
        t_new = timed(lambda text=text: new.matches(text))
        rows.append(
            [
                f"{n} spaces",
                f"{t_old * 1e3:.1f} ms",
                f"{t_new * 1e3:.3f} ms",
                f"{t_old / t_new:.0f}x",
            ]
        )
    big = " " * (4 * 1024 * 1024)
    rows.append(
        ["4 MB of spaces", "(cubic: hours)", f"{timed(lambda: new.matches(big)) * 1e3:.1f} ms", ""]
    )
    print("\nRule packs alone: Python re (before) vs RE2 (now)\n")
    print(table(["input", "re", "RE2", "ratio"], rows))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=300)
    ap.add_argument("--data", help="directory of injection/*.jsonl")
    ap.add_argument(
        "--max-kb",
        type=int,
        default=4096,
        help="largest text in the per-KB table (the body limit is 4096)",
    )
    args = ap.parse_args(argv)
    try:
        dev = dataset.dev_rows(args.data)
    except FileNotFoundError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 2
    print(f"load average at start: {os.getloadavg()[0]:.2f} (2 cores shared)")
    quality_and_stages(dev)
    classifier_per_kb(dev)
    stages_per_kb(dev)
    sizes = tuple(s for s in (1024, 64 * 1024, 1024 * 1024, 4096 * 1024) if s <= args.max_kb * 1024)
    speed_per_kb(dev, sizes)
    rules_before_after(dev)
    uvloop.run(end_to_end([r.text for r in dev], args.requests))  # the loop `keepgate serve` uses
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
