"""PII scrubbing: cost per 500 characters and per answer, and recall on labelled data.

    .venv/bin/python bench/pii.py [--quick]

Everything runs in one process, on the same texts, interleaved, best of several rounds:

1. per 500 characters of answer: a pass-through baseline, Presidio's default analyzer as
   configured out of the box (AnalyzerEngine on a blank spaCy pipeline + AnonymizerEngine,
   the same entity list), and Keepgate's `Scrubber`;
2. per answer: the "pii" guard's transformer vs the base Guard's pass-through one, on
   1000-char answers and on the side-by-side benchmark's long answer (streamed, with the
   opt-in coalescing, and not streamed), and how much text is held back (first-token
   delay);
3. precision and recall per labelled type on `../shared/datasets/pii/` (presidio-research);
4. the dev sets (`bench/pii_dev.py`: sources the NER never trained on, and hand-written
   LLM-style sentences): recall, precision and F2 per entity type, micro F2, and how many
   URL redactions `url_policy: sensitive` saves on social text.

Speed is reported as the median (p50) over 500-character pieces of each piece's best time,
with the NER on (the default) and off, next to Presidio's default analyzer in the same run.

Recall counts a labelled value as found only when the redacted spans cover all of it (a
half-redacted phone number still leaks). Precision counts a redacted span as right when it
overlaps any labelled PII value (redacting part of an address as a phone is not a false
alarm), so it is a floor for unlabelled types such as URL.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import keepgate  # noqa: E402,F401 - offline switches before Presidio imports
from bench.stats import table  # noqa: E402

DATA = ROOT.parent / "shared" / "datasets"
PII_FILES = ("train_presidio_synth_dataset_v2", "train_presidio_generated_large")
PROSE_FILE = DATA / "injection" / "train_selfinstruct_benign.jsonl"
#: Labelled types a pattern recognizer can find, and the entity that covers each.
PATTERN_TYPES = {
    "CREDIT_CARD": "CREDIT_CARD",
    "PHONE_NUMBER": "PHONE_NUMBER",
    "EMAIL_ADDRESS": "EMAIL_ADDRESS",
    "IBAN_CODE": "IBAN_CODE",
    "US_SSN": "US_SSN",
    "IP_ADDRESS": "IP_ADDRESS",
    "US_DRIVER_LICENSE": "US_DRIVER_LICENSE",
    "DOMAIN_NAME": "URL",
}


def load_rows() -> list[dict[str, Any]]:
    rows = []
    for name in PII_FILES:
        with open(DATA / "pii" / f"{name}.jsonl", encoding="utf-8") as fh:
            rows += [json.loads(line) for line in fh if line.strip()]
    return rows


def pieces_of(text: str, size: int = 500) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text) - size + 1, size)]


def best_ms(fn: Callable[[str], Any], pieces: list[str], rounds: int) -> float:
    """Best-of-`rounds` mean milliseconds per piece."""
    for p in pieces[:3]:
        fn(p)
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        for p in pieces:
            fn(p)
        times.append((time.perf_counter() - t0) / len(pieces) * 1000)
    return min(times)


# -- engines -------------------------------------------------------------------------------


def presidio_default(
    entities: list[str],
) -> Callable[[str], tuple[str, list[tuple[int, int, str]]]]:
    """Presidio as a user would set it up without a model: analyze, then anonymize."""
    from presidio_analyzer import AnalyzerEngine
    from presidio_anonymizer import AnonymizerEngine

    from keepgate.scrubbing.engine import blank_nlp_engine

    analyzer = AnalyzerEngine(nlp_engine=blank_nlp_engine())
    anonymizer = AnonymizerEngine()
    known = set(analyzer.get_supported_entities("en"))
    wanted = [e for e in entities if e in known]

    def run(text: str) -> tuple[str, list[tuple[int, int, str]]]:
        results = analyzer.analyze(text, language="en", entities=wanted)
        return (
            anonymizer.anonymize(text, results).text,
            [(r.start, r.end, r.entity_type) for r in results],
        )

    return run


def keepgate_scrubber(section: dict[str, Any] | None = None) -> Any:
    from keepgate.scrubbing.guard import build

    guard = build(section or {}, None, None)
    return guard, guard.scrubber_for_section(section or {})


def p50_ms(fn: Callable[[str], Any], pieces: list[str], rounds: int) -> float:
    """Median over pieces of each piece's best-of-`rounds` time, in ms."""
    for p in pieces[:3]:
        fn(p)
    best = [float("inf")] * len(pieces)
    for _ in range(rounds):
        for i, p in enumerate(pieces):
            t0 = time.perf_counter()
            fn(p)
            best[i] = min(best[i], time.perf_counter() - t0)
    return statistics.median(best) * 1000


# -- 1. cost per 500 characters -----------------------------------------------------------


def bench_throughput(rounds: int, limit: int) -> tuple[str, Any, Any]:
    from bench.pii_dev import dev_sets

    rows = load_rows()
    guard, scrubber = keepgate_scrubber()
    _, patterns = keepgate_scrubber({"nlp_model": None})
    presidio = presidio_default(sorted(patterns.entities))
    pii_text = pieces_of("\n".join(r["text"] for r in rows))[:limit]
    with open(PROSE_FILE, encoding="utf-8") as fh:
        prose = pieces_of("\n".join(json.loads(line)["text"] for line in fh))[:limit]
    social = pieces_of("\n".join(d.text for d in dev_sets()["btc_f (social)"]))[:limit]
    out = []
    for name, pieces in (
        ("labelled PII set", pii_text),
        ("plain prose", prose),
        ("tweets (BTC F)", social),
    ):
        base = p50_ms(lambda t: t.encode() and t, pieces, rounds)
        p = p50_ms(presidio, pieces, rounds)
        k0 = p50_ms(patterns.scrub, pieces, rounds)
        k = p50_ms(scrubber.scrub, pieces, rounds)
        out.append(
            [
                name,
                len(pieces),
                f"{base * 1000:.1f} µs",
                f"{p:.2f} ms",
                f"{k0:.3f} ms",
                f"{k:.3f} ms",
                f"{p / k:.1f}×",
            ]
        )
    return (
        table(
            [
                "text (500-char pieces), p50",
                "n",
                "pass-through",
                "Presidio default",
                "Keepgate, patterns only",
                "Keepgate, NER on (default)",
                "speed-up vs Presidio",
            ],
            out,
        ),
        guard,
        presidio,
    )


# -- 2. streaming --------------------------------------------------------------------------


async def _stream(pieces: list[str]) -> AsyncIterator[dict[str, Any]]:
    from keepgate.pipeline.chunks import make_chunk

    base = {"id": "chatcmpl-bench", "model": "demo", "created": 1}
    yield make_chunk(base, delta={"role": "assistant", "content": ""})
    for p in pieces:
        yield make_chunk(base, delta={"content": p})
    yield make_chunk(base, finish_reason="stop")


async def _drain(
    transform: Callable[[Any, Any], AsyncIterator[dict[str, Any]]],
    answers: list[list[str]],
    stream: bool = True,
) -> float:
    from keepgate.auth.principal import Principal
    from keepgate.pipeline.call import Call

    t0 = time.perf_counter()
    for pieces in answers:
        call = Call(
            principal=Principal("bench", "developer"),
            route="chat.completions",
            model="demo",
            body={},
            stream=stream,
        )
        async for _ in transform(call, _stream(pieces)):
            pass
    return time.perf_counter() - t0


def bench_stream(guard: Any, rounds: int, n_answers: int) -> str:
    """Cost per answer of the pii transformer over a pass-through one, same chunks.

    The last rows are the side-by-side benchmark's "long" answer (bench/scenarios.py: 2.9 kB
    with one e-mail and one phone number, 16-char chunks as the fake model sends them):
    streamed as served (every piece may release), with 4-char chunks, with the opt-in
    `stream_coalesce_ms: 2` (bursts scrubbed together), and not streamed (one scan).
    """
    from bench.scenarios import LONG
    from keepgate.pipeline.guard import Guard
    from keepgate.scrubbing.guard import build

    rows = load_rows()
    with open(PROSE_FILE, encoding="utf-8") as fh:
        prose = "\n".join(json.loads(line)["text"] for line in fh)
    pii = "\n".join(r["text"] for r in rows)
    passthrough = Guard()
    coalescing = build({"stream_coalesce_ms": 2}, None, None)
    cases: list[tuple[str, list[str], int, Any, bool]] = []
    for name, text in (("PII set, 1000 chars", pii), ("prose, 1000 chars", prose)):
        answers = [text[i : i + 1000] for i in range(0, 1000 * n_answers, 1000)]
        for chunk_chars in (4, 16):
            cases.append((f"{name}, {chunk_chars}-char chunks", answers, chunk_chars, guard, True))
    long = [LONG] * n_answers
    cases += [
        ("long answer, 16-char chunks, streamed", long, 16, guard, True),
        ("… 4-char chunks", long, 4, guard, True),
        ("… 16-char chunks, stream_coalesce_ms: 2", long, 16, coalescing, True),
        ("long answer, not streamed", long, 16, guard, False),
    ]
    out = []
    for name, texts, chunk_chars, g, stream in cases:
        answers = [[a[i : i + chunk_chars] for i in range(0, len(a), chunk_chars)] for a in texts]
        n_chunks = sum(len(a) + 2 for a in answers)
        base = min(
            asyncio.run(_drain(passthrough.transform, answers, stream)) for _ in range(rounds)
        )
        kg = min(asyncio.run(_drain(g.transform, answers, stream)) for _ in range(rounds))
        per = 1000 / len(answers)
        out.append(
            [
                name,
                f"{base * per:.3f} ms",
                f"{kg * per:.3f} ms",
                f"{(kg - base) / len(answers) * 1000:.3f} ms",
                f"{(kg - base) / n_chunks * 1e6:.1f} µs",
            ]
        )
    return table(
        [
            "answers",
            "pass-through /answer",
            "pii guard /answer",
            "overhead /answer",
            "overhead /chunk",
        ],
        out,
    )


def bench_hold(scrubber: Any) -> str:
    """How much text the stream holds back: at the first release and on average."""
    from keepgate.scrubbing.stream import StreamScrubber

    rows = load_rows()
    with open(PROSE_FILE, encoding="utf-8") as fh:
        prose = [json.loads(line)["text"] for line in fh][:300]
    out = []
    for name, texts in (
        ("plain prose", prose),
        ("labelled PII set", [r["text"] for r in rows][:300]),
    ):
        first, held = [], []
        for text in texts:
            s = StreamScrubber.of(scrubber, hold_all_words=scrubber.detector.has_ner)
            got_first = False
            for i in range(0, len(text), 4):
                released = s.feed(text[i : i + 4])
                held.append(s.held)
                if released and not got_first:
                    first.append(i + 4)
                    got_first = True
            s.flush()
        out.append(
            [
                name,
                f"{statistics.median(first):.0f} chars",
                f"{statistics.mean(held):.1f} chars",
                f"{max(held)} chars",
            ]
        )
    return table(
        ["text (4-char chunks)", "first release after (median)", "held (mean)", "held (max)"], out
    )


# -- 3. precision / recall -----------------------------------------------------------------


def _covered(spans: list[tuple[int, int]], start: int, end: int, text: str) -> bool:
    value = text[start:end]
    start += len(value) - len(value.lstrip(" \n\t.,;:()\"'"))
    end -= len(value) - len(value.rstrip(" \n\t.,;:()\"'"))
    need = set(range(start, end))
    for a, b in spans:
        need -= set(range(a, b))
    return not need


def bench_quality(scrubber: Any, presidio: Any) -> str:
    rows = load_rows()
    engines = {
        "Presidio default": lambda t: presidio(t)[1],
        "Keepgate": lambda t: [(s.start, s.end, s.entity) for s in scrubber.analyze(t)],
    }
    gold_n: Counter[str] = Counter()
    found: dict[str, Counter[str]] = {e: Counter() for e in engines}
    pred: dict[str, Counter[str]] = {e: Counter() for e in engines}
    good: dict[str, Counter[str]] = {e: Counter() for e in engines}
    for r in rows:
        text, gold = r["text"], [(s["start"], s["end"], s["type"]) for s in r["spans"]]
        for g in gold:
            if g[2] in PATTERN_TYPES:
                gold_n[g[2]] += 1
        for name, fn in engines.items():
            spans = fn(text)
            pairs = [(a, b) for a, b, _ in spans]
            for a, b, t in gold:
                if t in PATTERN_TYPES and _covered(pairs, a, b, text):
                    found[name][t] += 1
            for a, b, t in spans:
                pred[name][t] += 1
                if any(a < gb and ga < b for ga, gb, _ in gold):
                    good[name][t] += 1
    out = []
    for t in sorted(gold_n, key=lambda x: -gold_n[x]):
        ent = PATTERN_TYPES[t]
        row: list[Any] = [t, gold_n[t]]
        for name in engines:
            rec = found[name][t] / gold_n[t]
            prec = good[name][ent] / pred[name][ent] if pred[name][ent] else float("nan")
            row += [f"{rec:.2f}", f"{prec:.2f}"]
        out.append(row)
    row = ["all pattern types", sum(gold_n.values())]
    for name in engines:
        rec = sum(found[name].values()) / sum(gold_n.values())
        prec = sum(good[name].values()) / max(1, sum(pred[name].values()))
        row += [f"{rec:.2f}", f"{prec:.2f}"]
    out.append(row)
    with open(PROSE_FILE, encoding="utf-8") as fh:
        prose = [json.loads(line)["text"] for line in fh]
    chars = sum(len(t) for t in prose)
    names = {"PERSON", "LOCATION", "ORGANIZATION", "NRP"}
    for label, keep in (
        ("pattern redactions per 10k chars of prose", lambda e: e not in names),
        ("name redactions (NER) per 10k chars of prose", lambda e: e in names),
    ):
        row = [label, chars]
        for fn in engines.values():
            n = sum(1 for t in prose for *_, e in fn(t) if keep(e))
            row += [f"{n / chars * 1e4:.2f}", ""]
        out.append(row)
    return table(
        [
            "labelled type",
            "n",
            "Presidio recall",
            "Presidio precision",
            "Keepgate recall",
            "Keepgate precision",
        ],
        out,
    )


# -- 4. dev sets ---------------------------------------------------------------------------


def bench_dev(scrubber: Any) -> str:
    from bench.pii_dev import ORDER, dev_sets, f2, score, url_redactions

    def spans(t: str) -> list[tuple[int, int, str]]:
        return [(s.start, s.end, s.entity) for s in scrubber.analyze(t)]

    sets = dev_sets()
    parts = []
    total = None
    for name, docs in sets.items():
        sc = score(docs, spans)
        rows = []
        for t in ORDER:
            if sc.gold[t] or sc.pred[t]:
                r, p = sc.recall(t), sc.precision(t)
                rows.append(
                    [
                        t,
                        sc.gold[t],
                        f"{r:.3f}",
                        f"{sc.token_recall(t):.3f}",
                        f"{p:.3f}",
                        f"{f2(p, r):.3f}" if sc.gold[t] and sc.pred[t] else "",
                    ]
                )
        r, p, f = sc.micro()
        rows.append(
            [
                "micro (all scored types)",
                sum(sc.gold[t] for t in ORDER),
                f"{r:.3f}",
                "",
                f"{p:.3f}",
                f"{f:.3f}",
            ]
        )
        parts.append(
            f"### {name} ({len(docs)} texts)\n\n"
            + table(["type", "n", "recall", "token recall", "precision", "F2"], rows)
        )
        if total is None:
            total = sc
        else:
            for field in ("gold", "found", "chars", "covered", "pred", "good"):
                getattr(total, field).update(getattr(sc, field))
    r, p, f = total.micro()
    per = total.recall("PERSON"), total.precision("PERSON")
    parts.append(
        f"All dev sets together: micro recall {r:.3f}, precision {p:.3f}, F2 {f:.3f}; "
        f"PERSON recall {per[0]:.3f} at precision {per[1]:.3f}."
    )
    _, all_urls = keepgate_scrubber({"url_policy": "all"})
    with open(PROSE_FILE, encoding="utf-8") as fh:
        prose = [json.loads(line)["text"] for line in fh]
    from bench.pii_dev import Doc

    social = sets["btc_f (social)"] + [Doc(t, (), "prose") for t in prose]
    before = url_redactions(
        social, lambda t: [(s.start, s.end, s.entity) for s in all_urls.analyze(t)]
    )
    after = url_redactions(social, spans)
    parts.append(
        f"URL redactions on the tweets and prose (no URL there is labelled PII): "
        f"{before} with `url_policy: all`, {after} with `sensitive` "
        f"({(1 - after / before) * 100 if before else 0:.0f} % fewer)."
    )
    return "\n\n".join(parts)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer rounds and texts (smoke run)")
    args = ap.parse_args(argv)
    rounds, limit, answers = (2, 40, 10) if args.quick else (5, 400, 60)
    print("## PII scrubbing: cost per 500 characters (best of", rounds, "rounds)\n")
    text, guard, presidio = bench_throughput(rounds, limit)
    print(text)
    scrubber = guard.scrubber_for_section({})
    print("\n## Per answer: pii guard vs pass-through transformer, same process\n")
    print(bench_stream(guard, rounds, answers))
    print("\n## First-token delay: text held back by the stream scrubber\n")
    print(bench_hold(scrubber))
    print(f"\n## Quality on ../shared/datasets/pii (presidio-research, {len(load_rows())} texts)\n")
    print(bench_quality(scrubber, presidio))
    print("\n## Dev sets: recall, precision, F2 per type (bench/pii_dev.py)\n")
    print(bench_dev(scrubber))
    print(f"\nload average at the end: {os.getloadavg()[0]:.2f} ({os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
